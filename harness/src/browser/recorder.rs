//! The recording proxy: the browser reaches the API through it, so a
//! scenario can assert what DevTools would show (every request with its
//! method, path, whether it carried a token, its Origin and the answer's
//! status and CORS headers). A request goes on as the browser sent it: same
//! method, headers (less the hop-by-hop ones) and body, with its
//! `Content-Length` (request bodies are small: they are read whole first).
//! Answers stream back unbuffered, so event streams arrive as the subject
//! flushes them.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::Response;
use futures::TryStreamExt;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// One request the browser made to the API.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Recorded {
    /// When it came, in milliseconds since the proxy started.
    pub(crate) at_ms: u64,
    /// HTTP method.
    pub(crate) method: String,
    /// Path without the query.
    pub(crate) path: String,
    /// The `Authorization` header, its credential shown only as `<jwt>`
    /// when it is JWT-shaped (`Bearer <jwt>`, `Bearer "undefined"`).
    pub(crate) authorization: Option<String>,
    /// The query's `token=` value, shown the same way.
    pub(crate) query_token: Option<String>,
    /// The `Origin` header.
    pub(crate) origin: Option<String>,
    /// The answer's status; `None` when the API could not be reached.
    pub(crate) status: Option<u16>,
    /// The answer's `Access-Control-Allow-Origin` values.
    pub(crate) allow_origin: Vec<String>,
    /// The answer's `Access-Control-Allow-Credentials`.
    pub(crate) allow_credentials: Option<String>,
    /// A preflight's `Access-Control-Request-Method`.
    pub(crate) request_method: Option<String>,
    /// A preflight's `Access-Control-Request-Headers`.
    pub(crate) request_headers: Option<String>,
    /// The answer's `Access-Control-Allow-Methods` values.
    pub(crate) allow_methods: Vec<String>,
    /// The answer's `Access-Control-Allow-Headers` values.
    pub(crate) allow_headers: Vec<String>,
    /// Milliseconds from the request to the answer's headers (or to the
    /// failure to reach the API).
    pub(crate) wait_ms: u64,
}

/// How a JWT-shaped credential is shown.
const JWT: &str = "<jwt>";

