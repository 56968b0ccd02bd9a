//! Accounts and access: passwords, tokens, the `AuthUser` extractor, the
//! `/auth` routes and login throttling.

pub mod extract;
pub mod hs256;
pub mod password;
pub mod routes;
pub mod throttle;
pub mod token;
pub mod users;
