//! Postgres and Redis as Docker containers (testcontainers), started within
//! one deadline, with the settings local processes get, published on
//! `127.0.0.1` when that is this process's loopback, and labelled per start
//! so that nothing is left behind whatever interrupts the start.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use testcontainers::bollard::Docker;
use testcontainers::bollard::errors::Error as BollardError;
use testcontainers::bollard::models::{HostConfig, PortBinding};
use testcontainers::core::IntoContainerPort;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, ContainerRequest, Image, ImageExt};
use testcontainers_modules::postgres::Postgres;
use testcontainers_modules::redis::{REDIS_PORT, Redis};

use super::daemon::{connect, publishes_on_loopback};
use super::daemon_address::DaemonAddress;
use super::endpoint::{PostgresEndpoint, RedisEndpoint, postgres_version, redis_version};
use super::error::ServicesError;
use super::images::{DockerOptions, ImageRef};
use super::settings::{INITDB_ARGS, REDIS_ARGS, postgres_setting_args};
use super::sweep::ContainerSweep;

/// Postgres's port inside its container.
const POSTGRES_PORT: u16 = 5432;
/// A container that printed its ready line should answer quickly.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// Postgres and Redis containers, removed when dropped.
pub(super) struct DockerServices {
    postgres: Option<ContainerAsync<Postgres>>,
    redis: Option<ContainerAsync<Redis>>,
    /// Dropped after the containers: removes whatever they left.
    _sweep: ContainerSweep,
    pub(super) postgres_image: String,
    pub(super) redis_image: String,
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
}

/// A start that failed, and the sweep for containers it may still leave
/// (a create the daemon completes after the deadline): whoever carries on
/// keeps it until the run ends.
pub(super) struct DockerFailure {
    pub(super) error: ServicesError,
    pub(super) sweep: ContainerSweep,
}

/// Where each container's start is, for the message when time runs out.
#[derive(Default)]
struct Stage(Mutex<String>);

impl Stage {
    fn set(&self, what: String) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = what;
    }

    fn get(&self) -> String {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Starts both containers in parallel and waits until both answer, all
/// within `options.deadline`.
pub(super) async fn start(
    address: DaemonAddress,
    options: &DockerOptions,
) -> Result<DockerServices, DockerFailure> {
    // Registered before anything is asked of the daemon.
    let sweep = ContainerSweep::register(address.clone());
    let stages = [Stage::default(), Stage::default()];
    let attempt = start_both(&address, options, &sweep, &stages);
    let result = match tokio::time::timeout(options.deadline, attempt).await {
        Ok(result) => result,
        Err(_) => Err(ServicesError::DockerDeadline {
            waited: options.deadline,
            stages: format!("postgres: {}; redis: {}", stages[0].get(), stages[1].get()),
        }),
    };
    match result {
        Ok((postgres, redis)) => Ok(DockerServices {
            postgres: Some(postgres.container),
            redis: Some(redis.container),
            _sweep: sweep,
            postgres_image: options.postgres_image.to_string(),
            redis_image: options.redis_image.to_string(),
            postgres_endpoint: postgres.endpoint,
            redis_endpoint: redis.endpoint,
            postgres_version: postgres.version,
            redis_version: redis.version,
        }),
        Err(error) => {
            sweep.sweep().await;
            Err(DockerFailure { error, sweep })
        }
    }
}

/// A started container, where it answers and what it reported.
struct Started<I: Image, E> {
    container: ContainerAsync<I>,
    endpoint: E,
    version: String,
}

async fn start_both(
    address: &DaemonAddress,
    options: &DockerOptions,
    sweep: &ContainerSweep,
    stages: &[Stage; 2],
) -> Result<
    (
        Started<Postgres, PostgresEndpoint>,
        Started<Redis, RedisEndpoint>,
    ),
    ServicesError,
> {
    let docker = connect(address).map_err(|reason| ServicesError::DockerUnavailable { reason })?;
    let loopback = publishes_on_loopback(address);
    let postgres = async {
        // Trust, as local servers (`initdb --auth=trust`): a SCRAM
        // handshake costs a debug-built client tens of milliseconds per
        // connection, enough under load to time out a subject's pool.
        let request = image_request(
            Postgres::default().with_host_auth(),
            &options.postgres_image,
        )
        .with_cmd(postgres_setting_args())
        .with_env_var("POSTGRES_INITDB_ARGS", INITDB_ARGS.join(" "));
        let start = Start {
            docker: &docker,
            image: &options.postgres_image,
            port: POSTGRES_PORT,
            loopback,
            sweep,
            stage: &stages[0],
            deadline: options.deadline,
        };
        let (container, host, port) = start.run(request).await?;
        let endpoint = PostgresEndpoint {
            host,
            port,
            user: "postgres".to_owned(),
            password: "postgres".to_owned(),
        };
        stages[0].set("waiting for its first answer".to_owned());
        let version = postgres_version(&endpoint, "postgres", ANSWER_TIMEOUT).await?;
        Ok::<_, ServicesError>(Started {
            container,
            endpoint,
            version,
        })
    };
    let redis = async {
        let command = std::iter::once("redis-server").chain(REDIS_ARGS.iter().copied());
        let request = image_request(Redis::default(), &options.redis_image).with_cmd(command);
        let start = Start {
            docker: &docker,
            image: &options.redis_image,
            port: REDIS_PORT,
            loopback,
            sweep,
            stage: &stages[1],
            deadline: options.deadline,
        };
        let (container, host, port) = start.run(request).await?;
        let endpoint = RedisEndpoint::new(host, port);
        stages[1].set("waiting for its first answer".to_owned());
        let version = redis_version(&endpoint, ANSWER_TIMEOUT).await?;
        Ok(Started {
            container,
            endpoint,
            version,
        })
    };
    // Whichever started is dropped (and removed) if the other failed.
    tokio::try_join!(postgres, redis)
}

fn image_request<I: Image>(image: I, reference: &ImageRef) -> ContainerRequest<I> {
    image.with_name(reference.name()).with_tag(reference.tag())
}

/// What one container's start needs.
struct Start<'a> {
    docker: &'a Docker,
    image: &'a ImageRef,
    port: u16,
    loopback: bool,
    sweep: &'a ContainerSweep,
    stage: &'a Stage,
    deadline: Duration,
}

