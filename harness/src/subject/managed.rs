//! A subject process the harness started: it owns the process, its working
//! directory, its own database (through a fault proxy the harness can cut)
//! and everything it printed, across restarts.

use super::env::SubjectEnv;
use super::spec::Launch;
use crate::process::{ChildProcess, GuardedTempDir, ProcessError};
use crate::services::{Database, FaultProxy, Services, ServicesError, free_port};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// The banner the contract requires once the subject listens (CFG-1).
pub const BANNER: &str = "Application is running on: http://localhost:";

/// Why a subject could not be started or controlled.
#[derive(Debug, thiserror::Error)]
pub enum SubjectError {
    /// Its services (database, proxy) could not be prepared.
    #[error("could not prepare the subject's services: {0}")]
    Services(#[from] ServicesError),
    /// The HTTP client for the subject could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    /// The `.env` of its working directory could not be written.
    #[error("could not write the subject's .env: {0}")]
    Dotenv(std::io::Error),
    /// Its database could not be emptied (a `restart` with
    /// `reset_database`).
    #[error("could not empty the subject's database: {0}")]
    Reset(String),
    /// The process could not be started or never got ready.
    #[error("the subject ({what}) did not start: {source}")]
    Start {
        /// The subject, in one line.
        what: String,
        /// What happened.
        source: ProcessError,
    },
}

/// A subject process with everything it needs, torn down on drop.
#[derive(Debug)]
pub struct ManagedSubject {
    launch: Launch,
    env: SubjectEnv,
    proxy: FaultProxy,
    redis_proxy: FaultProxy,
    /// Connections each proxy had let through when the current process
    /// started (database, Redis).
    accepted_before: (usize, usize),
    client: reqwest::Client,
    process: Option<ChildProcess>,
    workdir: Option<GuardedTempDir>,
    past_output: String,
    base_url: String,
    /// How long the last start took to get ready.
    pub start_millis: u64,
    /// Its database, reached directly (not through the proxy). After the
    /// process, so that the process has been killed when it is dropped.
    database: Database,
}

/// How a start that was expected to fail went.
#[derive(Debug)]
pub struct FailedStart {
    /// The exit status, or `None` if it still ran at the deadline.
    pub exit: Option<ExitStatus>,
    /// Milliseconds until it exited (or the deadline).
    pub millis: u64,
    /// Everything it printed.
    pub output: String,
    /// Whether its port accepted a connection at any time.
    pub listened: bool,
}

/// What a restart changes for the new process.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Variables set (or replaced).
    pub env: std::collections::BTreeMap<String, String>,
    /// Variables left out.
    pub unset: Vec<String>,
    /// The `.env` the harness writes for it (empty: none); `None` keeps
    /// the one it wrote before.
    pub dotenv: Option<std::collections::BTreeMap<String, String>>,
}

impl ManagedSubject {
    /// Creates a fresh database, proxies in front of Postgres and Redis, and
    /// starts the subject with the contract's environment plus `extra`.
    /// `CORS_ORIGIN` is `extra`'s, else an origin on a port of this run: never
    /// the contract's default, which a backend could have hard-coded.
    pub async fn start(
        launch: &Launch,
        services: &Services,
        secret: &str,
        extra: &std::collections::BTreeMap<String, String>,
    ) -> Result<ManagedSubject, SubjectError> {
        let mut subject = Self::configure(launch, services, secret, extra).await?;
        subject.spawn_until_ready().await?;
        Ok(subject)
    }

    /// The database, proxies and environment of a subject, with no process.
    async fn configure(
        launch: &Launch,
        services: &Services,
        secret: &str,
        extra: &std::collections::BTreeMap<String, String>,
    ) -> Result<ManagedSubject, SubjectError> {
        let database = services.create_database().await?;
        let proxy = FaultProxy::start(&services.postgres().address()).await?;
        let redis = services.redis();
        let redis_proxy = FaultProxy::start(format!("{}:{}", redis.host, redis.port)).await?;
        let port = free_port()?;
        let origin = match extra.get("CORS_ORIGIN") {
            Some(origin) => origin.clone(),
            None => format!("http://localhost:{}", free_port()?),
        };
        let env = SubjectEnv::contract(
            &proxy.database_url_via(database.url())?,
            &redis_proxy.addr().ip().to_string(),
            redis_proxy.addr().port(),
            secret,
            port,
            &origin,
        )
        .with(&launch.env)
        .with(extra)
        .without(&launch.unset);
        let port = env.port().unwrap_or(port);
        let subject = ManagedSubject {
            launch: launch.clone(),
            env,
            proxy,
            redis_proxy,
            accepted_before: (0, 0),
            client: crate::client::http_client().map_err(SubjectError::Client)?,
            process: None,
            workdir: None,
            past_output: String::new(),
            base_url: format!("http://127.0.0.1:{port}"),
            start_millis: 0,
            database,
        };
        Ok(subject)
    }

