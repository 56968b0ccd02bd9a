//! `index.html` opened in Chromium through the harness's own WebDriver:
//! the rules table renders and its CSS-only filter hides other statuses,
//! and a failure's details (curl command, events, screenshot) render.

use crate::browser::driver::Driver;
use crate::browser::session::Session;
use crate::check::{Artifact, FailedCheck, What};
use crate::outcome::{EventRecord, RunOutcome, ScenarioResult, StepResult, Transcript, Verdict};
use crate::report::index_html;
use crate::rules::{Catalogue, Level};
use fantoccini::Locator;
use std::path::Path;

fn outcome(screenshot: &Path) -> RunOutcome {
    let scenario = |name: &str, rule: &str, verdict: Verdict| ScenarioResult {
        name: name.into(),
        title: format!("title of {name}"),
        file: format!("scenarios/{name}.toml"),
        rules: vec![rule.into()],
        level: Level::Must,
        verdict,
        steps: Vec::new(),
        cases: Vec::new(),
        subject_output: None,
        har: None,
        browser: None,
        first_attempt: None,
        millis: 0,
    };
    let mut failed = scenario("sse-1-stream", "SSE-1", Verdict::Fail);
    failed.har = Some("sse-1-stream.har".into());
    failed.steps = vec![StepResult {
        index: 2,
        kind: "browser",
        setup: None,
        label: "wait for the answer".into(),
        at: None,
        failed: vec![FailedCheck::new(
            What::Page,
            "the text \"done\" within 2000 ms",
            "it did not show",
        )],
        stopped: None,
        artifacts: vec![Artifact::Screenshot {
            path: screenshot.to_owned(),
        }],
        transcripts: vec![Transcript {
            request: "GET http://127.0.0.1:9/chat/stream".into(),
            status: Some(200),
            events: vec![EventRecord {
                event: "delta".into(),
                data: "<i>hello</i>".into(),
                at_ms: 42,
            }],
            ..Transcript::default()
        }],
        millis: 1,
    }];
    let catalogue = Catalogue::builtin().expect("catalogue");
    RunOutcome::new(
        "subject".into(),
        "services".into(),
        vec![failed, scenario("reg-1", "REG-1", Verdict::Pass)],
        &catalogue,
        false,
    )
}

async fn shown(session: &Session, css: &str) -> Vec<bool> {
    let mut out = Vec::new();
    for e in session
        .client
        .find_all(Locator::Css(css))
        .await
        .expect("find")
    {
        out.push(e.is_displayed().await.expect("displayed"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_renders_its_rules_filter_and_a_failure_in_chromium() {
    let driver = Driver::start().await.expect("chromedriver and Chromium");
    let session = Session::open(&driver).await.expect("a browser");
    let dir = tempfile::tempdir().expect("temp dir");
    let png = dir.path().join("shot.png");
    let shot = session.client.screenshot().await.expect("a real PNG");
    std::fs::write(&png, shot).expect("write the screenshot");
    let page = dir.path().join("index.html");
    std::fs::write(&page, index_html::render(&outcome(&png))).expect("write the page");
    let url = format!("file://{}", page.display());
    session.client.goto(&url).await.expect("open the page");

    assert_eq!(shown(&session, "#rules tr.r-fail").await, vec![true]);
    assert_eq!(shown(&session, "#rules tr.r-pass").await, vec![true]);
    session
        .client
        .find(Locator::Css("label[for=f-fail]"))
        .await
        .expect("the fail filter")
        .click()
        .await
        .expect("click");
    assert_eq!(shown(&session, "#rules tr.r-fail").await, vec![true]);
    assert_eq!(
        shown(&session, "#rules tr.r-pass").await,
        vec![false],
        "the filter hides the other statuses"
    );

    let curl = session
        .client
        .find(Locator::Css("#s-sse-1-stream pre.curl"))
        .await
        .expect("the curl command")
        .text()
        .await
        .expect("text");
    assert_eq!(curl, "curl -i 'http://127.0.0.1:9/chat/stream'");
    let event = session
        .client
        .find(Locator::Css("#s-sse-1-stream table.events tbody tr"))
        .await
        .expect("the event row")
        .text()
        .await
        .expect("text");
    assert_eq!(event, "+42 ms delta <i>hello</i>", "escaped, shown as text");
    let width = session
        .client
        .execute(
            "return document.querySelector('#s-sse-1-stream img').naturalWidth;",
            vec![],
        )
        .await
        .expect("the screenshot's width");
    assert!(
        width.as_u64().unwrap_or(0) > 0,
        "the screenshot decodes: {width}"
    );
    let har = session
        .client
        .find(Locator::Css("#s-sse-1-stream a"))
        .await
        .expect("the HAR link")
        .attr("href")
        .await
        .expect("href");
    assert_eq!(har.as_deref(), Some("sse-1-stream.har"));
    session.close().await;
}
