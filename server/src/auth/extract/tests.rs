//! Token precedence through a real router, without a database.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use tower::ServiceExt;

use super::*;
use crate::config::JwtSecret;

const SECRET: &str = "extract-test-secret";

fn app(faults: FaultSet) -> Router {
    let keys = TokenKeys::new(&JwtSecret::new(SECRET), 60, faults).unwrap();
    let auth = Arc::new(Authenticator::new(keys, TokenSource::for_faults(faults)));
    Router::new()
        .route(
            "/me",
            get(|user: AuthUser| async move { user.id.to_string() }),
        )
        .with_state(auth)
}

fn valid_token(user: Uuid) -> String {
    TokenKeys::new(&JwtSecret::new(SECRET), 60, FaultSet::empty())
        .unwrap()
        .issue(user, "a@example.com")
        .unwrap()
}

fn other_secret_token() -> String {
    TokenKeys::new(&JwtSecret::new("not-the-secret"), 60, FaultSet::empty())
        .unwrap()
        .issue(Uuid::new_v4(), "b@example.com")
        .unwrap()
}

async fn call(
    app: &Router,
    header: Option<&str>,
    query_token: Option<&str>,
) -> (StatusCode, String) {
    let uri = match query_token {
        Some(token) => format!("/me?token={token}"),
        None => "/me".to_owned(),
    };
    let mut request = Request::get(uri);
    if let Some(header) = header {
        request = request.header("authorization", header);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn a_valid_header_token_is_accepted() {
    let user = Uuid::new_v4();
    let (status, body) = call(
        &app(FaultSet::empty()),
        Some(&format!("Bearer {}", valid_token(user))),
        None,
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, user.to_string()));
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let header = format!("bearer {}", valid_token(Uuid::new_v4()));
    assert_eq!(
        call(&app(FaultSet::empty()), Some(&header), None).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn no_token_is_401_in_the_nestjs_shape() {
    let (status, body) = call(&app(FaultSet::empty()), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        r#"{"statusCode":401,"message":"Unauthorized","error":"Unauthorized"}"#
    );
}

#[tokio::test]
async fn a_query_token_is_accepted_without_a_header() {
    let user = Uuid::new_v4();
    let (status, body) = call(&app(FaultSet::empty()), None, Some(&valid_token(user))).await;
    assert_eq!((status, body), (StatusCode::OK, user.to_string()));
}

#[tokio::test]
async fn a_valid_header_wins_over_an_invalid_query_token() {
    let header = format!("Bearer {}", valid_token(Uuid::new_v4()));
    let status = call(&app(FaultSet::empty()), Some(&header), Some("garbage"))
        .await
        .0;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_invalid_header_is_not_rescued_by_a_valid_query_token() {
    let app = app(FaultSet::empty());
    let query = valid_token(Uuid::new_v4());
    let bad_headers = [
        format!("Bearer {}", other_secret_token()),
        "Bearer garbage".to_owned(),
        "Basic dXNlcjpwYXNz".to_owned(),
        "Bearer".to_owned(),
    ];
    for header in bad_headers {
        let status = call(&app, Some(&header), Some(&query)).await.0;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header}");
    }
}

#[tokio::test]
async fn no_query_token_fault_ignores_the_query() {
    let app = app(FaultSet::empty().with(Fault::NoQueryToken));
    let status = call(&app, None, Some(&valid_token(Uuid::new_v4()))).await.0;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn query_token_first_fault_lets_the_query_decide() {
    let app = app(FaultSet::empty().with(Fault::QueryTokenFirst));
    let good = valid_token(Uuid::new_v4());
    let bad_header = format!("Bearer {}", other_secret_token());
    assert_eq!(
        call(&app, Some(&bad_header), Some(&good)).await.0,
        StatusCode::OK
    );
    let good_header = format!("Bearer {good}");
    assert_eq!(
        call(&app, Some(&good_header), Some("garbage")).await.0,
        StatusCode::UNAUTHORIZED
    );
}
