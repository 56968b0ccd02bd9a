//! What can go wrong with a process the harness started.

use std::process::ExitStatus;
use std::time::Duration;

/// Why starting, waiting for or stopping a child process failed. Every
/// variant names the process and carries its last output lines, so the cause
/// is visible without re-running.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The program could not be started at all (missing, not executable, ...).
    #[error(
        "could not start `{name}` ({program}): {source}; check that it is installed and executable"
    )]
    Spawn {
        /// The name the harness gave the process.
        name: String,
        /// The program that was executed.
        program: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The process ended while the harness was still waiting for something.
    #[error("`{name}` exited ({status}) before {waiting_for}; its last output:\n{last_lines}")]
    Exited {
        /// The name the harness gave the process.
        name: String,
        /// How it ended.
        status: ExitStatus,
        /// What the harness was waiting for.
        waiting_for: String,
        /// The last captured lines, newest last.
        last_lines: String,
    },
    /// The deadline passed first.
    #[error("`{name}` showed no {waiting_for} within {waited:?}; its last output:\n{last_lines}")]
    Timeout {
        /// The name the harness gave the process.
        name: String,
        /// What the harness was waiting for.
        waiting_for: String,
        /// How long the harness waited.
        waited: Duration,
        /// The last captured lines, newest last.
        last_lines: String,
    },
    /// A signal could not be delivered.
    #[error("could not send {signal} to `{name}`: {source}")]
    Signal {
        /// The name the harness gave the process.
        name: String,
        /// The signal, e.g. `SIGTERM`.
        signal: String,
        /// The operating system's reason.
        source: nix::Error,
    },
    /// The system user a service must run as does not exist.
    #[error(
        "system user `{user}` not found: create it (the Debian `postgresql` package does) or run the harness as a non-root user"
    )]
    UnknownUser {
        /// The user name that was looked up.
        user: String,
    },
    /// Any other operating system call failed.
    #[error("{what}: {source}")]
    Os {
        /// What the harness was doing.
        what: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
}
