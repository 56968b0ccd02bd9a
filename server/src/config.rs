//! The typed configuration, read once at start, and its fail-fast checks
//! (CFG-2, CFG-3, CFG-5).
//!
//! Values come from the process environment and from `.env` in the working
//! directory; the real environment wins. Every invalid value is a startup
//! error that names the variable and says what to write instead, so the
//! server never binds a port or opens a connection with a broken config.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use axum::http::HeaderValue;
use sqlx::postgres::PgConnectOptions;

use crate::faults::{Fault, FaultSet};

mod error;
pub use error::ConfigError;

/// The insecure secret that the original `.env.example` shipped with; the
/// server refuses to start with it (CFG-3).
pub const KNOWN_DEFAULT_SECRET: &str = "change-me-in-production-use-long-random-string";

/// Token lifetime when `JWT_EXPIRES_IN` is unset: 7 days (CFG-4).
pub const DEFAULT_EXPIRES_IN_SECS: u64 = 604_800;

const DEFAULT_PORT: u16 = 3000;
const DEFAULT_WEB_PORT: u16 = 5173;
const DEFAULT_HYDRATION_DELAY_MS: u64 = 300;
/// Where the `hardcoded-redis-address` fault looks for Redis: port 1 of the
/// loopback (TCP port service multiplexer, long obsolete), where nothing listens.
const HARD_CODED_REDIS_HOST: &str = "127.0.0.1";
const HARD_CODED_REDIS_PORT: u16 = 1;
const DEFAULT_CORS_ORIGIN: &str = "http://localhost:5173";
const DEFAULT_STREAM_DELAY_MS: u64 = 30;
const DEFAULT_THROTTLE_MAX: u32 = 5;
const DEFAULT_THROTTLE_WINDOW_SECS: u64 = 900;

/// Everything the server needs to run, validated.
#[derive(Clone)]
pub struct Config {
    /// Where Postgres is (`DATABASE_URL`).
    pub database: PgConnectOptions,
    /// Where Redis is (`REDIS_HOST`, `REDIS_PORT`).
    pub redis: RedisAddress,
    /// The HS256 secret (`JWT_SECRET`).
    pub jwt_secret: JwtSecret,
    /// Token lifetime in seconds (`JWT_EXPIRES_IN`).
    pub jwt_expires_in_secs: u64,
    /// The address to listen on (`HOST`, default `127.0.0.1`).
    pub host: IpAddr,
    /// The port to listen on (`PORT`); `0` lets the system choose one, and
    /// the banner prints the chosen port.
    pub port: u16,
    /// Browser origins allowed by CORS (`CORS_ORIGIN`, comma-separated).
    pub cors_origins: Vec<HeaderValue>,
    /// Pause between two `delta` events of the chat stream (`STREAM_DELAY_MS`).
    pub stream_delay: Duration,
    /// Failed logins per email before `429` (`LOGIN_THROTTLE_MAX`).
    pub login_throttle_max: u32,
    /// How long failed logins are remembered (`LOGIN_THROTTLE_WINDOW_SECS`).
    pub login_throttle_window: Duration,
    /// Deliberate defects switched on (`REFERENCE_FAULTS` and `--fault`).
    pub faults: FaultSet,
    /// The web app: its port and the API URL it is told.
    pub web: WebConfig,
    /// The cost of password hashes (`PASSWORD_HASH_COST`: `owasp`, the
    /// default, or `minimal` for test runs).
    pub password_cost: crate::auth::password::Cost,
}

/// Where and how the web app is served (a second listener on its own origin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebConfig {
    /// The port (`WEB_PORT`, default 5173); `None` when `WEB_PORT=off`.
    pub port: Option<u16>,
    /// The API's URL as the browser sees it (`VITE_API_URL`, default
    /// `http://localhost:<PORT>`).
    pub api_url: String,
    /// How long the app takes to rehydrate its stored session
    /// (`WEB_HYDRATION_DELAY_MS`, default 300), so the original race is real.
    pub hydration_delay_ms: u64,
}

/// The Redis address; the server builds `redis://host:port/` from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisAddress {
    /// `REDIS_HOST`.
    pub host: String,
    /// `REDIS_PORT`.
    pub port: u16,
}

