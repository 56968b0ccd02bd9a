//! The console report: a table per rule, then every failure with its step,
//! request, response and what was expected, then every blocked scenario
//! (apart: its rules were not checked, and the rule to look at is named),
//! then one summary line.

use super::redact::{printable, redact};
use crate::outcome::{RunOutcome, ScenarioResult, Transcript, Verdict};
use crate::rules::Level;
use crate::status::Status;
use std::fmt::Write;

/// The whole console report.
pub fn render(outcome: &RunOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "subject: {}", outcome.subject);
    if let Some(tls) = &outcome.tls {
        let _ = writeln!(out, "{tls}");
    }
    for line in outcome
        .went_down
        .iter()
        .chain(&super::sentence::ran_again(outcome))
    {
        let _ = writeln!(out, "note: {line}");
    }
    if outcome.restarts > 0 {
        let _ = writeln!(
            out,
            "note: the subject had to be started again {} time(s)",
            outcome.restarts
        );
    }
    let _ = writeln!(out, "{}", outcome.services);
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<7} {:<6} {:<7} SUMMARY", "RULE", "LEVEL", "STATUS");
    for r in outcome.rules.iter().filter(|r| r.status != Status::NotRun) {
        let _ = writeln!(
            out,
            "{:<7} {:<6} {:<7} {}",
            r.id,
            r.level.to_string(),
            r.status.spelling().label,
            r.summary
        );
        if r.status == Status::Blocked {
            let _ = writeln!(
                out,
                "{:<22} not checked: blocked by {}",
                "",
                r.blocked_by().join("; ")
            );
        }
    }
    let not_run: Vec<&str> = outcome
        .rules
        .iter()
        .filter(|r| r.status == Status::NotRun)
        .map(|r| r.id.as_str())
        .collect();
    if !not_run.is_empty() {
        let _ = writeln!(
            out,
            "not run (no selected scenario): {}",
            not_run.join(", ")
        );
    }
    let failing: Vec<&ScenarioResult> = outcome
        .scenarios
        .iter()
        .filter(|s| s.verdict == Verdict::Fail)
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "\nFAILURES\n");
        for s in failing {
            let warn = s.level == Level::Should && !outcome.strict;
            let mark = if warn { "warning" } else { "FAIL" };
            let _ = writeln!(
                out,
                "{mark} [{}] {} ({})",
                s.rules.join(", "),
                s.title,
                s.file
            );
            let _ = writeln!(out, "{}", indent(&failure_text(s), "  "));
        }
    }
    if !outcome.traffic.is_empty() {
        let _ = writeln!(
            out,
            "\nSEEN ON EVERY EXCHANGE (rules that hold on all traffic)\n"
        );
        let _ = write!(out, "{}", traffic_text(outcome));
    }
    let sections: [(&str, &str, super::VerdictFilter); 2] = [
        (
            "BLOCKED (not checked: a setup step failed)",
            "BLOCKED",
            |v| matches!(v, Verdict::Blocked(_)),
        ),
        (
            "ERRORS (the harness broke: no verdict on the subject)",
            "ERROR",
            |v| matches!(v, Verdict::Error(_)),
        ),
    ];
    for (heading, mark, keep) in sections {
        let list: Vec<&ScenarioResult> = outcome
            .scenarios
            .iter()
            .filter(|s| keep(&s.verdict))
            .collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}\n");
        for s in list {
            let _ = writeln!(
                out,
                "{mark} [{}] {} ({})",
                s.rules.join(", "),
                s.title,
                s.file
            );
            let _ = writeln!(out, "{}", indent(&failure_text(s), "  "));
        }
    }
    let _ = writeln!(
        out,
        "{} rules: {}; {} scenarios in {:.1} s",
        outcome.rules.len(),
        outcome.counts().line(true),
        outcome.scenarios.len(),
        outcome.millis as f64 / 1000.0
    );
    if !outcome.phases.is_empty() {
        let phases: Vec<String> = outcome
            .phases
            .iter()
            .map(|(p, ms)| format!("{p} {ms} ms"))
            .collect();
        let _ = writeln!(out, "time: {}", phases.join(", "));
        let mut slowest: Vec<&ScenarioResult> = outcome.scenarios.iter().collect();
        slowest.sort_by_key(|s| std::cmp::Reverse(s.millis));
        let slowest: Vec<String> = slowest
            .iter()
            .take(3)
            .map(|s| format!("{} {}", s.name, seconds(s.millis)))
            .collect();
        let _ = writeln!(out, "slowest: {}", slowest.join(", "));
        if let Some(line) = browser_time(outcome) {
            let _ = writeln!(out, "{line}");
        }
    }
    printable(&redact(&out))
}

