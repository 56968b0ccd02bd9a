//! How the harness gets its Postgres and Redis, as chosen on the command line.

use std::fmt;
use std::str::FromStr;

use super::error::ServicesError;

/// Where Postgres and Redis come from (`--services`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServicesMode {
    /// Docker containers when a Docker daemon answers within a second,
    /// otherwise local processes.
    Auto,
    /// Docker containers (testcontainers); an error without a daemon.
    Docker,
    /// Throw-away local `postgres` and `redis-server` processes.
    Local,
    /// Servers that already run, given by URL; the harness only creates
    /// databases in them, and drops each when its subject ends.
    External {
        /// An admin connection URL, e.g. `postgres://user:pw@host:5432/db`;
        /// the role needs CREATEDB.
        database_url: String,
        /// e.g. `redis://host:6379`.
        redis_url: String,
    },
}

impl FromStr for ServicesMode {
    type Err = ServicesError;

    /// Parses `auto`, `docker` and `local`. `external` parses to empty URLs
    /// that the caller fills from `--database-url` / `--redis-url`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "docker" => Ok(Self::Docker),
            "local" => Ok(Self::Local),
            "external" => Ok(Self::External {
                database_url: String::new(),
                redis_url: String::new(),
            }),
            _ => Err(ServicesError::UnknownMode(text.to_owned())),
        }
    }
}

/// Which kind of services a run actually got (after `auto` decided).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServicesKind {
    /// Docker containers.
    Docker,
    /// Local processes.
    Local,
    /// Servers given by URL.
    External,
}

impl fmt::Display for ServicesKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Docker => "docker",
            Self::Local => "local",
            Self::External => "external",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_name_parses_and_others_are_refused() {
        assert_eq!(
            "auto".parse::<ServicesMode>().ok(),
            Some(ServicesMode::Auto)
        );
        assert_eq!(
            "Docker".parse::<ServicesMode>().ok(),
            Some(ServicesMode::Docker)
        );
        assert_eq!(
            "local".parse::<ServicesMode>().ok(),
            Some(ServicesMode::Local)
        );
        assert!(matches!(
            "external".parse::<ServicesMode>(),
            Ok(ServicesMode::External { .. })
        ));
        let error = "podman".parse::<ServicesMode>().unwrap_err().to_string();
        assert!(error.contains("podman") && error.contains("auto, docker, local or external"));
    }
}
