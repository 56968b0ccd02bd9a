//! The captured stdout and stderr of a child process, shared between the
//! threads that read the pipes and whoever wants to look at it.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::process::ExitStatus;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// How many lines a process keeps by default; older lines are dropped.
const DEFAULT_LINE_LIMIT: usize = 10_000;
/// Longest line kept, in bytes; the rest of a longer line is cut off.
const MAX_LINE_BYTES: usize = 64 * 1024;

/// Which pipe a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// One line a process printed, with when and where, for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputLine {
    /// Time since the process was started.
    pub at: Duration,
    /// The pipe it came from.
    pub stream: Stream,
    /// The text, without the line terminator (invalid UTF-8 replaced).
    pub text: String,
}

/// A read-only view of everything a process printed so far. Cheap to clone;
/// it stays readable after the process is gone, so a report can show it.
#[derive(Clone, Debug)]
pub struct CapturedOutput {
    shared: Arc<Shared>,
}

impl CapturedOutput {
    /// Every kept line, oldest first.
    pub fn lines(&self) -> Vec<OutputLine> {
        self.shared.lock().lines.iter().cloned().collect()
    }

    /// The last `count` lines, oldest first.
    pub fn last_lines(&self, count: usize) -> Vec<OutputLine> {
        let state = self.shared.lock();
        let skip = state.lines.len().saturating_sub(count);
        state.lines.iter().skip(skip).cloned().collect()
    }

    /// Every kept line joined with newlines, both streams interleaved in the
    /// order they were read.
    pub fn text(&self) -> String {
        join(&self.lines())
    }

    /// Whether any kept line contains `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        self.shared
            .lock()
            .lines
            .iter()
            .any(|line| line.text.contains(needle))
    }

    /// How many old lines were dropped to respect the line limit.
    pub fn dropped_lines(&self) -> u64 {
        self.shared.lock().first_seq
    }
}

/// Joins lines for an error message or a report, one per line.
pub(super) fn join(lines: &[OutputLine]) -> String {
    let mut text = String::new();
    for line in lines {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&line.text);
    }
    text
}

/// The state behind a [`CapturedOutput`] and a [`super::ChildProcess`]: the
/// lines, which pipes are still open and how the process ended.
#[derive(Debug)]
pub(super) struct Shared {
    started: Instant,
    limit: usize,
    state: Mutex<State>,
    /// Signalled (synchronously) when the exit status becomes known.
    exited: Condvar,
    /// Bumped on every new line, closed pipe and exit, for async waiters.
    changes: watch::Sender<u64>,
}

#[derive(Debug)]
pub(super) struct State {
    pub(super) lines: VecDeque<OutputLine>,
    /// Sequence number of `lines[0]`: how many lines were dropped before it.
    pub(super) first_seq: u64,
    pub(super) open_streams: u8,
    pub(super) exit: Option<(ExitStatus, Instant)>,
}

impl State {
    /// Sequence number the next pushed line will get.
    pub(super) fn next_seq(&self) -> u64 {
        self.first_seq + self.lines.len() as u64
    }
}

impl Shared {
    pub(super) fn new(open_streams: u8) -> Arc<Self> {
        Arc::new(Self {
            started: Instant::now(),
            limit: DEFAULT_LINE_LIMIT,
            state: Mutex::new(State {
                lines: VecDeque::new(),
                first_seq: 0,
                open_streams,
                exit: None,
            }),
            exited: Condvar::new(),
            changes: watch::Sender::new(0),
        })
    }

    pub(super) fn view(self: &Arc<Self>) -> CapturedOutput {
        CapturedOutput {
            shared: Arc::clone(self),
        }
    }

    /// Locks the state; a panic in another holder does not make the output
    /// unreadable, so poisoning is ignored.
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn bump(&self) {
        self.changes.send_modify(|generation| *generation += 1);
    }

    fn push(&self, stream: Stream, text: String) {
        {
            let mut state = self.lock();
            if state.lines.len() >= self.limit {
                state.lines.pop_front();
                state.first_seq += 1;
            }
            let at = self.started.elapsed();
            state.lines.push_back(OutputLine { at, stream, text });
        }
        self.bump();
    }

    fn stream_closed(&self) {
        {
            let mut state = self.lock();
            state.open_streams = state.open_streams.saturating_sub(1);
        }
        self.bump();
    }

    pub(super) fn set_exit(&self, status: ExitStatus) {
        {
            let mut state = self.lock();
            state.exit.get_or_insert((status, Instant::now()));
        }
        self.exited.notify_all();
        self.bump();
    }

    pub(super) fn exit_status(&self) -> Option<ExitStatus> {
        self.lock().exit.map(|(status, _)| status)
    }

    /// Blocks the calling thread until the exit status is known or `timeout`
    /// passes. Needs no async runtime, so `Drop` can use it.
    pub(super) fn wait_exit_blocking(&self, timeout: Duration) -> Option<ExitStatus> {
        let state = self.lock();
        let (state, _) = self
            .exited
            .wait_timeout_while(state, timeout, |state| state.exit.is_none())
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.exit.map(|(status, _)| status)
    }

    pub(super) fn last_lines_text(&self, count: usize) -> String {
        let lines: Vec<OutputLine> = {
            let state = self.lock();
            let skip = state.lines.len().saturating_sub(count);
            state.lines.iter().skip(skip).cloned().collect()
        };
        let text = join(&lines);
        if text.is_empty() {
            "(no output)".to_owned()
        } else {
            text
        }
    }
}

/// Reads `pipe` line by line into `shared` until end of file. Runs on its own
/// thread so capture goes on without (or after) an async runtime.
pub(super) fn pump(shared: &Shared, stream: Stream, pipe: impl Read) {
    let mut reader = BufReader::new(pipe);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) => break,
            Ok(_) => {
                while matches!(buffer.last(), Some(b'\n' | b'\r')) {
                    buffer.pop();
                }
                buffer.truncate(MAX_LINE_BYTES);
                shared.push(stream, String::from_utf8_lossy(&buffer).into_owned());
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    shared.stream_closed();
}
