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
    base.allow_origin(AllowOrigin::list(origins.iter().cloned()))
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
