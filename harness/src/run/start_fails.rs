//! The `start_fails` step: starts the subject with an environment it
//! must refuse (no or the default `JWT_SECRET`): it must exit non-zero in
//! time, say why, and never accept a connection (CFG-2, CFG-3).

use super::restart::expand_env;
use super::scene::{Ran, Scene, StepError};
use crate::check::{FailedCheck, What};
use crate::scenario::model::StartFailsStep;
use std::time::Duration;

/// Starts a subject that must refuse to start.
pub(crate) async fn run(scene: &mut Scene, step: &StartFailsStep) -> Result<Ran, StepError> {
    let changes = expand_env(scene, &step.env)?;
    let expected = match &step.output_contains {
        Some(text) => Some(scene.expand(text)?),
        None => None,
    };
    let subject = scene.own_subject()?;
    let env = subject.env().with(&changes).without(&step.unset);
    let within = Duration::from_millis(step.within_ms);
    let run = subject
        .start_expecting_failure(&env, within)
        .await
        .map_err(|e| StepError::Harness(e.to_string()))?;
    let mut failed = Vec::new();
    let shown: String = run
        .output
        .lines()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    match run.exit {
        None => failed.push(FailedCheck::new(
            What::Start,
            format!("the subject to exit within {} ms", step.within_ms),
            format!("it was still running; its output:\n{shown}"),
        )),
        Some(status) if status.success() => {
            failed.push(FailedCheck::new(What::Start, "a non-zero exit status", "0"))
        }
        Some(_) => {}
    }
    if let Some(text) = expected
        && !run.output.contains(&text)
    {
        failed.push(FailedCheck::new(
            What::Output,
            format!("to contain {text:?}"),
            format!("its output:\n{shown}"),
        ));
    }
    if step.never_listens && run.listened {
        failed.push(FailedCheck::new(
            What::Start,
            "never to accept a connection",
            "its port answered",
        ));
    }
    Ok(Ran::checks(failed))
}
