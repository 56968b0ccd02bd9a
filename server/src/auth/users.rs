//! The `users` table.

use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use crate::db::{DbError, bounded};

/// A stored user. It carries the password hash for login; it is never
/// serialized as it is (see `routes::UserJson`).
#[derive(Debug, Clone, FromRow)]
pub struct User {
    /// Primary key, also the tokens' `sub`.
    pub id: Uuid,
    /// Lower-cased email, unique.
    pub email: String,
    /// Display name, optional.
    pub name: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Inserts a user. A taken email fails with the unique violation of
/// `users_email_key`, which the error map turns into `409`: the database
/// decides, so two concurrent registrations cannot both pass (REG-3).
pub async fn insert(
    pool: &PgPool,
    email: &str,
    name: Option<&str>,
    password_hash: &str,
) -> Result<User, DbError> {
    bounded(
        sqlx::query_as(
            "INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4) \
             RETURNING id, email, name, password_hash",
        )
        .bind(Uuid::new_v4())
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .fetch_one(pool),
    )
    .await
}

/// The user with this (lower-cased) email.
pub async fn find_by_email(pool: &PgPool, email: &str) -> Result<Option<User>, DbError> {
    bounded(
        sqlx::query_as("SELECT id, email, name, password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(pool),
    )
    .await
}

/// The user with this id.
pub async fn find_by_id(pool: &PgPool, id: Uuid) -> Result<Option<User>, DbError> {
    bounded(
        sqlx::query_as("SELECT id, email, name, password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(pool),
    )
    .await
}
