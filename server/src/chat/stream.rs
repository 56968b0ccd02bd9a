//! `POST /documents/{id}/chat/stream`: the answer as server-sent events.
//!
//! Everything that can refuse the request happens before the stream
//! starts: the token (`401`, SSE-3), the document (`404`, SSE-5), the body
//! (`4xx`). Then the response is `200 text/event-stream` with `delta`
//! events flushed one by one (SSE-6), and one `done` last (SSE-1). The
//! token is checked once, at the start: a token that expires while the
//! answer streams does not cut it (SSE-4).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, HeaderName,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::future::Either;
use futures::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use super::answer::Answer;
use super::store::{Message, Role};
use super::writer::{MessageWriter, SaveError};
use crate::auth::extract::{Accounts, AuthUser, Authenticator};
use crate::auth::token::Expiry;
use crate::documents::routes::DocumentId;
use crate::error::ApiError;
use crate::faults::{Fault, FaultSet};
use crate::json::ApiJson;
use crate::row_cache::RowCache;
use chrono::Utc;

const MAX_QUESTION_CHARS: usize = 4000;
const X_ACCEL_BUFFERING: HeaderName = HeaderName::from_static("x-accel-buffering");

/// What the `stream-any-document` fault streams for a document the caller
/// cannot read.
const CANNED_ANSWER: &str = "I could not find anything about that in this document.";

/// How chat streams behave, fixed at start.
#[derive(Debug, Clone, Copy)]
pub struct ChatSettings {
    delay: Duration,
    expiry: Expiry,
    recheck_token: bool,
    buffered: bool,
    send_done: bool,
    auth_in_stream: bool,
    any_document: bool,
    compressed_buffered: bool,
}

impl ChatSettings {
    /// Streams pausing `delay` between deltas (`STREAM_DELAY_MS`).
    pub fn new(delay: Duration, faults: FaultSet) -> Self {
        ChatSettings {
            delay,
            expiry: if faults.contains(Fault::StreamIgnoresExpiry) {
                Expiry::Ignored
            } else {
                Expiry::Checked
            },
            recheck_token: faults.contains(Fault::StreamRecheckToken),
            buffered: faults.contains(Fault::StreamBuffered),
            send_done: !faults.contains(Fault::StreamNoDone),
            auth_in_stream: faults.contains(Fault::StreamStartsBeforeAuth),
            any_document: faults.contains(Fault::StreamAnyDocument),
            compressed_buffered: faults.contains(Fault::StreamCompressedBuffered),
        }
    }
}

/// Who asks for a stream. It refuses a request without a valid token
/// before the stream starts, as [`AuthUser`] does, except under the
/// `stream-starts-before-auth` fault, which keeps the refusal to send it
/// inside the stream (and the `stream-ignores-expiry` fault, which does not
/// look at the token's expiry).
pub struct Caller(Result<AuthUser, ApiError>);

