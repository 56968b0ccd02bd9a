//! One failing, blocked or broken scenario on `index.html`: its rules'
//! summaries, the failing step with what was expected and what came, each
//! exchange (request and response, long bodies folded, a `curl` command,
//! stream events with their arrival times), what the browser requested,
//! the screenshot inline, a link to the scenario's HAR file and the
//! subject's last output.

use super::html::escape;
use super::sentence;
use crate::check::Artifact;
use crate::outcome::{RunOutcome, ScenarioResult, Transcript, Verdict};
use base64::Engine;
use std::fmt::Write;
use std::path::Path;

/// Bodies longer than this are folded in a `<details>`.
const FOLD_CHARS: usize = 400;

/// Appends the scenario's section.
pub(crate) fn render(out: &mut String, outcome: &RunOutcome, s: &ScenarioResult) {
    let (class, word) = match &s.verdict {
        Verdict::Blocked(_) => ("blocked", "blocked"),
        Verdict::Error(_) => ("error", "harness error"),
        _ => ("fail", "fail"),
    };
    let _ = writeln!(
        out,
        "<section class=\"scenario\" id=\"s-{}\"><h3><span class=\"{class}\">{word}</span> {} — {} <small>({})</small></h3>",
        escape(&s.name),
        escape(&s.rules.join(", ")),
        escape(&s.title),
        escape(&s.file)
    );
    let _ = writeln!(out, "<ul>");
    for id in &s.rules {
        if let Some(r) = outcome.rules.iter().find(|r| &r.id == id) {
            let _ = writeln!(
                out,
                "<li><b>{}</b> ({}): {}</li>",
                escape(id),
                r.level,
                escape(&r.summary)
            );
        }
    }
    let _ = writeln!(out, "</ul>");
    match &s.verdict {
        Verdict::Blocked(b) => {
            let _ = writeln!(
                out,
                "<p>Not checked: setup step {} ({}) failed; look at <b>{}</b>, the rule that covers it.</p>",
                b.step,
                escape(&b.label),
                escape(&b.rule)
            );
        }
        Verdict::Error(e) => {
            let _ = writeln!(
                out,
                "<p>The harness broke, no verdict on the subject: {}</p>",
                escape(e)
            );
        }
        _ => {}
    }
    if let Some(step) = s.failed_step() {
        let setup = step
            .setup
            .as_ref()
            .map(|r| format!(", setup covered by {}", escape(r)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<h4>Step {} ({}{setup}): {}</h4>\n<ul class=\"problems\">",
            step.index,
            escape(step.kind),
            escape(&step.label)
        );
        if let Some(why) = &step.stopped {
            let _ = writeln!(
                out,
                "<li><pre>could not be carried out: {}</pre></li>",
                escape(why)
            );
        }
        for c in &step.failed {
            let _ = writeln!(out, "<li><pre>{}</pre></li>", escape(&sentence::check(c)));
        }
        for a in &step.artifacts {
            if !matches!(a, Artifact::Screenshot { .. }) {
                let _ = writeln!(
                    out,
                    "<li><pre>{}</pre></li>",
                    escape(&sentence::artifact(a))
                );
            }
        }
        let _ = writeln!(out, "</ul>");
        let stream = step.kind == "stream";
        for t in &step.transcripts {
            transcript(out, t, stream);
        }
        for a in &step.artifacts {
            if let Artifact::Screenshot { path } = a {
                screenshot(out, path);
            }
        }
    }
    if let Some(har) = &s.har {
        let _ = writeln!(
            out,
            "<p>Every request the browser made: <a href=\"{}\">{}</a> (HAR, beside this page).</p>",
            escape(har),
            escape(har)
        );
    }
    if let Some(output) = &s.subject_output
        && !output.trim().is_empty()
    {
        let _ = writeln!(
            out,
            "<h4>Subject output (last lines)</h4>\n<pre>{}</pre>",
            escape(output)
        );
    }
    let _ = writeln!(out, "</section>");
}

fn body(out: &mut String, what: &str, text: &str) {
    if text.chars().count() > FOLD_CHARS {
        let _ = writeln!(
            out,
            "<details><summary>{what} ({} characters)</summary><pre>{}</pre></details>",
            text.chars().count(),
            escape(text)
        );
    } else {
        let _ = writeln!(out, "<p>{what}:</p><pre>{}</pre>", escape(text));
    }
}

fn headers(list: &[(String, String)]) -> String {
    list.iter()
        .map(|(k, v)| format!("{}: {}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn transcript(out: &mut String, t: &Transcript, stream: bool) {
    let _ = writeln!(
        out,
        "<div class=\"exchange\"><p><b>Request</b></p><pre>{}\n{}</pre>",
        escape(&t.request),
        headers(&t.request_headers)
    );
    if let Some(b) = &t.request_body {
        body(out, "Request body", b);
    }
    let status = t
        .status
        .map_or_else(|| "(no response)".to_owned(), |s| s.to_string());
    let _ = writeln!(
        out,
        "<p><b>Response</b></p><pre>{status}\n{}</pre>",
        headers(&t.response_headers)
    );
    if !t.response_body.is_empty() {
        body(out, "Response body", &t.response_body);
    }
    if !t.events.is_empty() {
        let _ = writeln!(
            out,
            "<table class=\"events\"><thead><tr><th>at</th><th>event</th><th>data</th></tr></thead><tbody>"
        );
        for e in &t.events {
            let _ = writeln!(
                out,
                "<tr><td>+{} ms</td><td>{}</td><td>{}</td></tr>",
                e.at_ms,
                escape(&e.event),
                escape(&e.data)
            );
        }
        let _ = writeln!(out, "</tbody></table>");
    }
    if let Some(cmd) = super::curl::command(t, stream) {
        let _ = writeln!(
            out,
            "<p>To reproduce (tokens are redacted: put a fresh one in; long bodies were cut):</p><pre class=\"curl\">{}</pre>",
            escape(&cmd)
        );
    }
    let _ = writeln!(out, "</div>");
}

/// The screenshot inline as a data URI, or a line saying it could not be read.
fn screenshot(out: &mut String, path: &Path) {
    match std::fs::read(path) {
        Ok(png) => {
            let data = base64::engine::general_purpose::STANDARD.encode(png);
            let _ = writeln!(
                out,
                "<p>Screenshot ({}):</p><img alt=\"screenshot of the failing step\" src=\"data:image/png;base64,{data}\">",
                escape(&path.display().to_string())
            );
        }
        Err(e) => {
            let _ = writeln!(
                out,
                "<p>Screenshot {} could not be read: {}</p>",
                escape(&path.display().to_string()),
                escape(&e.to_string())
            );
        }
    }
}
