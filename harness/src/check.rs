//! A check that did not hold, as data: what was checked, what was
//! expected and what came. Checks produce these values; reports render
//! them to sentences (`report/sentence.rs`), and no code reads a sentence
//! back. What a failure leaves besides its checks (a screenshot, the
//! browser's requests) is an [`Artifact`], kept apart from the checks.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One check that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedCheck {
    /// What was checked.
    pub what: What,
    /// What the check wanted, as a short value (`201`, `"http://a"`,
    /// `absent`, `9 × 409`).
    pub expected: String,
    /// What came instead, when there is something to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

impl FailedCheck {
    /// A failed check with something to show for what came.
    pub fn new(what: What, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        FailedCheck {
            what,
            expected: expected.into(),
            actual: Some(actual.into()),
        }
    }

    /// A failed check with nothing to show for what came (the expectation
    /// says it all, as in "expected to contain X").
    pub fn missing(what: What, expected: impl Into<String>) -> Self {
        FailedCheck {
            what,
            expected: expected.into(),
            actual: None,
        }
    }
}

/// What a check looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    /// The status line.
    Status,
    /// A response header.
    Header {
        /// Its name, lowercase.
        name: String,
    },
    /// A value in a JSON document.
    Json {
        /// Which document: `body`, `last event`, `localStorage[key]`.
        doc: String,
        /// The JSON pointer (empty: the whole document).
        pointer: String,
    },
    /// The body as text.
    Body,
    /// A password or a password hash in a body.
    Password {
        /// The field that holds it, when a field named for a password does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pointer: Option<String>,
    },
    /// The CORS headers of an answer, judged as a browser judges them.
    Cors {
        /// The request's `Origin`.
        origin: String,
        /// Whether the answer was to a preflight.
        preflight: bool,
    },
    /// A variable set from an answer.
    Capture {
        /// The variable.
        name: String,
        /// The document it is read from.
        doc: String,
        /// The JSON pointer.
        pointer: String,
    },
    /// Whether an answer came at all (a request that could not be sent, a
    /// connection refused or reset, no answer in time).
    Answer,
    /// The names of a stream's events, in order.
    Events,
    /// The data of a stream's events of one name.
    Event {
        /// The event name.
        name: String,
    },
    /// When a stream's first event arrived.
    FirstEvent,
    /// When a stream's events arrived, or how long it stayed open.
    Timing,
    /// One round of a burst.
    Burst {
        /// The round, from 1.
        round: usize,
        /// How many rounds the burst has.
        rounds: usize,
    },
    /// How many rounds of a burst broke its expectation.
    Bursts {
        /// The rounds that broke it.
        broke: usize,
        /// All rounds.
        rounds: usize,
        /// Requests per round.
        count: usize,
    },
    /// A JWT the subject issued.
    Token {
        /// The part looked at: `shape`, `alg`, `claims`, `signature`, `lifetime`.
        part: String,
    },
    /// What the page showed or did.
    Page,
    /// A `localStorage` key.
    Storage {
        /// The key.
        key: String,
    },
    /// The requests the browser made to the API.
    Network,
    /// The subject's restart.
    Restart,
    /// A start of the subject: the scenario's own, or one that must fail.
    Start,
    /// What the subject printed.
    Output,
    /// A file of the subject's sources.
    File {
        /// The path in the source tree.
        path: String,
    },
    /// Whether the subject connected to a service it was handed.
    Connection {
        /// `database` or `redis`.
        service: String,
    },
    /// A screenshot a step asked for.
    Screenshot {
        /// The name it was asked for under.
        name: String,
    },
}

/// What a failed step leaves besides its checks, for the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Artifact {
    /// The page when the step failed.
    Screenshot {
        /// Where the PNG file is.
        path: PathBuf,
    },
    /// A screenshot that could not be taken or saved: said, and changes
    /// no verdict.
    ScreenshotMissing {
        /// Why.
        reason: String,
    },
    /// The first answer the browser refused for CORS (what the page then
    /// did follows from it).
    CorsRefusal {
        /// Why it was refused, and the request.
        line: String,
    },
    /// Every request the browser made to the API so far, one line each.
    BrowserRequests {
        /// The requests.
        lines: Vec<String>,
    },
}
