//! Postgres and Redis that already run somewhere, given by URL.

use std::time::Duration;

use super::endpoint::{PostgresEndpoint, RedisEndpoint, postgres_version, redis_version};
use super::error::ServicesError;

/// How long servers that should already be running get to answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Servers given by URL, checked to answer.
pub(super) struct ExternalServices {
    pub(super) postgres_endpoint: PostgresEndpoint,
    /// The database of the given URL: admin statements run there.
    pub(super) admin_database: String,
    pub(super) redis_endpoint: RedisEndpoint,
    pub(super) postgres_version: String,
    pub(super) redis_version: String,
}

/// Parses both URLs and checks that both servers answer.
pub(super) async fn connect(
    database_url: &str,
    redis_url: &str,
) -> Result<ExternalServices, ServicesError> {
    let (postgres_endpoint, admin_database) = parse_database_url(database_url)?;
    let redis_endpoint = RedisEndpoint::from_url(redis_url)?;
    let (postgres_version, redis_version) = tokio::try_join!(
        postgres_version(&postgres_endpoint, &admin_database, ANSWER_TIMEOUT),
        redis_version(&redis_endpoint, ANSWER_TIMEOUT),
    )?;
    Ok(ExternalServices {
        postgres_endpoint,
        admin_database,
        redis_endpoint,
        postgres_version,
        redis_version,
    })
}

/// Splits `postgres://user:password@host:port/database` into an endpoint and
/// the database name (libpq defaults: port 5432, database = user name).
pub(super) fn parse_database_url(url: &str) -> Result<(PostgresEndpoint, String), ServicesError> {
    let invalid = |reason: &str| ServicesError::InvalidUrl {
        what: "database URL".to_owned(),
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|error| invalid(&error.to_string()))?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err(invalid(
            "expected postgres://user:password@host:port/database",
        ));
    }
    let host = parsed
        .host_str()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| invalid("no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let user = percent_decode(parsed.username());
    if user.is_empty() {
        return Err(invalid("no user name"));
    }
    let password = percent_decode(parsed.password().unwrap_or_default());
    let database = percent_decode(parsed.path().trim_start_matches('/'));
    let database = if database.is_empty() {
        user.clone()
    } else {
        database
    };
    let endpoint = PostgresEndpoint {
        host,
        port: parsed.port().unwrap_or(5432),
        user,
        password,
    };
    Ok((endpoint, database))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], escaped) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_gives_credentials_and_database() {
        let (endpoint, database) =
            parse_database_url("postgres://app:p%40ss@db.example:6543/insight_garden").unwrap();
        assert_eq!(endpoint.host, "db.example");
        assert_eq!(endpoint.port, 6543);
        assert_eq!(endpoint.user, "app");
        assert_eq!(endpoint.password, "p@ss");
        assert_eq!(database, "insight_garden");
        assert_eq!(
            endpoint.database_url("x"),
            "postgres://app:p%40ss@db.example:6543/x"
        );
    }

    #[test]
    fn a_database_url_defaults_like_libpq_and_refuses_other_schemes() {
        let (endpoint, database) = parse_database_url("postgresql://app@localhost").unwrap();
        assert_eq!((endpoint.port, database.as_str()), (5432, "app"));
        assert!(parse_database_url("mysql://app@localhost/x").is_err());
    }
}
