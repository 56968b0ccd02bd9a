//! CORS (CORS-1 to CORS-5): exact origins from `CORS_ORIGIN`, with
//! credentials, on every response: errors, `404`s and the event stream
//! included, because the layer wraps the whole router, fallback too.

use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::header::{ACCESS_CONTROL_ALLOW_HEADERS, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::faults::{Fault, FaultSet};

/// Wraps `router` in the CORS policy (and, under the
/// `cors-missing-on-errors` fault, in the layer that breaks it).
pub fn apply(router: Router, origins: &[HeaderValue], faults: FaultSet) -> Router {
    let hardcoded = [HeaderValue::from_static("http://localhost:5173")];
    let origins = if faults.contains(Fault::CorsOriginHardcoded) {
        // As a backend that never read CORS_ORIGIN: the dev server's origin.
        &hardcoded[..]
    } else {
        origins
    };
    let mut router = router.layer(policy(origins, faults));
    if faults.contains(Fault::CorsMissingOnErrors) {
        router = router.layer(middleware::from_fn(strip_from_errors));
    }
    if faults.contains(Fault::CorsAllowHeadersWildcard) {
        router = router.layer(middleware::from_fn(wildcard_allowed_headers));
    }
    router
}

/// The `cors-allow-headers-wildcard` fault: preflights allow the headers
/// `*`, which with credentials a browser reads as one header named `*`.
async fn wildcard_allowed_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if headers.contains_key(ACCESS_CONTROL_ALLOW_HEADERS) {
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("*"));
    }
    response
}

