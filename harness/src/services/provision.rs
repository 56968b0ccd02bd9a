//! [`Services`]: the Postgres and Redis of one run, however they were
//! obtained, and fresh databases in them.

use std::path::PathBuf;
use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::sync::OnceCell;

use super::daemon;
use super::database::Database;
use super::docker::{self, DockerServices};
use super::endpoint::{PostgresEndpoint, RedisEndpoint};
use super::error::ServicesError;
use super::external;
use super::images::DockerOptions;
use super::local::{self, LocalServices};
use super::mode::{ServicesKind, ServicesMode};
use super::sweep::ContainerSweep;

/// How long `auto` and `docker` wait for the Docker daemon to answer.
const DAEMON_TIMEOUT: Duration = Duration::from_secs(1);
/// Postgres 15 added `CREATE DATABASE ... STRATEGY`.
const FILE_COPY_MIN_VERSION: i32 = 150_000;
/// Postgres 13 added `DROP DATABASE ... WITH (FORCE)`.
const FORCE_DROP_MIN_VERSION: i32 = 130_000;

/// The Postgres and Redis of one run. Dropping it stops local processes and
/// removes their directories, or removes the containers; external servers
/// are left as they are (a database created in them is dropped when its
/// [`Database`] is, within a runtime).
pub struct Services {
    kind: ServicesKind,
    postgres: PostgresEndpoint,
    redis: RedisEndpoint,
    admin_database: String,
    description: String,
    template: OnceCell<Template>,
    backend: Backend,
    /// Local services that replaced a failed Docker start keep that start's
    /// sweep, which removes at the end of the run (and on Ctrl-C) any
    /// container the daemon created after the failure.
    _abandoned: Option<ContainerSweep>,
}

/// The database new ones are copied from, made on first use.
struct Template {
    name: String,
    /// The server's `server_version_num`.
    version: i32,
}

/// What owns the servers; dropped last.
enum Backend {
    Docker(Box<DockerServices>),
    Local(Box<LocalServices>),
    External,
}

impl Services {
    /// Provides Postgres and Redis as `mode` says, with the official images
    /// for Docker; see [`Services::start_with`].
    pub async fn start(mode: ServicesMode) -> Result<Self, ServicesError> {
        Self::start_with(mode, &DockerOptions::default()).await
    }

    /// Provides Postgres and Redis as `mode` says, Docker containers made
    /// as `docker` says. `auto` takes Docker when a daemon answers within a
    /// second and the containers are up within `docker.deadline`, else
    /// local processes; the reason ends up in [`Services::description`],
    /// and in the error if local processes fail too.
    pub async fn start_with(
        mode: ServicesMode,
        docker: &DockerOptions,
    ) -> Result<Self, ServicesError> {
        match mode {
            ServicesMode::Auto => match daemon::probe(DAEMON_TIMEOUT).await {
                Ok(address) => {
                    let endpoint = address.to_string();
                    match docker::start(address, docker).await {
                        Ok(services) => Ok(Self::from_docker(
                            services,
                            format!("Docker daemon answered at {endpoint}"),
                        )),
                        Err(failure) => {
                            let why = format!(
                                "Docker daemon answered at {endpoint} but containers failed: {}",
                                failure.error
                            );
                            Self::fall_back(why, Some(failure.sweep)).await
                        }
                    }
                }
                Err(reason) => Self::fall_back(format!("no Docker daemon: {reason}"), None).await,
            },
            ServicesMode::Docker => {
                let address = daemon::probe(DAEMON_TIMEOUT)
                    .await
                    .map_err(|reason| ServicesError::DockerUnavailable { reason })?;
                match docker::start(address, docker).await {
                    Ok(services) => Ok(Self::from_docker(services, "docker requested".to_owned())),
                    Err(failure) => Err(failure.error),
                }
            }
            ServicesMode::Local => Self::start_local("local requested".to_owned(), None).await,
            ServicesMode::External {
                database_url,
                redis_url,
            } => Self::start_external(&database_url, &redis_url).await,
        }
    }

    /// `auto`'s local services, keeping why Docker was not used both in the
    /// description and, when local services fail too, in the error.
    async fn fall_back(
        why: String,
        leftovers: Option<ContainerSweep>,
    ) -> Result<Self, ServicesError> {
        match Self::start_local(why.clone(), leftovers).await {
            Ok(services) => Ok(services),
            Err(local) => Err(ServicesError::Fallback {
                why,
                local: Box::new(local),
            }),
        }
    }

    async fn start_local(
        why: String,
        leftovers: Option<ContainerSweep>,
    ) -> Result<Self, ServicesError> {
        let local = local::start().await?;
        let description = format!(
            "services: local postgres {} on {} and redis-server {} on {} ({why})",
            local.postgres.version,
            local.postgres.endpoint.address(),
            local.redis.version,
            local.redis.endpoint.address(),
        );
        Ok(Self {
            kind: ServicesKind::Local,
            postgres: local.postgres.endpoint.clone(),
            redis: local.redis.endpoint.clone(),
            admin_database: "postgres".to_owned(),
            description,
            template: OnceCell::new(),
            backend: Backend::Local(Box::new(local)),
            _abandoned: leftovers,
        })
    }

