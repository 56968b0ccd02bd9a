//! A `report.json` read back, for `--baseline` and `compare`: the status
//! of each rule and scenario of an earlier run, strictly parsed (an unknown
//! status is an error, never a guess).

use crate::rules::Level;
use crate::status::Status;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Why a report file cannot be read back (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ReportFileError {
    /// The file cannot be read.
    #[error("cannot read {path}")]
    Read {
        /// The baseline file.
        path: PathBuf,
        /// What reading it said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a `report.json` written by `--report-dir`.
    #[error("{path} is not a report.json written by `conformance run --report-dir`")]
    Parse {
        /// The baseline file.
        path: PathBuf,
        /// What parsing it said.
        #[source]
        source: serde_json::Error,
    },
}

/// The parts of a `report.json` that are read back: who was tested and
/// the status of each rule and scenario (other fields are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct StoredReport {
    /// The subject of that run, in one line.
    pub subject: String,
    /// One status per rule.
    pub rules: Vec<StoredRule>,
    /// One verdict per scenario.
    pub scenarios: Vec<StoredScenario>,
}

/// A rule's status in that run.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredRule {
    /// Rule ID.
    pub id: String,
    /// MUST or SHOULD.
    pub level: Level,
    /// The rule's summary.
    pub summary: String,
    /// Its status then.
    pub status: Status,
}

/// A scenario's verdict in that run.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredScenario {
    /// The scenario's name.
    pub name: String,
    /// Its verdict then (one of the statuses a scenario can have).
    pub verdict: Status,
}

/// Reads a report file.
pub fn load(path: &Path) -> Result<StoredReport, ReportFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text).map_err(|source| ReportFileError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// Parses the text of a report file.
pub fn parse(text: &str) -> Result<StoredReport, serde_json::Error> {
    serde_json::from_str(text)
}