/// The policy: preflights for `GET`/`POST` with `Authorization` and
/// `Content-Type` get `2xx`; `Vary` names `Origin` (tower-http's default);
/// `Retry-After` is readable by scripts so a throttled login can say when
/// to retry.
fn policy(origins: &[HeaderValue], faults: FaultSet) -> CorsLayer {
    let base = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([AUTHORIZATION, CONTENT_TYPE])
        .expose_headers([RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    if faults.contains(Fault::CorsWildcard) {
        // Browsers refuse `*` together with credentials, so the wildcard
        // goes out without them, as in the original misconfiguration.
        return base.allow_origin(Any);
    }
    let base = base.allow_credentials(true);
    if faults.contains(Fault::CorsReflectOrigin) {
        return base.allow_origin(AllowOrigin::mirror_request());
    }
    if faults.contains(Fault::CorsOriginPrefix) {
        // As `origin.startsWith(allowed)`.
        let allowed = origins.to_vec();
        return base.allow_origin(AllowOrigin::predicate(move |origin, _| {
            allowed
                .iter()
                .any(|a| origin.as_bytes().starts_with(a.as_bytes()))
        }));
    }
    if faults.contains(Fault::CorsNullOrigin) {
        // As an allow list that also holds "null" (for `file:` pages or
        // sandboxed previews): every opaque origin gets in.
        let with_null = origins
            .iter()
            .cloned()
            .chain([HeaderValue::from_static("null")]);
        return base.allow_origin(AllowOrigin::list(with_null));
    }
    if faults.contains(Fault::CorsAnyPort) {
        // As a check that compares scheme and host and forgets the port.
        let allowed: Vec<Vec<u8>> = origins
            .iter()
            .map(|a| without_port(a.as_bytes()).to_vec())
            .collect();
        return base.allow_origin(AllowOrigin::predicate(move |origin, _| {
            let origin = without_port(origin.as_bytes());
            allowed.iter().any(|a| a == origin)
        }));
    }
    base.allow_origin(AllowOrigin::list(origins.iter().cloned()))
}

/// `scheme://host` of `scheme://host[:port]` (the `cors-any-port` fault).
fn without_port(origin: &[u8]) -> &[u8] {
    let host_start = origin
        .windows(3)
        .position(|w| w == b"://")
        .map_or(0, |i| i + 3);
    match origin.iter().rposition(|&b| b == b':') {
        Some(colon) if colon > host_start && origin[colon + 1..].iter().all(u8::is_ascii_digit) => {
            &origin[..colon]
        }
        _ => origin,
    }
}

/// The `cors-missing-on-errors` fault: drops every `Access-Control-*`
/// header from `4xx` and `5xx` responses.
async fn strip_from_errors(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        let headers = response.headers_mut();
        let cors: Vec<_> = headers
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in cors {
            headers.remove(name);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::http::header::{
        ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
        ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
    };
    use axum::routing::get;
    use tower::ServiceExt;

    const ALLOWED: &str = "http://localhost:5173";

    /// The origins a misconfigured check lets through (the CORS
    /// misconfiguration catalogue), for the allowed origin above.
    const DISALLOWED: [&str; 11] = [
        "null",
        "http://localhost:5173.evil.example",
        "http://evillocalhost:5173",
        "http://localhost:5174",
        "http://localhost",
        "https://localhost:5173",
        "http://sub.localhost:5173",
        "http://localhost:51730",
        "http://localhost:5173/",
        "http://localhost:5173/path",
        "https://evil.example",
    ];

    /// `Access-Control-Allow-Origin` of a preflight and of a plain `GET`
    /// from `origin`, and whether they carry credentials.
    async fn granted(faults: FaultSet, origin: &str) -> Vec<(Option<String>, bool)> {
        let router = Router::new().route("/", get(|| async { "ok" }));
        let app = apply(router, &[HeaderValue::from_static(ALLOWED)], faults);
        let preflight = Request::options("/")
            .header(ORIGIN, origin)
            .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .unwrap();
        let simple = Request::get("/")
            .header(ORIGIN, origin)
            .body(Body::empty())
            .unwrap();
        let mut answers = Vec::new();
        for request in [preflight, simple] {
            let response = app.clone().oneshot(request).await.unwrap();
            assert!(response.status().is_success(), "{origin}");
            let header = |name| {
                let value: Option<&HeaderValue> = response.headers().get(name);
                value.map(|v| v.to_str().unwrap().to_owned())
            };
            answers.push((
                header(ACCESS_CONTROL_ALLOW_ORIGIN),
                header(ACCESS_CONTROL_ALLOW_CREDENTIALS).as_deref() == Some("true"),
            ));
        }
        answers
    }

    /// The origins of [`DISALLOWED`] that `faults` grant, with credentials.
    async fn wrongly_granted(faults: FaultSet) -> Vec<&'static str> {
        let mut wrong = Vec::new();
        for origin in DISALLOWED {
            let answers = granted(faults, origin).await;
            if answers
                .iter()
                .any(|(allow, creds)| allow.as_deref() == Some(origin) && *creds)
            {
                wrong.push(origin);
            }
            assert!(
                answers
                    .iter()
                    .all(|(allow, _)| allow.as_deref() != Some("*"))
            );
        }
        wrong
    }

    #[tokio::test]
    async fn the_allowed_origin_is_granted_with_credentials() {
        for faults in [
            FaultSet::empty(),
            FaultSet::empty().with(Fault::CorsOriginPrefix),
            FaultSet::empty().with(Fault::CorsNullOrigin),
            FaultSet::empty().with(Fault::CorsAnyPort),
        ] {
            let answers = granted(faults, ALLOWED).await;
            assert!(
                answers
                    .iter()
                    .all(|(allow, creds)| allow.as_deref() == Some(ALLOWED) && *creds),
                "{faults:?}: {answers:?}"
            );
        }
    }

    #[tokio::test]
    async fn no_disallowed_origin_is_granted() {
        assert_eq!(wrongly_granted(FaultSet::empty()).await, Vec::<&str>::new());
    }

    #[tokio::test]
    async fn the_prefix_fault_grants_origins_that_start_with_the_allowed_one() {
        assert_eq!(
            wrongly_granted(FaultSet::empty().with(Fault::CorsOriginPrefix)).await,
            [
                "http://localhost:5173.evil.example",
                "http://localhost:51730",
                "http://localhost:5173/",
                "http://localhost:5173/path",
            ]
        );
    }

    #[tokio::test]
    async fn the_null_origin_fault_grants_null() {
        assert_eq!(
            wrongly_granted(FaultSet::empty().with(Fault::CorsNullOrigin)).await,
            ["null"]
        );
    }

    #[tokio::test]
    async fn the_any_port_fault_grants_the_host_on_every_port() {
        assert_eq!(
            wrongly_granted(FaultSet::empty().with(Fault::CorsAnyPort)).await,
            [
                "http://localhost:5174",
                "http://localhost",
                "http://localhost:51730",
            ]
        );
    }

    #[test]
    fn the_port_is_cut_from_the_host_only() {
        assert_eq!(without_port(b"http://localhost:5173"), b"http://localhost");
        assert_eq!(without_port(b"http://localhost"), b"http://localhost");
        assert_eq!(without_port(b"http://[::1]:8080"), b"http://[::1]");
        assert_eq!(without_port(b"null"), b"null");
    }
}
