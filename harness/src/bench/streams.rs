//! N chat streams opened at once, each read to its end: how many end with
//! `done`, how many are refused, how soon the first `delta` comes, and how
//! many were open at the same moment.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource;
use futures::StreamExt;
use reqwest::Client;
use serde_json::json;

use super::session::{BenchUser, QUESTION};
use super::stats::Latencies;
use crate::run::exchange::error_chain;

/// How one stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ending {
    /// A `done` event came.
    Done,
    /// `401` before the stream, or an `error` event saying unauthorized.
    Unauthorized,
    /// Another status than `200` and `401`.
    Status(u16),
    /// An `error` event (other than unauthorized).
    ErrorEvent(String),
    /// The stream ended without `done`.
    NoDone,
    /// No answer, a broken connection or an unreadable stream.
    Failed(String),
    /// Still going at the deadline.
    TimedOut,
}

/// What N concurrent streams measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamsResult {
    /// How many streams were opened.
    pub(crate) count: usize,
    /// Streams that ended with `done`.
    pub(crate) done: usize,
    /// Streams refused as unauthorized (`401` or an `error` event saying so).
    pub(crate) unauthorized: usize,
    /// Streams answered with another status, by status.
    pub(crate) other_statuses: BTreeMap<u16, usize>,
    /// Streams with an `error` event, that ended without `done`, or that
    /// were still going at the deadline.
    pub(crate) incomplete: usize,
    /// Streams that failed on the way (connect, reset, bad framing).
    pub(crate) failed: usize,
    /// One example of each kind of problem, for the report.
    pub(crate) problems: Vec<String>,
    /// Time from sending the request to the first `delta`, per stream.
    pub(crate) first_delta: Latencies,
    /// From the first request sent to the last stream ended.
    pub(crate) total: Duration,
    /// The most streams that were open (headers received, not yet ended) at once.
    pub(crate) peak_open: usize,
}

/// Opens `count` streams on `user`'s document at once and reads each to its
/// end, giving up on any still going after `deadline`.
pub(crate) async fn concurrent_streams(
    client: &Client,
    user: &BenchUser,
    count: usize,
    deadline: Duration,
) -> StreamsResult {
    let url = user.url(&format!("/documents/{}/chat/stream", user.document_id));
    let body = json!({ "message": QUESTION });
    let open = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let request = client
                .post(url.clone())
                .bearer_auth(&user.token)
                .header("accept", "text/event-stream")
                .json(&body);
            let (open, peak) = (Arc::clone(&open), Arc::clone(&peak));
            tokio::spawn(async move {
                let sent = Instant::now();
                let mut first_delta = None;
                let ending = tokio::time::timeout(
                    deadline,
                    one_stream(request, sent, &mut first_delta, &open, &peak),
                )
                .await
                .unwrap_or(Ending::TimedOut);
                (ending, first_delta)
            })
        })
        .collect();
    let mut result = StreamsResult {
        count,
        ..StreamsResult::default()
    };
    let mut first_deltas = Vec::with_capacity(count);
    let mut seen = std::collections::HashSet::new();
    for task in tasks {
        let (ending, first_delta) = task
            .await
            .unwrap_or_else(|e| (Ending::Failed(format!("the stream task failed: {e}")), None));
        first_deltas.extend(first_delta);
        let problem = match &ending {
            Ending::Done => None,
            Ending::Unauthorized => Some("unauthorized (401)".to_owned()),
            Ending::Status(status) => Some(format!("answered {status}")),
            Ending::ErrorEvent(data) => Some(format!("error event: {data}")),
            Ending::NoDone => Some("ended without done".to_owned()),
            Ending::Failed(error) => Some(error.clone()),
            Ending::TimedOut => Some(format!("still going after {} s", deadline.as_secs())),
        };
        match ending {
            Ending::Done => result.done += 1,
            Ending::Unauthorized => result.unauthorized += 1,
            Ending::Status(status) => *result.other_statuses.entry(status).or_default() += 1,
            Ending::ErrorEvent(_) | Ending::NoDone | Ending::TimedOut => result.incomplete += 1,
            Ending::Failed(_) => result.failed += 1,
        }
        if let Some(problem) = problem {
            let kind: String = problem.chars().take(40).collect();
            if result.problems.len() < 5 && seen.insert(kind) {
                result.problems.push(problem);
            }
        }
    }
    result.total = began.elapsed();
    result.first_delta = Latencies::of(first_deltas);
    result.peak_open = peak.load(Ordering::Relaxed);
    result
}

/// Sends one stream request and reads it to the end.
async fn one_stream(
    request: reqwest::RequestBuilder,
    sent: Instant,
    first_delta: &mut Option<Duration>,
    open: &AtomicUsize,
    peak: &AtomicUsize,
) -> Ending {
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => return Ending::Failed(error_chain(&e)),
    };
    match response.status().as_u16() {
        200 => {}
        401 => return Ending::Unauthorized,
        status => return Ending::Status(status),
    }
    let now_open = open.fetch_add(1, Ordering::Relaxed) + 1;
    peak.fetch_max(now_open, Ordering::Relaxed);
    let mut events = response.bytes_stream().eventsource();
    let mut ending = Ending::NoDone;
    while let Some(event) = events.next().await {
        match event {
            Ok(event) => match event.event.as_str() {
                "delta" => {
                    first_delta.get_or_insert_with(|| sent.elapsed());
                }
                "done" => {
                    ending = Ending::Done;
                    break;
                }
                "error" if event.data.to_ascii_lowercase().contains("unauthorized") => {
                    ending = Ending::Unauthorized;
                    break;
                }
                "error" => {
                    ending = Ending::ErrorEvent(event.data.chars().take(200).collect());
                    break;
                }
                _ => {}
            },
            Err(e) => {
                ending = Ending::Failed(format!("reading the stream: {e}"));
                break;
            }
        }
    }
    open.fetch_sub(1, Ordering::Relaxed);
    ending
}
