//! Token precedence and the account check through a real router, with the
//! accounts in a list instead of a database.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header, encode, get_current_timestamp};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::*;
use crate::auth::routes;
use crate::chat::stream::{Caller, ChatSettings};
use crate::config::JwtSecret;

const SECRET: &str = "extract-test-secret";

/// The router's state: the authenticator, the accounts that exist, and
/// what the handlers under test take besides.
#[derive(Clone)]
struct TestState {
    auth: Arc<Authenticator>,
    accounts: Arc<HashMap<Uuid, Arc<User>>>,
    faults: FaultSet,
    chat: ChatSettings,
}

impl FromRef<TestState> for Arc<Authenticator> {
    fn from_ref(state: &TestState) -> Self {
        Arc::clone(&state.auth)
    }
}

impl FromRef<TestState> for FaultSet {
    fn from_ref(state: &TestState) -> Self {
        state.faults
    }
}

impl FromRef<TestState> for ChatSettings {
    fn from_ref(state: &TestState) -> Self {
        state.chat
    }
}

impl Accounts for TestState {
    fn account(&self, id: Uuid) -> impl Future<Output = Result<Option<Arc<User>>, DbError>> + Send {
        std::future::ready(Ok(self.accounts.get(&id).cloned()))
    }
}

/// The one account that exists.
fn known() -> Uuid {
    Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001)
}

/// The state with `faults` on, where the [`known`] account exists or no
/// account at all.
fn state(faults: FaultSet, with_known_account: bool) -> TestState {
    let keys = TokenKeys::new(&JwtSecret::new(SECRET), 60, faults).unwrap();
    let auth = Arc::new(Authenticator::new(
        keys,
        TokenSource::for_faults(faults),
        faults,
    ));
    let account = Arc::new(User {
        id: known(),
        email: "a@example.com".into(),
        name: None,
        password_hash: "$argon2id$...".into(),
    });
    let accounts = if with_known_account {
        HashMap::from([(known(), account)])
    } else {
        HashMap::new()
    };
    TestState {
        auth,
        accounts: Arc::new(accounts),
        faults,
        chat: ChatSettings::new(Duration::ZERO, faults),
    }
}

/// `/me` answers the account's email; `/auth/me` and `/stream` are the
/// real handler and the chat stream's extractor.
fn app(faults: FaultSet) -> Router {
    Router::new()
        .route(
            "/me",
            get(|user: AuthUser| async move { user.account.email.clone() }),
        )
        .route("/auth/me", get(routes::me))
        .route("/stream", get(|_: Caller| async { "streaming" }))
        .with_state(state(faults, true))
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
        .issue(known(), "b@example.com")
        .unwrap()
}

/// A token signed with the test secret (or unsigned when `key` is empty).
fn forge(header: Value, claims: Value, key: &str) -> String {
    if key.is_empty() {
        let b64 = |value: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap());
        return format!("{}.{}.", b64(&header), b64(&claims));
    }
    let header: Header = serde_json::from_value(header).unwrap();
    crate::auth::hs256::install();
    encode(
        &header,
        &claims,
        &EncodingKey::from_secret(key.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn claims_for(sub: Value, exp_offset: i64) -> Value {
    let now = get_current_timestamp() as i64;
    json!({"sub": sub, "iat": now, "exp": now + exp_offset})
}

async fn call(
    app: &Router,
    header: Option<&str>,
    query_token: Option<&str>,
) -> (StatusCode, String) {
    call_path(app, "/me", header, query_token).await
}

async fn call_path(
    app: &Router,
    path: &str,
    header: Option<&str>,
    query_token: Option<&str>,
) -> (StatusCode, String) {
    let uri = match query_token {
        Some(token) => format!("{path}?token={token}"),
        None => path.to_owned(),
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
    let (status, body) = call(
        &app(FaultSet::empty()),
        Some(&format!("Bearer {}", valid_token(known()))),
        None,
    )
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "a@example.com"));
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let header = format!("bearer {}", valid_token(known()));
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
    let (status, body) = call(&app(FaultSet::empty()), None, Some(&valid_token(known()))).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "a@example.com"));
}

