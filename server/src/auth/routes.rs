//! `POST /auth/register`, `POST /auth/login`, `GET /auth/me`.

use std::borrow::Cow;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use super::extract::AuthUser;
use super::password;
use super::throttle::{LoginThrottle, Verdict};
use super::users::{self, User};
use crate::app::AppState;
use crate::db::DbError;
use crate::error::ApiError;
use crate::faults::{Fault, FaultSet};
use crate::json::ApiJson;

const MAX_EMAIL_LEN: usize = 254;
const MIN_PASSWORD_CHARS: usize = 8;
/// Hashing cost grows with the input; longer passwords are refused.
const MAX_PASSWORD_BYTES: usize = 1024;
const MAX_NAME_CHARS: usize = 100;

/// The body of `POST /auth/register`.
#[derive(Deserialize)]
pub struct RegisterBody {
    email: String,
    password: String,
    #[serde(default)]
    name: Option<String>,
}

/// The body of `POST /auth/login`.
#[derive(Deserialize)]
pub struct LoginBody {
    email: String,
    password: String,
}

/// `{accessToken, user}`, the answer to register and login.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthBody<'a> {
    access_token: String,
    user: UserJson<'a>,
}

/// A user as clients see it: `{id, email, name}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserJson<'a> {
    id: Uuid,
    email: &'a str,
    name: Option<&'a str>,
    /// Always `None`, and then absent from the JSON, except under the
    /// `leak-password-hash` and `me-password-hash` faults.
    #[serde(skip_serializing_if = "Option::is_none")]
    password_hash: Option<&'a str>,
}

impl<'a> UserJson<'a> {
    /// The public view of `user`.
    pub fn of(user: &'a User, faults: FaultSet) -> Self {
        UserJson {
            id: user.id,
            email: &user.email,
            name: user.name.as_deref(),
            password_hash: faults
                .contains(Fault::LeakPasswordHash)
                .then_some(user.password_hash.as_str()),
        }
    }
}

/// Creates an account: `201 {accessToken, user}`, `409` when the email is
/// taken (REG-2, REG-3), `503` when the database is down (REG-4).
pub async fn register(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    let email = valid_email(&body.email)?;
    let name = valid_name(body.name.as_deref())?;
    check_new_password(&body.password)?;
    let faults = state.faults;

    let stored = if faults.contains(Fault::RegisterCheckThenInsert) {
        check_then_insert(&state.db, &email, name, body.password).await
    } else if faults.contains(Fault::RegisterNarrowRace) {
        hash_then_check_and_insert(&state.db, &email, name, body.password).await
    } else {
        let hash = password::hash(body.password).await?;
        users::insert(&state.db, &email, name, &hash)
            .await
            .map_err(ApiError::from)
    };
    let user = if faults.contains(Fault::RegisterUnmappedErrors) {
        // As the original service did: every failure falls through to the
        // global handler as a 500.
        stored.map_err(|err| {
            tracing::error!(error = %err, "registration failed");
            ApiError::Internal
        })?
    } else {
        stored?
    };

    let user = state.rows.remember_user(user);
    let access_token = state.auth.keys().issue(user.id, &user.email)?;
    Ok(auth_response(
        StatusCode::CREATED,
        access_token,
        &user,
        faults,
    ))
}

/// The `register-narrow-race` fault: the password is hashed first, then
/// the look-up and the insert run back to back, so the window between them
/// is a fraction of a millisecond; the insert's unique violation is still
/// unmapped (`500`) for the registration that loses the race.
async fn hash_then_check_and_insert(
    db: &PgPool,
    email: &str,
    name: Option<&str>,
    password: String,
) -> Result<User, ApiError> {
    let hash = password::hash(password).await?;
    if users::find_by_email(db, email).await?.is_some() {
        return Err(ApiError::EmailTaken);
    }
    users::insert(db, email, name, &hash)
        .await
        .map_err(|err| match err {
            DbError::UniqueViolation { .. } => ApiError::Internal,
            other => other.into(),
        })
}

