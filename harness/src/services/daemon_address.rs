//! Where the Docker daemon is, resolved from the environment exactly as
//! testcontainers resolves it, so that the harness's check and the
//! containers it then starts talk to the same daemon. Where testcontainers
//! would fail (or panic) on a setting, resolution says why instead, and
//! what to change. Pure: the environment comes in as [`DockerEnv`].

use std::fmt;
use std::path::{Path, PathBuf};

/// The part of the environment that decides where the daemon is.
#[derive(Clone, Debug, Default)]
pub(super) struct DockerEnv {
    pub(super) docker_host: Option<String>,
    pub(super) tls_verify: Option<String>,
    pub(super) cert_path: Option<PathBuf>,
    pub(super) runtime_dir: Option<PathBuf>,
    pub(super) home: Option<PathBuf>,
    pub(super) uid: u32,
}

impl DockerEnv {
    /// This process's environment.
    pub(super) fn from_process() -> Self {
        let var = |name: &str| std::env::var(name).ok();
        Self {
            docker_host: var("DOCKER_HOST"),
            tls_verify: var("DOCKER_TLS_VERIFY"),
            cert_path: var("DOCKER_CERT_PATH").map(PathBuf::from),
            runtime_dir: var("XDG_RUNTIME_DIR")
                .map(PathBuf::from)
                .filter(|dir| dir.is_absolute()),
            home: var("HOME").map(PathBuf::from),
            uid: nix::unistd::getuid().as_raw(),
        }
    }
}

/// A daemon address testcontainers can use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum DaemonAddress {
    /// A Unix socket.
    Unix(PathBuf),
    /// `host:port` over TCP, with TLS when `certificates` (the directory
    /// holding `ca.pem`, `cert.pem` and `key.pem`) is given.
    Tcp {
        authority: String,
        certificates: Option<PathBuf>,
    },
}

impl fmt::Display for DaemonAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix://{}", path.display()),
            Self::Tcp {
                authority,
                certificates: None,
            } => write!(f, "tcp://{authority}"),
            Self::Tcp {
                authority,
                certificates: Some(dir),
            } => write!(
                f,
                "tcp://{authority} (TLS, certificates in {})",
                dir.display()
            ),
        }
    }
}

/// The sockets testcontainers looks for when `DOCKER_HOST` is not set, in
/// its order; it takes the first that exists.
fn default_sockets(env: &DockerEnv) -> Vec<PathBuf> {
    let mut sockets = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(dir) = &env.runtime_dir {
        sockets.push(dir.join(".docker/run/docker.sock"));
    }
    if let Some(home) = &env.home {
        sockets.push(home.join(".docker/run/docker.sock"));
        sockets.push(home.join(".docker/desktop/docker.sock"));
    }
    sockets
}

/// Where a rootless daemon listens; testcontainers does not look there.
fn rootless_socket(env: &DockerEnv) -> PathBuf {
    env.runtime_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("/run/user/{}", env.uid)))
        .join("docker.sock")
}

