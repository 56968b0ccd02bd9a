//! Talking to the Docker daemon: a client for the resolved address (the
//! same `bollard` testcontainers uses, so TLS works alike), the quick check
//! whether it answers, and whether its published ports are on this
//! process's loopback.

use std::path::Path;
use std::time::Duration;

use testcontainers::bollard::{API_DEFAULT_VERSION, Docker};

use super::daemon_address::{DaemonAddress, DockerEnv, is_loopback_authority, resolve};

/// bollard's own limit per request (it covers the response headers only);
/// the harness puts its own deadlines around every call.
const CLIENT_TIMEOUT_SECS: u64 = 120;

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
        /// What was tried and why it failed, e.g. the sockets looked for.
        reason: String,
    },
}

/// Asks the Docker daemon `GET /_ping`, giving up after `limit`. Looks where
/// testcontainers looks (`DOCKER_HOST`, with TLS as it does, then the
/// default and Docker Desktop sockets) and says so when a rootless socket
/// or a setting testcontainers cannot use is found instead.
pub async fn docker_daemon_status(limit: Duration) -> DaemonStatus {
    match probe(limit).await {
        Ok(address) => DaemonStatus::Answered {
            endpoint: address.to_string(),
        },
        Err(reason) => DaemonStatus::Absent { reason },
    }
}

/// The daemon's address if it answers `GET /_ping` within `limit`.
pub(super) async fn probe(limit: Duration) -> Result<DaemonAddress, String> {
    let address = resolve(&DockerEnv::from_process(), Path::exists)?;
    let docker = connect(&address)?;
    match tokio::time::timeout(limit, docker.ping()).await {
        Ok(Ok(_)) => Ok(address),
        Ok(Err(error)) => Err(format!("{address}: {error}")),
        Err(_) => Err(format!("{address} did not answer within {limit:?}")),
    }
}

/// A client for `address`. Each runtime that talks to the daemon makes its
/// own: a client's connections belong to the runtime that opened them.
pub(super) fn connect(address: &DaemonAddress) -> Result<Docker, String> {
    let connected = match address {
        DaemonAddress::Unix(path) => Docker::connect_with_unix(
            &path.to_string_lossy(),
            CLIENT_TIMEOUT_SECS,
            API_DEFAULT_VERSION,
        ),
        DaemonAddress::Tcp {
            authority,
            certificates: None,
        } => Docker::connect_with_http(
            &format!("tcp://{authority}"),
            CLIENT_TIMEOUT_SECS,
            API_DEFAULT_VERSION,
        ),
        DaemonAddress::Tcp {
            authority,
            certificates: Some(dir),
        } => Docker::connect_with_ssl(
            &format!("tcp://{authority}"),
            &dir.join("key.pem"),
            &dir.join("cert.pem"),
            &dir.join("ca.pem"),
            CLIENT_TIMEOUT_SECS,
            API_DEFAULT_VERSION,
        ),
    };
    connected.map_err(|error| format!("{address}: {error}"))
}

/// Whether ports the daemon publishes on its `127.0.0.1` are this
/// process's `127.0.0.1`: a daemon over loopback TCP, or one whose socket
/// peer runs in this network namespace. When that cannot be read (another
/// user's daemon), a process outside a container is taken to share the
/// daemon's host; inside one (`/.dockerenv`), the socket is likely the
/// host's, mounted in, and testcontainers' own host (the bridge gateway)
/// is used with ports published on every interface.
pub(super) fn publishes_on_loopback(address: &DaemonAddress) -> bool {
    match address {
        DaemonAddress::Tcp { authority, .. } => is_loopback_authority(authority),
        DaemonAddress::Unix(path) => {
            same_network_namespace(path).unwrap_or_else(|| !Path::new("/.dockerenv").exists())
        }
    }
}

/// Compares the network namespace of the process at the other end of the
/// socket (`SO_PEERCRED`) with this one's; `None` when it cannot be read.
fn same_network_namespace(socket: &Path) -> Option<bool> {
    use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};

    let stream = std::os::unix::net::UnixStream::connect(socket).ok()?;
    let peer = getsockopt(&stream, PeerCredentials).ok()?;
    // A peer in another pid namespace shows as pid 0.
    if peer.pid() <= 0 {
        return None;
    }
    let theirs = std::fs::read_link(format!("/proc/{}/ns/net", peer.pid())).ok()?;
    let ours = std::fs::read_link("/proc/self/ns/net").ok()?;
    Some(theirs == ours)
}
