//! The Markdown summary, fit for a GitHub job summary: the per-rule table
//! and each failure in a collapsible block.

use super::baseline::Comparison;
use super::console::failure_text;
use crate::outcome::{RunOutcome, Verdict};
use crate::status::Status;
use std::fmt::Write;

/// The summary as Markdown.
pub fn render(outcome: &RunOutcome) -> String {
    render_with(outcome, None)
}

/// The summary as Markdown; with a baseline, the heading gives the verdict
/// against it and the comparison comes before the rules.
pub fn render_with(outcome: &RunOutcome, baseline: Option<&Comparison>) -> String {
    let mut out = String::new();
    let verdict = match baseline {
        Some(cmp) => match cmp.exit_code(outcome) {
            0 => "✅ no regression against the baseline",
            1 => "❌ regressed against the baseline",
            _ => "💥 harness error",
        },
        None => match outcome.exit_code() {
            0 => "✅ passed",
            1 => "❌ failed",
            _ => "💥 harness error",
        },
    };
    let _ = writeln!(out, "## Insight Garden conformance: {verdict}\n");
    let _ = writeln!(
        out,
        "Subject: {}  \n{}\n",
        outcome.subject, outcome.services
    );
    if let Some(cmp) = baseline {
        let _ = writeln!(
            out,
            "{}",
            super::baseline_text::markdown(cmp, cmp.exit_code(outcome))
        );
    }
    let _ = writeln!(out, "| Rule | Level | Status | Summary |");
    let _ = writeln!(out, "|---|---|---|---|");
    for r in outcome.rules.iter().filter(|r| r.status != Status::NotRun) {
        let icon = r.status.spelling().icon;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.id,
            r.level,
            icon,
            r.summary.replace('|', "\\|")
        );
    }
    let sections: [(&str, super::VerdictFilter); 3] = [
        ("Failures", |v| *v == Verdict::Fail),
        ("Blocked (not checked: a setup step failed)", |v| {
            matches!(v, Verdict::Blocked(_))
        }),
        ("Harness errors (no verdict on the subject)", |v| {
            matches!(v, Verdict::Error(_))
        }),
    ];
    for (heading, keep) in sections {
        let list: Vec<_> = outcome
            .scenarios
            .iter()
            .filter(|s| keep(&s.verdict))
            .collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {heading}");
        for s in list {
            let _ = writeln!(
                out,
                "\n<details><summary>{} — {} (<code>{}</code>)</summary>\n\n```text\n{}\n```\n\n</details>",
                s.rules.join(", "),
                s.title,
                s.name,
                failure_text(s).trim_end()
            );
        }
    }
    super::redact::redact(&out)
}