impl Start<'_> {
    /// Pulls the image if the daemon lacks it, starts the container with
    /// the run's labels and returns it with the host and port it answers on.
    async fn run<I: Image>(
        &self,
        request: ContainerRequest<I>,
    ) -> Result<(ContainerAsync<I>, String, u16), ServicesError> {
        let image = self.image.to_string();
        self.stage.set(format!("looking for {image}"));
        let mut request = if self.has_image(&image).await? {
            request
        } else {
            self.stage.set(format!("pulling {image}"));
            request
                .pull_image()
                .await
                .map_err(|source| ServicesError::DockerPull {
                    image: image.clone(),
                    error: Box::new(source),
                })?
        };
        for (key, value) in self.sweep.labels() {
            request = request.with_label(key, value);
        }
        if self.loopback {
            let port = self.port;
            request =
                request.with_host_config_modifier(move |config| bind_to_loopback(config, port));
        }
        let request = request.with_startup_timeout(self.deadline);
        self.stage
            .set(format!("starting {image} and waiting for its ready line"));
        let in_flight = self.sweep.in_flight();
        let container = request
            .start()
            .await
            .map_err(docker_error(format!("start {image}")))?;
        drop(in_flight);
        self.stage.set("reading its port".to_owned());
        let host = if self.loopback {
            "127.0.0.1".to_owned()
        } else {
            let host = container
                .get_host()
                .await
                .map_err(docker_error("read the container host"))?;
            host.to_string()
        };
        let port = container
            .get_host_port_ipv4(self.port.tcp())
            .await
            .map_err(docker_error(format!("read the port of {image}")))?;
        Ok((container, host, port))
    }

    async fn has_image(&self, image: &str) -> Result<bool, ServicesError> {
        match self.docker.inspect_image(image).await {
            Ok(_) => Ok(true),
            Err(BollardError::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(false),
            Err(error) => Err(ServicesError::DockerApi {
                what: format!("look for the image {image}"),
                reason: error.to_string(),
            }),
        }
    }
}

/// Publishes `port` on `127.0.0.1` only (a free port the daemon picks),
/// instead of testcontainers' every port on every interface: the harness,
/// the fault proxy and the subject all connect to `127.0.0.1`, and Docker
/// may map a different host port for IPv6, which `localhost` may pick.
fn bind_to_loopback(config: &mut HostConfig, port: u16) {
    config.publish_all_ports = Some(false);
    let binding = PortBinding {
        host_ip: Some("127.0.0.1".to_owned()),
        host_port: None,
    };
    config.port_bindings = Some(HashMap::from([(
        format!("{port}/tcp"),
        Some(vec![binding]),
    )]));
}

fn docker_error(
    what: impl Into<String>,
) -> impl FnOnce(testcontainers::TestcontainersError) -> ServicesError {
    let what = what.into();
    move |source| ServicesError::Docker {
        what,
        error: Box::new(source),
    }
}

impl Drop for DockerServices {
    fn drop(&mut self) {
        // Inside a runtime the containers remove themselves. Their `Drop`
        // needs one, so outside a runtime (e.g. a panic unwinding past it)
        // the handles are forgotten and the sweep, dropped next, removes
        // the containers by label.
        if tokio::runtime::Handle::try_current().is_err() {
            if let Some(container) = self.postgres.take() {
                std::mem::forget(container);
            }
            if let Some(container) = self.redis.take() {
                std::mem::forget(container);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_bound_to_loopback_only() {
        let mut config = HostConfig {
            publish_all_ports: Some(true),
            ..HostConfig::default()
        };
        bind_to_loopback(&mut config, 5432);
        assert_eq!(config.publish_all_ports, Some(false));
        let bindings = config.port_bindings.unwrap_or_default();
        let binding = bindings["5432/tcp"].clone().unwrap_or_default();
        assert_eq!(binding.len(), 1);
        assert_eq!(binding[0].host_ip.as_deref(), Some("127.0.0.1"));
    }
}