    fn from_docker(docker: DockerServices, why: String) -> Self {
        let description = format!(
            "services: docker {} (postgres {}) on {} and {} (redis {}) on {} ({why})",
            docker.postgres_image,
            docker.postgres_version,
            docker.postgres_endpoint.address(),
            docker.redis_image,
            docker.redis_version,
            docker.redis_endpoint.address(),
        );
        Self {
            kind: ServicesKind::Docker,
            postgres: docker.postgres_endpoint.clone(),
            redis: docker.redis_endpoint.clone(),
            admin_database: "postgres".to_owned(),
            description,
            template: OnceCell::new(),
            backend: Backend::Docker(Box::new(docker)),
            _abandoned: None,
        }
    }

    async fn start_external(database_url: &str, redis_url: &str) -> Result<Self, ServicesError> {
        for (what, url, flag) in [
            ("database URL", database_url, "--database-url"),
            ("Redis URL", redis_url, "--redis-url"),
        ] {
            if url.trim().is_empty() {
                return Err(ServicesError::InvalidUrl {
                    what: what.to_owned(),
                    url: String::new(),
                    reason: format!("external services need {flag}"),
                });
            }
        }
        let external = external::connect(database_url, redis_url).await?;
        let description = format!(
            "services: external postgres {} on {} and redis {} on {} (external requested)",
            external.postgres_version,
            external.postgres_endpoint.address(),
            external.redis_version,
            external.redis_endpoint.address(),
        );
        Ok(Self {
            kind: ServicesKind::External,
            postgres: external.postgres_endpoint,
            redis: external.redis_endpoint,
            admin_database: external.admin_database,
            description,
            template: OnceCell::new(),
            backend: Backend::External,
            _abandoned: None,
        })
    }

    /// Which kind of services this run got.
    pub fn kind(&self) -> ServicesKind {
        self.kind
    }

    /// Where Postgres answers, with admin credentials.
    pub fn postgres(&self) -> &PostgresEndpoint {
        &self.postgres
    }

    /// Where Redis answers; [`RedisEndpoint::url`] is what a subject gets.
    pub fn redis(&self) -> &RedisEndpoint {
        &self.redis
    }

    /// One line for the console: what was used, where, and why.
    pub fn description(&self) -> String {
        self.description.clone()
    }

    /// The server processes the harness started (empty for Docker and
    /// external), so callers can check that nothing outlives the run.
    pub fn process_ids(&self) -> Vec<u32> {
        match &self.backend {
            Backend::Local(local) => local.pids(),
            Backend::Docker(_) | Backend::External => Vec::new(),
        }
    }

    /// The Docker containers of this run (empty for local and external), so
    /// callers can check that nothing outlives the run.
    pub fn container_ids(&self) -> Vec<String> {
        match &self.backend {
            Backend::Docker(docker) => docker.container_ids(),
            Backend::Local(_) | Backend::External => Vec::new(),
        }
    }

    /// The temp directories the servers use (empty for Docker and external).
    pub fn temp_dirs(&self) -> Vec<PathBuf> {
        match &self.backend {
            Backend::Local(local) => local.dirs(),
            Backend::Docker(_) | Backend::External => Vec::new(),
        }
    }

    /// Creates a fresh, uniquely named, empty database; dropping what this
    /// returns drops it. Each subject gets its own and migrates it.
    pub async fn create_database(&self) -> Result<Database, ServicesError> {
        let template = self
            .template
            .get_or_try_init(|| self.create_template())
            .await?;
        let name = unique_name("ig");
        let strategy = if template.version >= FILE_COPY_MIN_VERSION {
            " STRATEGY FILE_COPY"
        } else {
            ""
        };
        let sql = format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{}\"{strategy}",
            template.name
        );
        self.admin_execute(&sql, &format!("could not create database {name}"))
            .await?;
        Ok(Database::new(
            self.postgres.database_url(&name),
            name,
            self.postgres.connect_options(&self.admin_database),
            template.version >= FORCE_DROP_MIN_VERSION,
        ))
    }

    async fn create_template(&self) -> Result<Template, ServicesError> {
        let what = "could not prepare the template database";
        let mut connection = self.admin_connection().await?;
        let version: String = sqlx::query_scalar("SHOW server_version_num")
            .fetch_one(&mut connection)
            .await
            .map_err(ServicesError::database(what))?;
        let _ = connection.close().await;
        let name = unique_name("ig_template");
        let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE template0");
        self.admin_execute(&sql, what).await?;
        let version = version.trim().parse::<i32>().unwrap_or(0);
        Ok(Template { name, version })
    }

    async fn admin_connection(&self) -> Result<PgConnection, ServicesError> {
        let options = self.postgres.connect_options(&self.admin_database);
        PgConnection::connect_with(&options)
            .await
            .map_err(ServicesError::database(format!(
                "could not connect to postgres at {} as {}",
                self.postgres.address(),
                self.postgres.user
            )))
    }

    /// Runs one admin statement built from names the harness generated.
    async fn admin_execute(&self, sql: &str, what: &str) -> Result<(), ServicesError> {
        let mut connection = self.admin_connection().await?;
        sqlx::query(AssertSqlSafe(sql.to_owned()))
            .execute(&mut connection)
            .await
            .map_err(ServicesError::database(what))?;
        let _ = connection.close().await;
        Ok(())
    }
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("kind", &self.kind)
            .field("postgres", &self.postgres.address())
            .field("redis", &self.redis.address())
            .finish_non_exhaustive()
    }
}

// Services are shared by concurrently running scenarios.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Services>();
    shareable::<super::fault_proxy::FaultProxy>();
    shareable::<crate::process::ChildProcess>();
};

/// A database name no other run uses: `<prefix>_<16 hex digits>`.
fn unique_name(prefix: &str) -> String {
    let id: String = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .take(16)
        .collect();
    format!("{prefix}_{id}")
}
