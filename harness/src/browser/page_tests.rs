//! A page that stays blank says why: what did not load and the errors no
//! script caught reach the failed check, with real Chromium.

use super::page::{page_errors, page_said};
use super::pool::BrowserPool;
use super::test_site::serve;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;

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
    let (url, server) = serve(app).await;
    let pool = BrowserPool::new(1);
    let (session, _) = pool
        .session()
        .await
        .expect("a browser (chromium and chromedriver installed)");
    session.client.goto(&url).await.expect("the page loads");

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
