//! `index.html` in `--report-dir`: the run as one page that needs nothing
//! else (styles inline, no script, the screenshots as data URIs), to attach
//! to a CI run and open offline. On top: the verdict and what makes a pass
//! weaker than it looks; then the rules, filterable by status; then each
//! failing, blocked or broken scenario in full (`index_failure`).

use super::baseline::{Change, Comparison};
use super::html::{STATUS_CSS, escape, mark};
use super::index_failure;
use crate::outcome::{RunOutcome, Verdict};
use crate::status::Status;
use std::fmt::Write;

const PAGE_CSS: &str = "\
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:80em}\
table{border-collapse:collapse;margin:.5em 0}\
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\
td.status,td.id{white-space:nowrap}\
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}\
.verdict{font-size:1.3em;padding:.3em .6em;display:inline-block}\
.filter label{margin-right:.8em;cursor:pointer}\
section.scenario{border-top:2px solid #ccc;margin-top:1.5em}\
img{max-width:100%;border:1px solid #ccc}";

/// The rows a filter keeps: its radio's id, its label, and the class of
/// rows, one per status.
fn filters() -> impl Iterator<Item = (String, &'static str, &'static str)> {
    Status::ALL.iter().map(|s| {
        let spelling = s.spelling();
        (
            format!("f-{}", spelling.class),
            spelling.word,
            spelling.class,
        )
    })
}

/// The CSS-only filter: a checked radio hides the rows of other statuses.
fn filter_css() -> String {
    filters()
        .map(|(id, _, class)| {
            format!("#{id}:checked~table tbody tr:not(.r-{class}){{display:none}}")
        })
        .collect()
}

/// The page.
pub fn render(outcome: &RunOutcome) -> String {
    render_with(outcome, None)
}

/// The page; with a baseline, the verdict is the one against it and the
/// comparison comes first.
pub fn render_with(outcome: &RunOutcome, baseline: Option<&Comparison>) -> String {
    let mut out = String::new();
    let code = baseline.map_or_else(|| outcome.exit_code(), |c| c.exit_code(outcome));
    let (class, verdict) = match (code, baseline.is_some()) {
        (0, false) => ("pass", "passed"),
        (1, false) => ("fail", "failed"),
        (0, true) => ("pass", "no regression against the baseline"),
        (1, true) => ("fail", "regressed against the baseline"),
        _ => ("error", "harness error: no trustworthy verdict"),
    };
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Insight Garden conformance: {verdict}</title>\
         <style>{PAGE_CSS}{STATUS_CSS}{}</style></head><body>\n\
         <h1>Insight Garden conformance</h1>\n\
         <p><span class=\"verdict {class}\" id=\"verdict\">{verdict}</span></p>\n\
         <p>Subject: {}<br>{}</p>\n",
        filter_css(),
        escape(&outcome.subject),
        escape(&outcome.services),
    );
    if !outcome.phases.is_empty() {
        let phases: Vec<String> = outcome
            .phases
            .iter()
            .map(|(p, ms)| format!("{} {ms} ms", escape(p)))
            .collect();
        let _ = writeln!(
            out,
            "<p>Time: {}; {:.1} s in all.</p>",
            phases.join(", "),
            outcome.millis as f64 / 1000.0
        );
    }
    if let Some(cmp) = baseline {
        against(&mut out, cmp, code);
    }
    weaker(&mut out, outcome);
    rules_table(&mut out, outcome);
    let shown: Vec<_> = outcome
        .scenarios
        .iter()
        .filter(|s| {
            matches!(
                s.verdict,
                Verdict::Fail | Verdict::Blocked(_) | Verdict::Error(_)
            )
        })
        .collect();
    if !shown.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Failures, blocked scenarios and harness errors</h2>"
        );
        for s in shown {
            index_failure::render(&mut out, outcome, s);
        }
    }
    let _ = writeln!(out, "</body></html>");
    super::redact::redact(&out)
}

