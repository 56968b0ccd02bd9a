//! A browser the pool hands to the next scenario keeps nothing of the last
//! one: not its `localStorage`, not a cookie, not a cached response. The
//! check visits the same origin twice (the harshest case: scenarios get
//! origins of their own, but a port can come round again), with real
//! Chromium.

use super::pool::BrowserPool;
use super::test_site::serve;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A page, and a response the browser may cache for an hour that counts
/// how often it was really asked for.
async fn site() -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/", get(|| async { Html("<p>page</p>") }))
        .route(
            "/cached",
            get(|State(hits): State<Arc<AtomicUsize>>| async move {
                hits.fetch_add(1, Ordering::SeqCst);
                ([("cache-control", "public, max-age=3600")], "cached").into_response()
            }),
        )
        .with_state(Arc::clone(&hits));
    let (url, server) = serve(app).await;
    (url, hits, server)
}

/// Runs a script in the page and returns what it returned.
async fn script(client: &fantoccini::Client, js: &str) -> serde_json::Value {
    client.execute(js, vec![]).await.expect("the script runs")
}

/// Fetches `/cached` from the page, as the page's own script would.
async fn fetch_cached(client: &fantoccini::Client) -> serde_json::Value {
    client
        .execute_async(
            "const done = arguments[0]; fetch('/cached').then(r => r.text()).then(done, e => done(String(e)));",
            vec![],
        )
        .await
        .expect("the fetch runs")
}

#[tokio::test]
async fn a_reused_browser_keeps_no_storage_cookie_or_cached_response_of_the_last_scenario() {
    let (url, hits, server) = site().await;
    let pool = BrowserPool::new(1);
    pool.warm(1).await;

    let (first, reused) = pool
        .session()
        .await
        .expect("a browser (chromium and chromedriver installed)");
    assert!(reused, "the browser started ahead is the one handed out");
    first.client.goto(&url).await.expect("the page loads");
    script(
        &first.client,
        "localStorage.setItem('left', 'behind'); sessionStorage.setItem('left', 'behind'); \
         document.cookie = 'left=behind; max-age=3600'; return true;",
    )
    .await;
    let fetched = fetch_cached(&first.client).await;
    assert_eq!(fetched, "cached");
    // Within one scenario the response is cached: the check below can fail.
    let again = fetch_cached(&first.client).await;
    assert_eq!(again, "cached");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the second fetch came from the cache"
    );
    pool.give_back(first, true).await;

    let (second, reused) = pool
        .session()
        .await
        .expect("the browser back from the pool");
    assert!(reused, "the wiped browser is handed out again");
    second.client.goto(&url).await.expect("the page loads");
    let left = script(
        &second.client,
        "return [localStorage.getItem('left'), sessionStorage.getItem('left'), document.cookie];",
    )
    .await;
    assert_eq!(left, serde_json::json!([null, null, ""]));
    let fetched = fetch_cached(&second.client).await;
    assert_eq!(fetched, "cached");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "the cached response was cleared"
    );
    pool.give_back(second, false).await;
    pool.close_all().await;
    server.abort();
}
