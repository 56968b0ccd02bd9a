//! Real child processes: readiness by output, early exits, deadlines, and
//! nothing left running after a drop, a kill or an interrupt.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use conformance::process::{
    ChildProcess, GuardedTempDir, ProcessError, Stream, install_interrupt_cleanup,
};

/// Whether `pid` is a running (not zombie) process.
pub(crate) fn alive(pid: u32) -> bool {
    stat_fields(pid).is_some_and(|(state, _)| state != 'Z' && state != 'X')
}

/// State and process group of `pid`, from `/proc/<pid>/stat`.
fn stat_fields(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let group = fields.nth(1)?.parse().ok()?;
    Some((state, group))
}

/// Running (not zombie) members of process group `group`.
pub(crate) fn group_members(group: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| stat_fields(pid).is_some_and(|(s, g)| g == group && s != 'Z' && s != 'X'))
        .collect()
}

/// Test-side check of an asynchronous effect (a killed process vanishing).
pub(crate) fn eventually(within: Duration, condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    condition()
}

fn sh(script: &str) -> Command {
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    command
}

#[tokio::test]
async fn wait_for_line_returns_the_first_matching_line_from_either_stream() {
    let child = ChildProcess::spawn(
        "printer",
        sh("echo starting; echo 'listening on port 4242' >&2; exec sleep 100"),
    )
    .unwrap();
    let line = child
        .wait_for_line("listening on port", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(line.stream, Stream::Stderr);
    assert_eq!(line.text, "listening on port 4242");
    // The two pipes are read independently: stdout's line may come later.
    let earlier = child
        .wait_for_line("starting", Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(earlier.stream, Stream::Stdout);
    assert!(child.output().contains("starting"));
    assert!(child.try_exit_status().is_none());
}

#[tokio::test]
async fn wait_for_line_reports_an_early_exit_with_status_and_output() {
    let child = ChildProcess::spawn("failing", sh("echo 'config invalid: PORT'; exit 3")).unwrap();
    let started = Instant::now();
    let error = child
        .wait_for_line("listening", Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{error}");
    match &error {
        ProcessError::Exited {
            status, last_lines, ..
        } => {
            assert_eq!(status.code(), Some(3));
            assert!(last_lines.contains("config invalid: PORT"), "{last_lines}");
        }
        other => panic!("expected an exit, got {other}"),
    }
    assert!(error.to_string().contains("`failing` exited"), "{error}");
}

#[tokio::test]
async fn wait_for_line_gives_up_at_its_deadline() {
    let child = ChildProcess::spawn("silent", sh("echo hello; exec sleep 100")).unwrap();
    let started = Instant::now();
    let error = child
        .wait_for_line("never printed", Duration::from_millis(300))
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_millis(1500));
    match error {
        ProcessError::Timeout { last_lines, .. } => assert!(last_lines.contains("hello")),
        other => panic!("expected a timeout, got {other}"),
    }
}

#[tokio::test]
async fn dropping_a_process_kills_its_whole_group() {
    let child =
        ChildProcess::spawn("group", sh("sleep 100 & sleep 100 & echo ready; wait")).unwrap();
    child
        .wait_for_line("ready", Duration::from_secs(5))
        .await
        .unwrap();
    let members = group_members(child.pid());
    assert!(members.len() >= 3, "shell and two sleeps: {members:?}");
    drop(child);
    assert!(
        eventually(Duration::from_secs(2), || members
            .iter()
            .all(|&pid| !alive(pid))),
        "still running: {:?}",
        members
            .iter()
            .filter(|&&pid| alive(pid))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn kill_asks_with_sigterm_before_forcing() {
    let child = ChildProcess::spawn(
        "polite",
        sh("trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done"),
    )
    .unwrap();
    child
        .wait_for_line("ready", Duration::from_secs(5))
        .await
        .unwrap();
    let status = child.kill().await.unwrap();
    assert_eq!(status.code(), Some(7));
    child
        .wait_for_line("got TERM", Duration::from_secs(1))
        .await
        .unwrap();
}

#[tokio::test]
async fn kill_forces_a_process_that_ignores_sigterm() {
    use std::os::unix::process::ExitStatusExt;

    let child = ChildProcess::spawn(
        "stubborn",
        sh("trap '' TERM; echo ready; while :; do sleep 0.05; done"),
    )
    .unwrap();
    child
        .wait_for_line("ready", Duration::from_secs(5))
        .await
        .unwrap();
    let members = group_members(child.pid());
    let started = Instant::now();
    let status = child
        .kill_with_grace(Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(status.signal(), Some(9), "{status}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(eventually(Duration::from_secs(1), || members
        .iter()
        .all(|&pid| !alive(pid))));
}

#[tokio::test]
async fn wait_exit_returns_the_status_and_output_stays_readable() {
    let child = ChildProcess::spawn("short", sh("echo one; echo two >&2; exit 0")).unwrap();
    let status = child.wait_exit(Duration::from_secs(5)).await.unwrap();
    assert!(status.success());
    assert_eq!(child.try_exit_status(), Some(status));
    let output = child.output();
    drop(child);
    assert!(eventually(Duration::from_secs(1), || output.lines().len() == 2));
    let mut texts: Vec<String> = output.lines().into_iter().map(|line| line.text).collect();
    texts.sort();
    assert_eq!(texts, ["one", "two"]);
}

#[tokio::test]
async fn wait_exit_returns_once_the_last_output_is_read() {
    // Much output just before the exit: the pipes still hold the end of it
    // when the process has ended.
    for _ in 0..5 {
        let child = ChildProcess::spawn("chatty", sh("seq 1 20000; echo the end; exit 3")).unwrap();
        let status = child.wait_exit(Duration::from_secs(10)).await.unwrap();
        assert_eq!(status.code(), Some(3));
        let text = child.output().text();
        assert!(
            text.contains("the end"),
            "the last line is missing: ...{}",
            &text[text.len().saturating_sub(200)..]
        );
    }
}

/// Environment variable that makes `interrupt_target` act.
const INTERRUPT_TARGET: &str = "CONFORMANCE_INTERRUPT_TARGET";

#[tokio::test]
async fn an_interrupt_kills_registered_processes_removes_directories_and_exits_130() {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "process::interrupt_target",
            "--ignored",
            "--nocapture",
        ])
        .env(INTERRUPT_TARGET, "1");
    let target = ChildProcess::spawn("interrupt-target", command).unwrap();
    let line = target
        .wait_for_line("target ready", Duration::from_secs(30))
        .await
        .unwrap();
    let (pid, dir) = line
        .text
        .strip_prefix("target ready pid=")
        .and_then(|rest| rest.split_once(" dir="))
        .unwrap();
    let (pid, dir): (u32, &Path) = (pid.parse().unwrap(), Path::new(dir));
    assert!(alive(pid) && dir.is_dir());

    target.signal(nix::sys::signal::Signal::SIGINT).unwrap();
    let status = target.wait_exit(Duration::from_secs(5)).await.unwrap();
    assert_eq!(status.code(), Some(130), "{}", target.output().text());
    assert!(eventually(Duration::from_secs(1), || !alive(pid)));
    assert!(!dir.exists(), "{} was not removed", dir.display());
}

/// The process the test above interrupts; does nothing unless asked to.
#[test]
#[ignore = "run in a child process by the interrupt test"]
fn interrupt_target() {
    if std::env::var_os(INTERRUPT_TARGET).is_none() {
        return;
    }
    install_interrupt_cleanup().unwrap();
    let sleeper = ChildProcess::spawn("sleeper", sh("exec sleep 100")).unwrap();
    let dir = GuardedTempDir::new("conformance-interrupt-").unwrap();
    std::fs::write(dir.path().join("file"), "data").unwrap();
    println!(
        "target ready pid={} dir={}",
        sleeper.pid(),
        dir.path().display()
    );
    std::thread::sleep(Duration::from_secs(30));
    panic!("no interrupt arrived");
}
