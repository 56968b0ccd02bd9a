//! The `burst` step: the same request sent many times at once, with the
//! answers counted per status; in rounds, each checked on its own.

use super::exchange::{Missing, REQUEST_TIMEOUT, build, observe, send_within};
use super::scene::{Ran, Scene, StepError};
use crate::check::{FailedCheck, What};
use crate::outcome::Transcript;
use crate::scenario::model::BurstStep;
use std::collections::BTreeMap;
use std::time::Duration;

/// Runs a burst: `count` copies at once, then the status counts; with
/// `rounds`, that many bursts one after another, each with its own
/// `${round}` and each checked on its own.
pub(crate) async fn run(scene: &mut Scene, step: &BurstStep) -> Result<Ran, StepError> {
    let mut failed = Vec::new();
    let mut missed = 0;
    let mut kept: BTreeMap<u16, Transcript> = BTreeMap::new();
    let rounds = step.rounds.max(1);
    for round in 1..=rounds {
        scene.vars.set("round", round.to_string());
        let (round_failed, transcripts) = burst_once(scene, step, round).await?;
        if !round_failed.is_empty() || kept.is_empty() {
            for (status, t) in transcripts {
                kept.entry(status).or_insert(t);
            }
        }
        if !round_failed.is_empty() {
            missed += 1;
            failed.extend(round_failed);
        }
    }
    if rounds > 1 && missed > 0 {
        failed.push(FailedCheck::new(
            What::Bursts {
                broke: missed,
                rounds,
                count: step.count,
            },
            "every burst as expected",
            format!("{missed} broke it"),
        ));
    }
    Ok(Ran {
        failed,
        transcripts: kept.into_values().collect(),
    })
}

/// One burst: its failed checks, and one transcript per distinct status
/// (0: no answer), in status order: enough to see each kind of answer.
async fn burst_once(
    scene: &Scene,
    step: &BurstStep,
    round: usize,
) -> Result<(Vec<FailedCheck>, BTreeMap<u16, Transcript>), StepError> {
    // The answers of a burst come one after another when the subject does
    // the work one at a time (a password hash each): a second more each.
    let within = REQUEST_TIMEOUT + Duration::from_secs(step.count as u64);
    let mut sends = Vec::with_capacity(step.count);
    for _ in 0..step.count {
        let (builder, mut transcript) = build(scene, &step.request)?;
        sends.push(async move {
            let result = send_within(scene, builder, &mut transcript, within).await;
            if let Ok(received) = &result {
                observe(
                    &scene.watch,
                    &transcript,
                    received.status,
                    Some(&received.body),
                );
            }
            (result.map(|r| r.status), transcript)
        });
    }
    let results = futures::future::join_all(sends).await;
    let what = || What::Burst {
        round,
        rounds: step.rounds.max(1),
    };
    let mut failed = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut results_by: Vec<(Result<u16, ()>, Transcript)> = Vec::with_capacity(results.len());
    for (result, transcript) in results {
        match result {
            Ok(status) => {
                *counts.entry(status.to_string()).or_default() += 1;
                results_by.push((Ok(status), transcript));
            }
            Err(Missing::Check(no_answer)) => {
                failed.push(no_answer);
                results_by.push((Err(()), transcript));
            }
            Err(Missing::Step(e)) => return Err(e),
        }
    }
    let results = results_by;
    for (status, want) in &step.expect_counts {
        let got = counts.get(status).copied().unwrap_or(0);
        if got != *want {
            failed.push(FailedCheck::new(
                what(),
                format!("{want} × {status}"),
                format!("{got} (all statuses: {counts:?})"),
            ));
        }
    }
    if step.no_5xx {
        let five: usize = counts
            .iter()
            .filter(|(s, _)| s.starts_with('5'))
            .map(|(_, n)| n)
            .sum();
        if five > 0 {
            failed.push(FailedCheck::new(
                what(),
                "no 5xx",
                format!("{five} (all statuses: {counts:?})"),
            ));
        }
    }
    let mut by_status: BTreeMap<u16, Transcript> = BTreeMap::new();
    for (result, transcript) in results {
        by_status.entry(result.unwrap_or(0)).or_insert(transcript);
    }
    Ok((failed, by_status))
}
