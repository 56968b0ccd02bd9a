//! Reading the page, with real Chromium: a page that stays blank says why
//! (what did not load and the errors no script caught reach the failed
//! check), a read of its texts waits in the page for them to change, and
//! a selector's wait waits in the page for a match.

use super::page::{Found, find, page_errors, page_said, texts_shown, until_matched};
use super::pool::BrowserPool;
use super::session::Session;
use super::test_site::serve;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Serves `app` and opens its `/` in a browser of a pool of one: the
/// site's URL, its server task, the pool and the session.
async fn open(app: Router) -> (String, tokio::task::JoinHandle<()>, BrowserPool, Session) {
    let (url, server) = serve(app).await;
    let pool = BrowserPool::new(1);
    let (session, _) = pool
        .session()
        .await
        .expect("a browser (chromium and chromedriver installed)");
    session.client.goto(&url).await.expect("the page loads");
    (url, server, pool, session)
}

/// A page whose first script is missing (404) and whose second throws.
const BROKEN: &str = "<!doctype html><title>broken</title>\
    <script src=\"/missing.js\"></script>\
    <script>window.__nothing.here = 1;</script>\
    <p>still here</p>";

#[tokio::test]
async fn a_script_that_did_not_load_and_an_uncaught_error_are_the_page_s_errors() {
    let app = Router::new()
        .route("/", get(|| async { Html(BROKEN) }))
        .route("/missing.js", get(|| async { StatusCode::NOT_FOUND }));
    let (url, server, pool, session) = open(app).await;

    let errors = page_errors(&session.client)
        .await
        .map_err(|_| "the errors could not be read")
        .expect("the page's errors");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0], format!("script {url}/missing.js did not load"));
    assert!(
        errors[1].contains("TypeError") && errors[1].contains(&format!("({url}/:")),
        "{errors:?}"
    );

    pool.give_back(session, true).await;
    let (again, reused) = pool.session().await.expect("the browser back");
    assert!(reused);
    again
        .client
        .goto(&format!("{url}/missing.js"))
        .await
        .expect("a page loads");
    let errors = page_errors(&again.client)
        .await
        .map_err(|_| "the errors could not be read")
        .expect("the page's errors");
    assert!(
        errors.is_empty(),
        "a new document starts with none: {errors:?}"
    );
    pool.give_back(again, false).await;
    pool.close_all().await;
    server.abort();
}

#[test]
fn the_page_s_errors_follow_its_text_and_only_when_there_are_some() {
    assert_eq!(page_said("Log in", &[]), "the page said:\n  | Log in");
    assert_eq!(
        page_said(
            "",
            &[
                "script http://127.0.0.1:1/app.js did not load".to_owned(),
                "Uncaught TypeError: x is undefined".to_owned()
            ]
        ),
        "the page showed no text\nthe page's errors:\n  ! script http://127.0.0.1:1/app.js did not load\n  ! Uncaught TypeError: x is undefined"
    );
}

/// A site whose `/` is `page` and whose `/go` answers once the test
/// releases it (the returned [`Notify`]).
fn late(page: &'static str) -> (Router, Arc<Notify>) {
    let go = Arc::new(Notify::new());
    let released = Arc::clone(&go);
    let app = Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route(
            "/go",
            get(move || {
                let go = Arc::clone(&released);
                async move { go.notified().await }
            }),
        );
    (app, go)
}

/// Releases a [`late`] site's `/go` 300 ms from now.
fn release_soon(go: Arc<Notify>) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        go.notify_one();
    });
}

/// A page that shows "ready" once `/go` answers, which the test decides.
const LATE: &str = "<!doctype html><title>late</title><p id=t>waiting</p>\
    <script>fetch('/go').then(() => { document.getElementById('t').textContent = 'ready'; });</script>";

#[tokio::test]
async fn a_read_given_what_it_saw_waits_in_the_page_for_the_change() {
    let (app, go) = late(LATE);
    let (_, server, pool, session) = open(app).await;
    let read = |seen: Option<Vec<String>>, wait: Duration| {
        let client = session.client.clone();
        async move {
            texts_shown(&client, 0, seen.as_deref(), wait)
                .await
                .map_err(|_| "the texts could not be read")
                .expect("the texts")
        }
    };

    let first = read(None, Duration::from_secs(5)).await;
    assert_eq!(
        first.last().map(String::as_str),
        Some("waiting"),
        "{first:?}"
    );
    // The page changes 300 ms from now. Given what they saw, reads wait in
    // the page for the change: one or two see it, where reads that did not
    // wait (a few milliseconds each) would take dozens.
    release_soon(go);
    let mut seen = first;
    let mut reads = 0;
    while seen.last().map(String::as_str) != Some("ready") && reads < 50 {
        seen = read(Some(seen), Duration::from_secs(5)).await;
        reads += 1;
    }
    assert!(reads <= 2, "{reads} reads until the change: {seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("ready"), "{seen:?}");
    assert!(
        seen.iter().any(|t| t == "waiting"),
        "the history keeps what it showed first: {seen:?}"
    );
    // Nothing changes any more: a read returns what it saw once it waited.
    let same = read(Some(seen.clone()), Duration::from_millis(100)).await;
    assert_eq!(same, seen);

    pool.give_back(session, false).await;
    pool.close_all().await;
    server.abort();
}

/// A page that shows a button once `/go` answers, which the test decides.
const LATE_BUTTON: &str = "<!doctype html><title>late</title><p>waiting</p>\
    <script>fetch('/go').then(() => { const b = document.createElement('button'); \
    b.id = 'send'; b.textContent = 'Send'; document.body.append(b); });</script>";

#[tokio::test]
async fn a_selector_s_wait_waits_in_the_page_for_a_match() {
    let (app, go) = late(LATE_BUTTON);
    let (_, server, pool, session) = open(app).await;
    let client = &session.client;
    let waited = |wait: Duration| async move {
        until_matched(client, "#send", wait)
            .await
            .map_err(|_| "the page could not be asked")
            .expect("an answer")
    };

    assert!(!waited(Duration::from_millis(100)).await, "no button yet");
    // The button shows 300 ms from now. A wait sees it within one or two
    // calls, where waits that did not wait (a few milliseconds each) would
    // take dozens.
    release_soon(go);
    let mut calls = 1;
    while !waited(Duration::from_secs(5)).await && calls < 50 {
        calls += 1;
    }
    assert!(calls <= 2, "{calls} calls until the button showed");
    let found = find(client, "#send")
        .await
        .map_err(|_| "the page could not be searched")
        .expect("an answer");
    assert!(matches!(found, Found::Element(_)), "the button is found");
    let missing = find(client, "#nothing")
        .await
        .map_err(|_| "the page could not be searched")
        .expect("an answer");
    match missing {
        Found::Nothing { page } => assert_eq!(page, "the page said:\n  | waiting\n  | \n  | Send"),
        Found::Element(_) => panic!("#nothing matched"),
    }

    pool.give_back(session, false).await;
    pool.close_all().await;
    server.abort();
}