/// Whether `value` has a JWT's shape: three base64url parts, none empty
/// (`null`, `undefined` and an unsigned `alg: none` token are not).
pub(crate) fn jwt_shaped(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// A credential as a report shows it: `<jwt>` for a JWT, else the value
/// quoted and cut short (`"undefined"`, `"null"`).
fn shown_credential(value: &str) -> String {
    if jwt_shaped(value) {
        JWT.to_owned()
    } else {
        let cut: String = value.chars().take(16).collect();
        format!("{cut:?}")
    }
}

impl Recorded {
    /// Whether the request carried a JWT-shaped `Authorization: Bearer`.
    pub(crate) fn bearer_jwt(&self) -> bool {
        self.authorization.as_deref() == Some("Bearer <jwt>")
    }

    /// Whether the request carried a JWT-shaped token, by header or query.
    pub(crate) fn authenticated(&self) -> bool {
        self.bearer_jwt() || self.query_token.as_deref() == Some(JWT)
    }

    /// Why a browser would refuse this answer for CORS, if it would (as the
    /// harness's one CORS judge, [`crate::cors`], says; the contract's app
    /// sends credentials). A preflight is an `OPTIONS` with
    /// `Access-Control-Request-Method`.
    pub(crate) fn cors_refusal(&self) -> Option<String> {
        let origin = self.origin.as_deref()?;
        let status = self.status?;
        fn strs(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        let answer = crate::cors::Answer {
            status,
            allow_origin: strs(&self.allow_origin),
            allow_credentials: self.allow_credentials.as_deref(),
            allow_methods: strs(&self.allow_methods),
            allow_headers: strs(&self.allow_headers),
        };
        let asked = match (&self.request_method, self.method.as_str()) {
            (Some(method), "OPTIONS") => Some(crate::cors::Asked {
                method,
                headers: self.request_headers.as_deref(),
            }),
            _ => None,
        };
        crate::cors::judge(origin, &answer, asked.as_ref(), true)
            .err()
            .map(|r| r.to_string())
    }
}

/// Everything recorded, and where the part a scenario checks begins
/// (after its last `clear_network`).
#[derive(Debug, Default)]
struct Log {
    entries: Vec<Recorded>,
    checked_from: usize,
    /// Requests that came and have no answer yet.
    in_flight: usize,
    /// When a request last came or was answered.
    last_activity: Option<Instant>,
}

#[derive(Clone)]
struct Shared {
    target: String,
    client: reqwest::Client,
    log: Arc<Mutex<Log>>,
    started: Instant,
}

/// A running recording proxy; stops on drop.
#[derive(Debug)]
pub(crate) struct Recorder {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
    started_at: chrono::DateTime<chrono::Utc>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Listens on a free local port and forwards to `target` (`http://127.0.0.1:PORT`).
    pub(crate) async fn start(target: String) -> std::io::Result<Recorder> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Log::default()));
        // Bodies pass through as the API sent them: decoding them here would
        // hand the browser plain bytes labelled gzip.
        let client = crate::client::with_platform_roots(reqwest::Client::builder())
            .redirect(reqwest::redirect::Policy::none())
            .no_gzip()
            .no_deflate()
            .no_brotli()
            .pool_idle_timeout(crate::client::POOL_IDLE_TIMEOUT)
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Shared {
            target,
            client,
            log: Arc::clone(&log),
            started: Instant::now(),
        };
        let app = Router::new().fallback(forward).with_state(shared);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service()).await;
        });
        Ok(Recorder {
            addr,
            log,
            started_at: chrono::Utc::now(),
            task,
        })
    }

    /// The URL the frontend must use as its API.
    pub(crate) fn url(&self) -> String {
        format!("http://localhost:{}", self.addr.port())
    }

    /// What was recorded since the last [`Recorder::clear`]: what a
    /// scenario's network checks look at.
    pub(crate) fn entries(&self) -> Vec<Recorded> {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.entries
            .get(log.checked_from..)
            .map(<[Recorded]>::to_vec)
            .unwrap_or_default()
    }

    /// Everything recorded since the proxy started, cleared or not (for
    /// the scenario's HAR file).
    pub(crate) fn all_entries(&self) -> Vec<Recorded> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entries
            .clone()
    }

    /// When the proxy started: `at_ms` counts from here.
    pub(crate) fn started_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.started_at
    }

    /// Starts the part a scenario checks: [`Recorder::entries`] forgets
    /// what came before.
    pub(crate) fn clear(&self) {
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.checked_from = log.entries.len();
    }

    /// How long the browser's API traffic has been quiet: no request
    /// waiting for its answer, none come or answered since. `None` while a
    /// request waits.
    pub(crate) fn quiet_for(&self) -> Option<std::time::Duration> {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if log.in_flight > 0 {
            return None;
        }
        Some(
            log.last_activity
                .map_or(std::time::Duration::MAX, |t| t.elapsed()),
        )
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn header_values(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

/// The `Authorization` header as shown: scheme and credential shape.
fn shown_authorization(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, credential)) => format!("{scheme} {}", shown_credential(credential.trim())),
        None => shown_credential(value),
    }
}

/// The `token=` query value, percent-decoded, as shown.
fn shown_query_token(query: Option<&str>) -> Option<String> {
    let query = query?;
    url_pairs(query)
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| shown_credential(&v))
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

