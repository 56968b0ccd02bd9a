//! Running a list of steps in order until one ends it (the scenario's
//! `[[steps]]`, or a case's `[[each]]`): each step's record, and how the
//! one that ended the list ended it, if one did.

use super::blame::blame;
use super::scene::{Scene, StepError};
use super::steps::{label, run_step};
use crate::check::Artifact;
use crate::outcome::{StepResult, Verdict};
use crate::scenario::model::StepEntry;
use std::time::Instant;

/// Steps to run, where they are written, and the number of the first
/// (`[[each]]` steps are numbered after the scenario's `[[steps]]`).
pub(crate) struct StepList<'s> {
    /// The steps.
    pub(crate) entries: &'s [StepEntry],
    /// Where each is written in the file (`line:column`).
    pub(crate) positions: &'s [String],
    /// The number of the first step.
    pub(crate) first_index: usize,
}

/// How a step ended its list.
#[derive(Debug)]
pub(crate) struct Ended {
    /// The verdict it means for the scenario (or case).
    pub(crate) verdict: Verdict,
    /// The browser itself broke under the step (WebDriver, not the page,
    /// see [`StepError::BrowserBroke`]): the scenario may run again.
    pub(crate) browser_broke: bool,
}

/// Runs the steps in order until one ends the list; returns the records
/// of those that ran and how the one that ended it did.
pub(crate) async fn run_steps(
    list: &StepList<'_>,
    rules: &[String],
    scene: &mut Scene,
) -> (Vec<StepResult>, Option<Ended>) {
    let mut records = Vec::new();
    for (i, entry) in list.entries.iter().enumerate() {
        let index = list.first_index + i;
        let t = Instant::now();
        let step = &entry.step;
        let rule = entry
            .setup
            .as_deref()
            .or(rules.first().map(String::as_str))
            .unwrap_or_default();
        scene.watch.at_step(index, &label(step), rule);
        let mut record = StepResult {
            index,
            kind: step.kind(),
            setup: entry.setup.clone(),
            label: label(step),
            at: list.positions.get(i).cloned(),
            failed: Vec::new(),
            stopped: None,
            artifacts: Vec::new(),
            transcripts: Vec::new(),
            millis: 0,
        };
        let ended = match run_step(scene, step).await {
            Ok(ran) if ran.failed.is_empty() => None,
            Ok(ran) => {
                record.failed = ran.failed;
                record.transcripts = ran.transcripts;
                let cors_refused = browser_artifacts(scene, &mut record, index).await;
                Some(Ended {
                    verdict: blame(entry, &record, rules, cors_refused),
                    browser_broke: false,
                })
            }
            Err(e) => {
                record.stopped = Some(e.to_string());
                Some(Ended {
                    verdict: e.verdict(index),
                    browser_broke: matches!(e, StepError::BrowserBroke(_)),
                })
            }
        };
        record.millis = t.elapsed().as_millis() as u64;
        records.push(record);
        if ended.is_some() {
            return (records, ended);
        }
    }
    (records, None)
}

/// What a failed browser or network step leaves for the report: a
/// screenshot, the first answer the browser refused for CORS, and every
/// request it made. Returns whether the browser refused an answer for
/// CORS (the failure is then blamed on the rule that covers that).
async fn browser_artifacts(scene: &Scene, record: &mut StepResult, index: usize) -> bool {
    let Some(b) = &scene.browser else {
        return false;
    };
    if !matches!(record.kind, "browser" | "network") {
        return false;
    }
    if record.kind == "browser" {
        record
            .artifacts
            .push(match b.screenshot(&format!("step{index}")).await {
                Ok(path) => Artifact::Screenshot { path },
                Err(reason) => Artifact::ScreenshotMissing { reason },
            });
    }
    let refusal = b.first_cors_refusal();
    if let Some(line) = &refusal {
        record
            .artifacts
            .push(Artifact::CorsRefusal { line: line.clone() });
    }
    record.artifacts.push(Artifact::BrowserRequests {
        lines: b.request_lines(),
    });
    refusal.is_some()
}
