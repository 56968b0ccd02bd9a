use super::*;

const SECRET: &str = "a-test-secret-that-is-long-enough-0123456789";
const DATABASE_URL: &str = "postgresql://user:password@localhost:5432/insight_garden";

/// Builds a config from the minimal valid environment plus `overrides`
/// (`None` removes a variable).
fn config_with(overrides: &[(&str, Option<&str>)]) -> Result<Config, ConfigError> {
    config_with_faults(overrides, FaultSet::empty())
}

fn config_with_faults(
    overrides: &[(&str, Option<&str>)],
    faults: FaultSet,
) -> Result<Config, ConfigError> {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("JWT_SECRET".to_owned(), SECRET.to_owned()),
        ("DATABASE_URL".to_owned(), DATABASE_URL.to_owned()),
    ]);
    for (name, value) in overrides {
        match value {
            Some(value) => vars.insert((*name).to_owned(), (*value).to_owned()),
            None => vars.remove(*name),
        };
    }
    Config::from_vars(|name| vars.get(name).cloned(), faults)
}

fn message(result: Result<Config, ConfigError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn the_minimal_environment_gives_the_documented_defaults() {
    let config = config_with(&[]).unwrap();
    assert_eq!(config.jwt_secret.as_bytes(), SECRET.as_bytes());
    assert_eq!(config.jwt_expires_in_secs, 604_800);
    assert_eq!(config.port, 3000);
    assert_eq!(config.host, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(
        config.redis,
        RedisAddress {
            host: "localhost".into(),
            port: 6379
        }
    );
    assert_eq!(
        config.cors_origins,
        vec![HeaderValue::from_static("http://localhost:5173")]
    );
    assert_eq!(config.stream_delay, Duration::from_millis(30));
    assert_eq!(config.login_throttle_max, 5);
    assert_eq!(config.login_throttle_window, Duration::from_secs(900));
    assert!(config.faults.is_empty());
    assert_eq!(config.database.get_host(), "localhost");
    assert_eq!(config.database.get_database(), Some("insight_garden"));
}

#[test]
fn every_variable_is_read() {
    let config = config_with(&[
        ("JWT_EXPIRES_IN", Some("5")),
        ("PORT", Some("4100")),
        ("HOST", Some("0.0.0.0")),
        ("REDIS_HOST", Some("10.0.0.7")),
        ("REDIS_PORT", Some("6380")),
        (
            "CORS_ORIGIN",
            Some("http://localhost:5173, https://app.example.com:8443"),
        ),
        ("STREAM_DELAY_MS", Some("0")),
        ("LOGIN_THROTTLE_MAX", Some("3")),
        ("LOGIN_THROTTLE_WINDOW_SECS", Some("60")),
        (
            "DATABASE_URL",
            Some("postgres://u:p@db.internal:6543/other"),
        ),
    ])
    .unwrap();
    assert_eq!(config.jwt_expires_in_secs, 5);
    assert_eq!(config.port, 4100);
    assert_eq!(config.host.to_string(), "0.0.0.0");
    assert_eq!(config.redis.url(), "redis://10.0.0.7:6380/");
    assert_eq!(config.cors_origins.len(), 2);
    assert_eq!(config.cors_origins[1], "https://app.example.com:8443");
    assert_eq!(config.stream_delay, Duration::ZERO);
    assert_eq!(config.login_throttle_max, 3);
    assert_eq!(config.login_throttle_window, Duration::from_secs(60));
    assert_eq!(config.database.get_host(), "db.internal");
    assert_eq!(config.database.get_port(), 6543);
}

#[test]
fn a_missing_or_empty_secret_is_refused_naming_jwt_secret() {
    for value in [None, Some(""), Some("   ")] {
        let err = config_with(&[("JWT_SECRET", value)]).unwrap_err();
        assert!(
            matches!(err, ConfigError::MissingJwtSecret),
            "{value:?}: {err}"
        );
        assert!(err.to_string().contains("JWT_SECRET"));
    }
}

#[test]
fn the_known_default_secret_is_refused_naming_jwt_secret() {
    let err = config_with(&[("JWT_SECRET", Some(KNOWN_DEFAULT_SECRET))]).unwrap_err();
    assert!(matches!(err, ConfigError::DefaultJwtSecret));
    assert!(err.to_string().contains("JWT_SECRET"));
}

#[test]
fn the_secret_is_checked_before_anything_else() {
    let err = config_with(&[
        ("JWT_SECRET", None),
        ("DATABASE_URL", None),
        ("PORT", Some("x")),
    ]);
    assert!(matches!(err, Err(ConfigError::MissingJwtSecret)));
}

#[test]
fn the_secret_never_shows_in_debug_output() {
    let config = config_with(&[]).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(!debug.contains("password"), "{debug}");
}

#[test]
fn a_missing_database_url_is_refused() {
    let err = config_with(&[("DATABASE_URL", None)]).unwrap_err();
    assert!(matches!(err, ConfigError::MissingDatabaseUrl));
    assert!(err.to_string().contains("DATABASE_URL"));
}

#[test]
fn an_invalid_database_url_is_refused() {
    for url in [
        "localhost:5432",
        "mysql://u:p@localhost/db",
        "postgresql://u:p@localhost:port/db",
    ] {
        let err = config_with(&[("DATABASE_URL", Some(url))]).unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidDatabaseUrl { .. }),
            "{url}: {err}"
        );
        assert!(err.to_string().contains("DATABASE_URL"), "{err}");
    }
}