/// Milliseconds as seconds with one decimal.
fn seconds(millis: u64) -> String {
    format!("{:.1} s", millis as f64 / 1000.0)
}

/// Where the browser scenarios' time went, summed over them: one line, or
/// nothing when no browser scenario ran.
fn browser_time(outcome: &RunOutcome) -> Option<String> {
    let timings: Vec<&crate::outcome::BrowserTiming> = outcome
        .scenarios
        .iter()
        .filter_map(|s| s.browser.as_ref())
        .collect();
    if timings.is_empty() {
        return None;
    }
    let sum: crate::outcome::BrowserTiming = timings.iter().copied().sum();
    let new = timings.iter().filter(|t| !t.reused).count();
    Some(format!(
        "browser: {} scenarios; waiting {}, sessions {} ({new} new), frontends {}, steps {} (holds {}), clearing {}",
        timings.len(),
        seconds(sum.wait_ms),
        seconds(sum.session_ms),
        seconds(sum.frontend_ms),
        seconds(sum.steps_ms),
        seconds(sum.holds_ms),
        seconds(sum.release_ms),
    ))
}

/// How many findings of one rule are shown in full; the rest are counted.
const FINDINGS_SHOWN: usize = 3;

/// The findings of the checks on all traffic, by rule: where each was
/// seen, what broke, and the exchange.
pub fn traffic_text(outcome: &crate::outcome::RunOutcome) -> String {
    let mut out = String::new();
    let mut rules: Vec<&str> = outcome.traffic.iter().map(|t| t.rule.as_str()).collect();
    rules.dedup();
    let mut seen_rules: Vec<&str> = Vec::new();
    for rule in rules {
        if seen_rules.contains(&rule) {
            continue;
        }
        seen_rules.push(rule);
        let findings: Vec<_> = outcome.traffic.iter().filter(|t| t.rule == rule).collect();
        let summary = outcome
            .rules
            .iter()
            .find(|r| r.id == rule)
            .map_or("", |r| r.summary.as_str());
        let _ = writeln!(
            out,
            "FAIL [{rule}] {summary}: {} exchange(s) broke it",
            findings.len()
        );
        for t in findings.iter().take(FINDINGS_SHOWN) {
            let case = t
                .case
                .as_ref()
                .map(|c| format!(" [{c}]"))
                .unwrap_or_default();
            let step = if t.step == 0 {
                "the browser's requests".to_owned()
            } else {
                format!("step {}", t.step)
            };
            let _ = writeln!(out, "  seen in {}{case}, {step}:", t.scenario);
            let _ = writeln!(out, "    - {}", super::sentence::check(&t.check));
            if let Some(x) = &t.exchange {
                let _ = writeln!(out, "{}", indent(&transcript_text(x), "    "));
            }
        }
        if findings.len() > FINDINGS_SHOWN {
            let _ = writeln!(
                out,
                "  … and {} more (report.json lists them all)",
                findings.len() - FINDINGS_SHOWN
            );
        }
    }
    printable(&redact(&out))
}

