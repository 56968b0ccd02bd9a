//! [`Database`]: one subject's database, dropped when the subject is done
//! with it.

use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// A fresh database made for one subject ([`super::Services::create_database`]).
///
/// Dropping it drops the database, in a task of the Tokio runtime it is
/// dropped in (outside one, the database stays until the servers go): a
/// test binary that runs many suites on one set of services would
/// otherwise gather thousands of them (some 7.5 MB each, in memory when
/// Postgres runs in `/dev/shm`). A database that cannot be dropped stays,
/// which changes no verdict.
#[derive(Debug)]
pub struct Database {
    url: String,
    name: String,
    admin: PgConnectOptions,
    /// Whether the server knows `DROP DATABASE ... WITH (FORCE)`
    /// (Postgres 13 and later), which ends connections still open to it.
    force: bool,
}

impl Database {
    pub(super) fn new(url: String, name: String, admin: PgConnectOptions, force: bool) -> Self {
        Self {
            url,
            name,
            admin,
            force,
        }
    }

    /// A `postgres://` URL for it, with the services' admin credentials.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The statement that drops it.
    fn drop_statement(&self) -> String {
        let force = if self.force { " WITH (FORCE)" } else { "" };
        format!("DROP DATABASE IF EXISTS \"{}\"{force}", self.name)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let sql = self.drop_statement();
        let admin = self.admin.clone();
        let name = std::mem::take(&mut self.name);
        runtime.spawn(async move {
            let dropped = async {
                let mut connection = PgConnection::connect_with(&admin).await?;
                sqlx::query(AssertSqlSafe(sql))
                    .execute(&mut connection)
                    .await?;
                connection.close().await
            };
            // At the end of a run the servers may already be gone, and
            // their databases with them.
            if let Err(error) = dropped.await {
                tracing::debug!("database {name} was not dropped: {error}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(force: bool) -> Database {
        Database::new(
            "postgres://p:p@127.0.0.1:1/ig_0123".to_owned(),
            "ig_0123".to_owned(),
            PgConnectOptions::new(),
            force,
        )
    }

    #[test]
    fn force_is_used_where_the_server_knows_it() {
        assert_eq!(
            database(true).drop_statement(),
            "DROP DATABASE IF EXISTS \"ig_0123\" WITH (FORCE)"
        );
        assert_eq!(
            database(false).drop_statement(),
            "DROP DATABASE IF EXISTS \"ig_0123\""
        );
    }
}
