//! The caller's documents: list, create, read (owner only, else `404`).

pub mod routes;
pub mod store;
