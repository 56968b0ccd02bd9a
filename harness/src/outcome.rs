//! What a run produced, as plain data: per step, per scenario and per rule.
//! Reports are written from these values only.

use crate::rules::{Catalogue, Level};
use serde::Serialize;
use std::collections::BTreeMap;

/// One HTTP exchange as it happened, for failure reports (tokens redacted later).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Transcript {
    /// `METHOD url`.
    pub request: String,
    /// Request headers sent.
    pub request_headers: Vec<(String, String)>,
    /// Request body (truncated).
    pub request_body: Option<String>,
    /// Response status, when one came.
    pub status: Option<u16>,
    /// Response headers.
    pub response_headers: Vec<(String, String)>,
    /// Response body (truncated), or the events of a stream.
    pub response_body: String,
    /// Events of a stream: name, data and milliseconds since the request.
    pub events: Vec<EventRecord>,
}

/// One server-sent event as received.
#[derive(Debug, Clone, Serialize)]
pub struct EventRecord {
    /// The event name (`message` when none was given).
    pub event: String,
    /// Its data.
    pub data: String,
    /// When it arrived, in milliseconds since the request was sent.
    pub at_ms: u64,
}

/// What one step did.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    /// 1-based position in the scenario.
    pub index: usize,
    /// The step kind (`request`, `stream`...).
    pub kind: &'static str,
    /// A short description (the step's name or its request line).
    pub label: String,
    /// Every check that did not hold; empty when the step passed.
    pub problems: Vec<String>,
    /// The exchanges made by the step (only kept for failed steps).
    pub transcripts: Vec<Transcript>,
    /// How long the step took.
    pub millis: u64,
}

/// The verdict of one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    /// Every step passed.
    Pass,
    /// A step's checks did not hold.
    Fail,
    /// The scenario cannot be checked against this subject (and was not run).
    NotApplicable(String),
    /// The harness could not run it (environment problem, not a verdict on the subject).
    Error(String),
}

/// What one scenario produced.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// The scenario's file stem.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its file.
    pub file: String,
    /// The rules it checks.
    pub rules: Vec<String>,
    /// MUST or SHOULD.
    pub level: Level,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The steps that ran (the failing one last).
    pub steps: Vec<StepResult>,
    /// The last lines the subject printed, for failures of own subjects.
    pub subject_output: Option<String>,
    /// How long it took.
    pub millis: u64,
}

impl ScenarioResult {
    /// The step that failed, if any.
    pub fn failed_step(&self) -> Option<&StepResult> {
        self.steps.iter().find(|s| !s.problems.is_empty())
    }
}

/// A rule's status after a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// Every applicable scenario passed.
    Pass,
    /// A SHOULD rule failed: reported, not fatal unless strict.
    Warn,
    /// A MUST rule failed (or a SHOULD under `--strict`).
    Fail,
    /// No scenario could be checked against this subject.
    NotApplicable,
    /// A scenario could not run (environment problem).
    Error,
    /// No scenario of this run names the rule (filtered out or uncovered).
    NotRun,
}

impl RuleStatus {
    /// The word shown in tables.
    pub fn label(self) -> &'static str {
        match self {
            RuleStatus::Pass => "pass",
            RuleStatus::Warn => "warn",
            RuleStatus::Fail => "FAIL",
            RuleStatus::NotApplicable => "n/a",
            RuleStatus::Error => "ERROR",
            RuleStatus::NotRun => "not run",
        }
    }
}

/// One row of the per-rule table.
#[derive(Debug, Clone, Serialize)]
pub struct RuleVerdict {
    /// Rule ID.
    pub id: String,
    /// MUST or SHOULD.
    pub level: Level,
    /// The rule's summary.
    pub summary: String,
    /// Its status.
    pub status: RuleStatus,
    /// Scenario names by verdict, for the report.
    pub scenarios: Vec<(String, String)>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    /// What was tested, in one line.
    pub subject: String,
    /// How the services were provided, in one line.
    pub services: String,
    /// Every scenario result, in file order.
    pub scenarios: Vec<ScenarioResult>,
    /// One verdict per rule of the catalogue, in contract order.
    pub rules: Vec<RuleVerdict>,
    /// Whether SHOULD failures fail the run.
    pub strict: bool,
    /// Phase timings in milliseconds (services, subject start, scenarios).
    pub phases: Vec<(String, u64)>,
    /// Wall time of the run.
    pub millis: u64,
}

impl RunOutcome {
    /// Builds the per-rule verdicts from the scenario results.
    pub fn new(
        subject: String,
        services: String,
        scenarios: Vec<ScenarioResult>,
        catalogue: &Catalogue,
        strict: bool,
    ) -> RunOutcome {
        let rules = rule_verdicts(&scenarios, catalogue, strict);
        RunOutcome {
            subject,
            services,
            scenarios,
            rules,
            strict,
            phases: Vec::new(),
            millis: 0,
        }
    }

    /// The process exit code: 0 when every applicable MUST passed, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        let failed = self
            .rules
            .iter()
            .any(|r| matches!(r.status, RuleStatus::Fail | RuleStatus::Error));
        i32::from(failed)
    }

    /// The IDs of rules that failed (for the kill matrix and summaries).
    pub fn failed_rules(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| matches!(r.status, RuleStatus::Fail | RuleStatus::Warn))
            .map(|r| r.id.as_str())
            .collect()
    }
}

fn rule_verdicts(
    scenarios: &[ScenarioResult],
    catalogue: &Catalogue,
    strict: bool,
) -> Vec<RuleVerdict> {
    let mut by_rule: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for s in scenarios {
        for r in &s.rules {
            by_rule.entry(r.as_str()).or_default().push(s);
        }
    }
    catalogue
        .rules()
        .iter()
        .map(|rule| {
            let list = by_rule.get(rule.id.as_str()).cloned().unwrap_or_default();
            let any = |f: fn(&Verdict) -> bool| list.iter().any(|s| f(&s.verdict));
            let status = if list.is_empty() {
                RuleStatus::NotRun
            } else if any(|v| *v == Verdict::Fail) {
                if rule.level == Level::Must || strict {
                    RuleStatus::Fail
                } else {
                    RuleStatus::Warn
                }
            } else if any(|v| matches!(v, Verdict::Error(_))) {
                RuleStatus::Error
            } else if list
                .iter()
                .all(|s| matches!(s.verdict, Verdict::NotApplicable(_)))
            {
                RuleStatus::NotApplicable
            } else {
                RuleStatus::Pass
            };
            let scenarios = list
                .iter()
                .map(|s| (s.name.clone(), verdict_word(&s.verdict).to_owned()))
                .collect();
            RuleVerdict {
                id: rule.id.clone(),
                level: rule.level,
                summary: rule.summary.clone(),
                status,
                scenarios,
            }
        })
        .collect()
}

/// The one-word form of a verdict.
pub fn verdict_word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::NotApplicable(_) => "n/a",
        Verdict::Error(_) => "error",
    }
}
