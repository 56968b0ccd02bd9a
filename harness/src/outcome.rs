//! What a run produced, as plain data: per step, per scenario and per rule.
//! Reports are written from these values only.

use crate::check::{Artifact, FailedCheck};
use crate::rules::{Catalogue, Level};
use crate::status::{Counts, Status};
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
    /// 1-based position in the scenario (0: the scenario's preparation,
    /// such as starting its own subject).
    pub index: usize,
    /// The step kind (`request`, `stream`...).
    pub kind: &'static str,
    /// For a setup step, the rule that covers what it prepares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup: Option<String>,
    /// A short description (the step's name or its request line).
    pub label: String,
    /// Where the step is written in its file (`line:column`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Every check that did not hold; empty when the step passed.
    pub failed: Vec<FailedCheck>,
    /// Why the step could not be carried out at all, when it could not
    /// (the scenario's verdict says whose that is: n/a or error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// What the failure left besides its checks (screenshot, the
    /// browser's requests).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
    /// The exchanges made by the step (only kept for failed steps).
    pub transcripts: Vec<Transcript>,
    /// How long the step took.
    pub millis: u64,
}

impl StepResult {
    /// Whether the step ended its scenario: a check failed or the step
    /// could not be carried out.
    pub fn ended(&self) -> bool {
        !self.failed.is_empty() || self.stopped.is_some()
    }
}

/// A rule that broke on some exchange of the run, seen by the checks that
/// hold on all traffic (`traffic.rs`), with where it was seen.
#[derive(Debug, Clone, Serialize)]
pub struct TrafficFinding {
    /// The rule it breaks.
    pub rule: String,
    /// The check that did not hold.
    pub check: FailedCheck,
    /// The scenario whose exchange it was.
    pub scenario: String,
    /// The step (0: the browser's own requests, seen after its steps).
    pub step: usize,
    /// The case of a matrix scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The exchange, when the step made it (not for the browser's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Transcript>,
}

/// The verdict of one scenario: whose failure it is, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    /// Every step passed.
    Pass,
    /// One of the scenario's checks did not hold: the subject broke its rule.
    Fail,
    /// A setup step failed before the scenario's checks: its rules were not
    /// checked, and the failure belongs to the rule that covers that step.
    Blocked(Blocked),
    /// The scenario cannot be checked against this subject (and was not run).
    NotApplicable(String),
    /// The harness itself broke (a browser that died, a frontend command that
    /// never served, no database binaries): no verdict on the subject.
    Error(String),
}

impl Verdict {
    /// The verdict's status: what `report.json` and the tables say.
    pub fn status(&self) -> Status {
        match self {
            Verdict::Pass => Status::Pass,
            Verdict::Fail => Status::Fail,
            Verdict::Blocked(_) => Status::Blocked,
            Verdict::NotApplicable(_) => Status::NotApplicable,
            Verdict::Error(_) => Status::Error,
        }
    }
}

/// Why a scenario is blocked: the step that failed and the rule covering it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocked {
    /// The failed step's position (0: the scenario's preparation).
    pub step: usize,
    /// The failed step, in a few words.
    pub label: String,
    /// The rule that covers what the step needed (where the real failure is).
    pub rule: String,
}

/// What one case of a matrix scenario produced.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The case's label: `route=GET /auth/me, token=expired, via=query`.
    pub case: String,
    /// Its verdict (a step of its own failed, was blocked, could not run).
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Its `[[each]]` steps that ran (the failing one last; kept only
    /// for cases that did not pass).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepResult>,
    /// How long it took.
    pub millis: u64,
}

impl CaseResult {
    /// The step that ended the case, if any.
    pub fn failed_step(&self) -> Option<&StepResult> {
        self.steps.iter().find(|s| s.ended())
    }
}

