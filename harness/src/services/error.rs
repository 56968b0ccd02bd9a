//! What can go wrong while providing Postgres and Redis.

use std::time::Duration;

use crate::process::ProcessError;

/// Why services could not be started or used. Messages say what happened
/// and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ServicesError {
    /// A `--services` value that is not one of the known modes.
    #[error("unknown services mode `{0}`: use auto, docker, local or external")]
    UnknownMode(String),
    /// A program local services need is not installed.
    #[error(
        "`{program}` not found (looked in {searched}): install the Debian package `{package}` (apt-get install {package}), or use --services docker or external"
    )]
    MissingBinary {
        /// The program, e.g. `initdb`.
        program: String,
        /// The Debian package that provides it.
        package: String,
        /// Where the harness looked.
        searched: String,
    },
    /// Docker was asked for explicitly but no daemon answers.
    #[error(
        "Docker services were requested but no Docker daemon answers ({reason}): start Docker, or use --services local or external"
    )]
    DockerUnavailable {
        /// Why the daemon is considered absent.
        reason: String,
    },
    /// Testcontainers failed to start or inspect a container.
    #[error("could not {what} with Docker: {error}")]
    Docker {
        /// What the harness was doing.
        what: String,
        /// The testcontainers error, in the message (not a `source`, so
        /// that a chained rendering does not print it twice).
        error: Box<testcontainers::TestcontainersError>,
    },
    /// Pulling an image failed (no registry, no such image, no access).
    #[error(
        "could not pull {image}: {error}; without a registry, build images locally (.ci/docker-images) or use a mirror's, and pass --postgres-image / --redis-image"
    )]
    DockerPull {
        /// `name:tag`.
        image: String,
        /// The testcontainers error, in the message (not a `source`).
        error: Box<testcontainers::TestcontainersError>,
    },
    /// A Docker API call of the harness's own failed.
    #[error("could not {what} with Docker: {reason}")]
    DockerApi {
        /// What the harness was doing.
        what: String,
        /// The daemon's or the client's reason.
        reason: String,
    },
    /// Pulling and starting the containers took longer than allowed.
    #[error(
        "Docker containers were not up within {waited:?} ({stages}): check the daemon and the registry, raise --docker-timeout, or use --services local"
    )]
    DockerDeadline {
        /// The deadline.
        waited: Duration,
        /// Where each container's start was when time ran out.
        stages: String,
    },
    /// `auto` could not use Docker and local services failed too.
    #[error("{why}; then local services failed: {local}")]
    Fallback {
        /// Why Docker was not used, as the services line would say.
        why: String,
        /// Why local services failed.
        local: Box<ServicesError>,
    },
    /// A local service process failed.
    #[error("{what}: {source}")]
    Process {
        /// What the harness was doing.
        what: String,
        /// The process error, with the process's last output.
        source: ProcessError,
    },
    /// A service never answered.
    #[error("{service} at {address} did not answer within {waited:?}: {detail}")]
    NotReady {
        /// `postgres` or `redis`.
        service: String,
        /// host:port.
        address: String,
        /// How long the harness tried.
        waited: Duration,
        /// The last error seen.
        detail: String,
    },
    /// An SQL statement of the harness failed.
    #[error("{what}: {source}")]
    Database {
        /// What the harness was doing.
        what: String,
        /// The database error.
        source: sqlx::Error,
    },
    /// A URL given to the harness could not be used.
    #[error("invalid {what} `{url}`: {reason}")]
    InvalidUrl {
        /// Which URL, e.g. `database URL`.
        what: String,
        /// The URL as given (passwords included: it came from the user).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Any other operating system call failed.
    #[error("{what}: {source}")]
    Io {
        /// What the harness was doing.
        what: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

impl ServicesError {
    /// Whether a program local services need is missing (also behind
    /// `auto`'s fallback), so callers can skip rather than fail.
    pub fn is_missing_binary(&self) -> bool {
        match self {
            Self::MissingBinary { .. } => true,
            Self::Fallback { local, .. } => local.is_missing_binary(),
            _ => false,
        }
    }

    pub(super) fn process(what: impl Into<String>) -> impl FnOnce(ProcessError) -> Self {
        let what = what.into();
        move |source| Self::Process { what, source }
    }

    pub(super) fn database(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> Self {
        let what = what.into();
        move |source| Self::Database { what, source }
    }

    pub(super) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}
