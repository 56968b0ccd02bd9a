//! The HTTP client the harness talks to subjects with.

/// Builds a client for one subject process: no redirects (a scenario checks
/// the answer itself), a bounded connect time, and its own connection pool,
/// so that requests to a restarted subject never ride a connection opened
/// to its earlier process. Answers compressed with gzip, deflate or Brotli
/// are decoded, as a browser decodes them.
pub(crate) fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .pool_max_idle_per_host(64)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .build()
}

/// How long an idle keep-alive connection is kept for reuse: less than the
/// servers' own idle timeouts (Node's and uvicorn's are 5 s), so that the
/// harness never sends a request on a connection the subject is closing at
/// that moment (the request would be reset: a false failure).
pub(crate) const POOL_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);
