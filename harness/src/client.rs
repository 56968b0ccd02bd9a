//! The HTTP client the harness talks to subjects with.

/// Builds a client for one subject process: no redirects (a scenario checks
/// the answer itself), a bounded connect time, and its own connection pool,
/// so that requests to a restarted subject never ride a connection opened
/// to its earlier process. Answers compressed with gzip, deflate or Brotli
/// are decoded, as a browser decodes them.
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .pool_max_idle_per_host(64)
        .build()
}