    /// Like [`ManagedSubject::start`], but starts no process: for scenarios
    /// whose every step starts one of their own that must fail (CFG-2,
    /// CFG-3), a running subject beside them would only take CPU.
    pub async fn prepare(
        launch: &Launch,
        services: &Services,
        secret: &str,
        extra: &std::collections::BTreeMap<String, String>,
    ) -> Result<ManagedSubject, SubjectError> {
        Self::configure(launch, services, secret, extra).await
    }

    /// The backend's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The environment the current process got.
    pub fn env(&self) -> &SubjectEnv {
        &self.env
    }

    /// The proxy between the subject and Postgres.
    pub fn proxy(&self) -> &FaultProxy {
        &self.proxy
    }

    /// The proxy between the subject and Redis.
    pub fn redis_proxy(&self) -> &FaultProxy {
        &self.redis_proxy
    }

    /// The HTTP client for the current process: a new one (with its own
    /// connection pool) for every process, so that no request rides a
    /// keep-alive connection opened to an earlier process of this subject.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// How many connections the current process opened to the database and
    /// to Redis it was given (through the harness's proxies).
    pub fn connections_since_start(&self) -> (usize, usize) {
        (
            self.proxy.accepted().saturating_sub(self.accepted_before.0),
            self.redis_proxy
                .accepted()
                .saturating_sub(self.accepted_before.1),
        )
    }

    /// How the current process ended, once it has (`None` while it runs,
    /// or when none was started).
    pub fn exited(&self) -> Option<ExitStatus> {
        self.process
            .as_ref()
            .and_then(ChildProcess::try_exit_status)
    }

