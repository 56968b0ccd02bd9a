//! Repeated runs (`conformance run --repeat N`): a scenario whose verdict
//! is not the same in every run is a flake, reported with its history.

use crate::outcome::{RunOutcome, verdict_word};
use std::collections::BTreeMap;

/// A scenario whose verdict changed between runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flake {
    /// The scenario's name.
    pub scenario: String,
    /// Its verdict in each run, in order.
    pub verdicts: Vec<&'static str>,
}

/// The scenarios whose verdict was not the same in every run.
pub fn flakes(runs: &[RunOutcome]) -> Vec<Flake> {
    let mut history: BTreeMap<&str, Vec<&'static str>> = BTreeMap::new();
    for run in runs {
        for s in &run.scenarios {
            history
                .entry(s.name.as_str())
                .or_default()
                .push(verdict_word(&s.verdict));
        }
    }
    history
        .into_iter()
        .filter(|(_, v)| v.windows(2).any(|w| w[0] != w[1]))
        .map(|(name, verdicts)| Flake {
            scenario: name.to_owned(),
            verdicts,
        })
        .collect()
}

/// The summary line(s) printed after repeated runs.
pub fn summary(runs: &[RunOutcome], flakes: &[Flake]) -> String {
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
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{ScenarioResult, Verdict};
    use crate::rules::{Catalogue, Level};

    fn run_with(verdicts: &[(&str, Verdict)]) -> RunOutcome {
        let scenarios = verdicts
            .iter()
            .map(|(name, verdict)| ScenarioResult {
                name: (*name).to_owned(),
                title: String::new(),
                file: String::new(),
                rules: vec!["REG-1".into()],
                level: Level::Must,
                verdict: verdict.clone(),
                steps: Vec::new(),
                subject_output: None,
                millis: 1000,
            })
            .collect();
        let catalogue = Catalogue::builtin().expect("catalogue");
        RunOutcome::new(String::new(), String::new(), scenarios, &catalogue, false)
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
                verdicts: vec!["pass", "fail", "pass"]
            }]
        );
        assert_eq!(
            summary(&runs, &found),
            "repeat: 3 runs in 0.0 s, 1 flaky scenario(s)\n  flaky: a [pass, fail, pass]\n"
        );
    }
}
