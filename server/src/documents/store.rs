//! The `documents` table. Every read is scoped to the owner in SQL, so a
//! handler cannot forget the ownership check.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use crate::db::{DbError, bounded};

/// A stored document.
#[derive(Debug, Clone, FromRow)]
pub struct Document {
    /// Primary key.
    pub id: Uuid,
    /// Title given at creation.
    pub title: String,
    /// Full text, what the chat answers from.
    pub content: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// The owner's documents, oldest first.
pub async fn list_for_owner(pool: &PgPool, owner: Uuid) -> Result<Vec<Document>, DbError> {
    bounded(
        sqlx::query_as(
            "SELECT id, title, content, created_at FROM documents \
             WHERE owner_id = $1 ORDER BY created_at, id",
        )
        .bind(owner)
        .fetch_all(pool),
    )
    .await
}

/// Every user's documents, oldest first (the `documents-list-everyone`
/// fault only).
pub async fn list_all(pool: &PgPool) -> Result<Vec<Document>, DbError> {
    bounded(
        sqlx::query_as(
            "SELECT id, title, content, created_at FROM documents ORDER BY created_at, id",
        )
        .fetch_all(pool),
    )
    .await
}

/// Whether a document `id` exists, whoever owns it (the
/// `foreign-document-403` fault only).
pub async fn exists(pool: &PgPool, id: Uuid) -> Result<bool, DbError> {
    let found: Option<(i32,)> = bounded(
        sqlx::query_as("SELECT 1 FROM documents WHERE id = $1")
            .bind(id)
            .fetch_optional(pool),
    )
    .await?;
    Ok(found.is_some())
}

/// Stores a new document for `owner`.
pub async fn insert(
    pool: &PgPool,
    owner: Uuid,
    title: &str,
    content: &str,
) -> Result<Document, DbError> {
    bounded(
        sqlx::query_as(
            "INSERT INTO documents (id, owner_id, title, content) VALUES ($1, $2, $3, $4) \
             RETURNING id, title, content, created_at",
        )
        .bind(Uuid::new_v4())
        .bind(owner)
        .bind(title)
        .bind(content)
        .fetch_one(pool),
    )
    .await
}

/// The document `id` if `owner` owns it; `None` when it is absent or
/// someone else's, which callers answer with the same `404`.
pub async fn find_for_owner(
    pool: &PgPool,
    id: Uuid,
    owner: Uuid,
) -> Result<Option<Document>, DbError> {
    bounded(
        sqlx::query_as(
            "SELECT id, title, content, created_at FROM documents \
             WHERE id = $1 AND owner_id = $2",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(pool),
    )
    .await
}
