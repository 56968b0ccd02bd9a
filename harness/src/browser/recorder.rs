//! The recording proxy: the browser reaches the API through it, so a
//! scenario can assert what DevTools would show (every request with its
//! method, path, whether it carried a token, its Origin and the answer's
//! status and CORS headers). Bodies stream through unbuffered, so event
//! streams arrive as the subject flushes them.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::Response;
use futures::TryStreamExt;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// One request the browser made to the API.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    /// When it came, in milliseconds since the proxy started.
    pub at_ms: u64,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The `Authorization` header's scheme (`Bearer`), when present.
    pub authorization: Option<String>,
    /// Whether the query carried `token=`.
    pub query_token: bool,
    /// The `Origin` header.
    pub origin: Option<String>,
    /// The answer's status; `None` when the API could not be reached.
    pub status: Option<u16>,
    /// The answer's `Access-Control-Allow-Origin`.
    pub allow_origin: Option<String>,
    /// The answer's `Access-Control-Allow-Credentials`.
    pub allow_credentials: Option<String>,
    /// A preflight's `Access-Control-Request-Method`.
    pub request_method: Option<String>,
    /// A preflight's `Access-Control-Request-Headers`.
    pub request_headers: Option<String>,
    /// The answer's `Access-Control-Allow-Methods`.
    pub allow_methods: Option<String>,
    /// The answer's `Access-Control-Allow-Headers`.
    pub allow_headers: Option<String>,
}

impl Recorded {
    /// Why a browser would refuse this answer for CORS, if it would: the
    /// origin is not granted with credentials, or a preflight does not cover
    /// the method or headers it asked for.
    pub fn cors_refusal(&self) -> Option<String> {
        let origin = self.origin.as_deref()?;
        if self.allow_origin.as_deref() != Some(origin) {
            return Some(format!(
                "Access-Control-Allow-Origin is {:?}, not the page's origin {origin:?}",
                self.allow_origin.as_deref().unwrap_or("absent")
            ));
        }
        if self.allow_credentials.as_deref() != Some("true") {
            return Some("Access-Control-Allow-Credentials is not \"true\"".into());
        }
        let listed = |list: &Option<String>, item: &str| {
            list.as_deref()
                .unwrap_or_default()
                .split(',')
                .any(|l| l.trim().eq_ignore_ascii_case(item))
        };
        if let Some(method) = &self.request_method
            && !matches!(method.as_str(), "GET" | "HEAD" | "POST")
            && !listed(&self.allow_methods, method)
        {
            return Some(format!("the preflight does not allow the method {method}"));
        }
        for header in self
            .request_headers
            .as_deref()
            .unwrap_or_default()
            .split(',')
        {
            let header = header.trim();
            if !header.is_empty() && !listed(&self.allow_headers, header) {
                return Some(format!(
                    "the preflight does not allow the header {header:?}"
                ));
            }
        }
        None
    }
}

#[derive(Clone)]
struct Shared {
    target: String,
    client: reqwest::Client,
    log: Arc<Mutex<Vec<Recorded>>>,
    started: Instant,
}

/// A running recording proxy; stops on drop.
#[derive(Debug)]
pub struct Recorder {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Listens on a free local port and forwards to `target` (`http://127.0.0.1:PORT`).
    pub async fn start(target: String) -> std::io::Result<Recorder> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
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
        Ok(Recorder { addr, log, task })
    }

    /// The URL the frontend must use as its API.
    pub fn url(&self) -> String {
        format!("http://localhost:{}", self.addr.port())
    }

    /// Everything recorded so far.
    pub fn entries(&self) -> Vec<Recorded> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets what was recorded (before the part a scenario checks).
    pub fn clear(&self) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn forward(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut entry = Recorded {
        at_ms: shared.started.elapsed().as_millis() as u64,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        authorization: header(&parts.headers, "authorization")
            .map(|v| v.split_whitespace().next().unwrap_or_default().to_owned()),
        query_token: parts
            .uri
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv.starts_with("token="))),
        origin: header(&parts.headers, "origin"),
        status: None,
        allow_origin: None,
        allow_credentials: None,
        request_method: header(&parts.headers, "access-control-request-method"),
        request_headers: header(&parts.headers, "access-control-request-headers"),
        allow_methods: None,
        allow_headers: None,
    };
    let mut outgoing = shared
        .client
        .request(
            parts.method.clone(),
            format!("{}{}", shared.target, path_and_query),
        )
        .body(reqwest::Body::wrap_stream(body.into_data_stream()));
    for (name, value) in &parts.headers {
        if !is_hop_by_hop(name) {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = outgoing.send().await;
    let response = match answer {
        Ok(upstream) => {
            entry.status = Some(upstream.status().as_u16());
            entry.allow_origin = header(upstream.headers(), "access-control-allow-origin");
            entry.allow_credentials =
                header(upstream.headers(), "access-control-allow-credentials");
            entry.allow_methods = header(upstream.headers(), "access-control-allow-methods");
            entry.allow_headers = header(upstream.headers(), "access-control-allow-headers");
            let mut builder = Response::builder().status(upstream.status());
            for (name, value) in upstream.headers() {
                if !is_hop_by_hop(name) {
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
    shared
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(entry);
    response
}

fn bad_gateway() -> Response {
    let mut response = Response::new(Body::from("the recording proxy could not reach the API"));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response
}

fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "host"
            | "content-length"
    )
}
