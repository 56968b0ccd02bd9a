//! `GET /documents`, `POST /documents`, `GET /documents/{id}`.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};
use sqlx::PgPool;
use uuid::Uuid;

use super::store::{self, Document};
use crate::auth::extract::AuthUser;
use crate::error::ApiError;
use crate::faults::{Fault, FaultSet};
use crate::json::ApiJson;
use crate::row_cache::RowCache;

const MAX_TITLE_CHARS: usize = 200;

/// A document as clients see it: `{id, title, content, createdAt}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentJson {
    id: Uuid,
    title: String,
    content: String,
    #[serde(serialize_with = "rfc3339_millis")]
    created_at: DateTime<Utc>,
}

impl From<Document> for DocumentJson {
    fn from(document: Document) -> Self {
        DocumentJson {
            id: document.id,
            title: document.title,
            content: document.content,
            created_at: document.created_at,
        }
    }
}

impl From<&Document> for DocumentJson {
    fn from(document: &Document) -> Self {
        document.clone().into()
    }
}

/// `2025-11-25T11:33:00.123Z`, as JavaScript's `Date.toISOString` writes it.
fn rfc3339_millis<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// The body of `POST /documents`.
#[derive(Deserialize)]
pub struct NewDocument {
    title: String,
    content: String,
}

/// The `{id}` of a document route. An id that is not a UUID cannot name a
/// document, so it is a `404` like any other unknown id, never a `400` or
/// `500`.
#[derive(Debug, Clone, Copy)]
pub struct DocumentId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for DocumentId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::document_not_found())?;
        Uuid::parse_str(&raw)
            .map(DocumentId)
            .map_err(|_| ApiError::document_not_found())
    }
}

/// The caller's documents.
pub async fn list(
    user: Result<AuthUser, ApiError>,
    State(db): State<PgPool>,
    State(faults): State<FaultSet>,
) -> Result<Json<Vec<DocumentJson>>, ApiError> {
    let user = match user {
        Ok(user) => user,
        // Without the guard, an anonymous caller owns nothing.
        Err(_) if faults.contains(Fault::DocumentsUnguarded) => return Ok(Json(Vec::new())),
        Err(refusal) => return Err(refusal),
    };
    let documents = if faults.contains(Fault::DocumentsListEveryone) {
        store::list_all(&db).await?
    } else {
        store::list_for_owner(&db, user.id).await?
    };
    Ok(Json(
        documents.into_iter().map(DocumentJson::from).collect(),
    ))
}

/// Creates a document owned by the caller: `201 document`.
pub async fn create(
    user: AuthUser,
    State(db): State<PgPool>,
    State(rows): State<RowCache>,
    ApiJson(body): ApiJson<NewDocument>,
) -> Result<(StatusCode, Json<DocumentJson>), ApiError> {
    let title = body.title.trim();
    if title.is_empty() {
        return Err(ApiError::bad_request("title must not be empty"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(ApiError::bad_request(
            "title must be at most 200 characters",
        ));
    }
    let document = store::insert(&db, user.id, title, &body.content).await?;
    let document = rows.remember_document(user.id, document);
    Ok((StatusCode::CREATED, Json(document.as_ref().into())))
}

/// One of the caller's documents; `404` if absent or someone else's.
pub async fn get(
    user: AuthUser,
    DocumentId(id): DocumentId,
    State(db): State<PgPool>,
    State(rows): State<RowCache>,
    State(faults): State<FaultSet>,
) -> Result<Json<DocumentJson>, ApiError> {
    if let Some(document) = rows.document_for_owner(&db, id, user.id).await? {
        return Ok(Json(document.as_ref().into()));
    }
    if faults.contains(Fault::ForeignDocument403) && store::exists(&db, id).await? {
        return Err(ApiError::Forbidden);
    }
    Err(ApiError::document_not_found())
}
