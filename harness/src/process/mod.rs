//! Guards for every process the harness starts: own process group, captured
//! output, readiness by observed output, and cleanup on drop, on panic and on
//! Ctrl-C.

mod child;
mod cleanup;
mod error;
mod output;
mod run_as;

pub use child::ChildProcess;
pub use cleanup::{
    CleanupRegistration, GuardedTempDir, install_interrupt_cleanup, register_cleanup,
    run_interrupt_cleanup,
};
pub use error::ProcessError;
pub use output::{CapturedOutput, OutputLine, Stream};
pub use run_as::RunAs;