impl<S> FromRequestParts<S> for Caller
where
    Arc<Authenticator>: FromRef<S>,
    ChatSettings: FromRef<S>,
    S: Accounts + Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let settings = ChatSettings::from_ref(state);
        let user = Arc::<Authenticator>::from_ref(state)
            .authenticate(parts, state, settings.expiry)
            .await;
        if settings.auth_in_stream {
            Ok(Caller(user))
        } else {
            user.map(|user| Caller(Ok(user)))
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

/// Where a stream reads the document and stores the messages: the pool, the
/// row cache in front of it and the batching writer, taken together.
#[derive(Clone)]
pub struct ChatStores {
    db: PgPool,
    rows: RowCache,
    writer: MessageWriter,
}

impl<S> FromRef<S> for ChatStores
where
    PgPool: FromRef<S>,
    RowCache: FromRef<S>,
    MessageWriter: FromRef<S>,
{
    fn from_ref(state: &S) -> Self {
        ChatStores {
            db: PgPool::from_ref(state),
            rows: RowCache::from_ref(state),
            writer: MessageWriter::from_ref(state),
        }
    }
}

/// Answers a question about one of the caller's documents.
pub async fn stream(
    Caller(user): Caller,
    DocumentId(document_id): DocumentId,
    State(ChatStores { db, rows, writer }): State<ChatStores>,
    State(settings): State<ChatSettings>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ChatBody>,
) -> Result<Response, ApiError> {
    let user = match user {
        Ok(user) => user,
        Err(refusal) => {
            let message = refusal.to_string();
            let error = sse_event("error", &Failure { message: &message });
            return Ok(event_stream(stream::iter([error])));
        }
    };
    let question = body.message.trim();
    if question.is_empty() {
        return Err(ApiError::bad_request("message must not be empty"));
    }
    if question.chars().count() > MAX_QUESTION_CHARS {
        return Err(ApiError::bad_request(
            "message must be at most 4000 characters",
        ));
    }
    let document = match rows.document_for_owner(&db, document_id, user.id).await? {
        Some(document) => document,
        None if settings.any_document => return Ok(event_stream(canned_reply())),
        None => return Err(ApiError::document_not_found()),
    };
    // The question is stored with the answer, in one statement at the end.
    let asked = Message {
        id: Uuid::new_v4(),
        document_id,
        user_id: user.id,
        role: Role::User,
        content: question.to_owned(),
        created_at: Utc::now(),
    };
    let reply = Reply {
        answer: Answer::build(&document.title, &document.content, question),
        cursor: 0,
        delay: settings.delay,
        token_expires_at: settings.recheck_token.then_some(user.token_expires_at),
        writer,
        question: Some(asked),
        message_id: Uuid::new_v4(),
        document_id,
        user_id: user.id,
        send_done: settings.send_done,
        finished: false,
    };
    let events = stream::unfold(reply, Reply::next_event);
    let events = if settings.buffered {
        Either::Left(buffered(events))
    } else {
        Either::Right(events)
    };
    let accepts_gzip = headers
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    if settings.compressed_buffered && accepts_gzip {
        return Ok(gzipped_whole(event_stream(events)).await);
    }
    Ok(event_stream(events))
}

/// The `stream-compressed-buffered` fault: the whole stream is read, then
/// sent gzipped in one piece, as a compression middleware that waits for
/// the end of the body does.
async fn gzipped_whole(response: Response) -> Response {
    use std::io::Write;
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::Internal.into_response();
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let Ok(compressed) = encoder.write_all(&bytes).and_then(|()| encoder.finish()) else {
        return ApiError::Internal.into_response();
    };
    parts
        .headers
        .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(compressed))
}

/// The `200 text/event-stream` response carrying `events`.
fn event_stream<S>(events: S) -> Response
where
    S: Stream<Item = Result<Event, axum::Error>> + Send + 'static,
{
    let sse = Sse::new(events).keep_alive(KeepAlive::default());
    // `Sse` sets `Cache-Control: no-cache` too; it is stated here because
    // the contract requires it (SSE-6). `X-Accel-Buffering: no` asks
    // reverse proxies such as nginx not to buffer the stream either.
    (
        [(CACHE_CONTROL, "no-cache"), (X_ACCEL_BUFFERING, "no")],
        sse,
    )
        .into_response()
}

/// The `stream-any-document` fault's answer about a document the caller
/// cannot read: one delta and a `done` naming a message that is not stored.
fn canned_reply() -> impl Stream<Item = Result<Event, axum::Error>> + Send + 'static {
    stream::iter([
        sse_event(
            "delta",
            &Delta {
                content: CANNED_ANSWER,
            },
        ),
        sse_event(
            "done",
            &Done {
                message_id: Uuid::new_v4(),
            },
        ),
    ])
}

/// The state of one answer being streamed.
struct Reply {
    answer: Answer,
    /// Byte offset of the next delta in the answer.
    cursor: usize,
    delay: Duration,
    /// Set only under the `stream-recheck-token` fault.
    token_expires_at: Option<u64>,
    writer: MessageWriter,
    /// Stored together with the answer; taken when that happens.
    question: Option<Message>,
    message_id: Uuid,
    document_id: Uuid,
    user_id: Uuid,
    /// Cleared only under the `stream-no-done` fault.
    send_done: bool,
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
        if !self.send_done {
            return None;
        }
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

    async fn save(&mut self) -> Result<(), SaveError> {
        let answer = Message {
            id: self.message_id,
            document_id: self.document_id,
            user_id: self.user_id,
            role: Role::Assistant,
            content: self.answer.text().to_owned(),
            created_at: Utc::now(),
        };
        let messages = self.question.take().into_iter().chain([answer]).collect();
        self.writer.save(messages).await
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
