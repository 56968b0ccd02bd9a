//! The Markdown summary, fit for a GitHub job summary: the per-rule table
//! and each failure in a collapsible block.

use super::console::failure_text;
use crate::outcome::{RuleStatus, RunOutcome, Verdict};
use std::fmt::Write;

/// The summary as Markdown.
pub fn render(outcome: &RunOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Insight Garden conformance: {}\n",
        match outcome.exit_code() {
            0 => "✅ passed",
            1 => "❌ failed",
            _ => "💥 harness error",
        }
    );
    let _ = writeln!(
        out,
        "Subject: {}  \n{}\n",
        outcome.subject, outcome.services
    );
    let _ = writeln!(out, "| Rule | Level | Status | Summary |");
    let _ = writeln!(out, "|---|---|---|---|");
    for r in outcome
        .rules
        .iter()
        .filter(|r| r.status != RuleStatus::NotRun)
    {
        let icon = match r.status {
            RuleStatus::Pass => "✅ pass",
            RuleStatus::Fail => "❌ fail",
            RuleStatus::Warn => "⚠️ warn",
            RuleStatus::Blocked => "🚧 blocked",
            RuleStatus::NotApplicable => "➖ n/a",
            RuleStatus::Error => "💥 error",
            RuleStatus::NotRun => "· not run",
        };
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
