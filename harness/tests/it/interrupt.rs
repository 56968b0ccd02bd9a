//! Interrupting a real run: SIGINT to `conformance run` while its subject
//! is up, and a panic in the suite's task while scenarios run. Either way
//! nothing the run started may be left: no process, no `conformance-*`
//! directory, no shared memory segment of its Postgres.
//!
//! While the run goes, its descendants are recorded from `/proc` (with
//! their start times, so a reused pid is not mistaken for one of them),
//! together with the `conformance-*` directories they work in and the
//! shared memory they map; afterwards all of it must be gone. The run gets
//! a temp directory of its own (`TMPDIR`), which must end up empty.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use conformance::process::ChildProcess;
use nix::sys::signal::Signal;

use super::process::eventually;

/// Only to avoid hanging: how long a run may take to show its subject.
const SUBJECT_DEADLINE: Duration = Duration::from_secs(60);
/// Only to avoid hanging: how long a run may take to exit.
const EXIT_DEADLINE: Duration = Duration::from_secs(60);
/// How long killed processes get to disappear.
const VANISH_WITHIN: Duration = Duration::from_secs(2);
/// Pause between two looks at `/proc`.
const POLL: Duration = Duration::from_millis(20);
/// Environment variable that makes `panic_target` act.
const PANIC_TARGET: &str = "CONFORMANCE_PANIC_TARGET";

/// One process: pid and start time (clock ticks since boot) identify it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    pid: u32,
    start: u64,
}

/// State, parent and start time of `pid`, from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<(char, u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    Some((
        state,
        fields.get(1)?.parse().ok()?,
        fields.get(19)?.parse().ok()?,
    ))
}

fn still_running(seen: &Seen) -> bool {
    stat(seen.pid)
        .is_some_and(|(state, _, start)| start == seen.start && state != 'Z' && state != 'X')
}

fn cmdline(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
        .unwrap_or_default()
}

/// The `conformance-*` directory a path lies in, if any.
fn conformance_dir(path: &str) -> Option<PathBuf> {
    let at = path.find("/conformance-")?;
    let end = path[at + 1..].find('/').map_or(path.len(), |i| at + 1 + i);
    Some(PathBuf::from(&path[..end]))
}

/// Everything a run started and used, as far as `/proc` showed it.
#[derive(Debug, Default)]
struct Trace {
    processes: BTreeMap<Seen, String>,
    dirs: BTreeSet<PathBuf>,
    shared_memory: BTreeSet<PathBuf>,
}

impl Trace {
    /// Records the current descendants of `root` and what they use.
    fn observe(&mut self, root: u32) {
        let mut children: BTreeMap<u32, Vec<(u32, u64)>> = BTreeMap::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
                continue;
            };
            if let Some((_, parent, start)) = stat(pid) {
                children.entry(parent).or_default().push((pid, start));
            }
        }
        let mut stack = vec![root];
        while let Some(parent) = stack.pop() {
            for &(pid, start) in children.get(&parent).into_iter().flatten() {
                stack.push(pid);
                let command = cmdline(pid);
                self.dirs
                    .extend(command.split(' ').filter_map(conformance_dir));
                if let Ok(cwd) = std::fs::read_link(format!("/proc/{pid}/cwd")) {
                    self.dirs.extend(conformance_dir(&cwd.to_string_lossy()));
                }
                let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
                self.shared_memory.extend(
                    maps.lines()
                        .filter_map(|line| line.split_whitespace().nth(5))
                        .filter(|path| path.starts_with("/dev/shm/"))
                        .map(PathBuf::from),
                );
                // A process caught between fork and exec, or exiting, shows
                // no command line yet or any more: keep the one it had.
                let known = self.processes.entry(Seen { pid, start }).or_default();
                if !command.is_empty() {
                    *known = command;
                }
            }
        }
    }

    fn saw(&self, needle: &str) -> bool {
        self.processes
            .values()
            .any(|command| command.contains(needle))
    }

    /// What is left of the run, one line each.
    fn leftovers(&self, tmpdir: &Path) -> Vec<String> {
        let mut left: Vec<String> = self
            .processes
            .iter()
            .filter(|(seen, _)| still_running(seen))
            .map(|(seen, command)| format!("process {}: {command}", seen.pid))
            .collect();
        left.extend(
            self.dirs
                .iter()
                .chain(&self.shared_memory)
                .filter(|path| path.exists())
                .map(|path| format!("path {}", path.display())),
        );
        left.extend(
            std::fs::read_dir(tmpdir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|entry| format!("path {} (in the run's TMPDIR)", entry.path().display())),
        );
        let pids: BTreeSet<String> = self.processes.keys().map(|s| s.pid.to_string()).collect();
        let segments = std::fs::read_to_string("/proc/sysvipc/shm").unwrap_or_default();
        for line in segments.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if let (Some(id), Some(creator)) = (fields.get(1), fields.get(4))
                && pids.contains(*creator)
            {
                left.push(format!("SysV shared memory {id} made by pid {creator}"));
            }
        }
        left
    }
}

