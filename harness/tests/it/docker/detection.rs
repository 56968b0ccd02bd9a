//! Where the harness looks for the daemon, seen from outside: with a
//! setting testcontainers cannot use, `--services docker` refuses at once
//! and says why (instead of a later failure or a panic in testcontainers);
//! a daemon over plain TCP is found and used.

use std::process::Command;
use std::time::{Duration, Instant};

use conformance::process::ChildProcess;
use conformance::services::{POSTGRES_IMAGE_ENV, REDIS_IMAGE_ENV};
use rstest::rstest;

use super::fake_daemon::{FakeDaemon, Stall};

/// Only to avoid hanging.
const EXIT_DEADLINE: Duration = Duration::from_secs(60);
/// A refusal needs no container, only a look at the environment.
const REFUSED_WITHIN: Duration = Duration::from_secs(10);

/// The system's Docker socket, which the harness tries first.
const SYSTEM_SOCKET: &str = "/var/run/docker.sock";

/// `conformance run --services docker` with these variables set (`Some`)
/// or removed (`None`); its output once it exited with code 2.
async fn docker_mode(env: &[(&str, Option<&str>)]) -> (String, Duration) {
    docker_mode_in(Command::new(env!("CARGO_BIN_EXE_conformance")), env).await
}

/// As [`docker_mode`], where [`SYSTEM_SOCKET`] does not exist: when it does
/// (a machine with a system daemon), the run gets a mount namespace of its
/// own with an empty file system over the socket's directory (as root, with
/// util-linux's `unshare`; a machine without either fails the test, saying so).
async fn docker_mode_without_the_system_socket(env: &[(&str, Option<&str>)]) -> (String, Duration) {
    let system = std::path::Path::new(SYSTEM_SOCKET);
    if !system.exists() {
        return docker_mode(env).await;
    }
    let dir = std::fs::canonicalize(system.parent().expect("the socket's directory"))
        .expect("the socket's directory resolves");
    let mut command = Command::new("unshare");
    command
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(r#"mount -t tmpfs conformance-test "$0" && exec "$@""#)
        .arg(&dir)
        .arg(env!("CARGO_BIN_EXE_conformance"));
    let (output, took) = docker_mode_in(command, env).await;
    assert!(
        !output.contains("mount:") && !output.contains("unshare:"),
        "{SYSTEM_SOCKET} exists, and hiding it needs root and util-linux's unshare:\n{output}"
    );
    (output, took)
}

/// `command` (the harness, or what runs it) with the arguments of
/// [`docker_mode`].
async fn docker_mode_in(mut command: Command, env: &[(&str, Option<&str>)]) -> (String, Duration) {
    command
        .args(["run", "-q", "--services", "docker", "--filter", "INF-1"])
        .args(["--docker-timeout", "2"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    for name in [
        "DOCKER_HOST",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
        POSTGRES_IMAGE_ENV,
        REDIS_IMAGE_ENV,
    ] {
        command.env_remove(name);
    }
    for (name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let started = Instant::now();
    let run = ChildProcess::spawn("conformance run", command).expect("the run starts");
    let status = run.wait_exit(EXIT_DEADLINE).await.expect("the run exits");
    let output = run.output().text();
    assert_eq!(status.code(), Some(2), "{output}");
    (output, started.elapsed())
}

#[rstest]
#[case::empty_docker_host(&[("DOCKER_HOST", Some(""))], "DOCKER_HOST is set but empty")]
#[case::tls_without_certificates(
    &[("DOCKER_HOST", Some("tcp://127.0.0.1:2376")), ("DOCKER_TLS_VERIFY", Some("1"))],
    "with TLS needs DOCKER_CERT_PATH"
)]
#[case::tls_verify_not_1(
    &[("DOCKER_HOST", Some("tcp://127.0.0.1:2376")), ("DOCKER_TLS_VERIFY", Some("true"))],
    "testcontainers uses TLS only for DOCKER_TLS_VERIFY=1"
)]
#[case::ssh(&[("DOCKER_HOST", Some("ssh://me@docker.example"))], "unix://, tcp://")]
#[tokio::test]
async fn a_setting_testcontainers_cannot_use_is_refused_with_the_reason(
    #[case] env: &[(&str, Option<&str>)],
    #[case] reason: &str,
) {
    let (output, took) = docker_mode(env).await;
    assert!(took < REFUSED_WITHIN, "took {took:?}");
    assert!(
        output.contains("no Docker daemon answers") && output.contains(reason),
        "{reason:?} missing from:\n{output}"
    );
}

#[tokio::test]
async fn a_rootless_socket_is_named_with_the_export_that_makes_it_usable() {
    let dir = tempfile::tempdir().expect("a temp directory");
    let socket = dir.path().join("docker.sock");
    std::fs::write(&socket, "").expect("a stand-in for the socket");
    let runtime_dir = dir.path().to_string_lossy().into_owned();
    let home = dir.path().join("home").to_string_lossy().into_owned();
    let (output, _) = docker_mode_without_the_system_socket(&[
        ("XDG_RUNTIME_DIR", Some(&runtime_dir)),
        ("HOME", Some(&home)),
    ])
    .await;
    let export = format!("export DOCKER_HOST=unix://{}", socket.display());
    assert!(
        output.contains(&export),
        "{export:?} missing from:\n{output}"
    );
    assert!(output.contains(SYSTEM_SOCKET), "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_over_plain_tcp_is_found_and_used() {
    let daemon = FakeDaemon::start_tcp(Stall::Create).await;
    let host = daemon.docker_host();
    let (output, _) = docker_mode(&[("DOCKER_HOST", Some(&host))]).await;
    // It answered: the start got as far as the create, which stalls.
    assert!(
        output.contains("Docker containers were not up within 2s")
            && output.contains("starting postgres:16-alpine"),
        "{output}"
    );
}
