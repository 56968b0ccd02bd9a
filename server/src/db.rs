//! The Postgres pool, migrations, and the one classification of `sqlx`
//! errors into what the API cares about: unavailable, a unique violation, or
//! a bug.
//!
//! The pool is tuned so that an outage gives a `503` within about two
//! seconds (REG-4) and heals by itself when Postgres comes back: connections
//! are tested before use, acquisition gives up after 1.5 s, and every query
//! runs under a deadline.

use std::future::Future;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// The migrations in `server/migrations`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Name of the unique constraint on `users.email` (see the first migration):
/// its violation is the `409` of REG-2 and REG-3.
pub const USERS_EMAIL_KEY: &str = "users_email_key";

/// How long a request waits for a pooled connection before answering `503`.
const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1500);
/// How long one database operation may take in all, acquisition included.
const OPERATION_DEADLINE: Duration = Duration::from_millis(2500);
/// How long the server keeps trying to reach Postgres at start.
const STARTUP_DEADLINE: Duration = Duration::from_secs(10);

/// A database failure, classified.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Postgres cannot be reached: connection refused or lost, pool timeout.
    #[error("the database cannot be reached: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// Postgres did not finish the operation in time.
    #[error("the database did not answer within {0:?}")]
    TimedOut(Duration),
    /// A unique constraint refused the write.
    #[error("unique constraint `{constraint}` violated")]
    UniqueViolation {
        /// The constraint's name, as Postgres reports it.
        constraint: String,
    },
    /// Anything else: a bug or a schema mismatch.
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err
            && db.is_unique_violation()
        {
            return DbError::UniqueViolation {
                constraint: db.constraint().unwrap_or_default().to_owned(),
            };
        }
        if is_unavailable(&err) {
            DbError::Unavailable(err)
        } else {
            DbError::Other(err)
        }
    }
}

/// Whether `err` means Postgres cannot be reached (as opposed to a bug).
fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.code().is_some_and(|code| is_outage_code(&code)),
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

/// SQLSTATEs that mean "the server is going away or cannot serve now":
/// class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect
/// now) and 53300 (too many connections).
fn is_outage_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// Runs one database operation under [`OPERATION_DEADLINE`] and classifies
/// its error. Every query of the server goes through here.
pub async fn bounded<T>(
    operation: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, DbError> {
    match tokio::time::timeout(OPERATION_DEADLINE, operation).await {
        Ok(result) => result.map_err(DbError::from),
        Err(_) => Err(DbError::TimedOut(OPERATION_DEADLINE)),
    }
}

/// Why the database could not be prepared at start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// Postgres did not answer before the startup deadline.
    #[error(
        "cannot reach Postgres at {host}:{port} within {seconds} s ({source}); \
         check that it is running and that DATABASE_URL is right"
    )]
    Unreachable {
        /// Host from `DATABASE_URL`.
        host: String,
        /// Port from `DATABASE_URL`.
        port: u16,
        /// The deadline.
        seconds: u64,
        /// The last error seen.
        source: MigrateError,
    },
    /// A migration failed for another reason than reachability.
    #[error("applying the migrations failed: {0}")]
    Migrate(#[source] MigrateError),
}

/// Builds the pool and applies the migrations, retrying while Postgres is
/// not reachable yet, for at most ten seconds.
pub async fn connect(options: PgConnectOptions) -> Result<PgPool, StartupError> {
    let host = options.get_host().to_owned();
    let port = options.get_port();
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(true)
        .connect_lazy_with(options);
    let deadline = tokio::time::Instant::now() + STARTUP_DEADLINE;
    let mut waiting = false;
    loop {
        match MIGRATOR.run(&pool).await {
            Ok(()) => return Ok(pool),
            Err(err) if is_unreachable(&err) && tokio::time::Instant::now() < deadline => {
                if !waiting {
                    tracing::info!(error = %err, "waiting for Postgres");
                    waiting = true;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(err) if is_unreachable(&err) => {
                return Err(StartupError::Unreachable {
                    host,
                    port,
                    seconds: STARTUP_DEADLINE.as_secs(),
                    source: err,
                });
            }
            Err(err) => return Err(StartupError::Migrate(err)),
        }
    }
}

fn is_unreachable(err: &MigrateError) -> bool {
    match err {
        MigrateError::Execute(source) | MigrateError::ExecuteMigration(source, _) => {
            is_unavailable(source)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_unavailable() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(matches!(
            DbError::from(sqlx::Error::Io(refused)),
            DbError::Unavailable(_)
        ));
        assert!(matches!(
            DbError::from(sqlx::Error::PoolTimedOut),
            DbError::Unavailable(_)
        ));
        assert!(matches!(
            DbError::from(sqlx::Error::RowNotFound),
            DbError::Other(_)
        ));
    }

    #[test]
    fn outage_sqlstates_are_recognised() {
        for code in ["08006", "08001", "57P01", "57P03", "53300"] {
            assert!(is_outage_code(code), "{code}");
        }
        for code in ["23505", "42P01", "22P02"] {
            assert!(!is_outage_code(code), "{code}");
        }
    }
}