/// What went wrong in one scenario: the failing step, its problems, its
/// exchanges and the subject's last output.
pub fn failure_text(s: &ScenarioResult) -> String {
    let mut out = String::new();
    match &s.verdict {
        Verdict::Error(e) => {
            let _ = writeln!(out, "the harness broke, no verdict on the subject: {e}");
            if let Some(first) = &s.first_attempt {
                let _ = writeln!(out, "({})", super::sentence::second_attempt(first));
            }
        }
        Verdict::Blocked(b) => {
            let _ = writeln!(
                out,
                "blocked: setup step {} failed; look at {}, the rule that covers it",
                b.step, b.rule
            );
        }
        _ => {}
    }
    if let Some(step) = s.failed_step() {
        let _ = write!(out, "{}", step_text(&s.file, step));
    }
    let ended: Vec<&crate::outcome::CaseResult> = s
        .cases
        .iter()
        .filter(|c| !matches!(c.verdict, Verdict::Pass | Verdict::NotApplicable(_)))
        .collect();
    if !ended.is_empty() {
        let _ = writeln!(
            out,
            "{} of {} cases did not pass:",
            ended.len(),
            s.cases.len()
        );
        for c in ended.iter().take(CASES_SHOWN) {
            let _ = writeln!(out, "case [{}]: {}", c.case, c.verdict.status().word());
            if let Verdict::Error(why) = &c.verdict {
                let _ = writeln!(out, "  {why}");
            }
            if let Some(step) = c.failed_step() {
                let _ = write!(out, "{}", indent(&step_text(&s.file, step), "  "));
                let _ = writeln!(out);
            }
        }
        if ended.len() > CASES_SHOWN {
            let rest: Vec<&str> = ended[CASES_SHOWN..]
                .iter()
                .map(|c| c.case.as_str())
                .collect();
            let _ = writeln!(out, "and [{}]", rest.join("], ["));
        }
    }
    let unchecked: Vec<String> = s
        .cases
        .iter()
        .filter_map(|c| match &c.verdict {
            Verdict::NotApplicable(why) => Some(format!("[{}] ({why})", c.case)),
            _ => None,
        })
        .collect();
    if !unchecked.is_empty() && !ended.is_empty() {
        let _ = writeln!(out, "not applicable: {}", unchecked.join(", "));
    }
    if let Some(output) = &s.subject_output
        && !output.trim().is_empty()
    {
        let _ = writeln!(out, "subject output (last lines):");
        let _ = writeln!(out, "{}", indent(output, "  | "));
    }
    printable(&redact(&out))
}

/// How many of a matrix scenario's failing cases are shown in full.
const CASES_SHOWN: usize = 3;

/// One step that ended its scenario or case: where it is written, what did
/// not hold, what it left, and its exchanges.
fn step_text(file: &str, step: &crate::outcome::StepResult) -> String {
    let mut out = String::new();
    let role = match &step.setup {
        Some(rule) => format!(", setup covered by {rule}"),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "step {} ({}{role}): {}",
        step.index, step.kind, step.label
    );
    if let Some(at) = &step.at {
        let _ = writeln!(out, "  at {file}:{at}");
    }
    let mut lines: Vec<String> = Vec::new();
    if let Some(why) = &step.stopped {
        lines.push(format!("could not be carried out: {why}"));
    }
    lines.extend(step.failed.iter().map(super::sentence::check));
    lines.extend(step.artifacts.iter().map(super::sentence::artifact));
    for line in lines {
        let _ = writeln!(out, "{}", indent(&format!("- {line}"), "  "));
    }
    for t in &step.transcripts {
        let _ = writeln!(out, "{}", indent(&transcript_text(t), "  "));
    }
    out
}

fn transcript_text(t: &Transcript) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "> {}", t.request);
    for (k, v) in &t.request_headers {
        let _ = writeln!(out, "> {k}: {v}");
    }
    if let Some(body) = &t.request_body {
        let _ = writeln!(out, "> {}", first_chars(body, 300));
    }
    match t.status {
        Some(status) => {
            let _ = writeln!(out, "< {status}");
        }
        None => {
            let _ = writeln!(out, "< (no response)");
        }
    }
    for (k, v) in &t.response_headers {
        let _ = writeln!(out, "< {k}: {v}");
    }
    if !t.response_body.is_empty() {
        let _ = writeln!(out, "< {}", first_chars(&t.response_body, 600));
    }
    for e in t.events.iter().take(20) {
        let _ = writeln!(
            out,
            "< +{} ms event: {} data: {}",
            e.at_ms,
            e.event,
            first_chars(&e.data, 120)
        );
    }
    if t.events.len() > 20 {
        let _ = writeln!(out, "< … {} more events", t.events.len() - 20);
    }
    out
}

fn first_chars(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(n).collect::<String>())
    }
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| format!("{prefix}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
