//! `ApiJson<T>`: a JSON body extractor whose every rejection is an
//! [`ApiError`] in the NestJS shape, never a `5xx` (REG-5).
//!
//! axum's own `Json` already answers `415` for a wrong content type, `413`
//! over the body limit, `400` for malformed JSON and `422` for a body of
//! the wrong shape; this wrapper keeps those statuses, words them as NestJS
//! does, and also refuses a top-level JSON array, which serde would
//! otherwise accept for a struct (`["a@b.c", "pw"]`).

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::faults::{Fault, FaultSet};

/// A request body that must be a JSON object deserializing into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    FaultSet: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::Rejected {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                message: "Expected request with `Content-Type: application/json`".to_owned(),
            });
        }
        let body = Bytes::from_request(request, state).await?;
        parse(&body).map(ApiJson).map_err(|refusal| {
            if FaultSet::from_ref(state).contains(Fault::MalformedInput500) {
                tracing::error!(error = %refusal, "the request body could not be read");
                ApiError::Internal
            } else {
                refusal
            }
        })
    }
}

/// The body as a `T`, provided it is a JSON object: `400` for a syntax
/// error or anything but an object, `422` for an object of the wrong shape.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::bad_request("Request body must be a JSON object"));
    }
    let axum::Json(value) = axum::Json::<T>::from_bytes(body)?;
    Ok(value)
}

/// `application/json`, or any `application/*+json`, with any parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let Some(subtype) = essence
        .get(..12)
        .filter(|prefix| prefix.eq_ignore_ascii_case("application/"))
        .and(essence.get(12..))
    else {
        return false;
    };
    subtype.eq_ignore_ascii_case("json")
        || subtype.len() > 5 && subtype[subtype.len() - 5..].eq_ignore_ascii_case("+json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::extract::DefaultBodyLimit;
    use axum::response::IntoResponse;
    use axum::routing::post;
    use axum::{Router, body::to_bytes};
    use serde::Deserialize;
    use serde_json::Value;
    use tower::ServiceExt;

    #[derive(Deserialize)]
    struct Login {
        email: String,
        #[expect(dead_code, reason = "only deserialized")]
        password: String,
    }

    async fn send(content_type: Option<&str>, body: impl Into<Body>) -> (StatusCode, Value) {
        send_with(FaultSet::empty(), content_type, body).await
    }

    async fn send_with(
        faults: FaultSet,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> (StatusCode, Value) {
        let app = Router::new()
            .route(
                "/",
                post(|ApiJson(login): ApiJson<Login>| async move { login.email }),
            )
            .layer(DefaultBodyLimit::max(1024))
            .with_state(faults);
        let mut request = axum::http::Request::post("/");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = app
            .oneshot(request.body(body.into()).unwrap())
            .await
            .unwrap()
            .into_response();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[tokio::test]
    async fn a_valid_object_is_accepted() {
        let (status, _) = send(
            Some("application/json; charset=utf-8"),
            r#"{"email":"a@b.c","password":"x"}"#,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn every_bad_body_is_a_4xx_in_the_nestjs_shape() {
        let big = format!(r#"{{"email":"{}","password":"x"}}"#, "a".repeat(2048));
        let cases: [(Option<&str>, String, u16); 7] = [
            (Some("application/json"), "{not json".into(), 400),
            (Some("application/json"), "".into(), 400),
            (Some("application/json"), r#"["a@b.c","x"]"#.into(), 400),
            (Some("application/json"), r#"{"email":"a@b.c"}"#.into(), 422),
            (
                Some("text/plain"),
                r#"{"email":"a@b.c","password":"x"}"#.into(),
                415,
            ),
            (None, r#"{"email":"a@b.c","password":"x"}"#.into(), 415),
            (Some("application/json"), big, 413),
        ];
        for (content_type, body, expected) in cases {
            let (status, json) = send(content_type, body.clone()).await;
            assert_eq!(status.as_u16(), expected, "{content_type:?} {body:.40}");
            assert_eq!(json["statusCode"], expected);
            assert!(
                json["message"].is_string() && json["error"].is_string(),
                "{json}"
            );
        }
    }

    #[tokio::test]
    async fn malformed_input_500_turns_only_the_parse_refusals_into_500() {
        let faults = FaultSet::empty().with(Fault::MalformedInput500);
        let big = format!(r#"{{"email":"{}","password":"x"}}"#, "a".repeat(2048));
        let cases: [(&str, String, u16); 5] = [
            ("application/json", "{not json".into(), 500),
            ("application/json", r#"["a@b.c","x"]"#.into(), 500),
            ("application/json", r#"{"email":"a@b.c"}"#.into(), 500),
            (
                "text/plain",
                r#"{"email":"a@b.c","password":"x"}"#.into(),
                415,
            ),
            ("application/json", big, 413),
        ];
        for (content_type, body, expected) in cases {
            let (status, _) = send_with(faults, Some(content_type), body.clone()).await;
            assert_eq!(status.as_u16(), expected, "{content_type} {body:.40}");
        }
    }

    #[test]
    fn json_content_types_are_recognised() {
        let check = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            is_json(&headers)
        };
        assert!(check("application/json"));
        assert!(check("Application/JSON;charset=utf-8"));
        assert!(check("application/vnd.api+json"));
        assert!(!check("application/x-www-form-urlencoded"));
        assert!(!check("text/json"));
        assert!(!check("application/"));
    }
}
