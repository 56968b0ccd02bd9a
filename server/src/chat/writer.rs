//! Stores chat messages in batches. Every stream ends by storing its
//! question and answer before it sends `done`; when thousands of streams
//! end together, one multi-row statement per batch (group commit) replaces
//! thousands of round trips that would otherwise queue for the pool. A
//! stream still gets `done` only once its rows are committed.

use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};

use super::store::{Message, insert_all};
use crate::db::DbError;

/// Requests taken into one statement at most.
const MAX_BATCH: usize = 512;
/// Requests waiting for the writer at most; senders wait beyond that.
const QUEUE: usize = 16_384;

/// Why messages were not stored.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SaveError {
    /// The database refused or could not be reached.
    #[error(transparent)]
    Database(Arc<DbError>),
    /// The writer task is gone (the server is shutting down).
    #[error("the message writer has stopped")]
    Stopped,
}

struct Request {
    messages: Vec<Message>,
    reply: oneshot::Sender<Result<(), SaveError>>,
}

/// The handle streams store their messages through; cheap to clone.
#[derive(Clone)]
pub struct MessageWriter {
    queue: mpsc::Sender<Request>,
}

impl MessageWriter {
    /// Starts the writer task on the current runtime.
    pub fn start(db: PgPool) -> Self {
        let (queue, requests) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, requests));
        MessageWriter { queue }
    }

    /// Stores `messages` (all or none) and returns once they are committed.
    pub async fn save(&self, messages: Vec<Message>) -> Result<(), SaveError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Request { messages, reply })
            .await
            .map_err(|_| SaveError::Stopped)?;
        answer.await.unwrap_or(Err(SaveError::Stopped))
    }
}

/// Takes what is waiting (up to [`MAX_BATCH`] requests), stores it in one
/// statement, answers every request, and repeats until every handle is gone.
async fn write_batches(db: PgPool, mut requests: mpsc::Receiver<Request>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while requests.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let rows: Vec<&Message> = batch.iter().flat_map(|r| &r.messages).collect();
        match insert_all(&db, &rows).await {
            Ok(()) => {
                for request in batch.drain(..) {
                    let _ = request.reply.send(Ok(()));
                }
            }
            Err(err) if batch.len() > 1 && !matches!(err, DbError::Unavailable(_)) => {
                // One request's rows spoil the statement for all: each on its own.
                for request in batch.drain(..) {
                    let rows: Vec<&Message> = request.messages.iter().collect();
                    let outcome = insert_all(&db, &rows)
                        .await
                        .map_err(|e| SaveError::Database(Arc::new(e)));
                    let _ = request.reply.send(outcome);
                }
            }
            Err(err) => {
                let err = SaveError::Database(Arc::new(err));
                for request in batch.drain(..) {
                    let _ = request.reply.send(Err(err.clone()));
                }
            }
        }
    }
}
