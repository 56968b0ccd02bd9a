//! The console report: a table per rule, then every failure with its step,
//! request, response and what was expected, then every blocked scenario
//! (apart: its rules were not checked, and the rule to look at is named),
//! then one summary line.

use super::redact::redact;
use crate::outcome::{RunOutcome, ScenarioResult, Transcript, Verdict};
use crate::rules::Level;
use crate::status::Status;
use std::fmt::Write;

/// The whole console report.
pub fn render(outcome: &RunOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "subject: {}", outcome.subject);
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
            .map(|s| format!("{} {:.1} s", s.name, s.millis as f64 / 1000.0))
            .collect();
        let _ = writeln!(out, "slowest: {}", slowest.join(", "));
    }
    redact(&out)
}

/// What went wrong in one scenario: the failing step, its problems, its
/// exchanges and the subject's last output.
pub fn failure_text(s: &ScenarioResult) -> String {
    let mut out = String::new();
    match &s.verdict {
        Verdict::Error(e) => {
            let _ = writeln!(out, "the harness broke, no verdict on the subject: {e}");
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
        let role = match &step.setup {
            Some(rule) => format!(", setup covered by {rule}"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "step {} ({}{role}): {}",
            step.index, step.kind, step.label
        );
        let at = step
            .at
            .as_ref()
            .map(|at| format!("{}:{at}", s.file))
            .unwrap_or_default();
        if !at.is_empty() {
            let _ = writeln!(out, "  at {at}");
        }
        if let Some(why) = &step.stopped {
            let _ = writeln!(
                out,
                "{}",
                indent(&format!("- could not be carried out: {why}"), "  ")
            );
        }
        for c in &step.failed {
            let _ = writeln!(
                out,
                "{}",
                indent(&format!("- {}", super::sentence::check(c)), "  ")
            );
        }
        for a in &step.artifacts {
            let _ = writeln!(
                out,
                "{}",
                indent(&format!("- {}", super::sentence::artifact(a)), "  ")
            );
        }
        for t in &step.transcripts {
            let _ = writeln!(out, "{}", indent(&transcript_text(t), "  "));
        }
    }
    if let Some(output) = &s.subject_output
        && !output.trim().is_empty()
    {
        let _ = writeln!(out, "subject output (last lines):");
        let _ = writeln!(out, "{}", indent(output, "  | "));
    }
    redact(&out)
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