impl RedisAddress {
    /// The connection URL for the `redis` crate.
    pub fn url(&self) -> String {
        match self.host.parse::<IpAddr>() {
            Ok(IpAddr::V6(ip)) => format!("redis://[{ip}]:{}/", self.port),
            _ => format!("redis://{}:{}/", self.host, self.port),
        }
    }
}

/// The JWT signing secret. Its `Debug` output is redacted so that logging a
/// `Config` can never leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    /// Wraps a secret as it is, unchecked: [`Config::from_vars`] is where a
    /// secret from the environment is validated.
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        JwtSecret(secret.into())
    }

    /// The raw key bytes for HMAC.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        JwtSecret(bytes.to_vec())
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret([redacted])")
    }
}

impl Config {
    /// Reads the process environment and `.env` in the working directory
    /// (the environment wins), with no fault beyond `REFERENCE_FAULTS`.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_env_with(FaultSet::empty())
    }

    /// Like [`Config::from_env`], adding the faults given on the command line.
    pub fn from_env_with(extra_faults: FaultSet) -> Result<Config, ConfigError> {
        // The faults that change how `.env` is read are known before it is
        // (from the process environment and the command line).
        let early = env_var("REFERENCE_FAULTS")
            .and_then(|list| FaultSet::parse_list(&list).ok())
            .unwrap_or_default()
            .union(extra_faults);
        let dotenv = if early.contains(Fault::IgnoreDotenv) {
            HashMap::new()
        } else {
            read_dotenv(Path::new(".env"))?
        };
        if early.contains(Fault::DotenvOverridesEnvironment) {
            return Config::from_vars(
                |name| dotenv.get(name).cloned().or_else(|| env_var(name)),
                extra_faults,
            );
        }
        Config::from_vars(
            |name| env_var(name).or_else(|| dotenv.get(name).cloned()),
            extra_faults,
        )
    }

    /// Builds the config from any variable source, so tests never touch the
    /// process environment. `extra_faults` are added to `REFERENCE_FAULTS`.
    pub fn from_vars(
        vars: impl Fn(&str) -> Option<String>,
        extra_faults: FaultSet,
    ) -> Result<Config, ConfigError> {
        let vars = Vars(vars);
        let faults = match vars.get("REFERENCE_FAULTS") {
            Some(list) => FaultSet::parse_list(&list)?.union(extra_faults),
            None => extra_faults,
        };
        // The secret comes first: CFG-2 and CFG-3 must win over every other
        // problem so the message names JWT_SECRET.
        let jwt_secret = jwt_secret((vars.0)("JWT_SECRET"), faults)?;
        let jwt_expires_in_secs = if faults.contains(Fault::IgnoreExpiresIn) {
            DEFAULT_EXPIRES_IN_SECS
        } else if faults.contains(Fault::DefaultExpiresInMillis)
            && vars.get("JWT_EXPIRES_IN").is_none()
        {
            // The default given as the string "604800", which jsonwebtoken
            // reads as milliseconds.
            DEFAULT_EXPIRES_IN_SECS / 1000
        } else {
            vars.parse(
                "JWT_EXPIRES_IN",
                DEFAULT_EXPIRES_IN_SECS,
                "a positive number of seconds",
            )?
        };
        if jwt_expires_in_secs == 0 {
            return Err(invalid(
                "JWT_EXPIRES_IN",
                "0",
                "a positive number of seconds",
            ));
        }
        let login_throttle_max = vars.parse(
            "LOGIN_THROTTLE_MAX",
            DEFAULT_THROTTLE_MAX,
            "a positive whole number",
        )?;
        if login_throttle_max == 0 {
            return Err(invalid(
                "LOGIN_THROTTLE_MAX",
                "0",
                "a positive whole number",
            ));
        }
        let window_secs: u64 = vars.parse(
            "LOGIN_THROTTLE_WINDOW_SECS",
            DEFAULT_THROTTLE_WINDOW_SECS,
            "a positive number of seconds",
        )?;
        if window_secs == 0 {
            return Err(invalid(
                "LOGIN_THROTTLE_WINDOW_SECS",
                "0",
                "a positive number of seconds",
            ));
        }
        let port = vars.parse("PORT", DEFAULT_PORT, "a port number from 0 to 65535")?;
        Ok(Config {
            web: web_config(&vars, port)?,
            database: database_options(&vars)?,
            redis: redis_address(&vars, faults)?,
            jwt_secret,
            jwt_expires_in_secs,
            host: host(&vars)?,
            port,
            cors_origins: cors_origins(
                &vars
                    .get("CORS_ORIGIN")
                    .unwrap_or_else(|| DEFAULT_CORS_ORIGIN.to_owned()),
            )?,
            stream_delay: Duration::from_millis(vars.parse(
                "STREAM_DELAY_MS",
                DEFAULT_STREAM_DELAY_MS,
                "a number of milliseconds",
            )?),
            login_throttle_max,
            login_throttle_window: Duration::from_secs(window_secs),
            faults,
            password_cost: password_cost(&vars)?,
        })
    }
}

