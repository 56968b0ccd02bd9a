//! Interrupting runs with Docker services: SIGINT while the containers
//! start, SIGINT while scenarios run, a panic in the suite's task. Each
//! time no container made by the process may be left (running or not),
//! found by the process-id label every container of the harness carries.

use std::process::Command;
use std::time::{Duration, Instant};

use conformance::process::ChildProcess;
use conformance::services::{DockerOptions, POSTGRES_IMAGE_ENV, REDIS_IMAGE_ENV};
use nix::sys::signal::Signal;

use super::{containers_of, daemon};

/// Only to avoid hanging: how long a run may take to reach the moment.
const REACH_DEADLINE: Duration = Duration::from_secs(120);
/// Only to avoid hanging: how long a run may take to exit.
const EXIT_DEADLINE: Duration = Duration::from_secs(60);
/// How long the daemon gets to remove the containers.
const REMOVED_WITHIN: Duration = Duration::from_secs(15);
/// A create sent before the signal may complete later; look again after.
const LATE_CREATE_GRACE: Duration = Duration::from_secs(2);
/// Pause between two looks.
const POLL: Duration = Duration::from_millis(100);
/// Environment variable that makes `panic_target` act.
const PANIC_TARGET: &str = "CONFORMANCE_DOCKER_PANIC_TARGET";

/// `conformance run` with Docker services of `docker`, on `filter`.
fn spawn_run(docker: &DockerOptions, filter: &str) -> ChildProcess {
    let mut command = Command::new(env!("CARGO_BIN_EXE_conformance"));
    command
        .args(["run", "-q", "--services", "docker", "--filter", filter])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env(POSTGRES_IMAGE_ENV, docker.postgres_image.to_string())
        .env(REDIS_IMAGE_ENV, docker.redis_image.to_string());
    ChildProcess::spawn("conformance run", command).expect("the run starts")
}

/// Whether a descendant of `root` has `needle` in its command line.
fn has_descendant(root: u32, needle: &str) -> bool {
    let mut parents = std::collections::BTreeMap::<u32, Vec<u32>>::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok());
        if let Some(parent) = parent {
            parents.entry(parent).or_default().push(pid);
        }
    }
    let mut stack = vec![root];
    while let Some(parent) = stack.pop() {
        for &pid in parents.get(&parent).into_iter().flatten() {
            let command = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&command).contains(needle) {
                return true;
            }
            stack.push(pid);
        }
    }
    false
}

/// Waits until `moment` holds for the run, which must still be running.
async fn wait_for(run: &ChildProcess, what: &str, moment: impl Fn() -> bool) {
    let deadline = Instant::now() + REACH_DEADLINE;
    while !moment() {
        if let Some(status) = run.try_exit_status() {
            panic!(
                "the run ended ({status}) before {what}:\n{}",
                run.output().text()
            );
        }
        assert!(Instant::now() < deadline, "never saw {what}");
        tokio::time::sleep(POLL).await;
    }
}

