//! The `sleep` step: waits a fixed time, only where time itself is what
//! the rule is about (a token that expires mid-stream, SSE-4).

use super::scene::{Ran, StepError};
use crate::scenario::model::SleepStep;
use std::time::Duration;

/// Waits.
pub(crate) async fn run(step: &SleepStep) -> Result<Ran, StepError> {
    tokio::time::sleep(Duration::from_millis(step.ms)).await;
    Ok(Ran::default())
}
