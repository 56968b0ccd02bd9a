//! One failing, blocked or broken scenario on `index.html`: its rules'
//! summaries, the failing step with what was expected and what came, each
//! exchange (request and response, long bodies folded, a `curl` command,
//! stream events with their arrival times), what the browser requested,
//! the screenshot inline, a link to the scenario's HAR file and the
//! subject's last output.

use super::sentence;
use crate::check::Artifact;
use crate::outcome::{RunOutcome, ScenarioResult, StepResult, Transcript, Verdict};
use base64::Engine;
use maud::{Markup, html};
use std::path::Path;

/// Bodies longer than this are folded in a `<details>`.
const FOLD_CHARS: usize = 400;

/// The scenario's section.
pub(crate) fn render(outcome: &RunOutcome, s: &ScenarioResult) -> Markup {
    let (class, word) = match &s.verdict {
        Verdict::Blocked(_) => ("blocked", "blocked"),
        Verdict::Error(_) => ("error", "harness error"),
        _ => ("fail", "fail"),
    };
    html! {
        section class="scenario" id={ "s-" (s.name) } {
            h3 {
                span class=(class) { (word) } " " (s.rules.join(", ")) " — " (s.title) " "
                small { "(" (s.file) ")" }
            }
            ul {
                @for id in &s.rules {
                    @if let Some(r) = outcome.rules.iter().find(|r| &r.id == id) {
                        li { b { (id) } " (" (r.level.to_string()) "): " (r.summary) }
                    }
                }
            }
            @match &s.verdict {
                Verdict::Blocked(b) => {
                    p {
                        "Not checked: setup step " (b.step) " (" (b.label) ") failed; look at "
                        b { (b.rule) } ", the rule that covers it."
                    }
                }
                Verdict::Error(e) => {
                    p { "The harness broke, no verdict on the subject: " (e) }
                    @if let Some(first) = &s.first_attempt {
                        p { (super::sentence::second_attempt(first)) }
                    }
                }
                _ => {}
            }
            @if let Some(step) = s.failed_step() { (failed_step(step)) }
            (cases(s))
            @if let Some(har) = &s.har {
                p {
                    "Every request the browser made: " a href=(relative_href(har)) { (har) }
                    " (HAR, beside this page)."
                }
            }
            @if let Some(output) = s.subject_output.as_ref().filter(|o| !o.trim().is_empty()) {
                h4 { "Subject output (last lines)" }
                pre { (output) }
            }
        }
    }
}

/// How many of a matrix scenario's failing cases are shown in full.
const CASES_SHOWN: usize = 10;

/// A matrix scenario's cases that did not pass, each with its failing
/// step; the rest are named.
fn cases(s: &ScenarioResult) -> Markup {
    let ended: Vec<&crate::outcome::CaseResult> = s
        .cases
        .iter()
        .filter(|c| !matches!(c.verdict, Verdict::Pass | Verdict::NotApplicable(_)))
        .collect();
    let unchecked: Vec<&crate::outcome::CaseResult> = s
        .cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::NotApplicable(_)))
        .collect();
    html! {
        @if !ended.is_empty() {
            p { (ended.len()) " of " (s.cases.len()) " cases did not pass." }
            @for c in ended.iter().take(CASES_SHOWN) {
                div.case {
                    h4 { "Case [" (c.case) "]: " (c.verdict.status().word()) }
                    @if let Verdict::Error(why) = &c.verdict { p { (why) } }
                    @if let Some(step) = c.failed_step() { (failed_step(step)) }
                }
            }
            @if ended.len() > CASES_SHOWN {
                p {
                    "And: "
                    @for c in &ended[CASES_SHOWN..] { code { "[" (c.case) "]" } " " }
                }
            }
            @if !unchecked.is_empty() {
                p {
                    "Not applicable: "
                    @for c in &unchecked {
                        code { "[" (c.case) "]" } " ("
                        @if let Verdict::NotApplicable(why) = &c.verdict { (why) }
                        ") "
                    }
                }
            }
        }
    }
}

