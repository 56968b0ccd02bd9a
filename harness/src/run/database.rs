//! The `database` step: cuts, slows down or restores the subject's link
//! to Postgres (through the harness's proxy), for REG-3 and REG-4.

use super::scene::{Ran, Scene, StepError};
use crate::scenario::model::{DatabaseState, DatabaseStep};
use std::time::Duration;

/// Cuts, slows down or restores the database link.
pub(crate) async fn run(scene: &mut Scene, step: &DatabaseStep) -> Result<Ran, StepError> {
    if step.state == DatabaseState::Down {
        scene.watch.dependency_cut();
    }
    let subject = scene.own_subject()?;
    match step.state {
        DatabaseState::Down => subject.proxy().cut().await,
        DatabaseState::Slow => subject
            .proxy()
            .slow_down(Duration::from_millis(step.latency_ms.unwrap_or(0))),
        DatabaseState::Up => subject.proxy().restore(),
    }
    Ok(Ran::default())
}
