//! `POST /documents/{id}/chat/stream`: the answer as server-sent events.
//!
//! Everything that can refuse the request happens before the stream
//! starts: the token (`401`, SSE-3), the document (`404`, SSE-5), the body
//! (`4xx`). Then the response is `200 text/event-stream` with `delta`
//! events flushed one by one (SSE-6), and one `done` last (SSE-1). The
//! token is checked once, at the start: a token that expires while the
//! answer streams does not cut it (SSE-4).

use std::time::Duration;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, HeaderName};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::future::Either;
use futures::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use super::answer::Answer;
use super::store::{self, Role};
use crate::auth::extract::AuthUser;
use crate::db::DbError;
use crate::documents::routes::DocumentId;
use crate::documents::store::find_for_owner;
use crate::error::ApiError;
use crate::faults::{Fault, FaultSet};
use crate::json::ApiJson;

const MAX_QUESTION_CHARS: usize = 4000;
const X_ACCEL_BUFFERING: HeaderName = HeaderName::from_static("x-accel-buffering");

/// How chat streams behave, fixed at start.
#[derive(Debug, Clone, Copy)]
pub struct ChatSettings {
    delay: Duration,
    recheck_token: bool,
    buffered: bool,
}

impl ChatSettings {
    /// Streams pausing `delay` between deltas (`STREAM_DELAY_MS`).
    pub fn new(delay: Duration, faults: FaultSet) -> Self {
        ChatSettings {
            delay,
            recheck_token: faults.contains(Fault::StreamRecheckToken),
            buffered: faults.contains(Fault::StreamBuffered),
        }
    }
}

/// The body of the chat request.
#[derive(Deserialize)]
pub struct ChatBody {
    message: String,
}

#[derive(Serialize)]
struct Delta<'a> {
    content: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Done {
    message_id: Uuid,
}

#[derive(Serialize)]
struct Failure<'a> {
    message: &'a str,
}

/// Answers a question about one of the caller's documents.
pub async fn stream(
    user: AuthUser,
    DocumentId(document_id): DocumentId,
    State(db): State<PgPool>,
    State(settings): State<ChatSettings>,
    ApiJson(body): ApiJson<ChatBody>,
) -> Result<Response, ApiError> {
    let question = body.message.trim();
    if question.is_empty() {
        return Err(ApiError::bad_request("message must not be empty"));
    }
    if question.chars().count() > MAX_QUESTION_CHARS {
        return Err(ApiError::bad_request(
            "message must be at most 4000 characters",
        ));
    }
    let document = find_for_owner(&db, document_id, user.id)
        .await?
        .ok_or_else(ApiError::document_not_found)?;
    store::insert_message(
        &db,
        Uuid::new_v4(),
        document_id,
        user.id,
        Role::User,
        question,
    )
    .await?;

    let reply = Reply {
        answer: Answer::build(&document.title, &document.content, question),
        cursor: 0,
        delay: settings.delay,
        token_expires_at: settings.recheck_token.then_some(user.token_expires_at),
        db,
        message_id: Uuid::new_v4(),
        document_id,
        user_id: user.id,
        finished: false,
    };
    let events = stream::unfold(reply, Reply::next_event);
    let events = if settings.buffered {
        Either::Left(buffered(events))
    } else {
        Either::Right(events)
    };
    let sse = Sse::new(events).keep_alive(KeepAlive::default());
    // `Sse` sets `Cache-Control: no-cache` too; it is stated here because
    // the contract requires it (SSE-6). `X-Accel-Buffering: no` asks
    // reverse proxies such as nginx not to buffer the stream either.
    Ok((
        [(CACHE_CONTROL, "no-cache"), (X_ACCEL_BUFFERING, "no")],
        sse,
    )
        .into_response())
}

/// The state of one answer being streamed.
struct Reply {
    answer: Answer,
    /// Byte offset of the next delta in the answer.
    cursor: usize,
    delay: Duration,
    /// Set only under the `stream-recheck-token` fault.
    token_expires_at: Option<u64>,
    db: PgPool,
    message_id: Uuid,
    document_id: Uuid,
    user_id: Uuid,
    finished: bool,
}

impl Reply {
    /// The next event: the deltas, pausing between them, then `done` once
    /// the answer is stored (or `error` if it cannot be), then the end.
    async fn next_event(mut self) -> Option<(Result<Event, axum::Error>, Self)> {
        if self.finished {
            return None;
        }
        if let Some(delta) = self.answer.delta_at(self.cursor) {
            if self.cursor > 0 {
                tokio::time::sleep(self.delay).await;
            }
            if self.token_expired() {
                self.finished = true;
                let expired = sse_event(
                    "error",
                    &Failure {
                        message: "Unauthorized: the token has expired",
                    },
                );
                return Some((expired, self));
            }
            let next = sse_event("delta", &Delta { content: delta });
            self.cursor += delta.len();
            return Some((next, self));
        }
        self.finished = true;
        let last = match self.save().await {
            Ok(()) => sse_event(
                "done",
                &Done {
                    message_id: self.message_id,
                },
            ),
            Err(err) => {
                tracing::warn!(error = %err, "storing the answer failed");
                sse_event(
                    "error",
                    &Failure {
                        message: "The answer could not be saved",
                    },
                )
            }
        };
        Some((last, self))
    }

    fn token_expired(&self) -> bool {
        self.token_expires_at
            .is_some_and(|expires_at| expires_at <= jsonwebtoken::get_current_timestamp())
    }

    async fn save(&self) -> Result<(), DbError> {
        store::insert_message(
            &self.db,
            self.message_id,
            self.document_id,
            self.user_id,
            Role::Assistant,
            self.answer.text(),
        )
        .await
    }
}

fn sse_event(name: &'static str, data: &impl Serialize) -> Result<Event, axum::Error> {
    Event::default().event(name).json_data(data)
}

/// The `stream-buffered` fault: nothing is sent until every event exists.
fn buffered<S: Stream + Send>(events: S) -> impl Stream<Item = S::Item> + Send
where
    S::Item: Send,
{
    stream::once(events.collect::<Vec<_>>()).flat_map(stream::iter)
}
