//! The `file` step: checks a file of the subject's sources (INF-2, on the
//! reference's repository).

use super::scene::{Ran, Scene, StepError};
use crate::check::{FailedCheck, What};
use crate::scenario::model::FileStep;

/// Checks a file of the subject's sources.
pub(crate) fn run(scene: &Scene, step: &FileStep) -> Result<Ran, StepError> {
    let tree = scene.sources.as_ref().ok_or_else(|| {
        StepError::Unsupported("the subject's source directory is not known".into())
    })?;
    let what = || What::File {
        path: step.path.clone(),
    };
    let text = match tree.read(&step.path) {
        Ok(t) => t,
        Err(problem) => {
            return Ok(Ran::checks(vec![FailedCheck::new(
                what(),
                "a readable file",
                problem,
            )]));
        }
    };
    Ok(Ran::checks(
        step.contains
            .iter()
            .filter(|c| !text.contains(c.as_str()))
            .map(|c| FailedCheck::missing(what(), format!("to contain {c:?}")))
            .collect(),
    ))
}
