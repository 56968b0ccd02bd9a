//! The `chat_messages` table.

use chrono::{DateTime, Utc};
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

/// One message of the conversation about a document, to be stored.
#[derive(Debug, Clone)]
pub struct Message {
    /// Primary key (the `messageId` of `done` for an answer).
    pub id: Uuid,
    /// The document talked about.
    pub document_id: Uuid,
    /// The user who asked.
    pub user_id: Uuid,
    /// Who wrote it.
    pub role: Role,
    /// The text.
    pub content: String,
    /// When it was written: the question when it came, the answer when it
    /// was complete.
    pub created_at: DateTime<Utc>,
}

/// Stores `messages` in one statement: all of them or none.
pub async fn insert_all(pool: &PgPool, messages: &[&Message]) -> Result<(), DbError> {
    let column = |f: fn(&Message) -> Uuid| messages.iter().map(|m| f(m)).collect::<Vec<_>>();
    let ids = column(|m| m.id);
    let documents = column(|m| m.document_id);
    let users = column(|m| m.user_id);
    let roles: Vec<&str> = messages.iter().map(|m| m.role.as_str()).collect();
    let contents: Vec<&str> = messages.iter().map(|m| m.content.as_str()).collect();
    let times: Vec<DateTime<Utc>> = messages.iter().map(|m| m.created_at).collect();
    bounded(
        sqlx::query(
            "INSERT INTO chat_messages (id, document_id, user_id, role, content, created_at) \
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], \
             $6::timestamptz[])",
        )
        .bind(ids)
        .bind(documents)
        .bind(users)
        .bind(roles)
        .bind(contents)
        .bind(times)
        .execute(pool),
    )
    .await
    .map(|_| ())
}
