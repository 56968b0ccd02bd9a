//! A pull or a container create that never ends: `auto` gives up at
//! `--docker-timeout`, falls back to local services and says why in its
//! services line; when local services fail too, the error still says why
//! Docker was not used. Against a fake daemon, so these always run.

use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use conformance::process::ChildProcess;
use conformance::services::{POSTGRES_IMAGE_ENV, REDIS_IMAGE_ENV};
use rstest::rstest;

use super::fake_daemon::{FakeDaemon, Stall};

/// The deadline the runs get, in seconds.
const DEADLINE_SECS: u64 = 2;
/// Only to avoid hanging: the deadline, the fallback and one scenario.
const EXIT_DEADLINE: Duration = Duration::from_secs(60);
/// Local services and a subject start in seconds; anything near the
/// bollard default (two minutes per request) means the deadline did not act.
const FALLBACK_WITHIN: Duration = Duration::from_secs(DEADLINE_SECS + 25);

/// Runs `conformance run --services auto` against a fake daemon that
/// stalls as told; returns the output, the exit status and the time taken.
async fn run_against(stall: Stall, env: &[(&str, &str)]) -> (String, ExitStatus, Duration) {
    let daemon = FakeDaemon::start(stall);
    let mut command = Command::new(env!("CARGO_BIN_EXE_conformance"));
    command
        .args(["run", "-q", "--services", "auto", "--filter", "INF-1"])
        .args(["--docker-timeout", &DEADLINE_SECS.to_string()])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("DOCKER_HOST", daemon.docker_host())
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove(POSTGRES_IMAGE_ENV)
        .env_remove(REDIS_IMAGE_ENV);
    for (name, value) in env {
        command.env(name, value);
    }
    let started = Instant::now();
    let run = ChildProcess::spawn("conformance run", command).expect("the run starts");
    let status = run
        .wait_exit(EXIT_DEADLINE)
        .await
        .unwrap_or_else(|error| panic!("the run did not exit: {error}\n{}", run.output().text()));
    (run.output().text(), status, started.elapsed())
}

#[rstest]
#[case::pull(Stall::Pull, "pulling postgres:16-alpine")]
#[case::create(Stall::Create, "starting postgres:16-alpine")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_docker_start_falls_back_to_local_services_within_the_deadline(
    #[case] stall: Stall,
    #[case] stage: &str,
) {
    let (output, status, took) = run_against(stall, &[]).await;
    eprintln!("fell back in {took:?}");
    assert!(status.success(), "exit status {status}:\n{output}");
    assert!(took < FALLBACK_WITHIN, "took {took:?}:\n{output}");
    let line = output
        .lines()
        .find(|line| line.starts_with("services: "))
        .unwrap_or_else(|| panic!("no services line:\n{output}"));
    assert!(line.starts_with("services: local "), "{line}");
    for expected in [
        "Docker daemon answered at unix://",
        "but containers failed: Docker containers were not up within 2s",
        stage,
    ] {
        assert!(line.contains(expected), "{expected:?} missing from: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_local_services_fail_too_the_error_still_says_why_docker_was_not_used() {
    let empty = tempfile::Builder::new()
        .prefix("no-programs-")
        .tempdir()
        .expect("a temp directory");
    let path = empty.path().to_string_lossy().into_owned();
    let (output, status, took) = run_against(Stall::Pull, &[("PATH", &path)]).await;
    assert_eq!(status.code(), Some(2), "{output}");
    assert!(took < FALLBACK_WITHIN, "took {took:?}:\n{output}");
    for expected in [
        "but containers failed: Docker containers were not up within 2s",
        "pulling postgres:16-alpine",
        "then local services failed: `redis-server` not found",
    ] {
        assert!(
            output.contains(expected),
            "{expected:?} missing from:\n{output}"
        );
    }
}
