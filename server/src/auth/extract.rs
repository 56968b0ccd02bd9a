//! `AuthUser`: the extractor that makes a handler unreachable without a
//! valid token of an existing account (TOK-1 to TOK-5, SSE-3).
//!
//! The token comes from `Authorization: Bearer <jwt>`; `?token=<jwt>` is
//! read only when the request has no `Authorization` header at all, so a
//! bad header is never rescued by a good query and the reverse (TOK-5).
//! A token that verifies is still refused when its `sub` is not a UUID or
//! names no account (one signed before a database reset): every protected
//! route answers `401` for it, before its handler runs (TOK-3).

use std::borrow::Cow;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, Query};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::Deserialize;
use uuid::Uuid;

use super::token::{Expiry, Subject, TokenKeys};
use super::users::User;
use crate::db::DbError;
use crate::error::ApiError;
use crate::faults::{Fault, FaultSet};

/// An authenticated caller. Taking it as a handler argument is what
/// protects a route: without a valid token of an existing account the
/// handler never runs and the client gets `401` in the NestJS shape.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The user id from the token's `sub`.
    pub id: Uuid,
    /// The token's `exp`, in seconds since the epoch.
    pub token_expires_at: u64,
    /// The account the token names, as stored.
    pub account: Arc<User>,
}

/// Where the extractor finds the account a token names. The server's state
/// answers from the row cache and goes to Postgres only on a miss, so on
/// the hot path the check is one look-up in memory; an absent account is
/// never remembered, so it is asked for every time.
pub trait Accounts {
    /// The account `id`, or `None` when there is none.
    fn account(&self, id: Uuid) -> impl Future<Output = Result<Option<Arc<User>>, DbError>> + Send;
}

/// Where tokens are looked for, and in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// The contract: the header, else `?token=` when there is no header.
    HeaderThenQuery,
    /// The `no-query-token` fault: the header only.
    HeaderOnly,
    /// The `query-token-first` fault: `?token=` whenever it is present.
    QueryFirst,
}

impl TokenSource {
    /// The order the given faults ask for.
    pub fn for_faults(faults: FaultSet) -> Self {
        if faults.contains(Fault::NoQueryToken) {
            TokenSource::HeaderOnly
        } else if faults.contains(Fault::QueryTokenFirst) {
            TokenSource::QueryFirst
        } else {
            TokenSource::HeaderThenQuery
        }
    }

    /// The raw token of this request, if it carries one where this source
    /// looks. `Some` does not mean valid.
    fn find<'a>(self, parts: &'a Parts) -> Option<Cow<'a, str>> {
        let header = parts.headers.get(AUTHORIZATION);
        match self {
            TokenSource::HeaderThenQuery => match header {
                Some(value) => bearer(value.to_str().ok()?).map(Cow::Borrowed),
                None => query_token(parts).map(Cow::Owned),
            },
            TokenSource::HeaderOnly => bearer(header?.to_str().ok()?).map(Cow::Borrowed),
            TokenSource::QueryFirst => query_token(parts)
                .map(Cow::Owned)
                .or_else(|| bearer(header?.to_str().ok()?).map(Cow::Borrowed)),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` value (the scheme is
/// case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The `token` query parameter, percent-decoded.
fn query_token(parts: &Parts) -> Option<String> {
    #[derive(Deserialize)]
    struct TokenQuery {
        token: Option<String>,
    }
    parts.uri.query()?;
    let Query(query) = Query::<TokenQuery>::try_from_uri(&parts.uri).ok()?;
    query.token.filter(|token| !token.is_empty())
}

/// Everything the extractor needs, shared by all requests.
pub struct Authenticator {
    keys: TokenKeys,
    source: TokenSource,
    /// Set only under the `non-id-sub-500` fault.
    non_id_sub_fails: bool,
}

impl Authenticator {
    /// An authenticator verifying with `keys` and looking for tokens as
    /// `source` says.
    pub fn new(keys: TokenKeys, source: TokenSource, faults: FaultSet) -> Self {
        Authenticator {
            keys,
            source,
            non_id_sub_fails: faults.contains(Fault::NonIdSub500),
        }
    }

    /// The keys, to issue tokens at login and registration.
    pub fn keys(&self) -> &TokenKeys {
        &self.keys
    }

    /// The caller of this request: a token where [`TokenSource`] looks,
    /// verified (its expiry as `expiry` says), whose `sub` names an account
    /// of `accounts`. Every refusal is `401`; a database that cannot be
    /// asked is `503`.
    pub async fn authenticate<A: Accounts>(
        &self,
        parts: &Parts,
        accounts: &A,
        expiry: Expiry,
    ) -> Result<AuthUser, ApiError> {
        let verified = {
            let token = self.source.find(parts).ok_or(ApiError::Unauthorized)?;
            self.keys.verify_with(&token, expiry).map_err(|err| {
                tracing::debug!(reason = %err, "token refused");
                ApiError::Unauthorized
            })?
        };
        let id = match verified.subject {
            Subject::Id(id) => id,
            Subject::NotAnId if self.non_id_sub_fails => {
                // As a `sub` handed to the database as an id: Postgres
                // refuses to cast it to `uuid`, and nothing maps that.
                tracing::error!("unexpected database error: invalid input syntax for type uuid");
                return Err(ApiError::Internal);
            }
            Subject::NotAnId => {
                tracing::debug!("token refused: its sub is not an account id");
                return Err(ApiError::Unauthorized);
            }
        };
        let Some(account) = accounts.account(id).await? else {
            tracing::debug!(user = %id, "token refused: no such account");
            return Err(ApiError::UnknownAccount);
        };
        Ok(AuthUser {
            id,
            token_expires_at: verified.expires_at,
            account,
        })
    }
}

impl<S> FromRequestParts<S> for AuthUser
where
    Arc<Authenticator>: FromRef<S>,
    S: Accounts + Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Arc::<Authenticator>::from_ref(state)
            .authenticate(parts, state, Expiry::Checked)
            .await
    }
}

#[cfg(test)]
mod tests;