/// The `register-check-then-insert` fault: the lookup and the insert are
/// two statements with an Argon2 hash between them, so a concurrent
/// registration slips in, and the insert's unique violation is left
/// unmapped (`500`).
async fn check_then_insert(
    db: &PgPool,
    email: &str,
    name: Option<&str>,
    password: String,
) -> Result<User, ApiError> {
    if users::find_by_email(db, email).await?.is_some() {
        return Err(ApiError::EmailTaken);
    }
    let hash = password::hash(password).await?;
    users::insert(db, email, name, &hash)
        .await
        .map_err(|err| match err {
            DbError::UniqueViolation { .. } => ApiError::Internal,
            other => other.into(),
        })
}

/// Logs in: `200 {accessToken, user}` (LOG-1), `401` with one message for a
/// wrong password and an unknown email (LOG-2, LOG-3), `429` once throttled
/// (LOG-5).
pub async fn login(
    State(state): State<AppState>,
    State(throttle): State<LoginThrottle>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let email = body.email.trim().to_lowercase();
    if body.password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::InvalidCredentials);
    }
    if let Verdict::Blocked { retry_after_secs } = throttle.check(&email).await {
        return Err(ApiError::TooManyAttempts { retry_after_secs });
    }

    let user = users::find_by_email(&state.db, &email).await?;
    let account_exists = user.is_some();
    let password_matches = match &user {
        Some(user) => password::verify(body.password, user.password_hash.clone()).await?,
        // Same cost as a wrong password, so timing does not reveal accounts.
        None => password::verify_against_nothing(body.password).await?,
    };
    let Some(user) = user.filter(|_| password_matches) else {
        throttle.record_failure(&email).await;
        return Err(login_refusal(account_exists, state.faults));
    };
    throttle.clear(&email).await;
    let user = state.rows.remember_user(user);

    let access_token = state.auth.keys().issue(user.id, &user.email)?;
    let status = if state.faults.contains(Fault::LoginAnswers201) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(auth_response(status, access_token, &user, state.faults))
}

/// The answer to a failed login: the same `401` whether the account exists
/// or not, except under the faults that tell the two apart.
fn login_refusal(account_exists: bool, faults: FaultSet) -> ApiError {
    if !account_exists && faults.contains(Fault::LoginUnknownEmail404) {
        return ApiError::NotFound(Cow::Borrowed("User not found"));
    }
    if faults.contains(Fault::LoginEnumeratesAccounts) {
        return ApiError::CredentialsRefused(if account_exists {
            "Wrong password"
        } else {
            "No account for this email"
        });
    }
    ApiError::InvalidCredentials
}

/// The caller's account, as the extractor found it: a token whose account
/// does not exist never gets here (`401`).
pub async fn me(
    user: Result<AuthUser, ApiError>,
    State(faults): State<FaultSet>,
) -> Result<Response, ApiError> {
    let user = match user {
        Ok(user) => user,
        Err(ApiError::UnknownAccount) if faults.contains(Fault::DeletedAccount500) => {
            // As a guard that trusted the token alone and a handler that
            // then read a field of the row it did not find.
            tracing::error!("TypeError: Cannot read properties of null (reading 'id')");
            return Err(ApiError::Internal);
        }
        Err(refusal) => return Err(refusal),
    };
    // `Json` serializes right here, so the body may borrow from the account.
    let mut json = UserJson::of(&user.account, faults);
    if faults.contains(Fault::MePasswordHash) {
        json.password_hash = Some(&user.account.password_hash);
    }
    Ok(Json(json).into_response())
}

fn auth_response(
    status: StatusCode,
    access_token: String,
    user: &User,
    faults: FaultSet,
) -> Response {
    let body = AuthBody {
        access_token,
        user: UserJson::of(user, faults),
    };
    (status, Json(body)).into_response()
}

/// Trims and lower-cases an email, refusing what cannot be an address.
fn valid_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_lowercase();
    let well_formed = email.len() <= MAX_EMAIL_LEN
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if well_formed {
        Ok(email)
    } else {
        Err(ApiError::bad_request("email must be an email"))
    }
}

fn check_new_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_request(
            "password must be at least 8 characters",
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::bad_request("password must be at most 1024 bytes"));
    }
    Ok(())
}

fn valid_name(name: Option<&str>) -> Result<Option<&str>, ApiError> {
    match name.map(str::trim).filter(|name| !name.is_empty()) {
        Some(name) if name.chars().count() > MAX_NAME_CHARS => {
            Err(ApiError::bad_request("name must be at most 100 characters"))
        }
        other => Ok(other),
    }
}
