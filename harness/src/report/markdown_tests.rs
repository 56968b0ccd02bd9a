use super::*;
use crate::check::{FailedCheck, What};
use crate::outcome::Transcript;
use crate::outcome::fixtures::{outcome, scenario, step};
use crate::rules::Level;

/// A body that tries to end its block and open one of its own.
const BODY: &str = "ok\n```\n</details>\n<details><summary>injected</summary>\n\n<script>x()</script>\n  ````\nend";

fn hostile_summary() -> String {
    let mut failed = scenario("sse-1-stream", "SSE-1", Level::Must, Verdict::Fail);
    failed.title = "a title with <b>markup</b> & a\n```\nline break".into();
    failed.steps = vec![crate::outcome::StepResult {
        transcripts: vec![Transcript {
            request: "GET http://127.0.0.1:9/health".into(),
            status: Some(200),
            response_body: BODY.into(),
            ..Transcript::default()
        }],
        ..step(
            1,
            "request",
            "GET /health",
            vec![FailedCheck::new(What::Body, "json", "``` </details>")],
        )
    }];
    let mut o = outcome(
        vec![
            failed,
            scenario("reg-1", "REG-1", Level::Must, Verdict::Fail),
        ],
        false,
    );
    o.subject = "a subject <img src=x onerror=alert(1)>\n```".into();
    render(&o)
}

#[test]
fn a_fence_is_longer_than_any_run_of_backticks_in_its_text() {
    assert_eq!(fence("no backticks"), "```");
    assert_eq!(fence("a `code` span"), "```");
    assert_eq!(fence("```\n</details>"), "````");
    assert_eq!(fence("`````` and ```"), "```````");
}

#[test]
fn text_outside_a_fence_stays_on_its_line_with_its_markup_escaped() {
    assert_eq!(
        inline("<b>a</b> & b\n```"),
        "&lt;b&gt;a&lt;/b&gt; &amp; b ```"
    );
}

#[test]
fn a_subject_s_text_cannot_end_its_block_or_add_markup() {
    let md = hostile_summary();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
    assert_eq!(html.matches("<details>").count(), 2, "{md}\n---\n{html}");
    assert_eq!(html.matches("</details>").count(), 2, "{md}\n---\n{html}");
    assert_eq!(html.matches("<pre><code").count(), 2, "{md}\n---\n{html}");
    for markup in ["<script", "<img", "<b>markup", "injected</summary>"] {
        assert!(!html.contains(markup), "{markup} in\n{html}");
    }
    assert!(
        html.contains("  &lt;/details&gt;\n  &lt;details&gt;&lt;summary&gt;injected"),
        "the body is shown as text: {html}"
    );
    assert!(
        md.contains(
            "<summary>SSE-1 — a title with &lt;b&gt;markup&lt;/b&gt; &amp; a ``` line break"
        ),
        "{md}"
    );
    assert!(md.contains("\n`````text\n"), "{md}");
}