    /// The current process's id, for measuring it from outside (`None`
    /// while it is stopped).
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ChildProcess::pid)
    }

    /// The subject's port.
    pub fn port(&self) -> u16 {
        self.env.port().unwrap_or_default()
    }

    /// Everything every process of this subject printed so far.
    pub fn output_text(&self) -> String {
        let mut text = self.past_output.clone();
        if let Some(p) = &self.process {
            text.push_str(&p.output().text());
        }
        text
    }

    /// The last lines printed, for failure reports.
    pub fn output_tail(&self, lines: usize) -> String {
        let text = self.output_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops the subject and starts it again with `changes` to its environment,
    /// on the same port and database.
    pub async fn restart(&mut self, changes: &Changes) -> Result<(), SubjectError> {
        self.stop().await;
        // A killed process's listening socket still completes handshakes
        // until the kernel has torn the process down: a readiness probe
        // then "succeeds" against the dying process and the next request is
        // reset. The new process starts once nothing listens on the port.
        wait_for_port_closed(self.port(), PORT_RELEASE_TIMEOUT).await;
        self.apply(changes);
        self.spawn_until_ready().await
    }

    fn apply(&mut self, changes: &Changes) {
        self.env = self.env.with(&changes.env).without(&changes.unset);
        if let Some(dotenv) = &changes.dotenv {
            self.launch.dotenv = dotenv.clone();
        }
    }

    /// Stops the subject, drops everything its database holds (as a reset
    /// of the database leaves it: no table, no row), and starts it again on
    /// the same port, to apply its migrations to the empty database.
    pub async fn restart_on_empty_database(
        &mut self,
        changes: &Changes,
    ) -> Result<(), SubjectError> {
        use sqlx::Connection;
        self.stop().await;
        let mut connection = sqlx::PgConnection::connect(self.database.url())
            .await
            .map_err(|e| SubjectError::Reset(e.to_string()))?;
        sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            .execute(&mut connection)
            .await
            .map_err(|e| SubjectError::Reset(e.to_string()))?;
        let _ = connection.close().await;
        wait_for_port_closed(self.port(), PORT_RELEASE_TIMEOUT).await;
        self.apply(changes);
        self.spawn_until_ready().await
    }

    /// Stops the current process (SIGTERM, then SIGKILL after a grace).
    pub async fn stop(&mut self) {
        if let Some(process) = self.process.take() {
            let _ = process.kill().await;
            self.past_output.push_str(&process.output().text());
        }
    }

    /// Starts another process of this subject with `env` on a new port,
    /// expecting it to exit by itself within `within`; watches its port.
    pub async fn start_expecting_failure(
        &self,
        env: &SubjectEnv,
        within: Duration,
    ) -> Result<FailedStart, SubjectError> {
        let port = free_port()?;
        let mut env = env.with(&std::collections::BTreeMap::from([(
            "PORT".to_owned(),
            port.to_string(),
        )]));
        env.unset.retain(|n| n != "PORT");
        let workdir = self.new_workdir()?;
        let process = self.spawn(&env, &workdir)?;
        let started = Instant::now();
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let mut listened = false;
        let exit = loop {
            if let Some(status) = process.try_exit_status() {
                break Some(status);
            }
            if started.elapsed() >= within {
                break None;
            }
            if !listened {
                let probe = tokio::time::timeout(
                    Duration::from_millis(50),
                    tokio::net::TcpStream::connect(address),
                );
                listened = matches!(probe.await, Ok(Ok(_)));
            }
            let rest = within.saturating_sub(started.elapsed());
            let _ = process.wait_exit(rest.min(Duration::from_millis(20))).await;
        };
        let millis = started.elapsed().as_millis() as u64;
        if exit.is_some() {
            process.wait_output_closed().await;
        }
        let _ = process.kill().await;
        Ok(FailedStart {
            exit,
            millis,
            output: process.output().text(),
            listened,
        })
    }

    /// Whether `file` steps can read this subject's sources.
    pub fn launch(&self) -> &Launch {
        &self.launch
    }

    fn new_workdir(&self) -> Result<GuardedTempDir, SubjectError> {
        GuardedTempDir::new("conformance-subject-").map_err(|source| SubjectError::Start {
            what: self.launch.description.clone(),
            source,
        })
    }

    fn spawn(
        &self,
        env: &SubjectEnv,
        workdir: &GuardedTempDir,
    ) -> Result<ChildProcess, SubjectError> {
        let mut command = Command::new(&self.launch.program);
        command.args(&self.launch.args);
        command.current_dir(self.launch.cwd.as_deref().unwrap_or(workdir.path()));
        if self.launch.cwd.is_none() && !self.launch.dotenv.is_empty() {
            let text: String = self
                .launch
                .dotenv
                .iter()
                .map(|(k, v)| format!("{k}={v}\n"))
                .collect();
            std::fs::write(workdir.path().join(".env"), text).map_err(SubjectError::Dotenv)?;
        }
        env.apply(&mut command);
        ChildProcess::spawn("subject", command).map_err(|source| SubjectError::Start {
            what: self.launch.description.clone(),
            source,
        })
    }

    async fn spawn_until_ready(&mut self) -> Result<(), SubjectError> {
        let started = Instant::now();
        self.client = crate::client::http_client().map_err(SubjectError::Client)?;
        self.accepted_before = (self.proxy.accepted(), self.redis_proxy.accepted());
        let workdir = self.new_workdir()?;
        let process = self.spawn(&self.env, &workdir)?;
        let timeout = Duration::from_millis(self.launch.ready_timeout_ms);
        // Ready when the port answers; the banner only hurries that along
        // (whether the banner is right is CFG-1's business, not readiness).
        let banner = self.launch.ready_line.as_deref().unwrap_or(BANNER);
        let ready = tokio::select! {
            // The port side owns the deadline; this side ends early on the
            // banner or on an exit (reported with status and output).
            line = process.wait_for_line(banner, timeout + Duration::from_secs(1)) => line.map(drop),
            open = wait_for_port(self.port(), timeout) => match open {
                true => Ok(()),
                false => Err(ProcessError::Timeout {
                    name: "subject".to_owned(),
                    waiting_for: format!("open port {} or a line containing {banner:?}", self.port()),
                    waited: timeout,
                    last_lines: last_lines(&process),
                }),
            },
        };
        self.workdir = Some(workdir);
        match ready {
            Ok(()) => {
                wait_for_port(self.port(), Duration::from_secs(5)).await;
                self.process = Some(process);
                self.start_millis = started.elapsed().as_millis() as u64;
                Ok(())
            }
            Err(source) => {
                self.past_output.push_str(&process.output().text());
                Err(SubjectError::Start {
                    what: self.launch.description.clone(),
                    source,
                })
            }
        }
    }
}

/// The process's last output lines, for an error.
fn last_lines(process: &ChildProcess) -> String {
    let lines: Vec<String> = process
        .output()
        .last_lines(20)
        .into_iter()
        .map(|l| l.text)
        .collect();
    if lines.is_empty() {
        "(no output)".to_owned()
    } else {
        lines.join("\n")
    }
}

/// How long a restart waits for the stopped process's port to close.
const PORT_RELEASE_TIMEOUT: Duration = Duration::from_secs(10);

/// Waits until nothing accepts connections on `port`; false at the deadline.
pub async fn wait_for_port_closed(port: u16, timeout: Duration) -> bool {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = crate::deadline::after(timeout);
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(address).await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// Waits until `port` accepts a connection; false at the deadline.
pub async fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = crate::deadline::after(timeout);
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(address).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