/// The verdict of many cases: a failure wins, then a harness error, then a
/// block; not applicable only when every case is; else pass.
pub fn combined<'a>(verdicts: impl IntoIterator<Item = &'a Verdict> + Clone) -> Verdict {
    let first = |status: Status| verdicts.clone().into_iter().find(|v| v.status() == status);
    for status in [Status::Fail, Status::Error, Status::Blocked] {
        if let Some(v) = first(status) {
            return v.clone();
        }
    }
    let mut all = verdicts.clone().into_iter().peekable();
    if all.peek().is_some() && all.all(|v| v.status() == Status::NotApplicable) {
        return first(Status::NotApplicable)
            .cloned()
            .unwrap_or(Verdict::Pass);
    }
    Verdict::Pass
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
    /// For a matrix scenario, each case's result, in the matrix's order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<CaseResult>,
    /// The last lines the subject printed, for failures of own subjects.
    pub subject_output: Option<String>,
    /// The file name of its HAR file (every request the browser made),
    /// beside the reports, for browser scenarios.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub har: Option<String>,
    /// Where a browser scenario's time went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser: Option<BrowserTiming>,
    /// Why its first attempt ended, when the browser broke under it (not
    /// the page: WebDriver itself) and the scenario ran once more on a new
    /// browser; the verdict is the second attempt's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_attempt: Option<String>,
    /// How long it took (from its browser's turn, for a browser scenario:
    /// the wait for a free browser is in [`BrowserTiming::wait_ms`]).
    pub millis: u64,
}

/// Where a browser scenario's time went, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BrowserTiming {
    /// Waiting for chromedriver and for a free browser lane (not counted
    /// in the scenario's own time).
    pub wait_ms: u64,
    /// Getting a browser session: a new one, or one kept warm by the pool.
    pub session_ms: u64,
    /// Whether the session was one kept warm by the pool.
    pub reused: bool,
    /// Starting the frontend (or waiting for the backend that serves it)
    /// until it answers; the scenario's own subject starts meanwhile.
    pub frontend_ms: u64,
    /// The browser steps, all together.
    pub steps_ms: u64,
    /// Of those, the holds that prove a text stays away (`absent_text`).
    pub holds_ms: u64,
    /// Clearing the browser for the next scenario and writing the HAR file.
    pub release_ms: u64,
}

impl<'a> std::iter::Sum<&'a BrowserTiming> for BrowserTiming {
    /// The parts summed over several scenarios (`reused`: all of them).
    fn sum<I: Iterator<Item = &'a BrowserTiming>>(timings: I) -> BrowserTiming {
        timings.fold(
            BrowserTiming {
                reused: true,
                ..BrowserTiming::default()
            },
            |sum, t| BrowserTiming {
                wait_ms: sum.wait_ms + t.wait_ms,
                session_ms: sum.session_ms + t.session_ms,
                reused: sum.reused && t.reused,
                frontend_ms: sum.frontend_ms + t.frontend_ms,
                steps_ms: sum.steps_ms + t.steps_ms,
                holds_ms: sum.holds_ms + t.holds_ms,
                release_ms: sum.release_ms + t.release_ms,
            },
        )
    }
}

