//! `<scenario>.har` (HAR 1.2) for browser scenarios: what the recording
//! proxy saw, in the format DevTools and HAR viewers open. The proxy keeps
//! no bodies, no cookies and of a query only its `token=`, so neither does
//! the file (its comment says so); credentials are shown as their shape
//! (`Bearer <jwt>`), and the text is redacted as every report is.

use crate::browser::recorder::Recorded;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Har {
    /// Its only member.
    pub(crate) log: Log,
}

/// The log of a HAR file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Log {
    /// `1.2`.
    pub(crate) version: &'static str,
    /// What wrote it.
    pub(crate) creator: Creator,
    /// One per request.
    pub(crate) entries: Vec<Entry>,
    /// What the file leaves out.
    pub(crate) comment: &'static str,
}

/// The program that wrote the file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Creator {
    /// `conformance`.
    pub(crate) name: &'static str,
    /// Its version.
    pub(crate) version: &'static str,
}

/// A header or a query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct NameValue {
    /// Name.
    pub(crate) name: String,
    /// Value.
    pub(crate) value: String,
}

/// One request and its answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    /// When the request reached the proxy (ISO 8601).
    pub(crate) started_date_time: String,
    /// Milliseconds until the answer's headers.
    pub(crate) time: u64,
    /// The request.
    pub(crate) request: Request,
    /// The answer.
    pub(crate) response: Response,
    /// Nothing is cached.
    pub(crate) cache: Empty,
    /// The time split: all of it waiting for the answer.
    pub(crate) timings: Timings,
}

/// An empty object.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Empty {}

/// The request of an entry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Request {
    /// HTTP method.
    pub(crate) method: String,
    /// The URL the browser asked (the proxy's), with the token of its query only.
    pub(crate) url: String,
    /// The proxy speaks HTTP/1.1 to the browser.
    pub(crate) http_version: &'static str,
    /// Not recorded.
    pub(crate) cookies: Vec<NameValue>,
    /// The recorded headers.
    pub(crate) headers: Vec<NameValue>,
    /// The recorded query parameters.
    pub(crate) query_string: Vec<NameValue>,
    /// Unknown (-1).
    pub(crate) headers_size: i64,
    /// Unknown (-1).
    pub(crate) body_size: i64,
}

/// The response of an entry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Response {
    /// The status; 0 when the API could not be reached (as browsers write it).
    pub(crate) status: u16,
    /// The status's reason phrase.
    pub(crate) status_text: String,
    /// HTTP/1.1.
    pub(crate) http_version: &'static str,
    /// Not recorded.
    pub(crate) cookies: Vec<NameValue>,
    /// The recorded (CORS) headers.
    pub(crate) headers: Vec<NameValue>,
    /// The body is not recorded.
    pub(crate) content: Content,
    /// No redirects are followed.
    #[serde(rename = "redirectURL")]
    pub(crate) redirect_url: String,
    /// Unknown (-1).
    pub(crate) headers_size: i64,
    /// Unknown (-1).
    pub(crate) body_size: i64,
}

/// A response body that was not recorded.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Content {
    /// 0: not recorded.
    pub(crate) size: u64,
    /// Unknown.
    pub(crate) mime_type: String,
}

/// How an entry's time splits.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Timings {
    /// 0: not measured apart.
    pub(crate) send: u64,
    /// Until the answer's headers.
    pub(crate) wait: u64,
    /// 0: the body streams through and is not timed.
    pub(crate) receive: u64,
}

fn pair(name: &str, value: &str) -> NameValue {
    NameValue {
        name: name.to_owned(),
        value: value.to_owned(),
    }
}

fn entry(base_url: &str, started_at: DateTime<Utc>, r: &Recorded) -> Entry {
    let at = started_at + chrono::Duration::milliseconds(i64::try_from(r.at_ms).unwrap_or(0));
    let mut headers = Vec::new();
    let optional = [
        ("Authorization", &r.authorization),
        ("Origin", &r.origin),
        ("Access-Control-Request-Method", &r.request_method),
        ("Access-Control-Request-Headers", &r.request_headers),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            headers.push(pair(name, v));
        }
    }
    let query_string: Vec<NameValue> = r.query_token.iter().map(|t| pair("token", t)).collect();
    let query = query_string
        .first()
        .map(|q| format!("?token={}", q.value))
        .unwrap_or_default();
    let mut answer = Vec::new();
    for v in &r.allow_origin {
        answer.push(pair("Access-Control-Allow-Origin", v));
    }
    if let Some(v) = &r.allow_credentials {
        answer.push(pair("Access-Control-Allow-Credentials", v));
    }
    for v in &r.allow_methods {
        answer.push(pair("Access-Control-Allow-Methods", v));
    }
    for v in &r.allow_headers {
        answer.push(pair("Access-Control-Allow-Headers", v));
    }
    let status = r.status.unwrap_or(0);
    let status_text = match r.status {
        Some(s) => axum::http::StatusCode::from_u16(s)
            .ok()
            .and_then(|c| c.canonical_reason())
            .unwrap_or("")
            .to_owned(),
        None => "the API could not be reached".to_owned(),
    };
    Entry {
        started_date_time: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        time: r.wait_ms,
        request: Request {
            method: r.method.clone(),
            url: format!("{base_url}{}{query}", r.path),
            http_version: "HTTP/1.1",
            cookies: Vec::new(),
            headers,
            query_string,
            headers_size: -1,
            body_size: -1,
        },
        response: Response {
            status,
            status_text,
            http_version: "HTTP/1.1",
            cookies: Vec::new(),
            headers: answer,
            content: Content {
                size: 0,
                mime_type: String::new(),
            },
            redirect_url: String::new(),
            headers_size: -1,
            body_size: -1,
        },
        cache: Empty {},
        timings: Timings {
            send: 0,
            wait: r.wait_ms,
            receive: 0,
        },
    }
}

/// The HAR of what a recording proxy at `base_url`, started at
/// `started_at`, saw.
pub(crate) fn from_recorded(
    base_url: &str,
    started_at: DateTime<Utc>,
    entries: &[Recorded],
) -> Har {
    Har {
        log: Log {
            version: "1.2",
            creator: Creator {
                name: "conformance",
                version: env!("CARGO_PKG_VERSION"),
            },
            entries: entries
                .iter()
                .map(|r| entry(base_url, started_at, r))
                .collect(),
            comment: "Recorded by the harness's proxy between the browser and the API: \
                      no bodies, no cookies, of a query only its token, credentials shown \
                      by their shape; headers are those the contract's checks read.",
        },
    }
}

/// The file's text, redacted.
pub(crate) fn render(har: &Har) -> serde_json::Result<String> {
    Ok(super::redact::redact(&serde_json::to_string_pretty(har)?))
}

#[cfg(test)]
#[path = "har_tests.rs"]
mod tests;
