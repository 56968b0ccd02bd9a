//! Where Postgres and Redis answer, and the checks that they do.

use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use tokio::time::{Instant, sleep, timeout};

use super::error::ServicesError;

/// Pause between connection attempts to a server that has no log to watch
/// (a container after its ready line, an external server).
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// Where Postgres answers, with admin credentials: enough to create
/// databases and to build URLs for the subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostgresEndpoint {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// A role that may create databases.
    pub user: String,
    /// Its password (ignored by local `trust` authentication).
    pub password: String,
}

impl PostgresEndpoint {
    /// `host:port` (IPv6 addresses in brackets), for messages and proxies.
    pub fn address(&self) -> String {
        socket_address(&self.host, self.port)
    }

    /// A `postgres://` URL for `database` with these credentials.
    pub fn database_url(&self, database: &str) -> String {
        format!(
            "postgres://{}:{}@{}/{}",
            percent_encode(&self.user),
            percent_encode(&self.password),
            self.address(),
            percent_encode(database)
        )
    }

    pub(super) fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .host(&self.host)
            .port(self.port)
            .username(&self.user)
            .password(&self.password)
            .database(database)
    }
}

/// Where Redis answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisEndpoint {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    url: String,
}

impl RedisEndpoint {
    /// A Redis without a password at `host:port`.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        let host = host.into();
        let url = format!("redis://{}", socket_address(&host, port));
        Self { host, port, url }
    }

    /// A Redis given by URL; the URL is kept as is, so a password or a
    /// database number in it still reaches the subject.
    pub fn from_url(url: &str) -> Result<Self, ServicesError> {
        let invalid = |reason: &str| ServicesError::InvalidUrl {
            what: "Redis URL".to_owned(),
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let parsed = reqwest::Url::parse(url).map_err(|error| invalid(&error.to_string()))?;
        if !matches!(parsed.scheme(), "redis" | "rediss") {
            return Err(invalid("expected redis://host:port"));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| invalid("no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = parsed.port().unwrap_or(6379);
        Ok(Self {
            host,
            port,
            url: url.to_owned(),
        })
    }

    /// `host:port` (IPv6 addresses in brackets).
    pub fn address(&self) -> String {
        socket_address(&self.host, self.port)
    }

    /// The URL the subject should use, e.g. `redis://127.0.0.1:41235`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

fn socket_address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), so a
/// user name, password or database name is safe inside a URL.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Connects to `database`, runs `SELECT 1` and returns the server version
/// (e.g. `15.19`), retrying until `limit` passes.
pub(super) async fn postgres_version(
    endpoint: &PostgresEndpoint,
    database: &str,
    limit: Duration,
) -> Result<String, ServicesError> {
    let options = endpoint.connect_options(database);
    let deadline = Instant::now() + limit;
    loop {
        let attempt = async {
            let mut connection = PgConnection::connect_with(&options).await?;
            sqlx::query("SELECT 1").execute(&mut connection).await?;
            let version: String = sqlx::query_scalar("SHOW server_version")
                .fetch_one(&mut connection)
                .await?;
            connection.close().await?;
            Ok::<_, sqlx::Error>(version)
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        let detail = match timeout(remaining, attempt).await {
            Ok(Ok(version)) => {
                let number = version.split_whitespace().next().unwrap_or("?");
                return Ok(number.to_owned());
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => "connection attempt timed out".to_owned(),
        };
        if Instant::now() + RETRY_PAUSE >= deadline {
            return Err(ServicesError::NotReady {
                service: "postgres".to_owned(),
                address: endpoint.address(),
                waited: limit,
                detail,
            });
        }
        sleep(RETRY_PAUSE).await;
    }
}

/// Sends `PING` and returns the server version (e.g. `7.0.15`), retrying
/// until `limit` passes.
pub(super) async fn redis_version(
    endpoint: &RedisEndpoint,
    limit: Duration,
) -> Result<String, ServicesError> {
    let client =
        redis::Client::open(endpoint.url()).map_err(|error| ServicesError::InvalidUrl {
            what: "Redis URL".to_owned(),
            url: endpoint.url().to_owned(),
            reason: error.to_string(),
        })?;
    let deadline = Instant::now() + limit;
    loop {
        let attempt = async {
            let mut connection = client.get_multiplexed_async_connection().await?;
            let pong: String = redis::cmd("PING").query_async(&mut connection).await?;
            let info: String = redis::cmd("INFO")
                .arg("server")
                .query_async(&mut connection)
                .await?;
            Ok::<_, redis::RedisError>((pong, info))
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        let detail = match timeout(remaining, attempt).await {
            Ok(Ok((pong, info))) if pong == "PONG" => {
                let version = info
                    .lines()
                    .find_map(|line| line.strip_prefix("redis_version:"))
                    .unwrap_or("?");
                return Ok(version.trim().to_owned());
            }
            Ok(Ok((pong, _))) => format!("PING answered {pong:?}"),
            Ok(Err(error)) => error.to_string(),
            Err(_) => "connection attempt timed out".to_owned(),
        };
        if Instant::now() + RETRY_PAUSE >= deadline {
            return Err(ServicesError::NotReady {
                service: "redis".to_owned(),
                address: endpoint.address(),
                waited: limit,
                detail,
            });
        }
        sleep(RETRY_PAUSE).await;
    }
}
