//! Throw-away Postgres and Redis for a run: Docker containers, local
//! processes or servers given by URL, plus a fault proxy for outages.

mod docker;
mod endpoint;
mod error;
mod external;
mod fault_proxy;
mod free_port;
mod local;
mod mode;
mod provision;

pub use docker::{DaemonStatus, docker_daemon_status};
pub use endpoint::{PostgresEndpoint, RedisEndpoint};
pub use error::ServicesError;
pub use fault_proxy::FaultProxy;
pub use free_port::free_port;
pub use mode::{ServicesKind, ServicesMode};
pub use provision::Services;
