//! `ApiError`: every failure a handler can answer with, and the one map from
//! failures to HTTP statuses, in the NestJS shape
//! `{"statusCode": 409, "message": "...", "error": "Conflict"}`.
//!
//! Handlers return `Result<_, ApiError>`; nothing else builds an error
//! response, so a new failure cannot slip out as a bare `500`.

use std::borrow::Cow;

use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::auth::password::PasswordError;
use crate::auth::token::TokenError;
use crate::db::{DbError, USERS_EMAIL_KEY};

/// A request that failed, as the client will see it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A field of the body is missing or invalid (REG-5): `400`.
    #[error("{0}")]
    BadRequest(Cow<'static, str>),
    /// The body could not be read as JSON (malformed, wrong content type,
    /// over the size limit): axum's own status (`400`, `413`, `415`, `422`).
    #[error("{message}")]
    Rejected {
        /// The status axum chose for the rejection.
        status: StatusCode,
        /// What was wrong with the body.
        message: String,
    },
    /// No token, or one that is malformed, forged or expired (TOK-2, TOK-3): `401`.
    #[error("Unauthorized")]
    Unauthorized,
    /// A token that verifies but names no account (one signed before a
    /// database reset, or forged with the secret for an id never
    /// registered): answered as [`ApiError::Unauthorized`], `401` (TOK-3);
    /// kept apart for the `deleted-account-500` fault.
    #[error("Unauthorized")]
    UnknownAccount,
    /// Wrong password or unknown email; one message for both so that nobody
    /// can tell which emails have accounts (LOG-2, LOG-3): `401`.
    #[error("Invalid email or password")]
    InvalidCredentials,
    /// Wrong password or unknown email, each with its own message, which
    /// tells accounts apart; only the `login-enumerates-accounts` fault
    /// answers with it: `401`.
    #[error("{0}")]
    CredentialsRefused(&'static str),
    /// Another user's document, answered as such: `403` (the
    /// `foreign-document-403` fault only; the contract wants `404`).
    #[error("Forbidden resource")]
    Forbidden,
    /// The route, or the document for this user, does not exist: `404`.
    #[error("{0}")]
    NotFound(Cow<'static, str>),
    /// The email already has an account (REG-2, REG-3): `409`.
    #[error("Email already registered")]
    EmailTaken,
    /// Too many failed logins for this email (LOG-5): `429` with `Retry-After`.
    #[error("Too many failed login attempts, try again in {retry_after_secs} seconds")]
    TooManyAttempts {
        /// Seconds until the window ends.
        retry_after_secs: u64,
    },
    /// Postgres cannot be reached or did not answer in time (REG-4): `503`.
    #[error("Service unavailable: the database cannot be reached, try again shortly")]
    Unavailable,
    /// Anything unexpected; the cause is logged, never sent: `500`.
    #[error("Internal server error")]
    Internal,
}

impl ApiError {
    /// The HTTP status of this error: the one place statuses are chosen.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Rejected { status, .. } => *status,
            ApiError::Unauthorized
            | ApiError::UnknownAccount
            | ApiError::InvalidCredentials
            | ApiError::CredentialsRefused(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::EmailTaken => StatusCode::CONFLICT,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A `400` with a message for the client.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::BadRequest(message.into())
    }

    /// The `404` for a document that is absent or someone else's: one
    /// message for both, so ids of other users' documents leak nothing.
    pub fn document_not_found() -> Self {
        ApiError::NotFound(Cow::Borrowed("Document not found"))
    }
}

/// The NestJS error body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    status_code: u16,
    message: &'a str,
    error: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = self.to_string();
        let body = ErrorBody {
            status_code: status.as_u16(),
            message: &message,
            error: status.canonical_reason().unwrap_or("Error"),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyAttempts { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// SQLSTATE 22021: Postgres cannot store a character of a text value. The
/// strings of a request are valid UTF-8, so the character is a NUL the
/// client sent (in an email, a name, a title, a message): a `400`, not a bug.
const CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Unavailable(_) | DbError::TimedOut(_) => {
                tracing::warn!(error = %err, "database unavailable");
                ApiError::Unavailable
            }
            DbError::UniqueViolation { ref constraint } if constraint == USERS_EMAIL_KEY => {
                ApiError::EmailTaken
            }
            DbError::Other(sqlx::Error::Database(ref db))
                if db.code().as_deref() == Some(CHARACTER_NOT_IN_REPERTOIRE) =>
            {
                ApiError::bad_request("text must not contain NUL characters")
            }
            DbError::UniqueViolation { .. } | DbError::Other(_) => {
                tracing::error!(error = %err, "unexpected database error");
                ApiError::Internal
            }
        }
    }
}

impl From<PasswordError> for ApiError {
    fn from(err: PasswordError) -> Self {
        tracing::error!(error = %err, "password hashing failed");
        ApiError::Internal
    }
}

impl From<TokenError> for ApiError {
    /// Only signing reaches here (verification failures are `401` in the
    /// extractor), and signing with an HMAC key does not fail in practice.
    fn from(err: TokenError) -> Self {
        tracing::error!(error = %err, "signing a token failed");
        ApiError::Internal
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError::Rejected {
            status: rejection.status(),
            message: rejection.body_text(),
        }
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        ApiError::Rejected {
            status: rejection.status(),
            message: rejection.body_text(),
        }
    }
}

/// The fallback for unknown routes and methods, worded as NestJS words it.
pub async fn route_not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound(Cow::Owned(format!("Cannot {method} {}", uri.path())))
}