fn password_cost<F: Fn(&str) -> Option<String>>(
    vars: &Vars<F>,
) -> Result<crate::auth::password::Cost, ConfigError> {
    use crate::auth::password::Cost;
    match vars.get("PASSWORD_HASH_COST").as_deref() {
        None | Some("owasp") => Ok(Cost::Owasp),
        Some("minimal") => Ok(Cost::Minimal),
        Some(other) => Err(invalid("PASSWORD_HASH_COST", other, "owasp or minimal")),
    }
}

fn web_config<F: Fn(&str) -> Option<String>>(
    vars: &Vars<F>,
    port: u16,
) -> Result<WebConfig, ConfigError> {
    let web_port = match vars.get("WEB_PORT") {
        Some(off) if off.eq_ignore_ascii_case("off") => None,
        _ => Some(vars.parse("WEB_PORT", DEFAULT_WEB_PORT, "a port number, or off")?),
    };
    Ok(WebConfig {
        port: web_port,
        api_url: vars
            .get("VITE_API_URL")
            .unwrap_or_else(|| format!("http://localhost:{port}")),
        hydration_delay_ms: vars.parse(
            "WEB_HYDRATION_DELAY_MS",
            DEFAULT_HYDRATION_DELAY_MS,
            "a number of milliseconds",
        )?,
    })
}

/// Reads only `DATABASE_URL` (and `.env`): what the `migrate` subcommand
/// needs, without requiring the rest of the config.
pub fn database_from_env() -> Result<PgConnectOptions, ConfigError> {
    let dotenv = read_dotenv(Path::new(".env"))?;
    database_options(&Vars(|name: &str| {
        env_var(name).or_else(|| dotenv.get(name).cloned())
    }))
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Hand-written so that the database password and the secret stay out.
        f.debug_struct("Config")
            .field("database_host", &self.database.get_host())
            .field("database_port", &self.database.get_port())
            .field("database_name", &self.database.get_database())
            .field("redis", &self.redis)
            .field("jwt_secret", &self.jwt_secret)
            .field("jwt_expires_in_secs", &self.jwt_expires_in_secs)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("cors_origins", &self.cors_origins)
            .field("stream_delay", &self.stream_delay)
            .field("login_throttle_max", &self.login_throttle_max)
            .field("login_throttle_window", &self.login_throttle_window)
            .field("faults", &self.faults)
            .finish()
    }
}

/// A variable source; blank values count as unset.
struct Vars<F>(F);

impl<F: Fn(&str) -> Option<String>> Vars<F> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn parse<T: FromStr>(
        &self,
        name: &'static str,
        default: T,
        expected: &'static str,
    ) -> Result<T, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(value) => value.parse().map_err(|_| invalid(name, &value, expected)),
        }
    }
}

