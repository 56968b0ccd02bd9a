//! The `request` step: one HTTP request and the checks on its answer;
//! with `eventually_ms`, sent again until the checks hold or the time is
//! up, and only the last answer judged.

use super::exchange::{Missing, REQUEST_TIMEOUT, Received, build, capture, send_within};
use super::scene::{Ran, Scene, StepError};
use crate::check::FailedCheck;
use crate::expect;
use crate::outcome::Transcript;
use crate::scenario::model::RequestStep;
use std::time::{Duration, Instant};

/// How often a request with `eventually_ms` is sent again.
const AGAIN_EVERY: Duration = Duration::from_millis(100);

/// Runs a request step.
pub(crate) async fn run(scene: &mut Scene, step: &RequestStep) -> Result<Ran, StepError> {
    let timeout = step
        .timeout_ms
        .map_or(REQUEST_TIMEOUT, Duration::from_millis);
    let until = step
        .eventually_ms
        .map(|ms| Instant::now() + Duration::from_millis(ms));
    loop {
        let (builder, mut transcript) = build(scene, step)?;
        let received = match send_within(scene, builder, &mut transcript, timeout).await {
            Ok(r) => r,
            Err(Missing::Check(failed)) => {
                if until.is_some_and(|u| Instant::now() < u) {
                    tokio::time::sleep(AGAIN_EVERY).await;
                    continue;
                }
                return Ok(Ran {
                    failed: vec![failed],
                    transcripts: vec![transcript],
                });
            }
            Err(Missing::Step(e)) => return Err(e),
        };
        let problems = judge(scene, step, &transcript, &received)?;
        if !problems.is_empty() && until.is_some_and(|u| Instant::now() < u) {
            tokio::time::sleep(AGAIN_EVERY).await;
            continue;
        }
        // Only the answer that is judged is the evidence of this step.
        super::exchange::observe(
            &scene.watch,
            &transcript,
            received.status,
            Some(&received.body),
        );
        let mut problems = problems;
        capture(
            scene,
            &step.capture,
            received.json.as_ref(),
            "body",
            &mut problems,
        );
        return Ok(Ran {
            failed: problems,
            transcripts: vec![transcript],
        });
    }
}

/// The checks of the step on one answer.
fn judge(
    scene: &Scene,
    step: &RequestStep,
    transcript: &Transcript,
    received: &Received,
) -> Result<Vec<FailedCheck>, StepError> {
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
    Ok(problems)
}
