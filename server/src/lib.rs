//! The reference server of the Insight Garden contract: the implementation
//! the conformance suite is validated against, with fault switches that
//! bring back each incident of the post-mortem on purpose.
//!
//! [`main_entry`] is the whole program; [`Config`] and [`run`] let another
//! process (the conformance harness) start the server in its own way.

pub mod app;
pub mod auth;
pub mod chat;
mod cli;
pub mod config;
pub mod cors;
pub mod db;
pub mod documents;
pub mod error;
pub mod faults;
pub mod health;
pub mod json;
pub mod memory;
pub mod redis_client;
pub mod request_log;
pub mod row_cache;
mod serve;
pub mod web;

use std::io::Write;
use std::net::SocketAddr;

use sqlx::postgres::PgConnectOptions;
use tokio::net::TcpListener;

pub use cli::main_entry;
pub use config::{Config, ConfigError};
pub use faults::{Fault, FaultSet};

/// Why the server stopped or could not start (after its config was
/// accepted).
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Postgres was not reachable in time, or a migration failed.
    #[error(transparent)]
    Database(#[from] db::StartupError),
    /// The Redis address cannot be used.
    #[error("invalid Redis address (check REDIS_HOST and REDIS_PORT): {0}")]
    Redis(#[from] redis::RedisError),
    /// The port is taken or not ours to use.
    #[error("cannot listen on {address} ({source}); is another server using PORT?")]
    Bind {
        /// The address from `HOST` and `PORT`.
        address: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// The JWT secret cannot be used as an HMAC key.
    #[error("JWT_SECRET cannot be used as an HMAC key: {0}")]
    Keys(#[from] auth::token::TokenError),
    /// The HTTP server failed while running.
    #[error("the HTTP server failed: {0}")]
    Serve(#[source] std::io::Error),
}

/// Connects to Postgres (applying migrations) and Redis, listens, prints
/// `Application is running on: http://localhost:<PORT>` and serves until
/// SIGINT or SIGTERM, then lets requests in flight finish.
pub async fn run(config: Config) -> Result<(), ServerError> {
    if !config.faults.is_empty() {
        tracing::warn!(faults = %config.faults, "fault switches on: this server breaks the contract on purpose");
    }
    auth::password::use_cost(config.password_cost);
    let db = db::connect(config.database.clone()).await?;
    let redis = redis_client::RedisClient::new(&config.redis)?;
    let state = app::AppState::new(&config, db.clone(), redis)?;
    let router = app::router(state, &config.cors_origins);

    let address = SocketAddr::new(config.host, config.port);
    let listener = listen(address).map_err(|source| ServerError::Bind { address, source })?;
    let port = listener.local_addr().map_err(ServerError::Serve)?.port();
    serve_web_app(&config).await;
    announce(port, config.faults);

    serve::serve(listener, router, shutdown_signal()).await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Connections waiting to be accepted, at most (the kernel caps it at
/// `net.core.somaxconn`). Tokio's default of 1,024 drops the SYNs of a
/// burst of thousands of clients, who then retry a second later.
const LISTEN_BACKLOG: u32 = 8192;

/// A listening socket on `address` with room for bursts of connections.
fn listen(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Applies the migrations and returns: the `migrate` subcommand.
pub async fn migrate(database: PgConnectOptions) -> Result<(), ServerError> {
    let db = db::connect(database).await?;
    db.close().await;
    Ok(())
}

/// Serves the web app on `WEB_PORT` in the background. The API does not
/// depend on it: when the port is taken, a warning says so and the API runs on.
async fn serve_web_app(config: &Config) {
    let Some(port) = config.web.port else {
        return;
    };
    let address = SocketAddr::new(config.host, port);
    match TcpListener::bind(address).await {
        Ok(listener) => {
            let router = web::router(&config.web, config.faults);
            tracing::info!(%address, api = %config.web.api_url, "web app listening");
            tokio::spawn(async move {
                if let Err(err) = axum::serve(listener, router.into_make_service()).await {
                    tracing::warn!(error = %err, "the web app stopped");
                }
            });
        }
        Err(err) => {
            tracing::warn!(%address, error = %err, "cannot serve the web app (set WEB_PORT, or WEB_PORT=off)");
        }
    }
}

/// The banner of CFG-1, on stdout and flushed at once: whoever started the
/// server waits for this line to know it is ready.
fn announce(port: u16, faults: FaultSet) {
    let banner = if faults.contains(Fault::WrongBanner) {
        format!("Server listening on port {port}")
    } else {
        format!("Application is running on: http://localhost:{port}")
    };
    let mut stdout = std::io::stdout().lock();
    let written = writeln!(stdout, "{banner}").and_then(|()| stdout.flush());
    if let Err(err) = written {
        tracing::warn!(error = %err, "cannot write the banner to stdout");
    }
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
