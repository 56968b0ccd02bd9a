//! Postgres and Redis as Docker containers (testcontainers), and the quick
//! check whether a Docker daemon answers at all.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, ImageExt, TestcontainersError};
use testcontainers_modules::postgres::Postgres;
use testcontainers_modules::redis::{REDIS_PORT, Redis};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::endpoint::{PostgresEndpoint, RedisEndpoint, postgres_version, redis_version};
use super::error::ServicesError;
use crate::process::{CleanupRegistration, register_cleanup};

/// The images the contract is specified against.
const POSTGRES_TAG: &str = "16-alpine";
const REDIS_TAG: &str = "7-alpine";
/// A container that printed its ready line should answer quickly.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// Time the interrupt handler gives the daemon to remove a container.
const REMOVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether a Docker daemon answered, and where or why not, for the one-line
/// services description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DaemonStatus {
    /// `GET /_ping` answered OK.
    Answered {
        /// e.g. `unix:///var/run/docker.sock`.
        endpoint: String,
    },
    /// No daemon to use.
    Absent {
        /// e.g. `/var/run/docker.sock not found`.
        reason: String,
    },
}

/// Where the daemon listens, resolved like testcontainers does.
#[derive(Clone, Debug)]
pub(super) enum DaemonAddress {
    Unix(PathBuf),
    Tcp(String),
}

impl std::fmt::Display for DaemonAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix://{}", path.display()),
            Self::Tcp(address) => write!(f, "tcp://{address}"),
        }
    }
}

/// Asks the Docker daemon `GET /_ping`, giving up after `limit`. Looks where
/// testcontainers looks: `DOCKER_HOST`, then `/var/run/docker.sock` and the
/// rootless / Docker Desktop sockets.
pub async fn docker_daemon_status(limit: Duration) -> DaemonStatus {
    match daemon_address() {
        Ok(address) => match tokio::time::timeout(limit, ping(&address)).await {
            Ok(Ok(())) => DaemonStatus::Answered {
                endpoint: address.to_string(),
            },
            Ok(Err(reason)) => DaemonStatus::Absent {
                reason: format!("{address}: {reason}"),
            },
            Err(_) => DaemonStatus::Absent {
                reason: format!("{address} did not answer within {limit:?}"),
            },
        },
        Err(reason) => DaemonStatus::Absent { reason },
    }
}

