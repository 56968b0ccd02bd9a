//! `--baseline`: a run judged against an earlier `report.json`, so a team
//! that knows some rules fail can still gate on not getting worse. A failure
//! that was already failing in the baseline is *known* and does not fail the
//! run; a rule or scenario that passed there and fails now (*regressed*), or
//! that fails now and was not checked there (*new*), does. The comparison is
//! plain data; `baseline_text` renders it.

use super::stored::StoredReport;
use crate::outcome::{RunOutcome, Verdict};
use crate::rules::Level;
use crate::status::Status;
use std::collections::BTreeMap;

/// Whether a rule or a scenario changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A rule of the catalogue.
    Rule,
    /// A scenario file.
    Scenario,
}

impl Kind {
    /// The word shown before the ID.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Rule => "rule",
            Kind::Scenario => "scenario",
        }
    }
}

/// One rule or scenario the comparison reports, with its status then and now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Rule or scenario.
    pub kind: Kind,
    /// Rule ID or scenario name.
    pub id: String,
    /// Its status in the baseline (`absent` when the baseline does not have it).
    pub before: &'static str,
    /// Its status now (`absent` when this run does not have it).
    pub now: &'static str,
    /// Whether its status now fails the run (a MUST, or any rule under `--strict`).
    pub fatal: bool,
}

/// The run against its baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// The baseline's subject.
    pub baseline_subject: String,
    /// Passed in the baseline, failing now.
    pub regressed: Vec<Change>,
    /// Failing now, not checked (or absent) in the baseline.
    pub new_failures: Vec<Change>,
    /// Failing in the baseline, passing now.
    pub improved: Vec<Change>,
    /// Failing in the baseline and now: known failures.
    pub still_failing: Vec<Change>,
    /// Passed in the baseline, not checked now (n/a, not run or absent).
    pub no_longer_checked: Vec<Change>,
}

impl Comparison {
    /// The exit code with a baseline: 2 when the harness broke (as without
    /// one); 1 when a rule or scenario regressed or newly fails and that
    /// failure is fatal; else 0, however many known failures remain.
    pub fn exit_code(&self, outcome: &RunOutcome) -> i32 {
        if outcome.exit_code() == 2 {
            return 2;
        }
        i32::from(self.worse().any(|c| c.fatal))
    }

    /// The changes that make the run worse than its baseline.
    pub fn worse(&self) -> impl Iterator<Item = &Change> {
        self.regressed.iter().chain(&self.new_failures)
    }
}

/// How a status counts in the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Pass,
    Failing,
    Unchecked,
}

/// One rule or scenario as seen in one run.
#[derive(Debug, Clone, Copy)]
struct Seen {
    class: Class,
    word: &'static str,
    fatal: bool,
}

const ABSENT: Seen = Seen {
    class: Class::Unchecked,
    word: "absent",
    fatal: false,
};

/// How a rule's status or a scenario's verdict counts in the comparison.
fn seen(status: Status, fatal: bool) -> Seen {
    let class = match status {
        Status::Pass => Class::Pass,
        Status::NotApplicable | Status::NotRun => Class::Unchecked,
        Status::Warn | Status::Fail | Status::Blocked | Status::Error => Class::Failing,
    };
    Seen {
        class,
        word: status.word(),
        fatal,
    }
}

/// Compares a run with its baseline, rule by rule and scenario by scenario.
pub fn compare(baseline: &StoredReport, outcome: &RunOutcome) -> Comparison {
    let gates = |level: Level| level == Level::Must || outcome.strict;
    let mut cmp = Comparison {
        baseline_subject: baseline.subject.clone(),
        ..Comparison::default()
    };
    let before: BTreeMap<&str, Seen> = baseline
        .rules
        .iter()
        .map(|r| (r.id.as_str(), seen(r.status, false)))
        .collect();
    let now: Vec<(&str, Seen)> = outcome
        .rules
        .iter()
        .map(|r| {
            let fatal = match r.status {
                Status::Fail | Status::Error => true,
                Status::Blocked => gates(r.level),
                _ => false,
            };
            (r.id.as_str(), seen(r.status, fatal))
        })
        .collect();
    sort(&mut cmp, Kind::Rule, &before, &now);
    let before: BTreeMap<&str, Seen> = baseline
        .scenarios
        .iter()
        .map(|s| (s.name.as_str(), seen(s.verdict, false)))
        .collect();
    let now: Vec<(&str, Seen)> = outcome
        .scenarios
        .iter()
        .map(|s| {
            let fatal = match s.verdict {
                Verdict::Error(_) => true,
                Verdict::Fail | Verdict::Blocked(_) => gates(s.level),
                _ => false,
            };
            (s.name.as_str(), seen(s.verdict.status(), fatal))
        })
        .collect();
    sort(&mut cmp, Kind::Scenario, &before, &now);
    cmp
}

/// Puts each rule or scenario of either run in its group.
fn sort(cmp: &mut Comparison, kind: Kind, before: &BTreeMap<&str, Seen>, now: &[(&str, Seen)]) {
    let gone = before
        .iter()
        .filter(|(id, _)| !now.iter().any(|(n, _)| n == *id))
        .map(|(id, seen)| (*id, *seen, ABSENT));
    let pairs = now
        .iter()
        .map(|(id, seen)| (*id, before.get(id).copied().unwrap_or(ABSENT), *seen));
    for (id, then, seen) in pairs.chain(gone) {
        let group = match (then.class, seen.class) {
            (Class::Pass, Class::Failing) => &mut cmp.regressed,
            (Class::Unchecked, Class::Failing) => &mut cmp.new_failures,
            (Class::Failing, Class::Pass) => &mut cmp.improved,
            (Class::Failing, Class::Failing) => &mut cmp.still_failing,
            (Class::Pass, Class::Unchecked) => &mut cmp.no_longer_checked,
            _ => continue,
        };
        group.push(Change {
            kind,
            id: id.to_owned(),
            before: then.word,
            now: seen.word,
            fatal: seen.fatal,
        });
    }
}

#[cfg(test)]
#[path = "baseline_tests.rs"]
mod tests;
