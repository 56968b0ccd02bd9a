//! The `request` step: one HTTP request and the checks on its answer.

use super::exchange::{build, capture, send};
use super::scene::{Ran, Scene, StepError};
use crate::expect;
use crate::scenario::model::RequestStep;

/// Runs a request step.
pub(crate) async fn run(scene: &mut Scene, step: &RequestStep) -> Result<Ran, StepError> {
    let (builder, mut transcript) = build(scene, step)?;
    let received = match send(builder, &mut transcript).await {
        Ok(r) => r,
        Err(failed) => {
            return Ok(Ran {
                failed: vec![failed],
                transcripts: vec![transcript],
            });
        }
    };
    super::exchange::observe(
        &scene.watch,
        &transcript,
        received.status,
        Some(&received.body),
    );
    let mut problems = Vec::new();
    let e = &step.expect;
    expect::check_status(e, received.status, &mut problems);
    expect::check_headers(&e.headers, &received.headers, &scene.vars, &mut problems)?;
    expect::check_json(
        &e.json,
        received.json.as_ref(),
        "body",
        &scene.vars,
        &mut problems,
    )?;
    expect::check_body_text(e, &received.body, &scene.vars, &mut problems)?;
    if e.cors_granted {
        expect::check_cors(
            &transcript.request_headers,
            received.status,
            &received.headers,
            &mut problems,
        );
    }
    capture(
        scene,
        &step.capture,
        received.json.as_ref(),
        "body",
        &mut problems,
    );
    Ok(Ran {
        failed: problems,
        transcripts: vec![transcript],
    })
}
