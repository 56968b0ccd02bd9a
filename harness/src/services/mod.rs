//! Throw-away Postgres and Redis for a run: Docker containers, local
//! processes or servers given by URL, plus a fault proxy for outages.

mod daemon;
mod daemon_address;
mod database;
mod docker;
mod endpoint;
mod error;
mod external;
mod fault_proxy;
mod free_port;
mod images;
mod local;
mod mode;
mod provision;
mod settings;
mod sweep;

pub use daemon::{DaemonStatus, docker_daemon_status};
pub use database::Database;
pub use endpoint::{PostgresEndpoint, RedisEndpoint};
pub use error::ServicesError;
pub use fault_proxy::FaultProxy;
pub use free_port::free_port;
pub use images::{
    DEFAULT_DOCKER_DEADLINE, DEFAULT_POSTGRES_IMAGE, DEFAULT_REDIS_IMAGE, DOCKER_DEADLINE_ENV,
    DockerOptions, ImageRef, ImageRefError, POSTGRES_IMAGE_ENV, REDIS_IMAGE_ENV,
};
pub use mode::{ServicesKind, ServicesMode};
pub use provision::Services;
pub use sweep::{PID_LABEL, RUN_LABEL};