/// The comparison with the baseline: each group that has changes.
fn against(out: &mut String, cmp: &Comparison, code: i32) {
    let _ = writeln!(
        out,
        "<h2>Against the baseline</h2>\n<p>Baseline: a run of {}. {}</p>",
        escape(&cmp.baseline_subject),
        escape(&super::baseline_text::verdict(cmp, code))
    );
    let groups: [(&str, &[Change]); 5] = [
        ("Regressed (passed in the baseline)", &cmp.regressed),
        (
            "New failures (not checked in the baseline)",
            &cmp.new_failures,
        ),
        ("Improved", &cmp.improved),
        (
            "Still failing (known from the baseline)",
            &cmp.still_failing,
        ),
        ("No longer checked", &cmp.no_longer_checked),
    ];
    for (heading, list) in groups {
        if list.is_empty() {
            continue;
        }
        let items: Vec<String> = list
            .iter()
            .map(|c| {
                format!(
                    "<li>{} <b>{}</b>: {} → {}</li>",
                    c.kind.word(),
                    escape(&c.id),
                    c.before,
                    c.now
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<h3>{heading}</h3>\n<ul class=\"baseline\">{}</ul>",
            items.join("")
        );
    }
}

/// What makes a pass weaker than it looks: rules not checked (n/a, with
/// why), blocked rules (with what blocked them) and SHOULD warnings.
fn weaker(out: &mut String, outcome: &RunOutcome) {
    let mut items = Vec::new();
    for r in &outcome.rules {
        match r.status {
            Status::NotApplicable => {
                let reasons: Vec<String> = outcome
                    .scenarios
                    .iter()
                    .filter(|s| s.rules.contains(&r.id))
                    .filter_map(|s| match &s.verdict {
                        Verdict::NotApplicable(why) => Some(escape(why)),
                        _ => None,
                    })
                    .collect();
                items.push(format!(
                    "<li><b>{}</b> n/a, not checked: {}</li>",
                    escape(&r.id),
                    reasons.join("; ")
                ));
            }
            Status::Blocked => items.push(format!(
                "<li><b>{}</b> blocked, not checked: blocked by {}</li>",
                escape(&r.id),
                escape(&r.blocked_by().join("; "))
            )),
            Status::Warn => items.push(format!(
                "<li><b>{}</b> SHOULD rule failed (a warning): {}</li>",
                escape(&r.id),
                escape(&r.summary)
            )),
            _ => {}
        }
    }
    if items.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2>Not as strong as it looks</h2>\n<ul id=\"weaker\">\n{}\n</ul>",
        items.join("\n")
    );
}

fn rules_table(out: &mut String, outcome: &RunOutcome) {
    let _ = write!(
        out,
        "<h2>Rules</h2>\n<div class=\"filter\">\
         <input type=\"radio\" name=\"status\" id=\"f-all\" checked><label for=\"f-all\">all</label>"
    );
    let counts = outcome.counts();
    for status in Status::ALL {
        let spelling = status.spelling();
        let (id, label, n) = (
            format!("f-{}", spelling.class),
            spelling.word,
            counts.get(status),
        );
        let _ = write!(
            out,
            "<input type=\"radio\" name=\"status\" id=\"{id}\"><label for=\"{id}\">{label} ({n})</label>"
        );
    }
    let _ = writeln!(
        out,
        "\n<table id=\"rules\"><thead><tr><th>Rule</th><th>Level</th><th>Status</th><th>Summary</th></tr></thead><tbody>"
    );
    for r in &outcome.rules {
        let (class, text) = mark(Some(r.status));
        let _ = writeln!(
            out,
            "<tr class=\"r-{class}\"><td class=\"id\">{}</td><td>{}</td><td class=\"status {class}\">{text}</td><td>{}</td></tr>",
            escape(&r.id),
            r.level,
            escape(&r.summary)
        );
    }
    let _ = writeln!(out, "</tbody></table></div>");
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "index_browser_tests.rs"]
mod browser_tests;