fn daemon_address() -> Result<DaemonAddress, String> {
    if let Some(host) = std::env::var_os("DOCKER_HOST").filter(|host| !host.is_empty()) {
        let host = host.to_string_lossy();
        return if let Some(path) = host.strip_prefix("unix://") {
            Ok(DaemonAddress::Unix(PathBuf::from(path)))
        } else if let Some(address) = host.strip_prefix("tcp://") {
            Ok(DaemonAddress::Tcp(address.trim_end_matches('/').to_owned()))
        } else {
            Err(format!("DOCKER_HOST={host} is neither unix:// nor tcp://"))
        };
    }
    let mut sockets = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") {
        sockets.push(Path::new(&runtime).join(".docker/run/docker.sock"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        sockets.push(Path::new(&home).join(".docker/run/docker.sock"));
        sockets.push(Path::new(&home).join(".docker/desktop/docker.sock"));
    }
    sockets
        .into_iter()
        .find(|socket| socket.exists())
        .map(DaemonAddress::Unix)
        .ok_or_else(|| "/var/run/docker.sock not found and DOCKER_HOST not set".to_owned())
}

/// One raw HTTP/1.0 request: tiny, and needs no HTTP client for a socket.
async fn ping(address: &DaemonAddress) -> Result<(), String> {
    const REQUEST: &[u8] = b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
    let mut response = Vec::new();
    let io = async {
        match address {
            DaemonAddress::Unix(path) => {
                let mut stream = tokio::net::UnixStream::connect(path).await?;
                stream.write_all(REQUEST).await?;
                stream.read_to_end(&mut response).await
            }
            DaemonAddress::Tcp(host) => {
                let mut stream = tokio::net::TcpStream::connect(host).await?;
                stream.write_all(REQUEST).await?;
                stream.read_to_end(&mut response).await
            }
        }
    };
    io.await.map_err(|error| error.to_string())?;
    let status_line = String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    if status_line.starts_with("HTTP/1.") && status_line.contains(" 200") {
        Ok(())
    } else {
        Err(format!("unexpected answer to GET /_ping: {status_line:?}"))
    }
}

/// Removes a container without an async runtime, for the interrupt handler
/// and for a drop outside a runtime.
fn remove_container_blocking(address: &DaemonAddress, id: &str) {
    let request =
        format!("DELETE /containers/{id}?force=true&v=true HTTP/1.0\r\nHost: docker\r\n\r\n");
    let exchange = |stream: &mut dyn ReadWrite| -> std::io::Result<()> {
        stream.write_all(request.as_bytes())?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).map(drop)
    };
    let result = match address {
        DaemonAddress::Unix(path) => {
            std::os::unix::net::UnixStream::connect(path).and_then(|mut s| {
                s.set_read_timeout(Some(REMOVE_TIMEOUT))?;
                exchange(&mut s)
            })
        }
        DaemonAddress::Tcp(host) => std::net::TcpStream::connect(host).and_then(|mut s| {
            s.set_read_timeout(Some(REMOVE_TIMEOUT))?;
            exchange(&mut s)
        }),
    };
    if let Err(error) = result {
        tracing::warn!("could not remove container {id} via {address}: {error}");
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// Postgres and Redis containers, removed when dropped.
pub(super) struct DockerServices {
    postgres: Option<ContainerAsync<Postgres>>,
    redis: Option<ContainerAsync<Redis>>,
    address: DaemonAddress,
    _cleanup: Vec<CleanupRegistration>,
    pub(super) postgres_endpoint: PostgresEndpoint,
    pub(super) redis_endpoint: RedisEndpoint,
    pub(super) postgres_version: String,
    pub(super) redis_version: String,
}

impl DockerServices {
    /// The ids of the running containers.
    pub(super) fn container_ids(&self) -> Vec<String> {
        let postgres = self.postgres.as_ref().map(|c| c.id().to_owned());
        let redis = self.redis.as_ref().map(|c| c.id().to_owned());
        postgres.into_iter().chain(redis).collect()
    }

    /// The image names, for the description.
    pub(super) fn images() -> (String, String) {
        (
            format!("postgres:{POSTGRES_TAG}"),
            format!("redis:{REDIS_TAG}"),
        )
    }
}

/// Starts both containers in parallel and waits until both answer.
pub(super) async fn start() -> Result<DockerServices, ServicesError> {
    let address = daemon_address().map_err(|reason| ServicesError::DockerUnavailable { reason })?;
    let (postgres, redis) = tokio::join!(
        Postgres::default().with_tag(POSTGRES_TAG).start(),
        Redis::default().with_tag(REDIS_TAG).start(),
    );
    let (postgres_image, redis_image) = DockerServices::images();
    // Whichever started is dropped (and removed) if the other failed.
    let postgres = postgres.map_err(docker_error(format!("start {postgres_image}")))?;
    let redis = redis.map_err(docker_error(format!("start {redis_image}")))?;
    let cleanup = [postgres.id().to_owned(), redis.id().to_owned()]
        .into_iter()
        .map(|id| {
            let address = address.clone();
            register_cleanup(move || remove_container_blocking(&address, &id))
        })
        .collect();

    let postgres_endpoint = PostgresEndpoint {
        host: container_host(&postgres).await?,
        port: postgres
            .get_host_port_ipv4(5432)
            .await
            .map_err(docker_error("read the Postgres port"))?,
        user: "postgres".to_owned(),
        password: "postgres".to_owned(),
    };
    let redis_endpoint = RedisEndpoint::new(
        container_host(&redis).await?,
        redis
            .get_host_port_ipv4(REDIS_PORT)
            .await
            .map_err(docker_error("read the Redis port"))?,
    );
    let (postgres_version, redis_version) = tokio::try_join!(
        postgres_version(&postgres_endpoint, "postgres", ANSWER_TIMEOUT),
        redis_version(&redis_endpoint, ANSWER_TIMEOUT),
    )?;
    Ok(DockerServices {
        postgres: Some(postgres),
        redis: Some(redis),
        address,
        _cleanup: cleanup,
        postgres_endpoint,
        redis_endpoint,
        postgres_version,
        redis_version,
    })
}

async fn container_host<I: testcontainers::Image>(
    container: &ContainerAsync<I>,
) -> Result<String, ServicesError> {
    let host = container
        .get_host()
        .await
        .map_err(docker_error("read the container host"))?;
    Ok(host.to_string())
}

fn docker_error(what: impl Into<String>) -> impl FnOnce(TestcontainersError) -> ServicesError {
    let what = what.into();
    move |source| ServicesError::Docker { what, source }
}

impl Drop for DockerServices {
    fn drop(&mut self) {
        // Inside a runtime the containers remove themselves. Their `Drop`
        // needs one, so outside a runtime (e.g. a panic unwinding past it)
        // remove them over the API and forget the handles instead.
        if tokio::runtime::Handle::try_current().is_err() {
            if let Some(container) = self.postgres.take() {
                remove_container_blocking(&self.address, container.id());
                std::mem::forget(container);
            }
            if let Some(container) = self.redis.take() {
                remove_container_blocking(&self.address, container.id());
                std::mem::forget(container);
            }
        }
    }
}
