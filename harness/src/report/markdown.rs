//! The Markdown summary, fit for a GitHub job summary: the per-rule table
//! and each failure in a collapsible block. Much of a failure's text is the
//! subject's (bodies, headers, events, output): it goes in a fence longer
//! than any run of backticks it holds, so no line of it can end the block,
//! and text outside a fence is kept to one line with its markup escaped.

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
        inline(&outcome.subject),
        inline(&outcome.services)
    );
    if let Some(tls) = &outcome.tls {
        let _ = writeln!(out, "{}\n", inline(tls));
    }
    for line in outcome
        .went_down
        .iter()
        .chain(&super::sentence::ran_again(outcome))
    {
        let _ = writeln!(out, "> **Note:** {}\n", inline(line));
    }
    if outcome.restarts > 0 {
        let _ = writeln!(
            out,
            "> **Note:** the subject had to be started again {} time(s)\n",
            outcome.restarts
        );
    }
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
            inline(&r.summary).replace('|', "\\|")
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
            let text = failure_text(s);
            let text = text.trim_end();
            let fence = fence(text);
            let _ = writeln!(
                out,
                "\n<details><summary>{} — {} (<code>{}</code>)</summary>\n\n{fence}text\n{text}\n{fence}\n\n</details>",
                inline(&s.rules.join(", ")),
                inline(&s.title),
                inline(&s.name),
            );
        }
    }
    if !outcome.traffic.is_empty() {
        let text = super::console::traffic_text(outcome);
        let text = text.trim_end();
        let fence = fence(text);
        let _ = writeln!(
            out,
            "\n### Seen on every exchange\n\n<details><summary>{} finding(s) of the checks on all traffic</summary>\n\n{fence}text\n{text}\n{fence}\n\n</details>",
            outcome.traffic.len()
        );
    }
    super::redact::redact(&out)
}

/// A fence for `text`: backticks, one more than its longest run of them
/// (at least three), so that no line of `text` closes the block.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// `text` fit for one line of Markdown or of an HTML block: on one line
/// (a line break could start a block of its own, a fence that swallows the
/// rest of the summary) and with `&`, `<` and `>` as character references.
pub(crate) fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
