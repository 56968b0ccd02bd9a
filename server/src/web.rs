//! The web app (`server/web/`): a single-page app with no build step, served
//! on its own origin (`WEB_PORT`) and told the API's URL at serve time
//! through `/config.js`. Every other path answers `index.html`, so `/app`
//! and `/chat/:id` survive a reload.

use crate::config::WebConfig;
use crate::faults::{Fault, FaultSet};
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

const INDEX: &str = include_str!("../web/index.html");
const APP_JS: &str = include_str!("../web/app.js");
const API_JS: &str = include_str!("../web/api.js");
const STORE_JS: &str = include_str!("../web/store.js");
const APP_CSS: &str = include_str!("../web/app.css");

/// The faults the web app itself carries out, by name.
fn web_faults(faults: FaultSet) -> Vec<&'static str> {
    let mut names = Vec::new();
    if faults.contains(Fault::NoHydrationGate) {
        names.push(Fault::NoHydrationGate.name());
    }
    if faults.contains(Fault::TokenNotPersisted) {
        names.push(Fault::TokenNotPersisted.name());
    }
    if faults.contains(Fault::StreamWithoutAuthHeader) {
        names.push(Fault::StreamWithoutAuthHeader.name());
    }
    if faults.contains(Fault::WebExtraHeader) {
        names.push(Fault::WebExtraHeader.name());
    }
    if faults.contains(Fault::LoginFormWrongField) {
        names.push(Fault::LoginFormWrongField.name());
    }
    names
}

/// The script that tells the app where the API is.
pub fn config_script(web: &WebConfig, faults: FaultSet) -> String {
    let config = serde_json::json!({
        "apiUrl": web.api_url.trim_end_matches('/'),
        "hydrationDelayMs": web.hydration_delay_ms,
        "faults": web_faults(faults),
    });
    format!("window.__INSIGHT_GARDEN__ = {config};\n")
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-cache")],
        body,
    )
        .into_response()
}

/// The web app's routes.
pub fn router(web: &WebConfig, faults: FaultSet) -> Router {
    let script = config_script(web, faults);
    Router::new()
        .route(
            "/config.js",
            get(move || {
                let script = script.clone();
                async move {
                    (
                        [
                            (CONTENT_TYPE, "text/javascript"),
                            (CACHE_CONTROL, "no-cache"),
                        ],
                        script,
                    )
                }
            }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript", APP_JS) }),
        )
        .route(
            "/api.js",
            get(|| async { asset("text/javascript", API_JS) }),
        )
        .route(
            "/store.js",
            get(|| async { asset("text/javascript", STORE_JS) }),
        )
        .route("/app.css", get(|| async { asset("text/css", APP_CSS) }))
        .fallback(get(|| async { Html(INDEX) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_script_names_the_api_and_only_web_faults() {
        let web = WebConfig {
            port: Some(5173),
            api_url: "http://localhost:3000/".into(),
            hydration_delay_ms: 300,
        };
        let faults = FaultSet::empty()
            .with(Fault::NoHydrationGate)
            .with(Fault::CorsWildcard);
        let script = config_script(&web, faults);
        assert_eq!(
            script,
            "window.__INSIGHT_GARDEN__ = {\"apiUrl\":\"http://localhost:3000\",\"faults\":[\"no-hydration-gate\"],\"hydrationDelayMs\":300};\n"
        );
    }
}