impl ScenarioResult {
    /// The step that failed, if any.
    pub fn failed_step(&self) -> Option<&StepResult> {
        self.steps.iter().find(|s| s.ended())
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
    pub status: Status,
    /// Its scenarios with their verdicts, for the report.
    pub scenarios: Vec<ScenarioVerdict>,
}

impl RuleVerdict {
    /// The rules whose failure blocked this rule's scenarios, with the step
    /// that failed, such as `REG-1 (step 1: POST /auth/register)`.
    pub fn blocked_by(&self) -> Vec<String> {
        self.scenarios
            .iter()
            .filter_map(|s| s.blocked.as_ref())
            .map(|b| format!("{} (step {}: {})", b.rule, b.step, b.label))
            .collect()
    }
}

/// One scenario of a rule, as the rule's row shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioVerdict {
    /// The scenario's name.
    pub name: String,
    /// Its verdict.
    pub verdict: Status,
    /// What blocked it, when it is blocked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<Blocked>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    /// What was tested, in one line.
    pub subject: String,
    /// How the services were provided, in one line.
    pub services: String,
    /// How the subject's TLS certificate was trusted, for an `https://`
    /// subject or when `--ca-cert` or `--insecure` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    /// Every scenario result, in file order.
    pub scenarios: Vec<ScenarioResult>,
    /// One verdict per rule of the catalogue, in contract order.
    pub rules: Vec<RuleVerdict>,
    /// Each time the subject went down during the run (its process exited,
    /// or a running URL subject stopped answering), with the step that
    /// brought it down.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub went_down: Vec<String>,
    /// How many times the shared subject had to be started again after it
    /// went down.
    #[serde(skip_serializing_if = "is_zero")]
    pub restarts: usize,
    /// What the checks on all traffic found, in the order seen.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub traffic: Vec<TrafficFinding>,
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
        RunOutcome::with_traffic(subject, services, scenarios, Vec::new(), catalogue, strict)
    }

    /// Builds the per-rule verdicts from the scenario results and what the
    /// checks on all traffic found: a rule broken on some exchange fails
    /// (warns, for a SHOULD), naming where.
    pub fn with_traffic(
        subject: String,
        services: String,
        scenarios: Vec<ScenarioResult>,
        traffic: Vec<TrafficFinding>,
        catalogue: &Catalogue,
        strict: bool,
    ) -> RunOutcome {
        let rules = rule_verdicts(&scenarios, &traffic, catalogue, strict);
        RunOutcome {
            subject,
            services,
            tls: None,
            scenarios,
            rules,
            went_down: Vec::new(),
            restarts: 0,
            traffic,
            strict,
            phases: Vec::new(),
            millis: 0,
        }
    }

    /// The process exit code: 2 when the harness broke on any scenario (no
    /// trustworthy verdict); else 1 when a MUST rule failed or is blocked
    /// (a SHOULD too under `--strict`); else 0.
    pub fn exit_code(&self) -> i32 {
        if self.rules.iter().any(|r| r.status == Status::Error) {
            return 2;
        }
        let fatal = |r: &&RuleVerdict| {
            matches!(r.status, Status::Fail)
                || (r.status == Status::Blocked && (r.level == Level::Must || self.strict))
        };
        i32::from(self.rules.iter().any(|r| fatal(&r)))
    }

    /// The IDs of rules that failed, SHOULD warnings included (for the kill
    /// matrix and summaries).
    pub fn failed_rules(&self) -> Vec<&str> {
        self.rules_with(|s| matches!(s, Status::Fail | Status::Warn))
    }

    /// The IDs of rules that are blocked.
    pub fn blocked_rules(&self) -> Vec<&str> {
        self.rules_with(|s| s == Status::Blocked)
    }

    fn rules_with(&self, keep: impl Fn(Status) -> bool) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| keep(r.status))
            .map(|r| r.id.as_str())
            .collect()
    }

    /// The names of scenarios whose verdict has this status.
    pub fn scenarios_with(&self, status: Status) -> Vec<&str> {
        self.scenarios
            .iter()
            .filter(|s| s.verdict.status() == status)
            .map(|s| s.name.as_str())
            .collect()
    }

    /// How many rules have each status.
    pub fn counts(&self) -> Counts {
        Counts::of(self.rules.iter().map(|r| r.status))
    }
}

