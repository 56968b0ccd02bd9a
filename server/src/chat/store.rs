//! The `chat_messages` table.

use sqlx::PgPool;
use uuid::Uuid;

use crate::db::{DbError, bounded};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The person asking.
    User,
    /// The server's answer.
    Assistant,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// Stores one message of the conversation about `document_id`.
pub async fn insert_message(
    pool: &PgPool,
    id: Uuid,
    document_id: Uuid,
    user_id: Uuid,
    role: Role,
    content: &str,
) -> Result<(), DbError> {
    bounded(
        sqlx::query(
            "INSERT INTO chat_messages (id, document_id, user_id, role, content) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(document_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(content)
        .execute(pool),
    )
    .await
    .map(|_| ())
}
