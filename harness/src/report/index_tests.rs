use super::*;
use crate::check::{Artifact, FailedCheck, What};
use crate::outcome::fixtures::{scenario, step};
use crate::outcome::{Blocked, EventRecord, StepResult, Transcript};
use crate::rules::{Catalogue, Level};

fn failing_step(screenshot: &std::path::Path) -> StepResult {
    StepResult {
        artifacts: vec![Artifact::Screenshot {
            path: screenshot.to_owned(),
        }],
        transcripts: vec![Transcript {
            request: "GET http://127.0.0.1:9/chat/stream?documentId=1".into(),
            request_headers: vec![(
                "authorization".into(),
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig".into(),
            )],
            request_body: None,
            status: Some(500),
            response_headers: vec![("content-type".into(), "text/html".into())],
            response_body: format!("<script>alert(1)</script>{}", "x".repeat(500)),
            events: vec![EventRecord {
                event: "delta".into(),
                data: "{\"content\":\"<b>hi</b>\"}".into(),
                at_ms: 42,
            }],
        }],
        millis: 3,
        ..step(
            2,
            "stream",
            "GET /chat/stream",
            vec![FailedCheck::new(What::Status, "200", "500 <oops>")],
        )
    }
}

fn outcome(screenshot: &std::path::Path) -> RunOutcome {
    let mut failed = scenario("sse-1-stream", "SSE-1", Level::Must, Verdict::Fail);
    failed.steps = vec![failing_step(screenshot)];
    let scenarios = vec![
        failed,
        scenario("reg-1", "REG-1", Level::Must, Verdict::Pass),
        scenario(
            "cfg-1",
            "CFG-1",
            Level::Must,
            Verdict::NotApplicable("needs a managed subject".into()),
        ),
        scenario(
            "reg-2",
            "REG-2",
            Level::Must,
            Verdict::Blocked(Blocked {
                step: 1,
                label: "POST /auth/register".into(),
                rule: "REG-1".into(),
            }),
        ),
        scenario("log-3", "LOG-3", Level::Should, Verdict::Fail),
    ];
    let catalogue = Catalogue::builtin().expect("catalogue");
    let mut o = RunOutcome::new(
        "reference <server>".into(),
        "local services".into(),
        scenarios,
        &catalogue,
        false,
    );
    o.phases = vec![("services".into(), 400), ("scenarios".into(), 1200)];
    o.millis = 1700;
    o
}

fn page() -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let png = dir.path().join("shot.png");
    std::fs::write(&png, [0x89, b'P', b'N', b'G']).expect("write");
    render(&outcome(&png))
}

#[test]
fn the_top_says_the_verdict_and_what_makes_it_weaker() {
    let page = page();
    assert!(
        page.contains(r#"<span class="verdict fail" id="verdict">failed</span>"#),
        "{page}"
    );
    assert!(
        page.contains("Subject: reference &lt;server&gt;<br>local services"),
        "{page}"
    );
    assert!(
        page.contains("Time: services 400 ms, scenarios 1200 ms; 1.7 s in all."),
        "{page}"
    );
    assert!(
        page.contains("<b>CFG-1</b> n/a, not checked: needs a managed subject"),
        "{page}"
    );
    assert!(
        page.contains(
            "<b>REG-2</b> blocked, not checked: blocked by REG-1 (step 1: POST /auth/register)"
        ),
        "{page}"
    );
    assert!(
        page.contains("<b>LOG-3</b> SHOULD rule failed (a warning)"),
        "{page}"
    );
}

#[test]
fn the_rules_table_has_a_row_per_rule_and_a_filter_per_status() {
    let page = page();
    assert!(
        page.contains(
            r#"<tr class="r-fail"><td class="id">SSE-1</td><td>MUST</td><td class="status fail">✘ FAIL</td>"#
        ),
        "{page}"
    );
    assert!(
        page.contains(r#"<tr class="r-pass"><td class="id">REG-1</td>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<label for="f-blocked">blocked (1)</label>"#),
        "{page}"
    );
    assert!(
        page.contains("#f-fail:checked~table tbody tr:not(.r-fail){display:none}"),
        "{page}"
    );
    let rows = page.matches("<tr class=\"r-").count();
    let catalogue = Catalogue::builtin().expect("catalogue");
    assert_eq!(rows, catalogue.rules().len());
}

#[test]
fn a_failure_shows_its_exchange_escaped_redacted_and_reproducible() {
    let page = page();
    assert!(
        page.contains(r#"<section class="scenario" id="s-sse-1-stream">"#),
        "{page}"
    );
    assert!(
        page.contains("<pre>status: expected 200, got 500 &lt;oops&gt;</pre>"),
        "{page}"
    );
    assert!(
        !page.contains("<script>alert"),
        "bodies are escaped: {page}"
    );
    assert!(
        page.contains(
            "<details><summary>Response body (525 characters)</summary><pre>&lt;script&gt;"
        ),
        "{page}"
    );
    assert!(page.contains("<tr><td>+42 ms</td><td>delta</td><td>{&quot;content&quot;:&quot;&lt;b&gt;hi&lt;/b&gt;&quot;}</td></tr>"), "{page}");
    // A single quote needs no escaping in text or in a double-quoted attribute.
    assert!(page.contains("curl -i -N 'http://127.0.0.1:9/chat/stream?documentId=1' -H 'authorization: Bearer [token]'"), "{page}");
    assert!(!page.contains("eyJhbGci"), "tokens are redacted: {page}");
    assert!(
        page.contains(r#"src="data:image/png;base64,iVBORw==""#),
        "{page}"
    );
    assert!(
        page.contains(r#"id="s-reg-2""#) && page.contains("look at <b>REG-1</b>"),
        "{page}"
    );
    for outside in ["<script", "<link", "src=\"http", "https://"] {
        assert!(!page.contains(outside), "{outside} in {page}");
    }
}

#[test]
fn with_a_baseline_the_verdict_is_the_one_against_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let now = outcome(&dir.path().join("none.png"));
    let mut cmp = crate::report::baseline::Comparison {
        baseline_subject: "v1".into(),
        ..Default::default()
    };
    cmp.still_failing.push(crate::report::baseline::Change {
        kind: crate::report::baseline::Kind::Rule,
        id: "SSE-1".into(),
        before: "fail",
        now: "fail",
        fatal: true,
    });
    let page = render_with(&now, Some(&cmp));
    assert!(
        page.contains(
            r#"<span class="verdict pass" id="verdict">no regression against the baseline</span>"#
        ),
        "{page}"
    );
    assert!(
        page.contains("<h3>Still failing (known from the baseline)</h3>"),
        "{page}"
    );
    assert!(
        page.contains("<li>rule <b>SSE-1</b>: fail → fail</li>"),
        "{page}"
    );
    assert!(
        page.contains("Screenshot ") && page.contains("could not be read"),
        "{page}"
    );
}

#[test]
fn a_har_link_is_a_file_beside_the_page_whatever_its_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut o = outcome(&dir.path().join("none.png"));
    o.scenarios[0].har = Some("javascript:alert(1)#x?.har".into());
    let page = render(&o);
    assert!(
        page.contains(
            r#"<a href="javascript%3Aalert(1)%23x%3F.har">javascript:alert(1)#x?.har</a>"#
        ),
        "{page}"
    );
}