#[tokio::test]
async fn a_valid_header_wins_over_an_invalid_query_token() {
    let header = format!("Bearer {}", valid_token(known()));
    let status = call(&app(FaultSet::empty()), Some(&header), Some("garbage"))
        .await
        .0;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_invalid_header_is_not_rescued_by_a_valid_query_token() {
    let app = app(FaultSet::empty());
    let query = valid_token(known());
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
    let status = call(&app, None, Some(&valid_token(known()))).await.0;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn query_token_first_fault_lets_the_query_decide() {
    let app = app(FaultSet::empty().with(Fault::QueryTokenFirst));
    let good = valid_token(known());
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

/// Every way to name no account, or no account id, with a valid signature.
fn signed_tokens_without_an_account() -> Vec<(&'static str, String)> {
    let signed = |sub: Value| forge(json!({"alg": "HS256"}), claims_for(sub, 60), SECRET);
    vec![
        ("an unknown account", valid_token(Uuid::new_v4())),
        ("sub \"not-an-id\"", signed(json!("not-an-id"))),
        ("sub \"\"", signed(json!(""))),
        ("sub 12345", signed(json!(12345))),
        ("sub null", signed(json!(null))),
    ]
}

#[tokio::test]
async fn a_signed_token_naming_no_account_is_401_by_header_and_by_query() {
    let app = app(FaultSet::empty());
    for (what, token) in signed_tokens_without_an_account() {
        let by_header = call(&app, Some(&format!("Bearer {token}")), None).await;
        let by_query = call(&app, None, Some(&token)).await;
        for (status, body) in [by_header, by_query] {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
            assert_eq!(
                body, r#"{"statusCode":401,"message":"Unauthorized","error":"Unauthorized"}"#,
                "{what}"
            );
        }
    }
}

#[tokio::test]
async fn every_broken_token_is_401() {
    let app = app(FaultSet::empty());
    let claims = claims_for(json!(known()), 60);
    let mut broken = vec![
        ("Bearer null".to_owned(), "null".to_owned()),
        ("Bearer undefined".to_owned(), "undefined".to_owned()),
        ("Bearer ".to_owned(), String::new()),
        (
            "an empty signature".to_owned(),
            forge(json!({"alg": "HS256"}), claims.clone(), ""),
        ),
        (
            "expired an hour ago".to_owned(),
            forge(
                json!({"alg": "HS256"}),
                claims_for(json!(known()), -3600),
                SECRET,
            ),
        ),
        ("another secret".to_owned(), other_secret_token()),
    ];
    for alg in ["none", "None", "NONE", "nOnE"] {
        let token = forge(json!({"alg": alg, "typ": "JWT"}), claims.clone(), "");
        broken.push((format!("alg {alg}"), token));
    }
    for (what, token) in broken {
        let header = format!("Bearer {token}");
        assert_eq!(
            call(&app, Some(&header), None).await.0,
            StatusCode::UNAUTHORIZED,
            "{what} by header"
        );
        let query = urlencoding(&token);
        assert_eq!(
            call(&app, None, Some(&query)).await.0,
            StatusCode::UNAUTHORIZED,
            "{what} by query"
        );
    }
}

/// Enough percent-encoding for a token in a query string.
fn urlencoding(token: &str) -> String {
    token.replace('%', "%25").replace(' ', "%20")
}

#[tokio::test]
async fn the_non_id_sub_fault_answers_500_for_a_sub_that_is_not_a_uuid() {
    let app = app(FaultSet::empty().with(Fault::NonIdSub500));
    let token = forge(
        json!({"alg": "HS256"}),
        claims_for(json!("not-an-id"), 60),
        SECRET,
    );
    let (status, _) = call(&app, Some(&format!("Bearer {token}")), None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        call(&app, None, Some(&token)).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // A UUID of no account, and a known one, are as without the fault.
    let unknown = format!("Bearer {}", valid_token(Uuid::new_v4()));
    assert_eq!(
        call(&app, Some(&unknown), None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let valid = format!("Bearer {}", valid_token(known()));
    assert_eq!(call(&app, Some(&valid), None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn authenticate_refuses_an_unknown_account() {
    let state = state(FaultSet::empty(), false);
    let request = Request::get("/me")
        .header("authorization", format!("Bearer {}", valid_token(known())))
        .body(())
        .unwrap();
    let (parts, ()) = request.into_parts();
    let refusal = state
        .auth
        .authenticate(&parts, &state, Expiry::Checked)
        .await;
    assert!(
        matches!(refusal, Err(ApiError::UnknownAccount)),
        "{refusal:?}"
    );
}

#[tokio::test]
async fn ignoring_the_expiry_admits_an_expired_token_of_an_existing_account_only() {
    let expired = forge(
        json!({"alg": "HS256"}),
        claims_for(json!(known()), -3600),
        SECRET,
    );
    let parts = |token: &str| {
        let uri = format!("/stream?token={token}");
        Request::post(uri).body(()).unwrap().into_parts().0
    };
    let with_account = state(FaultSet::empty(), true);
    let checked = with_account
        .auth
        .authenticate(&parts(&expired), &with_account, Expiry::Checked)
        .await;
    assert!(
        matches!(checked, Err(ApiError::Unauthorized)),
        "{checked:?}"
    );
    let ignored = with_account
        .auth
        .authenticate(&parts(&expired), &with_account, Expiry::Ignored)
        .await;
    assert_eq!(ignored.map(|user| user.id).ok(), Some(known()));
    // The expiry is not looked at; the account still is.
    let without = state(FaultSet::empty(), false);
    let ignored = without
        .auth
        .authenticate(&parts(&expired), &without, Expiry::Ignored)
        .await;
    assert!(
        matches!(ignored, Err(ApiError::UnknownAccount)),
        "{ignored:?}"
    );
}

#[tokio::test]
async fn the_deleted_account_fault_makes_auth_me_500_and_nothing_else() {
    let unknown = valid_token(Uuid::new_v4());
    let header = format!("Bearer {unknown}");
    let clean = app(FaultSet::empty());
    let faulty = app(FaultSet::empty().with(Fault::DeletedAccount500));
    for (app, status) in [
        (&clean, StatusCode::UNAUTHORIZED),
        (&faulty, StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        assert_eq!(
            call_path(app, "/auth/me", Some(&header), None).await.0,
            status
        );
        assert_eq!(
            call_path(app, "/auth/me", None, Some(&unknown)).await.0,
            status
        );
        assert_eq!(
            call(app, Some(&header), None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let valid = format!("Bearer {}", valid_token(known()));
    let (status, body) = call_path(&faulty, "/auth/me", Some(&valid), None).await;
    assert_eq!(status, StatusCode::OK);
    let user: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        user,
        json!({"id": known(), "email": "a@example.com", "name": null})
    );
}

#[tokio::test]
async fn the_stream_ignores_expiry_fault_admits_expired_tokens_on_the_stream_only() {
    let expired = forge(
        json!({"alg": "HS256"}),
        claims_for(json!(known()), -3600),
        SECRET,
    );
    let header = format!("Bearer {expired}");
    let clean = app(FaultSet::empty());
    let faulty = app(FaultSet::empty().with(Fault::StreamIgnoresExpiry));
    for (app, status) in [
        (&clean, StatusCode::UNAUTHORIZED),
        (&faulty, StatusCode::OK),
    ] {
        assert_eq!(
            call_path(app, "/stream", Some(&header), None).await.0,
            status
        );
        assert_eq!(
            call_path(app, "/stream", None, Some(&expired)).await.0,
            status
        );
        assert_eq!(
            call(app, Some(&header), None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    // The signature is still checked.
    let forged = forge(
        json!({"alg": "HS256"}),
        claims_for(json!(known()), -3600),
        "another-secret",
    );
    assert_eq!(
        call_path(&faulty, "/stream", Some(&format!("Bearer {forged}")), None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}