/// Resolves the daemon's address; `exists` tells whether a socket file is
/// there. The error says what was tried and what to do.
pub(super) fn resolve(
    env: &DockerEnv,
    exists: impl Fn(&Path) -> bool,
) -> Result<DaemonAddress, String> {
    if let Some(host) = &env.docker_host {
        return from_docker_host(host.trim(), env);
    }
    let sockets = default_sockets(env);
    if let Some(socket) = sockets.iter().find(|socket| exists(socket)) {
        return Ok(DaemonAddress::Unix(socket.clone()));
    }
    let tried = sockets
        .iter()
        .map(|socket| socket.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let rootless = rootless_socket(env);
    if exists(&rootless) {
        let socket = rootless.display();
        return Err(format!(
            "DOCKER_HOST is not set and none of {tried} exists; a rootless daemon's socket is at {socket}, which testcontainers only uses through DOCKER_HOST: export DOCKER_HOST=unix://{socket}"
        ));
    }
    Err(format!(
        "DOCKER_HOST is not set and no Docker socket was found (tried {tried} and the rootless {})",
        rootless.display()
    ))
}

fn from_docker_host(host: &str, env: &DockerEnv) -> Result<DaemonAddress, String> {
    if host.is_empty() {
        return Err(
            "DOCKER_HOST is set but empty, which testcontainers cannot parse: unset it, or set it to e.g. unix:///var/run/docker.sock".to_owned(),
        );
    }
    if let Some(path) = host.strip_prefix("unix://") {
        return Ok(DaemonAddress::Unix(PathBuf::from(path)));
    }
    let (scheme, rest) = host.split_once("://").unwrap_or(("", host));
    let authority = rest.trim_end_matches('/').to_owned();
    let verify = env.tls_verify.as_deref().unwrap_or_default();
    let tls = match scheme {
        "https" => true,
        "tcp" | "http" if verify == "1" => true,
        "tcp" | "http" if !verify.is_empty() && verify != "0" => {
            return Err(format!(
                "DOCKER_TLS_VERIFY={verify}: testcontainers uses TLS only for DOCKER_TLS_VERIFY=1 (the docker CLI for any value): set it to 1, or unset it for a daemon without TLS"
            ));
        }
        "tcp" | "http" => false,
        _ => {
            return Err(format!(
                "DOCKER_HOST={host}: testcontainers reaches a daemon over unix://, tcp://, http:// or https:// only"
            ));
        }
    };
    if authority.is_empty() {
        return Err(format!("DOCKER_HOST={host} names no host"));
    }
    let certificates = if tls {
        let Some(dir) = env.cert_path.clone() else {
            return Err(format!(
                "DOCKER_HOST={host} with TLS needs DOCKER_CERT_PATH (the directory of ca.pem, cert.pem and key.pem): testcontainers does not default to ~/.docker"
            ));
        };
        Some(dir)
    } else {
        None
    };
    Ok(DaemonAddress::Tcp {
        authority,
        certificates,
    })
}

/// Whether `authority` (`host:port`) names this machine's loopback.
pub(super) fn is_loopback_authority(authority: &str) -> bool {
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => authority,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> DockerEnv {
        DockerEnv {
            runtime_dir: Some(PathBuf::from("/run/user/1000")),
            home: Some(PathBuf::from("/home/ann")),
            uid: 1000,
            ..DockerEnv::default()
        }
    }

    fn with_host(host: &str) -> DockerEnv {
        DockerEnv {
            docker_host: Some(host.to_owned()),
            ..env()
        }
    }

    fn nothing_exists(_: &Path) -> bool {
        false
    }

    #[test]
    fn the_first_existing_default_socket_wins_as_in_testcontainers() {
        let desktop = Path::new("/home/ann/.docker/desktop/docker.sock");
        let found = resolve(&env(), |path| path == desktop);
        assert_eq!(found, Ok(DaemonAddress::Unix(desktop.to_path_buf())));
        let both = resolve(&env(), |path| {
            path == desktop || path == Path::new("/var/run/docker.sock")
        });
        assert_eq!(
            both,
            Ok(DaemonAddress::Unix(PathBuf::from("/var/run/docker.sock")))
        );
    }

    #[test]
    fn without_any_socket_every_place_tried_is_named() {
        let reason = resolve(&env(), nothing_exists).unwrap_err();
        for place in [
            "/var/run/docker.sock",
            "/run/user/1000/.docker/run/docker.sock",
            "/home/ann/.docker/run/docker.sock",
            "/home/ann/.docker/desktop/docker.sock",
            "/run/user/1000/docker.sock",
        ] {
            assert!(reason.contains(place), "{place} missing from: {reason}");
        }
    }

    #[test]
    fn a_rootless_socket_is_found_and_the_export_that_makes_it_usable_is_given() {
        let rootless = Path::new("/run/user/1000/docker.sock");
        let reason = resolve(&env(), |path| path == rootless).unwrap_err();
        assert!(
            reason.contains("export DOCKER_HOST=unix:///run/user/1000/docker.sock"),
            "{reason}"
        );
        let no_runtime_dir = DockerEnv {
            runtime_dir: None,
            ..env()
        };
        let reason = resolve(&no_runtime_dir, |path| path == rootless).unwrap_err();
        assert!(reason.contains("rootless"), "{reason}");
    }

    #[test]
    fn an_empty_docker_host_is_refused_as_testcontainers_would_fail_on_it() {
        let reason = resolve(&with_host(""), |_| true).unwrap_err();
        assert!(reason.contains("set but empty"), "{reason}");
    }

    #[test]
    fn docker_host_schemes_map_to_unix_and_tcp() {
        assert_eq!(
            resolve(&with_host("unix:///tmp/d.sock"), nothing_exists),
            Ok(DaemonAddress::Unix(PathBuf::from("/tmp/d.sock")))
        );
        for host in ["tcp://127.0.0.1:2375", "http://127.0.0.1:2375/"] {
            assert_eq!(
                resolve(&with_host(host), nothing_exists),
                Ok(DaemonAddress::Tcp {
                    authority: "127.0.0.1:2375".to_owned(),
                    certificates: None
                }),
                "{host}"
            );
        }
        let reason = resolve(&with_host("ssh://me@box"), nothing_exists).unwrap_err();
        assert!(reason.contains("unix://, tcp://"), "{reason}");
    }

    #[test]
    fn tls_needs_verify_1_and_a_certificate_directory() {
        let tls = |verify: &str, certs: Option<&str>| DockerEnv {
            tls_verify: Some(verify.to_owned()),
            cert_path: certs.map(PathBuf::from),
            ..with_host("tcp://docker.example:2376")
        };
        assert_eq!(
            resolve(&tls("1", Some("/certs")), nothing_exists),
            Ok(DaemonAddress::Tcp {
                authority: "docker.example:2376".to_owned(),
                certificates: Some(PathBuf::from("/certs"))
            })
        );
        let reason = resolve(&tls("1", None), nothing_exists).unwrap_err();
        assert!(reason.contains("DOCKER_CERT_PATH"), "{reason}");
        let reason = resolve(&tls("true", Some("/certs")), nothing_exists).unwrap_err();
        assert!(reason.contains("DOCKER_TLS_VERIFY=1"), "{reason}");
        assert!(matches!(
            resolve(&tls("0", None), nothing_exists),
            Ok(DaemonAddress::Tcp {
                certificates: None,
                ..
            })
        ));
        let https = DockerEnv {
            cert_path: Some(PathBuf::from("/certs")),
            ..with_host("https://docker.example:2376")
        };
        assert!(matches!(
            resolve(&https, nothing_exists),
            Ok(DaemonAddress::Tcp {
                certificates: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn loopback_authorities_are_recognised() {
        for local in [
            "127.0.0.1:2375",
            "localhost:2375",
            "[::1]:2375",
            "127.0.0.2",
        ] {
            assert!(is_loopback_authority(local), "{local}");
        }
        for remote in ["docker.example:2376", "10.0.0.5:2375", "[fd00::1]:2375"] {
            assert!(!is_loopback_authority(remote), "{remote}");
        }
    }
}