/// The `unauthorized-without-shape` fault: a `401` answers
/// `{"error": "Unauthorized"}`, without `statusCode` and `message`.
pub async fn unauthorized_without_shape(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    if response.status() != axum::http::StatusCode::UNAUTHORIZED {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    axum::response::Response::from_parts(
        parts,
        axum::body::Body::from(r#"{"error":"Unauthorized"}"#),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use serde_json::{Value, json};

    async fn render(err: ApiError) -> (StatusCode, Option<HeaderValue>, Value) {
        let response = err.into_response();
        let status = response.status();
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
        assert_eq!(content_type.unwrap(), "application/json");
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, retry_after, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn every_error_renders_in_the_nestjs_shape() {
        let cases = [
            (
                ApiError::bad_request("email must be an email"),
                400,
                "Bad Request",
                "email must be an email",
            ),
            (ApiError::Unauthorized, 401, "Unauthorized", "Unauthorized"),
            (
                ApiError::UnknownAccount,
                401,
                "Unauthorized",
                "Unauthorized",
            ),
            (
                ApiError::InvalidCredentials,
                401,
                "Unauthorized",
                "Invalid email or password",
            ),
            (
                ApiError::document_not_found(),
                404,
                "Not Found",
                "Document not found",
            ),
            (
                ApiError::EmailTaken,
                409,
                "Conflict",
                "Email already registered",
            ),
            (
                ApiError::Internal,
                500,
                "Internal Server Error",
                "Internal server error",
            ),
        ];
        for (err, status, reason, message) in cases {
            let (got_status, _, body) = render(err).await;
            assert_eq!(got_status.as_u16(), status);
            assert_eq!(
                body,
                json!({"statusCode": status, "message": message, "error": reason})
            );
        }
    }

    #[tokio::test]
    async fn unavailable_says_unavailable() {
        let (status, _, body) = render(ApiError::Unavailable).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"], "Service Unavailable");
        assert!(body["message"].as_str().unwrap().contains("unavailable"));
    }

    #[tokio::test]
    async fn too_many_attempts_carries_retry_after() {
        let (status, retry_after, body) = render(ApiError::TooManyAttempts {
            retry_after_secs: 42,
        })
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(retry_after.unwrap(), "42");
        assert_eq!(body["statusCode"], 429);
        assert!(body["message"].as_str().unwrap().contains("42 seconds"));
    }

    #[tokio::test]
    async fn database_errors_map_to_503_409_and_500() {
        let unavailable = ApiError::from(DbError::Unavailable(sqlx::Error::PoolTimedOut));
        assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
        let timed_out = ApiError::from(DbError::TimedOut(std::time::Duration::from_secs(2)));
        assert_eq!(timed_out.status(), StatusCode::SERVICE_UNAVAILABLE);
        let taken = ApiError::from(DbError::UniqueViolation {
            constraint: USERS_EMAIL_KEY.to_owned(),
        });
        assert_eq!(taken.status(), StatusCode::CONFLICT);
        let other_unique = ApiError::from(DbError::UniqueViolation {
            constraint: "documents_pkey".to_owned(),
        });
        assert_eq!(other_unique.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let other = ApiError::from(DbError::Other(sqlx::Error::RowNotFound));
        assert_eq!(other.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[tokio::test]
    async fn unknown_routes_are_404_in_the_nestjs_shape() {
        let err = route_not_found(Method::GET, Uri::from_static("/nope?token=x")).await;
        let (status, _, body) = render(err).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["message"], "Cannot GET /nope");
    }
}