/// The findings of the checks on all traffic, by rule, each with where it
/// was seen and its exchange.
pub(crate) fn traffic(outcome: &RunOutcome) -> Markup {
    let mut rules: Vec<&str> = Vec::new();
    for t in &outcome.traffic {
        if !rules.contains(&t.rule.as_str()) {
            rules.push(&t.rule);
        }
    }
    html! {
        @if !rules.is_empty() {
            h2 id="traffic" { "Seen on every exchange" }
            @for rule in rules {
                @let findings: Vec<_> = outcome.traffic.iter().filter(|t| t.rule == rule).collect();
                section class="scenario" id={ "t-" (rule) } {
                    h3 { span class="fail" { "fail" } " " (rule) ": " (findings.len()) " exchange(s) broke it" }
                    @for t in findings.iter().take(CASES_SHOWN) {
                        div.exchange {
                            p {
                                "Seen in " b { (t.scenario) }
                                @if let Some(case) = &t.case { " [" (case) "]" }
                                @if t.step == 0 { ", the browser's requests" } @else { ", step " (t.step) }
                                ": " (sentence::check(&t.check))
                            }
                            @if let Some(x) = &t.exchange { (transcript(x, false)) }
                        }
                    }
                }
            }
        }
    }
}

/// The failing step: its problems, its exchanges and its screenshot.
fn failed_step(step: &StepResult) -> Markup {
    let stream = step.kind == "stream";
    html! {
        h4 {
            "Step " (step.index) " (" (step.kind)
            @if let Some(rule) = &step.setup { ", setup covered by " (rule) }
            "): " (step.label)
        }
        ul.problems {
            @if let Some(why) = &step.stopped {
                li { pre { "could not be carried out: " (why) } }
            }
            @for c in &step.failed {
                li { pre { (sentence::check(c)) } }
            }
            @for a in &step.artifacts {
                @if !matches!(a, Artifact::Screenshot { .. }) {
                    li { pre { (sentence::artifact(a)) } }
                }
            }
        }
        @for t in &step.transcripts { (transcript(t, stream)) }
        @for a in &step.artifacts {
            @if let Artifact::Screenshot { path } = a { (screenshot(path)) }
        }
    }
}

/// A file name beside the page as a relative URL: the characters a URL
/// reads as a scheme, a query or a fragment are percent-encoded, so no
/// name can make a link leave the directory (`javascript:` included).
fn relative_href(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '%' => out.push_str("%25"),
            ':' => out.push_str("%3A"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            '/' => out.push_str("%2F"),
            '\\' => out.push_str("%5C"),
            c => out.push(c),
        }
    }
    out
}

fn body(what: &str, text: &str) -> Markup {
    let chars = text.chars().count();
    html! {
        @if chars > FOLD_CHARS {
            details { summary { (what) " (" (chars) " characters)" } pre { (text) } }
        } @else {
            p { (what) ":" }
            pre { (text) }
        }
    }
}

/// Headers one a line, `name: value`.
fn headers(list: &[(String, String)]) -> String {
    list.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn transcript(t: &Transcript, stream: bool) -> Markup {
    let status = t
        .status
        .map_or_else(|| "(no response)".to_owned(), |s| s.to_string());
    html! {
        div.exchange {
            p { b { "Request" } }
            pre { (t.request) "\n" (headers(&t.request_headers)) }
            @if let Some(b) = &t.request_body { (body("Request body", b)) }
            p { b { "Response" } }
            pre { (status) "\n" (headers(&t.response_headers)) }
            @if !t.response_body.is_empty() { (body("Response body", &t.response_body)) }
            @if !t.events.is_empty() {
                table.events {
                    thead { tr { th { "at" } th { "event" } th { "data" } } }
                    tbody {
                        @for e in &t.events {
                            tr { td { "+" (e.at_ms) " ms" } td { (e.event) } td { (e.data) } }
                        }
                    }
                }
            }
            @if let Some(cmd) = super::curl::command(t, stream) {
                p { "To reproduce (tokens are redacted: put a fresh one in; long bodies were cut):" }
                pre.curl { (cmd) }
            }
        }
    }
}

/// The screenshot inline as a data URI, or a line saying it could not be read.
fn screenshot(path: &Path) -> Markup {
    let shown = path.display().to_string();
    match std::fs::read(path) {
        Ok(png) => {
            let data = base64::engine::general_purpose::STANDARD.encode(png);
            html! {
                p { "Screenshot (" (shown) "):" }
                img alt="screenshot of the failing step" src={ "data:image/png;base64," (data) };
            }
        }
        Err(e) => html! {
            p { "Screenshot " (shown) " could not be read: " (e.to_string()) }
        },
    }
}
