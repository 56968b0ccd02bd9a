//! The `restart` step: stops the scenario's own subject and starts it
//! again on the same data, possibly with other environment (TOK-6) or
//! another `.env` (CFG-6).

use super::scene::{Ran, Scene, StepError};
use crate::check::{FailedCheck, What};
use crate::scenario::model::RestartStep;
use crate::subject::managed::Changes;
use std::collections::BTreeMap;

/// Restarts the subject.
pub(crate) async fn run(scene: &mut Scene, step: &RestartStep) -> Result<Ran, StepError> {
    let env = expand_env(scene, &step.env)?;
    if let Some(secret) = env.get("JWT_SECRET") {
        scene.secret = Some(secret.clone());
    }
    let changes = Changes {
        env,
        unset: step.unset.clone(),
        dotenv: step.dotenv.clone(),
    };
    let subject = scene.own_subject()?;
    let restarted = if step.reset_database {
        subject.restart_on_empty_database(&changes).await
    } else {
        subject.restart(&changes).await
    };
    Ok(Ran::checks(match restarted {
        Ok(()) => Vec::new(),
        // Emptying the database is the harness's own work.
        Err(e @ crate::subject::managed::SubjectError::Reset(_)) => {
            return Err(StepError::Harness(e.to_string()));
        }
        Err(e) => vec![FailedCheck::new(
            What::Restart,
            "the subject to come back",
            e.to_string(),
        )],
    }))
}

/// An environment of a step with its variables expanded.
pub(crate) fn expand_env(
    scene: &Scene,
    env: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, StepError> {
    env.iter()
        .map(|(k, v)| Ok((k.clone(), scene.expand(v)?)))
        .collect()
}