async fn forward(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let sent = Instant::now();
    let _in_flight = InFlight::new(&shared.log);
    let mut entry = Recorded {
        at_ms: shared.started.elapsed().as_millis() as u64,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        authorization: header(&parts.headers, "authorization").map(|v| shown_authorization(&v)),
        query_token: shown_query_token(parts.uri.query()),
        origin: header(&parts.headers, "origin"),
        status: None,
        allow_origin: Vec::new(),
        allow_credentials: None,
        request_method: header(&parts.headers, "access-control-request-method"),
        request_headers: header(&parts.headers, "access-control-request-headers"),
        allow_methods: Vec::new(),
        allow_headers: Vec::new(),
        wait_ms: 0,
    };
    let dropped = connection_named(&parts.headers);
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(body) => body,
        Err(e) => {
            record(&shared, entry);
            return unreadable_body(&e);
        }
    };
    // A request without a body (no `Content-Length`, no `Transfer-Encoding`:
    // a GET, a preflight) goes on without one; any other with its length.
    let has_body =
        parts.headers.contains_key(CONTENT_LENGTH) || parts.headers.contains_key(TRANSFER_ENCODING);
    let mut outgoing = shared.client.request(
        parts.method.clone(),
        format!("{}{}", shared.target, path_and_query),
    );
    for (name, value) in &parts.headers {
        if !is_hop_by_hop(name) && !dropped.contains(name) && name != HOST && name != CONTENT_LENGTH
        {
            outgoing = outgoing.header(name, value);
        }
    }
    if has_body {
        outgoing = outgoing.header(CONTENT_LENGTH, body.len()).body(body);
    }
    let answer = outgoing.send().await;
    entry.wait_ms = sent.elapsed().as_millis() as u64;
    let response = match answer {
        Ok(upstream) => {
            entry.status = Some(upstream.status().as_u16());
            let h = upstream.headers();
            entry.allow_origin = header_values(h, "access-control-allow-origin");
            entry.allow_credentials = header(h, "access-control-allow-credentials");
            entry.allow_methods = header_values(h, "access-control-allow-methods");
            entry.allow_headers = header_values(h, "access-control-allow-headers");
            let mut builder = Response::builder().status(upstream.status());
            let dropped = connection_named(h);
            // `Content-Length` too: the body is streamed on, hyper frames it.
            for (name, value) in h {
                if !is_hop_by_hop(name) && !dropped.contains(name) && name != CONTENT_LENGTH {
                    builder = builder.header(name, value);
                }
            }
            let stream = upstream.bytes_stream().map_err(std::io::Error::other);
            builder
                .body(Body::from_stream(stream))
                .unwrap_or_else(|_| bad_gateway())
        }
        Err(_) => bad_gateway(),
    };
    record(&shared, entry);
    response
}

fn record(shared: &Shared, entry: Recorded) {
    shared
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entries
        .push(entry);
}

/// A request being forwarded, counted in [`Log::in_flight`] until it is
/// answered or the browser gives it up (the handler is dropped).
struct InFlight(Arc<Mutex<Log>>);

impl InFlight {
    fn new(log: &Arc<Mutex<Log>>) -> InFlight {
        let mut held = log.lock().unwrap_or_else(PoisonError::into_inner);
        held.in_flight += 1;
        held.last_activity = Some(Instant::now());
        InFlight(Arc::clone(log))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        log.in_flight = log.in_flight.saturating_sub(1);
        log.last_activity = Some(Instant::now());
    }
}

fn bad_gateway() -> Response {
    let mut response = Response::new(Body::from("the recording proxy could not reach the API"));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response
}

fn unreadable_body(error: &axum::Error) -> Response {
    let mut response = Response::new(Body::from(format!(
        "the recording proxy could not read the request body: {error}"
    )));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}

/// The largest request body the proxy reads before forwarding; a browser
/// scenario's bodies are a few hundred bytes.
const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;

/// The hop-by-hop headers of RFC 9110 §7.6.1: they concern one connection
/// and are never forwarded (`Proxy-Connection` is its non-standard twin).
fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

/// The headers the `Connection` header names: hop-by-hop for this message
/// (RFC 9110 §7.6.1).
fn connection_named(headers: &HeaderMap) -> Vec<HeaderName> {
    headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|token| HeaderName::from_bytes(token.trim().as_bytes()).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_jwt_shaped_credential_counts_as_a_token() {
        assert!(jwt_shaped("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"));
        for not_a_token in ["undefined", "null", "", "a.b", "eyJh.eyJz.", "a b.c.d"] {
            assert!(!jwt_shaped(not_a_token), "{not_a_token:?}");
        }
        assert_eq!(
            shown_authorization("Bearer undefined"),
            "Bearer \"undefined\""
        );
        assert_eq!(shown_authorization("Bearer a.b.c"), "Bearer <jwt>");
        assert_eq!(
            shown_query_token(Some("x=1&token=null")),
            Some("\"null\"".into())
        );
        assert_eq!(shown_query_token(Some("token=a.b.c")), Some("<jwt>".into()));
        assert_eq!(shown_query_token(Some("page=2")), None);
    }

    #[test]
    fn the_connection_header_names_more_hop_by_hop_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(CONNECTION, "keep-alive, X-Secret-Hop".parse().unwrap());
        headers.append(CONNECTION, "close".parse().unwrap());
        assert_eq!(
            connection_named(&headers),
            ["keep-alive", "x-secret-hop", "close"].map(HeaderName::from_static)
        );
        assert!(is_hop_by_hop(&CONNECTION) && is_hop_by_hop(&TRANSFER_ENCODING));
        assert!(!is_hop_by_hop(&CONTENT_LENGTH) && !is_hop_by_hop(&HOST));
    }
}