#[test]
fn numbers_that_are_not_numbers_are_refused_naming_the_variable() {
    for (name, value) in [
        ("PORT", "three thousand"),
        ("PORT", "70000"),
        ("REDIS_PORT", "redis"),
        ("JWT_EXPIRES_IN", "7d"),
        ("JWT_EXPIRES_IN", "-1"),
        ("JWT_EXPIRES_IN", "0"),
        ("STREAM_DELAY_MS", "fast"),
        ("LOGIN_THROTTLE_MAX", "0"),
        ("LOGIN_THROTTLE_WINDOW_SECS", "soon"),
        ("HOST", "my host"),
    ] {
        let text = message(config_with(&[(name, Some(value))]));
        assert!(
            text.starts_with(&format!("{name}=")),
            "{name}={value}: {text}"
        );
        assert!(text.contains("expected"), "{text}");
    }
}

#[test]
fn bad_cors_origins_are_refused() {
    for value in [
        "*",
        "localhost:5173",
        "http://localhost:5173/",
        "http://",
        "ftp://example.com",
        "http://localhost:5173, http://exa mple.com",
        " , ",
    ] {
        let text = message(config_with(&[("CORS_ORIGIN", Some(value))]));
        assert!(text.contains("CORS_ORIGIN"), "{value}: {text}");
    }
}

#[test]
fn a_blank_cors_origin_falls_back_to_the_default() {
    let config = config_with(&[("CORS_ORIGIN", Some(""))]).unwrap();
    assert_eq!(
        config.cors_origins,
        vec![HeaderValue::from_static("http://localhost:5173")]
    );
}

#[test]
fn faults_come_from_reference_faults_and_the_caller() {
    let config = config_with_faults(
        &[("REFERENCE_FAULTS", Some("cors-wildcard,no-query-token"))],
        FaultSet::empty().with(Fault::StreamBuffered),
    )
    .unwrap();
    let names: Vec<_> = config.faults.iter().map(Fault::name).collect();
    assert_eq!(
        names,
        ["no-query-token", "cors-wildcard", "stream-buffered"]
    );
}

#[test]
fn an_unknown_fault_is_refused_with_the_known_names() {
    let text = message(config_with(&[(
        "REFERENCE_FAULTS",
        Some("cors-wildcard,everything"),
    )]));
    assert!(text.contains("REFERENCE_FAULTS"), "{text}");
    assert!(text.contains("`everything`"), "{text}");
    assert!(text.contains("stream-buffered"), "{text}");
}

#[test]
fn accept_missing_secret_starts_with_the_default_secret() {
    let faults = FaultSet::empty().with(Fault::AcceptMissingSecret);
    let config = config_with_faults(&[("JWT_SECRET", None)], faults).unwrap();
    assert_eq!(
        config.jwt_secret.as_bytes(),
        KNOWN_DEFAULT_SECRET.as_bytes()
    );
    // It does not excuse the default secret itself: that is another fault.
    let err = config_with_faults(&[("JWT_SECRET", Some(KNOWN_DEFAULT_SECRET))], faults);
    assert!(matches!(err, Err(ConfigError::DefaultJwtSecret)));
}

#[test]
fn accept_default_secret_starts_with_the_default_secret() {
    let faults = FaultSet::empty().with(Fault::AcceptDefaultSecret);
    let config = config_with_faults(&[("JWT_SECRET", Some(KNOWN_DEFAULT_SECRET))], faults).unwrap();
    assert_eq!(
        config.jwt_secret.as_bytes(),
        KNOWN_DEFAULT_SECRET.as_bytes()
    );
    let err = config_with_faults(&[("JWT_SECRET", None)], faults);
    assert!(matches!(err, Err(ConfigError::MissingJwtSecret)));
}

#[test]
fn random_secret_per_start_ignores_jwt_secret_but_still_requires_it() {
    let faults = FaultSet::empty().with(Fault::RandomSecretPerStart);
    let first = config_with_faults(&[], faults).unwrap();
    let second = config_with_faults(&[], faults).unwrap();
    assert_ne!(first.jwt_secret.as_bytes(), SECRET.as_bytes());
    assert_ne!(first.jwt_secret, second.jwt_secret);
    let err = config_with_faults(&[("JWT_SECRET", None)], faults);
    assert!(matches!(err, Err(ConfigError::MissingJwtSecret)));
}

#[test]
fn ignore_expires_in_keeps_seven_days() {
    let faults = FaultSet::empty().with(Fault::IgnoreExpiresIn);
    let config = config_with_faults(&[("JWT_EXPIRES_IN", Some("5"))], faults).unwrap();
    assert_eq!(config.jwt_expires_in_secs, 604_800);
}

#[test]
fn hardcoded_redis_address_ignores_redis_host_and_port() {
    let faults = FaultSet::empty().with(Fault::HardcodedRedisAddress);
    let config = config_with_faults(
        &[
            ("REDIS_HOST", Some("redis.internal")),
            ("REDIS_PORT", Some("6380")),
        ],
        faults,
    )
    .unwrap();
    assert_eq!(config.redis.url(), "redis://127.0.0.1:1/");
}

#[test]
fn dotenv_is_read_without_touching_the_environment() {
    let dir = std::env::temp_dir().join(format!("refsrv-dotenv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(".env");
    std::fs::write(&path, "JWT_SECRET=\"from file\"\nPORT=4000\nPORT=5000\n").unwrap();
    let vars = read_dotenv(&path).unwrap();
    assert_eq!(
        vars.get("JWT_SECRET").map(String::as_str),
        Some("from file")
    );
    assert_eq!(vars.get("PORT").map(String::as_str), Some("4000"));
    assert!(read_dotenv(&dir.join("absent.env")).unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
