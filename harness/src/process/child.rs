//! [`ChildProcess`]: the guard that owns one started process and its group.

use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use tokio::time::{Instant, sleep_until};

use super::cleanup;
use super::error::ProcessError;
use super::output::{CapturedOutput, OutputLine, Shared, Stream, pump};

/// How long [`ChildProcess::kill`] lets a process shut down after SIGTERM.
const KILL_GRACE: Duration = Duration::from_secs(2);
/// How long to wait for a SIGKILLed process to be reaped.
const REAP_TIMEOUT: Duration = Duration::from_secs(2);
/// After an exit, how long to keep reading pipes that a leftover grandchild
/// may hold open, so that an error shows the complete last output.
const DRAIN_GRACE: Duration = Duration::from_millis(200);
/// How many output lines an error message shows.
const ERROR_LINES: usize = 20;

/// A started process in its own process group, with its output captured.
///
/// Readiness is observed in the output ([`ChildProcess::wait_for_line`]),
/// never guessed with a sleep. Dropping the guard SIGKILLs the whole group and
/// reaps the process, also during a panic and without an async runtime, so no
/// process outlives the value that owns it.
#[derive(Debug)]
pub struct ChildProcess {
    name: String,
    pid: i32,
    shared: Arc<Shared>,
}

impl ChildProcess {
    /// Starts `command` as the leader of a new process group with stdin
    /// closed and stdout/stderr captured. `name` appears in errors.
    pub fn spawn(name: impl Into<String>, mut command: Command) -> Result<Self, ProcessError> {
        use std::os::unix::process::CommandExt;

        let name = name.into();
        let program = command.get_program().to_string_lossy().into_owned();
        command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|source| ProcessError::Spawn {
            name: name.clone(),
            program,
            source,
        })?;
        // Invariant: Linux pids are positive `pid_t` (i32) values.
        let pid = i32::try_from(child.id()).unwrap_or(i32::MAX);
        cleanup::register_group(pid);
        let shared = Shared::new(2);
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let started = spawn_pump(&name, &shared, Stream::Stdout, stdout)
            .and_then(|()| spawn_pump(&name, &shared, Stream::Stderr, stderr))
            .and_then(|()| {
                let waiter = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("wait-{name}"))
                    .spawn(move || match child.wait() {
                        Ok(status) => waiter.set_exit(status),
                        Err(error) => tracing::warn!("waiting for pid {pid} failed: {error}"),
                    })
                    .map(drop)
            });
        if let Err(source) = started {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            let _ = nix::sys::wait::waitpid(Pid::from_raw(pid), None);
            cleanup::unregister_group(pid);
            return Err(ProcessError::Os {
                what: format!("could not start the threads that watch `{name}`"),
                source,
            });
        }
        Ok(Self { name, pid, shared })
    }

    /// The name given at spawn, used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The process id, which is also its process group id.
    pub fn pid(&self) -> u32 {
        self.pid.unsigned_abs()
    }

    /// Everything the process printed so far; stays readable after it exits.
    pub fn output(&self) -> CapturedOutput {
        self.shared.view()
    }

    /// How the process ended, or `None` while it runs.
    pub fn try_exit_status(&self) -> Option<ExitStatus> {
        self.shared.exit_status()
    }

    /// Waits until a line containing `needle` appears (returning that line),
    /// the process exits, or `timeout` passes.
    pub async fn wait_for_line(
        &self,
        needle: &str,
        timeout: Duration,
    ) -> Result<OutputLine, ProcessError> {
        let what = format!("line containing {needle:?}");
        self.wait_for_line_matching(&what, |line| line.contains(needle), timeout)
            .await
    }

    /// Waits until a line satisfying `matches` appears, the process exits or
    /// `timeout` passes. `what` describes the line for error messages.
    pub async fn wait_for_line_matching(
        &self,
        what: &str,
        matches: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Result<OutputLine, ProcessError> {
        let deadline = Instant::from_std(crate::deadline::after(timeout));
        let mut changes = self.shared.subscribe();
        let mut next_seq = 0_u64;
        loop {
            changes.borrow_and_update();
            let mut wake = deadline;
            let mut exited = None;
            {
                let state = self.shared.lock();
                let skip =
                    usize::try_from(next_seq.saturating_sub(state.first_seq)).unwrap_or(usize::MAX);
                if let Some(line) = state.lines.iter().skip(skip).find(|l| matches(&l.text)) {
                    return Ok(line.clone());
                }
                next_seq = state.next_seq();
                if let Some((status, at)) = state.exit {
                    if state.open_streams == 0 || at.elapsed() >= DRAIN_GRACE {
                        exited = Some(status);
                    } else {
                        wake = wake.min(Instant::from_std(at + DRAIN_GRACE));
                    }
                }
            }
            if let Some(status) = exited {
                return Err(self.exited_error(status, what));
            }
            tokio::select! {
                _ = changes.changed() => {}
                () = sleep_until(wake) => {
                    if Instant::now() >= deadline {
                        return Err(self.timeout_error(what, timeout));
                    }
                }
            }
        }
    }

    /// After the process exited, waits until its pipes are drained (or a
    /// short grace passed), so that [`ChildProcess::output`] is complete.
    pub async fn wait_output_closed(&self) {
        let _ = self
            .wait_for_line_matching("end of output", |_| false, DRAIN_GRACE * 5)
            .await;
    }

    /// Waits until the process exits, at most `timeout`, and then until its
    /// output is read to the end (at most a short grace when a leftover
    /// grandchild holds its pipes): [`ChildProcess::output`] is then
    /// complete. Without that wait a process that printed much just before
    /// it ended showed its output without the last lines.
    pub async fn wait_exit(&self, timeout: Duration) -> Result<ExitStatus, ProcessError> {
        let deadline = Instant::from_std(crate::deadline::after(timeout));
        let mut changes = self.shared.subscribe();
        loop {
            changes.borrow_and_update();
            if let Some(status) = self.shared.exit_status() {
                self.wait_output_closed().await;
                return Ok(status);
            }
            tokio::select! {
                _ = changes.changed() => {}
                () = sleep_until(deadline) => return Err(self.timeout_error("exit", timeout)),
            }
        }
    }

    /// Waits until the process exits successfully, at most `timeout`; a
    /// failing exit is an [`ProcessError::Exited`] error with the output.
    pub async fn wait_success(&self, timeout: Duration) -> Result<ExitStatus, ProcessError> {
        let status = self.wait_exit(timeout).await?;
        if status.success() {
            return Ok(status);
        }
        Err(self.exited_error(status, "successful exit"))
    }

    /// Stops the whole group: SIGTERM, then SIGKILL if the leader is still
    /// running after 2 s. Returns how the leader ended.
    pub async fn kill(&self) -> Result<ExitStatus, ProcessError> {
        self.kill_with_grace(KILL_GRACE).await
    }

    /// Like [`ChildProcess::kill`] with a chosen grace period between
    /// SIGTERM and SIGKILL.
    pub async fn kill_with_grace(&self, grace: Duration) -> Result<ExitStatus, ProcessError> {
        if self.try_exit_status().is_none() {
            self.signal_group(Signal::SIGTERM)?;
        }
        let status = match self.wait_exit(grace).await {
            Ok(status) => status,
            Err(ProcessError::Timeout { .. }) => {
                self.signal_group(Signal::SIGKILL)?;
                self.wait_exit(REAP_TIMEOUT).await?
            }
            Err(other) => return Err(other),
        };
        // Leftover group members (background grandchildren) go too.
        self.signal_group(Signal::SIGKILL)?;
        Ok(status)
    }

    /// Sends `signal` to the leader only, e.g. SIGTERM for a graceful
    /// shutdown test. Does nothing once the process has exited.
    pub fn signal(&self, signal: Signal) -> Result<(), ProcessError> {
        if self.try_exit_status().is_some() {
            return Ok(());
        }
        self.deliver(signal, kill(Pid::from_raw(self.pid), signal))
    }

    /// Sends `signal` to every process of the group.
    pub fn signal_group(&self, signal: Signal) -> Result<(), ProcessError> {
        self.deliver(signal, killpg(Pid::from_raw(self.pid), signal))
    }

    /// Sends `signal` to the leader and blocks the thread until it exits, at
    /// most `grace`. For `Drop` implementations that want a graceful stop
    /// (e.g. SIGQUIT to Postgres, which then releases its shared memory)
    /// before the guard's SIGKILL.
    pub fn stop_blocking(&self, signal: Signal, grace: Duration) -> Option<ExitStatus> {
        if self.signal(signal).is_err() {
            return self.try_exit_status();
        }
        self.shared.wait_exit_blocking(grace)
    }

    fn deliver(&self, signal: Signal, result: nix::Result<()>) -> Result<(), ProcessError> {
        match result {
            Ok(()) | Err(Errno::ESRCH) => Ok(()),
            Err(source) => Err(ProcessError::Signal {
                name: self.name.clone(),
                signal: signal.as_str().to_owned(),
                source,
            }),
        }
    }

    fn exited_error(&self, status: ExitStatus, what: &str) -> ProcessError {
        ProcessError::Exited {
            name: self.name.clone(),
            status,
            waiting_for: format!("a {what}"),
            last_lines: self.shared.last_lines_text(ERROR_LINES),
        }
    }

    fn timeout_error(&self, what: &str, waited: Duration) -> ProcessError {
        ProcessError::Timeout {
            name: self.name.clone(),
            waiting_for: what.to_owned(),
            waited,
            last_lines: self.shared.last_lines_text(ERROR_LINES),
        }
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        // The group id stays reserved while any member lives, so this reaches
        // leftover grandchildren even after the leader has exited.
        let _ = killpg(Pid::from_raw(self.pid), Signal::SIGKILL);
        if self.shared.wait_exit_blocking(REAP_TIMEOUT).is_none() {
            tracing::warn!(
                "`{}` (pid {}) did not exit within {REAP_TIMEOUT:?} of SIGKILL",
                self.name,
                self.pid
            );
        }
        cleanup::unregister_group(self.pid);
    }
}

fn spawn_pump(
    name: &str,
    shared: &Arc<Shared>,
    stream: Stream,
    pipe: Option<impl std::io::Read + Send + 'static>,
) -> std::io::Result<()> {
    let shared = Arc::clone(shared);
    let label = match stream {
        Stream::Stdout => "out",
        Stream::Stderr => "err",
    };
    std::thread::Builder::new()
        .name(format!("{label}-{name}"))
        .spawn(move || match pipe {
            Some(pipe) => pump(&shared, stream, pipe),
            None => pump(&shared, stream, std::io::empty()),
        })
        .map(drop)
}
