//! One log line per request: method, path, query, status, latency. Query
//! values that carry credentials (`token` and the like) are replaced by
//! `[redacted]` (TOK-7); headers and bodies are never logged.

use std::borrow::Cow;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::faults::{Fault, FaultSet};

/// How the request log treats query strings.
#[derive(Debug, Clone, Copy)]
pub struct RequestLog {
    redact: bool,
}

impl RequestLog {
    /// Redacting, unless the `log-query-token` fault is on.
    pub fn new(faults: FaultSet) -> Self {
        RequestLog {
            redact: !faults.contains(Fault::LogQueryToken),
        }
    }
}

/// The middleware: logs after the handler answered (for the event stream,
/// when its headers go out).
pub async fn log_request(State(log): State<RequestLog>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // `Uri` clones share its bytes: no copy of the path on the hot path.
    let uri = request.uri().clone();
    let response = next.run(request).await;
    let query = match uri.query() {
        None => Cow::Borrowed(""),
        Some(query) if log.redact => redact(query),
        Some(query) => Cow::Borrowed(query),
    };
    tracing::info!(
        target: "request",
        method = %method,
        path = uri.path(),
        query = %query,
        status = response.status().as_u16(),
        latency = ?started.elapsed(),
    );
    response
}

/// The query with the value of every credential-like parameter replaced.
fn redact(query: &str) -> Cow<'_, str> {
    if !query.split('&').any(is_sensitive) {
        return Cow::Borrowed(query);
    }
    let pairs: Vec<Cow<'_, str>> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_sensitive(pair) => Cow::Owned(format!("{name}=[redacted]")),
            _ => Cow::Borrowed(pair),
        })
        .collect();
    Cow::Owned(pairs.join("&"))
}

/// Whether the parameter's name (before `=`) looks like it carries a
/// credential: it contains `token`, `password` or `secret` in any letter
/// case. A percent-encoded name (`tok%65n` decodes to `token`) counts as
/// sensitive too rather than being decoded here.
fn is_sensitive(pair: &str) -> bool {
    let name = pair.split_once('=').map_or(pair, |(name, _)| name);
    if name.contains('%') {
        return true;
    }
    let name = name.to_ascii_lowercase();
    ["token", "password", "secret"]
        .iter()
        .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_values_are_redacted_and_the_rest_kept() {
        assert_eq!(redact("token=eyJ.abc.def"), "token=[redacted]");
        assert_eq!(redact("a=1&token=eyJ.x.y&b=2"), "a=1&token=[redacted]&b=2");
        assert_eq!(
            redact("access_token=x&Token=y"),
            "access_token=[redacted]&Token=[redacted]"
        );
        assert_eq!(redact("page=2&q=tokens"), "page=2&q=tokens");
        assert_eq!(redact("tok%65n=eyJ.x.y"), "tok%65n=[redacted]");
    }

    #[test]
    fn a_query_without_credentials_is_not_copied() {
        assert!(matches!(redact("page=2&sort=asc"), Cow::Borrowed(_)));
    }
}
