//! `ConfigError`: why the configuration was refused.

use super::KNOWN_DEFAULT_SECRET;
use crate::faults::UnknownFault;

/// Why the configuration was refused. Each message names the variable and
/// says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// CFG-2.
    #[error(
        "JWT_SECRET is not set or empty: set it to a long random string \
         (for example the output of `openssl rand -base64 32`) in the environment \
         or in .env in the directory the server is started from"
    )]
    MissingJwtSecret,
    /// CFG-3.
    #[error(
        "JWT_SECRET is still the known default `{KNOWN_DEFAULT_SECRET}`: anyone can forge \
         tokens with it; set a long random string (for example the output of \
         `openssl rand -base64 32`)"
    )]
    DefaultJwtSecret,
    /// `DATABASE_URL` is required.
    #[error(
        "DATABASE_URL is not set: set it to a Postgres URL such as \
         postgresql://user:password@localhost:5432/insight_garden"
    )]
    MissingDatabaseUrl,
    /// `DATABASE_URL` does not parse.
    #[error(
        "DATABASE_URL is not a valid Postgres URL ({reason}): expected \
         postgresql://user:password@host:port/database"
    )]
    InvalidDatabaseUrl {
        /// What the parser said.
        reason: String,
    },
    /// A variable holds a value of the wrong form.
    #[error("{name}={value:?} is invalid: expected {expected}")]
    InvalidValue {
        /// The variable.
        name: &'static str,
        /// The value as given (never used for secrets).
        value: String,
        /// What a valid value looks like.
        expected: &'static str,
    },
    /// One entry of `CORS_ORIGIN` is not an origin.
    #[error(
        "CORS_ORIGIN entry {value:?} is not an origin ({reason}): write scheme://host[:port] \
         with no path, such as http://localhost:5173, comma-separated for several"
    )]
    InvalidCorsOrigin {
        /// The entry as given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `REFERENCE_FAULTS` names a fault that does not exist.
    #[error("REFERENCE_FAULTS: {0}")]
    UnknownFault(#[from] UnknownFault),
    /// `.env` exists but cannot be read or parsed.
    #[error("cannot read .env in the working directory: {0}")]
    DotEnv(#[from] dotenvy::Error),
}
