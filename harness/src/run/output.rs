//! The `output` step: checks what the scenario's own subject has printed
//! so far (TOK-7: a query token never logged).

use super::scene::{Ran, Scene, StepError};
use crate::check::{FailedCheck, What};
use crate::scenario::model::OutputStep;
use std::time::Duration;

/// How long output must stay quiet before "does not contain" is decided.
const OUTPUT_SETTLE: Duration = Duration::from_millis(150);

/// Checks the subject's output so far.
pub(crate) async fn run(scene: &mut Scene, step: &OutputStep) -> Result<Ran, StepError> {
    let contains: Vec<String> = step
        .contains
        .iter()
        .map(|t| scene.expand(t))
        .collect::<Result<_, _>>()?;
    let absent: Vec<String> = step
        .not_contains
        .iter()
        .map(|t| scene.expand(t))
        .collect::<Result<_, _>>()?;
    let subject = scene.own_subject()?;
    // Let lines already on their way arrive: wait until the output is quiet.
    let mut last = subject.output_text().len();
    for _ in 0..10 {
        tokio::time::sleep(OUTPUT_SETTLE).await;
        let now = subject.output_text().len();
        if now == last {
            break;
        }
        last = now;
    }
    let text = subject.output_text();
    let mut failed = Vec::new();
    for t in contains {
        if !text.contains(&t) {
            failed.push(FailedCheck::new(
                What::Output,
                format!("to contain {t:?}"),
                format!("it ends with:\n{}", subject.output_tail(8)),
            ));
        }
    }
    for t in absent {
        if let Some(line) = text.lines().find(|l| l.contains(&t)) {
            failed.push(FailedCheck::new(
                What::Output,
                format!("not to contain {t:?}"),
                format!("this line does:\n{line}"),
            ));
        }
    }
    Ok(Ran::checks(failed))
}