fn invalid(name: &'static str, value: &str, expected: &'static str) -> ConfigError {
    ConfigError::InvalidValue {
        name,
        value: value.to_owned(),
        expected,
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
}

/// Reads `.env` without touching the process environment (which is not
/// thread-safe to modify); a missing file is not an error.
fn read_dotenv(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let entries = match dotenvy::from_path_iter(path) {
        Ok(entries) => entries,
        Err(err) if err.not_found() => return Ok(HashMap::new()),
        Err(err) => return Err(err.into()),
    };
    let mut vars = HashMap::new();
    for entry in entries {
        let (name, value) = entry?;
        // Like dotenvy itself: the first declaration of a name wins.
        vars.entry(name).or_insert(value);
    }
    Ok(vars)
}

fn jwt_secret(raw: Option<String>, faults: FaultSet) -> Result<JwtSecret, ConfigError> {
    let secret = match raw.filter(|secret| !secret.trim().is_empty()) {
        None if faults.contains(Fault::AcceptMissingSecret) => KNOWN_DEFAULT_SECRET.to_owned(),
        None => return Err(ConfigError::MissingJwtSecret),
        Some(secret)
            if secret == KNOWN_DEFAULT_SECRET && !faults.contains(Fault::AcceptDefaultSecret) =>
        {
            return Err(ConfigError::DefaultJwtSecret);
        }
        Some(secret) => secret,
    };
    if faults.contains(Fault::RandomSecretPerStart) {
        return Ok(JwtSecret::random());
    }
    Ok(JwtSecret(secret.into_bytes()))
}

fn redis_address<F: Fn(&str) -> Option<String>>(
    vars: &Vars<F>,
    faults: FaultSet,
) -> Result<RedisAddress, ConfigError> {
    if faults.contains(Fault::HardcodedRedisAddress) {
        return Ok(RedisAddress {
            host: HARD_CODED_REDIS_HOST.to_owned(),
            port: HARD_CODED_REDIS_PORT,
        });
    }
    Ok(RedisAddress {
        host: vars
            .get("REDIS_HOST")
            .unwrap_or_else(|| "localhost".to_owned()),
        port: vars.parse("REDIS_PORT", 6379, "a port number from 1 to 65535")?,
    })
}

fn database_options<F: Fn(&str) -> Option<String>>(
    vars: &Vars<F>,
) -> Result<PgConnectOptions, ConfigError> {
    let url = vars
        .get("DATABASE_URL")
        .ok_or(ConfigError::MissingDatabaseUrl)?;
    // The URL may be quoted in .env; dotenvy strips the quotes already.
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(ConfigError::InvalidDatabaseUrl {
            reason: "it must start with postgresql:// or postgres://".to_owned(),
        });
    }
    PgConnectOptions::from_str(&url).map_err(|err| ConfigError::InvalidDatabaseUrl {
        reason: err.to_string(),
    })
}

fn host<F: Fn(&str) -> Option<String>>(vars: &Vars<F>) -> Result<IpAddr, ConfigError> {
    match vars.get("HOST") {
        None => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        Some(host) if host.eq_ignore_ascii_case("localhost") => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        Some(host) => host
            .parse()
            .map_err(|_| invalid("HOST", &host, "an IP address such as 127.0.0.1 or 0.0.0.0")),
    }
}

fn cors_origins(list: &str) -> Result<Vec<HeaderValue>, ConfigError> {
    let origins = list
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(cors_origin)
        .collect::<Result<Vec<_>, _>>()?;
    if origins.is_empty() {
        return Err(ConfigError::InvalidCorsOrigin {
            value: list.to_owned(),
            reason: "no origin given",
        });
    }
    Ok(origins)
}

fn cors_origin(entry: &str) -> Result<HeaderValue, ConfigError> {
    let refuse = |reason| ConfigError::InvalidCorsOrigin {
        value: entry.to_owned(),
        reason,
    };
    if entry == "*" {
        return Err(refuse(
            "a wildcard cannot be combined with credentials (CORS-3)",
        ));
    }
    let rest = entry
        .strip_prefix("http://")
        .or_else(|| entry.strip_prefix("https://"))
        .ok_or_else(|| refuse("it must start with http:// or https://"))?;
    if rest.is_empty() {
        return Err(refuse("the host is missing"));
    }
    if rest.contains('/') {
        return Err(refuse("an origin has no path, not even a trailing slash"));
    }
    if rest.contains(|c: char| c.is_whitespace() || c == '*' || c == '?' || c == '#') {
        return Err(refuse("it contains a character an origin cannot hold"));
    }
    HeaderValue::from_str(entry).map_err(|_| refuse("it is not a valid header value"))
}

#[cfg(test)]
mod tests;