/// After the run's exit: no container of `pid` now, nor a moment later.
async fn assert_no_container_left(pid: u32, output: &str) {
    let deadline = Instant::now() + REMOVED_WITHIN;
    while !containers_of(pid).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
    }
    assert_eq!(
        containers_of(pid),
        Vec::<String>::new(),
        "left behind:\n{output}"
    );
    tokio::time::sleep(LATE_CREATE_GRACE).await;
    assert_eq!(
        containers_of(pid),
        Vec::<String>::new(),
        "created after the exit:\n{output}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_while_the_containers_start_exits_130_and_leaves_no_container() {
    let docker = daemon().await;
    let run = spawn_run(&docker, "INF-1");
    let pid = run.pid();
    wait_for(&run, "a container of the run", || {
        !containers_of(pid).is_empty()
    })
    .await;
    run.signal(Signal::SIGINT).expect("SIGINT is delivered");
    let status = run.wait_exit(EXIT_DEADLINE).await.expect("the run exits");
    let output = run.output().text();
    assert_eq!(status.code(), Some(130), "{output}");
    assert_no_container_left(pid, &output).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_while_scenarios_run_exits_130_and_leaves_no_container() {
    let docker = daemon().await;
    let run = spawn_run(&docker, "SSE-4");
    let pid = run.pid();
    wait_for(&run, "the subject of the run", || {
        has_descendant(pid, "reference-server") && containers_of(pid).len() == 2
    })
    .await;
    run.signal(Signal::SIGINT).expect("SIGINT is delivered");
    let status = run.wait_exit(EXIT_DEADLINE).await.expect("the run exits");
    let output = run.output().text();
    assert_eq!(status.code(), Some(130), "{output}");
    assert!(
        !has_descendant(pid, "reference-server"),
        "the subject survived"
    );
    assert_no_container_left(pid, &output).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_while_scenarios_run_leaves_no_container() {
    let docker = daemon().await;
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args([
            "--exact",
            "docker::interrupt::panic_target",
            "--ignored",
            "--nocapture",
        ])
        .env(PANIC_TARGET, "1")
        .env(POSTGRES_IMAGE_ENV, docker.postgres_image.to_string())
        .env(REDIS_IMAGE_ENV, docker.redis_image.to_string());
    let target = ChildProcess::spawn("panic target", command).expect("the target starts");
    let status = target
        .wait_exit(REACH_DEADLINE + EXIT_DEADLINE)
        .await
        .expect("the target exits");
    let output = target.output().text();
    assert!(
        output.contains("panicked") && output.contains("a scenario finished"),
        "the target did not panic as planned ({status}):\n{output}"
    );
    assert!(
        output.contains("containers of this process: 2"),
        "the containers were not up before the panic:\n{output}"
    );
    assert_no_container_left(target.pid(), &output).await;
}

/// Panics from the progress callback once the first scenario finishes,
/// after printing how many containers the process has at that moment.
struct PanicOnFirstResult;

impl conformance::run::Progress for PanicOnFirstResult {
    fn phase(&self, _: &str) {}
    fn start(&self, _: usize) {}
    fn finished(&self, _: &conformance::outcome::ScenarioResult) {
        let count = containers_of(std::process::id()).len();
        eprintln!("containers of this process: {count}");
        panic!("a scenario finished: panicking in the middle of the run");
    }
}

/// The process the panic test watches; does nothing unless asked to.
#[test]
#[ignore = "run in a child process by the panic test"]
fn panic_target() {
    use conformance::rules::Catalogue;
    use conformance::run::{SuiteOptions, plan_and_run};
    use conformance::services::ServicesMode;

    if std::env::var_os(PANIC_TARGET).is_none() {
        return;
    }
    let scenarios: Vec<_> = super::super::support::all_scenarios()
        .into_iter()
        .filter(|s| {
            s.name == "sse-4-token-expires-mid-stream" || s.name == "reg-1-new-email-registers"
        })
        .collect();
    assert_eq!(scenarios.len(), 2, "both scenarios exist");
    let options = SuiteOptions {
        services: ServicesMode::Docker,
        docker: super::images(),
        subject: super::super::support::reference(&[]),
        strict: false,
        concurrency: 8,
        browser_lanes: conformance::run::DEFAULT_BROWSER_LANES,
        require_browser: true,
        tls: Default::default(),
        artifacts: std::env::temp_dir().join("conformance-test-artifacts"),
    };
    let catalogue = Catalogue::builtin().expect("catalogue");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let outcome = runtime.block_on(plan_and_run(
        &scenarios,
        &catalogue,
        &options,
        &PanicOnFirstResult,
    ));
    match outcome {
        Ok(_) => panic!("the run finished without the planned panic"),
        Err(error) => panic!("the run did not start: {error}"),
    }
}
