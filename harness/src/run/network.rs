//! The `network` step: checks on the requests the browser made to the
//! API, as the recording proxy saw them.

use super::scene::{Ran, Scene, StepError};
use crate::browser::scene::request_line;
use crate::check::{FailedCheck, What};
use crate::scenario::model::NetworkStep;

/// Paths that need no token when the step does not name its own.
const PUBLIC_PATHS: &[&str] = &["/auth/login", "/auth/register", "/health"];

/// Checks what the browser sent to the API.
pub(crate) fn run(scene: &mut Scene, step: &NetworkStep) -> Result<Ran, StepError> {
    let b = scene.browser()?;
    let entries = b.recorder.entries();
    let mut failed = Vec::new();
    let network =
        |expected: String, actual: String| FailedCheck::new(What::Network, expected, actual);
    for e in &entries {
        if let Some(s) = e.status
            && step.no_status.contains(&s)
        {
            failed.push(network(format!("no {s}"), request_line(e)));
        }
    }
    if step.api_requests_authenticated {
        let public: Vec<String> = step
            .public_paths
            .clone()
            .unwrap_or_else(|| PUBLIC_PATHS.iter().map(|p| (*p).to_owned()).collect());
        for e in &entries {
            let exempt = e.method == "OPTIONS" || public.contains(&e.path);
            if !exempt && !e.authenticated() {
                failed.push(network(
                    "every API request with a token".into(),
                    format!("one without: {}", request_line(e)),
                ));
            }
        }
    }
    if let Some(part) = &step.bearer_on {
        let found = entries
            .iter()
            .filter(|e| e.method != "OPTIONS" && e.path.contains(part.as_str()))
            .collect::<Vec<_>>();
        if !found.iter().any(|e| e.bearer_jwt()) {
            let seen: Vec<String> = found.iter().map(|e| request_line(e)).collect();
            failed.push(network(
                format!("a request to {part:?} with Authorization: Bearer and a JWT"),
                if seen.is_empty() {
                    "no such request".to_owned()
                } else {
                    seen.join("; ")
                },
            ));
        }
    }
    if step.cors_granted {
        for e in &entries {
            if let Some(why) = e.cors_refusal() {
                failed.push(network(
                    "every answer accepted for CORS".into(),
                    format!("refused ({why}): {}", request_line(e)),
                ));
            }
        }
    }
    if step.all_answered {
        for e in entries.iter().filter(|e| e.status.is_none()) {
            failed.push(network(
                "an answer to every request".into(),
                format!("none to {}", request_line(e)),
            ));
        }
    }
    Ok(Ran::checks(failed))
}
