//! Repeated runs (`conformance run --repeat N`): a scenario whose verdict
//! is not the same in every run is a flake, reported with its history and
//! with what went wrong in the first run that did not pass: that run's
//! report is not printed, so without it a flake could not be looked into.

use crate::outcome::{RunOutcome, ScenarioResult, Verdict};
use std::collections::BTreeMap;

/// A scenario whose verdict changed between runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Flake {
    /// The scenario's name.
    pub(crate) scenario: String,
    /// Its verdict in each run, in order.
    pub(crate) verdicts: Vec<&'static str>,
    /// The first run (1-based) where it did not pass, and why.
    pub(crate) first_miss: Option<(usize, String)>,
}

/// Characters of a miss's explanation kept in the summary.
const MISS_CHARS: usize = 1500;

/// The scenarios whose verdict was not the same in every run.
pub(crate) fn flakes(runs: &[RunOutcome]) -> Vec<Flake> {
    let mut history: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for run in runs {
        for s in &run.scenarios {
            history.entry(s.name.as_str()).or_default().push(s);
        }
    }
    history
        .into_iter()
        .filter(|(_, v)| v.windows(2).any(|w| w[0].verdict != w[1].verdict))
        .map(|(name, results)| Flake {
            scenario: name.to_owned(),
            verdicts: results.iter().map(|s| s.verdict.status().word()).collect(),
            first_miss: results
                .iter()
                .position(|s| s.verdict != Verdict::Pass)
                .map(|i| (i + 1, why(results[i]))),
        })
        .collect()
}

/// Why a scenario did not pass: its verdict's reason or its failed step.
fn why(s: &ScenarioResult) -> String {
    let text = match &s.verdict {
        Verdict::NotApplicable(reason) | Verdict::Error(reason) => reason.clone(),
        Verdict::Blocked(b) => format!(
            "blocked: step {} ({}) failed, covered by {}",
            b.step, b.label, b.rule
        ),
        Verdict::Pass | Verdict::Fail => s
            .steps
            .iter()
            .filter(|step| !step.failed.is_empty())
            .map(|step| {
                let checks: Vec<String> = step
                    .failed
                    .iter()
                    .map(crate::report::sentence::check)
                    .collect();
                format!(
                    "step {} ({}): {}",
                    step.index,
                    step.label,
                    checks.join("; ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let mut cut: String = text.chars().take(MISS_CHARS).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// The summary line(s) printed after repeated runs.
pub(crate) fn summary(runs: &[RunOutcome], flakes: &[Flake]) -> String {
    let total: u64 = runs.iter().map(|r| r.millis).sum();
    let mut text = format!(
        "repeat: {} runs in {:.1} s, {} flaky scenario(s)\n",
        runs.len(),
        total as f64 / 1000.0,
        flakes.len()
    );
    for f in flakes {
        text.push_str(&format!(
            "  flaky: {} [{}]\n",
            f.scenario,
            f.verdicts.join(", ")
        ));
        if let Some((run, why)) = &f.first_miss {
            text.push_str(&format!(
                "    run {run}: {}\n",
                why.replace('\n', "\n      ")
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{FailedCheck, What};
    use crate::outcome::{ScenarioResult, Verdict, fixtures};
    use crate::rules::Level;

    fn run_with(verdicts: &[(&str, Verdict)]) -> RunOutcome {
        let scenarios = verdicts
            .iter()
            .map(|(name, verdict)| ScenarioResult {
                millis: 1000,
                ..fixtures::scenario(name, "REG-1", Level::Must, verdict.clone())
            })
            .collect();
        fixtures::outcome(scenarios, false)
    }

    #[test]
    fn a_verdict_that_changes_is_a_flake_and_a_steady_one_is_not() {
        let runs = vec![
            run_with(&[("a", Verdict::Pass), ("b", Verdict::Fail)]),
            run_with(&[("a", Verdict::Fail), ("b", Verdict::Fail)]),
            run_with(&[("a", Verdict::Pass), ("b", Verdict::Fail)]),
        ];
        let found = flakes(&runs);
        assert_eq!(
            found,
            vec![Flake {
                scenario: "a".into(),
                verdicts: vec!["pass", "fail", "pass"],
                first_miss: Some((2, String::new())),
            }]
        );
        assert_eq!(
            summary(&runs, &found),
            "repeat: 3 runs in 0.0 s, 1 flaky scenario(s)\n  flaky: a [pass, fail, pass]\n    run 2: \n"
        );
    }

    #[test]
    fn a_flake_names_the_failed_step_of_its_first_miss() {
        let mut failing = run_with(&[("a", Verdict::Fail)]);
        failing.scenarios[0].steps.push(fixtures::step(
            3,
            "browser",
            "wait for \"Tomato diary\"",
            vec![FailedCheck::missing(What::Page, "it within 5000 ms")],
        ));
        let runs = vec![run_with(&[("a", Verdict::Pass)]), failing];
        let found = flakes(&runs);
        assert_eq!(
            found[0].first_miss,
            Some((
                2,
                "step 3 (wait for \"Tomato diary\"): page: expected it within 5000 ms".into()
            ))
        );
    }
}
