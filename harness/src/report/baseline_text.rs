//! The comparison with a baseline as the console and the Markdown summary
//! show it: what regressed or newly fails (what fails the run), what
//! improved, what stayed failing and what is no longer checked.

use super::baseline::{Change, Comparison};
use std::fmt::Write;

/// One group of a comparison as shown: the mark of its console lines, its
/// Markdown heading, whether its changes can fail the run, and the changes.
struct Group<'a> {
    mark: &'static str,
    heading: &'static str,
    worse: bool,
    list: &'a [Change],
}

/// The groups, in the order they are shown.
fn groups(cmp: &Comparison) -> [Group<'_>; 5] {
    let group = |mark, heading, worse, list| Group {
        mark,
        heading,
        worse,
        list,
    };
    [
        group(
            "REGRESSED",
            "Regressed (passed in the baseline)",
            true,
            &cmp.regressed,
        ),
        group(
            "NEW FAIL",
            "New failures (not checked in the baseline)",
            true,
            &cmp.new_failures,
        ),
        group("IMPROVED", "Improved", false, &cmp.improved),
        group(
            "KNOWN",
            "Still failing (known from the baseline)",
            false,
            &cmp.still_failing,
        ),
        group(
            "UNCHECKED",
            "No longer checked (passed in the baseline)",
            false,
            &cmp.no_longer_checked,
        ),
    ]
}

/// One sentence: how the run compares, and the exit code it gives.
pub(crate) fn verdict(cmp: &Comparison, exit_code: i32) -> String {
    let fatal = cmp.worse().filter(|c| c.fatal).count();
    let count = |list: &[Change]| list.len();
    let head = match exit_code {
        0 => "no regression".to_owned(),
        1 => format!("{fatal} fatal regressions or new failures"),
        _ => "the harness broke, no trustworthy comparison".to_owned(),
    };
    format!(
        "{head} (exit {exit_code}): {} regressed, {} new failures, {} improved, {} still failing, {} no longer checked",
        count(&cmp.regressed),
        count(&cmp.new_failures),
        count(&cmp.improved),
        count(&cmp.still_failing),
        count(&cmp.no_longer_checked),
    )
}

fn line(c: &Change, worse: bool) -> String {
    let note = if worse && !c.fatal {
        " (SHOULD: not fatal)"
    } else {
        ""
    };
    format!(
        "{} {}: {} -> {}{note}",
        c.kind.word(),
        c.id,
        c.before,
        c.now
    )
}

/// The console section, printed after the report.
pub(crate) fn console(cmp: &Comparison, exit_code: i32) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nBASELINE (a run of {})\n", cmp.baseline_subject);
    for g in groups(cmp) {
        for c in g.list {
            let _ = writeln!(out, "{:<10} {}", g.mark, line(c, g.worse));
        }
    }
    let _ = writeln!(out, "baseline: {}", verdict(cmp, exit_code));
    super::redact::redact(&out)
}

/// The Markdown section, shown under the summary's heading.
pub(crate) fn markdown(cmp: &Comparison, exit_code: i32) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Against the baseline\n\nBaseline: a run of {}.  \n**{}**\n",
        cmp.baseline_subject,
        verdict(cmp, exit_code)
    );
    for g in groups(cmp) {
        if g.list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "#### {}\n", g.heading);
        let _ = writeln!(out, "| | Baseline | Now | Fails the run |");
        let _ = writeln!(out, "|---|---|---|---|");
        for c in g.list {
            let _ = writeln!(
                out,
                "| {} `{}` | {} | {} | {} |",
                c.kind.word(),
                c.id,
                c.before,
                c.now,
                if c.fatal && g.worse { "yes" } else { "no" }
            );
        }
        let _ = writeln!(out);
    }
    super::redact::redact(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::baseline::Kind;

    fn change(id: &str, before: &'static str, now: &'static str, fatal: bool) -> Change {
        Change {
            kind: Kind::Rule,
            id: id.into(),
            before,
            now,
            fatal,
        }
    }

    fn comparison() -> Comparison {
        Comparison {
            baseline_subject: "the reference".into(),
            regressed: vec![change("REG-1", "pass", "fail", true)],
            improved: vec![change("TOK-1", "fail", "pass", false)],
            still_failing: vec![change("SSE-4", "fail", "fail", true)],
            ..Comparison::default()
        }
    }

    #[test]
    fn the_console_names_what_regressed_improved_and_stayed_failing() {
        let text = console(&comparison(), 1);
        assert!(
            text.contains("REGRESSED  rule REG-1: pass -> fail\n"),
            "{text}"
        );
        assert!(
            text.contains("IMPROVED   rule TOK-1: fail -> pass\n"),
            "{text}"
        );
        assert!(
            text.contains("KNOWN      rule SSE-4: fail -> fail\n"),
            "{text}"
        );
        assert!(
            text.contains("baseline: 1 fatal regressions or new failures (exit 1): 1 regressed, 0 new failures, 1 improved, 1 still failing"),
            "{text}"
        );
    }

    #[test]
    fn markdown_marks_only_regressions_as_failing_the_run() {
        let text = markdown(&comparison(), 1);
        assert!(
            text.contains("#### Regressed (passed in the baseline)"),
            "{text}"
        );
        assert!(
            text.contains("| rule `REG-1` | pass | fail | yes |"),
            "{text}"
        );
        assert!(
            text.contains("| rule `SSE-4` | fail | fail | no |"),
            "{text}"
        );
        assert!(
            !text.contains("New failures (not"),
            "empty groups are left out: {text}"
        );
    }
}
