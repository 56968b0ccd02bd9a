//! The Markdown summary, fit for a GitHub job summary: the per-rule table
//! and each failure in a collapsible block.

use super::console::failure_text;
use crate::outcome::{RuleStatus, RunOutcome, Verdict};
use std::fmt::Write;

/// The summary as Markdown.
pub fn render(outcome: &RunOutcome) -> String {
    let mut out = String::new();
    let failed = outcome.exit_code() != 0;
    let _ = writeln!(
        out,
        "## Insight Garden conformance: {}\n",
        if failed { "❌ failed" } else { "✅ passed" }
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
    for s in outcome
        .scenarios
        .iter()
        .filter(|s| matches!(s.verdict, Verdict::Fail | Verdict::Error(_)))
    {
        let _ = writeln!(
            out,
            "\n<details><summary>{} — {} (<code>{}</code>)</summary>\n\n```text\n{}\n```\n\n</details>",
            s.rules.join(", "),
            s.title,
            s.name,
            failure_text(s).trim_end()
        );
    }
    super::redact::redact(&out)
}