fn rule_verdicts(
    scenarios: &[ScenarioResult],
    traffic: &[TrafficFinding],
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
            let seen_broken = traffic.iter().any(|t| t.rule == rule.id);
            let status = if list.is_empty() && !seen_broken {
                Status::NotRun
            } else if seen_broken || any(|v| *v == Verdict::Fail) {
                if rule.level == Level::Must || strict {
                    Status::Fail
                } else {
                    Status::Warn
                }
            } else if any(|v| matches!(v, Verdict::Error(_))) {
                Status::Error
            } else if any(|v| matches!(v, Verdict::Blocked(_))) {
                Status::Blocked
            } else if list
                .iter()
                .all(|s| matches!(s.verdict, Verdict::NotApplicable(_)))
            {
                Status::NotApplicable
            } else {
                Status::Pass
            };
            let scenarios = list
                .iter()
                .map(|s| ScenarioVerdict {
                    name: s.name.clone(),
                    verdict: s.verdict.status(),
                    blocked: match &s.verdict {
                        Verdict::Blocked(b) => Some(b.clone()),
                        _ => None,
                    },
                })
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

/// Results made by hand, for the tests of the reports and of the verdicts.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// A scenario of one rule with this verdict and no steps.
    pub(crate) fn scenario(
        name: &str,
        rule: &str,
        level: Level,
        verdict: Verdict,
    ) -> ScenarioResult {
        ScenarioResult {
            name: name.into(),
            title: format!("title of {name}"),
            file: format!("scenarios/{name}.toml"),
            rules: vec![rule.into()],
            level,
            verdict,
            steps: Vec::new(),
            cases: Vec::new(),
            subject_output: None,
            har: None,
            browser: None,
            first_attempt: None,
            millis: 0,
        }
    }

    /// A step that failed these checks.
    pub(crate) fn step(
        index: usize,
        kind: &'static str,
        label: &str,
        failed: Vec<FailedCheck>,
    ) -> StepResult {
        StepResult {
            index,
            kind,
            setup: None,
            label: label.into(),
            at: None,
            failed,
            stopped: None,
            artifacts: Vec::new(),
            transcripts: Vec::new(),
            millis: 0,
        }
    }

    /// The outcome of these scenarios against the contract's catalogue.
    pub(crate) fn outcome(scenarios: Vec<ScenarioResult>, strict: bool) -> RunOutcome {
        let catalogue = Catalogue::builtin().expect("catalogue");
        RunOutcome::new(
            "subject".into(),
            String::new(),
            scenarios,
            &catalogue,
            strict,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(name: &str, rule: &str, verdict: Verdict) -> ScenarioResult {
        ScenarioResult {
            name: name.into(),
            title: String::new(),
            file: String::new(),
            rules: vec![rule.into()],
            level: Level::Must,
            verdict,
            steps: Vec::new(),
            cases: Vec::new(),
            subject_output: None,
            har: None,
            browser: None,
            first_attempt: None,
            millis: 0,
        }
    }

    fn outcome(scenarios: Vec<ScenarioResult>, strict: bool) -> RunOutcome {
        let catalogue = Catalogue::builtin().expect("catalogue");
        RunOutcome::new(String::new(), String::new(), scenarios, &catalogue, strict)
    }

    fn blocked(rule: &str) -> Verdict {
        Verdict::Blocked(Blocked {
            step: 1,
            label: "POST /auth/register".into(),
            rule: rule.into(),
        })
    }

    fn status(o: &RunOutcome, id: &str) -> Status {
        o.rules
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.status)
            .expect("rule")
    }

    #[test]
    fn a_blocked_must_is_never_passed_and_fails_the_run() {
        let o = outcome(
            vec![
                scenario("a", "REG-2", Verdict::Pass),
                scenario("b", "REG-2", blocked("REG-1")),
            ],
            false,
        );
        assert_eq!(status(&o, "REG-2"), Status::Blocked);
        assert_eq!(o.exit_code(), 1);
        assert_eq!(o.blocked_rules(), vec!["REG-2"]);
        assert!(o.failed_rules().is_empty());
        let row = o.rules.iter().find(|r| r.id == "REG-2").expect("row");
        assert_eq!(
            row.blocked_by(),
            vec!["REG-1 (step 1: POST /auth/register)"]
        );
    }

    #[test]
    fn a_blocked_should_is_shown_but_fails_only_a_strict_run() {
        let o = outcome(vec![scenario("a", "LOG-3", blocked("LOG-2"))], false);
        assert_eq!(status(&o, "LOG-3"), Status::Blocked);
        assert_eq!(o.exit_code(), 0);
        let strict = outcome(vec![scenario("a", "LOG-3", blocked("LOG-2"))], true);
        assert_eq!(strict.exit_code(), 1);
    }

    #[test]
    fn a_failure_wins_over_a_block_and_a_harness_error_means_exit_2() {
        let o = outcome(
            vec![
                scenario("a", "REG-1", blocked("CFG-1")),
                scenario("b", "REG-1", Verdict::Fail),
                scenario("c", "TOK-1", Verdict::Error("chromedriver died".into())),
            ],
            false,
        );
        assert_eq!(status(&o, "REG-1"), Status::Fail);
        assert_eq!(status(&o, "TOK-1"), Status::Error);
        assert_eq!(o.exit_code(), 2);
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
