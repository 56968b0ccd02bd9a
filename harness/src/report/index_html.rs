//! `index.html` in `--report-dir`: the run as one page that needs nothing
//! else (styles inline, no script, the screenshots as data URIs), to attach
//! to a CI run and open offline. On top: the verdict and what makes a pass
//! weaker than it looks; then the rules, filterable by status; then each
//! failing, blocked or broken scenario in full (`index_failure`). Rendered
//! with maud, which escapes every text of the run spliced into the page.

use super::baseline::{Change, Comparison};
use super::html::{DOCTYPE, STATUS_CSS, mark};
use super::index_failure;
use crate::outcome::{RunOutcome, Verdict};
use crate::status::Status;
use maud::{Markup, PreEscaped, html};

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

/// The filters: a radio's id, its label, and the class of the rows it
/// keeps, one per status.
fn filters() -> impl Iterator<Item = (String, &'static str, &'static str, Status)> {
    Status::ALL.iter().map(|s| {
        let spelling = s.spelling();
        (
            format!("f-{}", spelling.class),
            spelling.word,
            spelling.class,
            *s,
        )
    })
}

/// The CSS-only filter: a checked radio hides the rows of other statuses.
/// Made only of the status table's constant classes.
fn filter_css() -> String {
    filters()
        .map(|(id, _, class, _)| {
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
    let code = baseline.map_or_else(|| outcome.exit_code(), |c| c.exit_code(outcome));
    let (class, verdict) = match (code, baseline.is_some()) {
        (0, false) => ("pass", "passed"),
        (1, false) => ("fail", "failed"),
        (0, true) => ("pass", "no regression against the baseline"),
        (1, true) => ("fail", "regressed against the baseline"),
        _ => ("error", "harness error: no trustworthy verdict"),
    };
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
    let phases: Vec<String> = outcome
        .phases
        .iter()
        .map(|(p, ms)| format!("{p} {ms} ms"))
        .collect();
    let page = html! {
        // PreEscaped: the doctype and the style sheets are the harness's
        // own constants (the filter's rules are made of the status table's
        // classes), never text of a run.
        (PreEscaped(DOCTYPE))
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Insight Garden conformance: " (verdict) }
                style { (PreEscaped(PAGE_CSS)) (PreEscaped(STATUS_CSS)) (PreEscaped(filter_css())) }
            }
            body {
                h1 { "Insight Garden conformance" }
                p { span class={ "verdict " (class) } id="verdict" { (verdict) } }
                p { "Subject: " (outcome.subject) br; (outcome.services) }
                @if !phases.is_empty() {
                    p {
                        "Time: " (phases.join(", ")) "; "
                        (format_args!("{:.1}", outcome.millis as f64 / 1000.0)) " s in all."
                    }
                }
                @if let Some(cmp) = baseline { (against(cmp, code)) }
                (weaker(outcome))
                (rules_table(outcome))
                @if !shown.is_empty() {
                    h2 { "Failures, blocked scenarios and harness errors" }
                    @for s in shown { (index_failure::render(outcome, s)) }
                }
                (index_failure::traffic(outcome))
            }
        }
    };
    super::redact::redact(&page.into_string())
}

/// The comparison with the baseline: each group that has changes.
fn against(cmp: &Comparison, code: i32) -> Markup {
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
    html! {
        h2 { "Against the baseline" }
        p {
            "Baseline: a run of " (cmp.baseline_subject) ". "
            (super::baseline_text::verdict(cmp, code))
        }
        @for (heading, list) in groups {
            @if !list.is_empty() {
                h3 { (heading) }
                ul.baseline {
                    @for c in list {
                        li { (c.kind.word()) " " b { (c.id) } ": " (c.before) " → " (c.now) }
                    }
                }
            }
        }
    }
}

/// What makes a pass weaker than it looks: rules not checked (n/a, with
/// why), blocked rules (with what blocked them) and SHOULD warnings.
fn weaker(outcome: &RunOutcome) -> Markup {
    let items: Vec<Markup> = outcome
        .rules
        .iter()
        .filter_map(|r| match r.status {
            Status::NotApplicable => {
                let reasons: Vec<&str> = outcome
                    .scenarios
                    .iter()
                    .filter(|s| s.rules.contains(&r.id))
                    .filter_map(|s| match &s.verdict {
                        Verdict::NotApplicable(why) => Some(why.as_str()),
                        _ => None,
                    })
                    .collect();
                Some(html! {
                    li { b { (r.id) } " n/a, not checked: " (reasons.join("; ")) }
                })
            }
            Status::Blocked => Some(html! {
                li { b { (r.id) } " blocked, not checked: blocked by " (r.blocked_by().join("; ")) }
            }),
            Status::Warn => Some(html! {
                li { b { (r.id) } " SHOULD rule failed (a warning): " (r.summary) }
            }),
            _ => None,
        })
        .collect();
    html! {
        @if !items.is_empty() {
            h2 { "Not as strong as it looks" }
            ul #weaker { @for item in items { (item) } }
        }
    }
}

fn rules_table(outcome: &RunOutcome) -> Markup {
    let counts = outcome.counts();
    html! {
        h2 { "Rules" }
        div.filter {
            input type="radio" name="status" id="f-all" checked;
            label for="f-all" { "all" }
            @for (id, label, _, status) in filters() {
                input type="radio" name="status" id=(id);
                label for=(id) { (label) " (" (counts.get(status)) ")" }
            }
            table #rules {
                thead { tr { th { "Rule" } th { "Level" } th { "Status" } th { "Summary" } } }
                tbody {
                    @for r in &outcome.rules {
                        @let (class, text) = mark(Some(r.status));
                        tr class={ "r-" (class) } {
                            td.id { (r.id) }
                            td { (r.level.to_string()) }
                            td class={ "status " (class) } { (text) }
                            td { (r.summary) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "index_browser_tests.rs"]
mod browser_tests;