/// Watches `run` until it exits, recording its descendants; `at_each_look`
/// may act on what was seen so far (e.g. send a signal once the subject is up).
async fn trace_until_exit(
    run: &ChildProcess,
    mut at_each_look: impl FnMut(&Trace, &ChildProcess),
) -> (Trace, std::process::ExitStatus) {
    let mut trace = Trace::default();
    let deadline = Instant::now() + SUBJECT_DEADLINE + EXIT_DEADLINE;
    loop {
        trace.observe(run.pid());
        if let Some(status) = run.try_exit_status() {
            return (trace, status);
        }
        assert!(
            Instant::now() < deadline,
            "the run did not exit; its output:\n{}",
            run.output().text()
        );
        at_each_look(&trace, run);
        tokio::time::sleep(POLL).await;
    }
}

fn assert_nothing_left(trace: &Trace, tmpdir: &Path, output: &str) {
    eventually(VANISH_WITHIN, || trace.leftovers(tmpdir).is_empty());
    let left = trace.leftovers(tmpdir);
    assert!(
        left.is_empty(),
        "left behind:\n{}\n\nrecorded processes:\n{}\n\nthe run's output:\n{output}",
        left.join("\n"),
        trace
            .processes
            .iter()
            .map(|(seen, command)| format!("{} {command}", seen.pid))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_during_a_run_exits_130_and_leaves_no_process_directory_or_shared_memory() {
    let tmpdir = tempfile::Builder::new()
        .prefix("interrupt-tmpdir-")
        .tempdir()
        .expect("a temp directory");
    let mut command = Command::new(env!("CARGO_BIN_EXE_conformance"));
    command
        .args(["run", "-q", "--services", "local", "--filter", "SSE-4"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("TMPDIR", tmpdir.path());
    let run = ChildProcess::spawn("conformance run", command).expect("the run starts");

    let mut interrupted = false;
    let (trace, status) = trace_until_exit(&run, |trace, run| {
        // Up: the subject has connected to its own database (`ig_…`).
        if !interrupted && trace.saw("reference-server") && trace.saw(" ig_") {
            run.signal(Signal::SIGINT).expect("SIGINT is delivered");
            interrupted = true;
        }
    })
    .await;
    let output = run.output().text();
    assert!(
        interrupted,
        "the run ended before its subject was seen:\n{output}"
    );
    assert_eq!(
        status.code(),
        Some(130),
        "exit status after SIGINT; output:\n{output}"
    );
    assert!(
        trace.saw("postgres") && trace.saw("redis-server"),
        "the run's services were not seen: {:?}",
        trace.processes.values().collect::<Vec<_>>()
    );
    assert_nothing_left(&trace, tmpdir.path(), &output);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_while_scenarios_run_leaves_no_process_directory_or_shared_memory() {
    let tmpdir = tempfile::Builder::new()
        .prefix("interrupt-tmpdir-")
        .tempdir()
        .expect("a temp directory");
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args([
            "--exact",
            "interrupt::panic_target",
            "--ignored",
            "--nocapture",
        ])
        .env(PANIC_TARGET, "1")
        .env("TMPDIR", tmpdir.path());
    let target = ChildProcess::spawn("panic target", command).expect("the target starts");

    let (trace, status) = trace_until_exit(&target, |_, _| {}).await;
    let output = target.output().text();
    assert!(
        output.contains("panicked") && output.contains("a scenario finished"),
        "the target did not panic as planned (status {status}):\n{output}"
    );
    assert!(
        trace.saw("postgres") && trace.saw("redis-server") && trace.saw("reference-server"),
        "the services and the subject were not seen before the panic: {:?}",
        trace.processes.values().collect::<Vec<_>>()
    );
    assert_nothing_left(&trace, tmpdir.path(), &output);
}

/// Panics in the suite's own task, from the progress callback, as soon as
/// the first scenario finishes: the services, the shared subject and the
/// other scenarios are live at that moment.
struct PanicOnFirstResult;

impl conformance::run::Progress for PanicOnFirstResult {
    fn phase(&self, _: &str) {}
    fn start(&self, _: usize) {}
    fn finished(&self, _: &conformance::outcome::ScenarioResult) {
        panic!("a scenario finished: panicking in the middle of the run");
    }
}

/// The process the test above watches; does nothing unless asked to.
#[test]
#[ignore = "run in a child process by the panic test"]
fn panic_target() {
    use conformance::rules::Catalogue;
    use conformance::run::{SuiteOptions, plan_and_run};
    use conformance::services::ServicesMode;

    if std::env::var_os(PANIC_TARGET).is_none() {
        return;
    }
    let scenarios: Vec<_> = super::support::all_scenarios()
        .into_iter()
        .filter(|s| {
            s.name == "sse-4-token-expires-mid-stream" || s.name == "reg-1-new-email-registers"
        })
        .collect();
    assert_eq!(scenarios.len(), 2, "both scenarios exist");
    let options = SuiteOptions {
        services: ServicesMode::Local,
        docker: conformance::services::DockerOptions::default(),
        subject: super::support::reference(&[]),
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
