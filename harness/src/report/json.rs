//! The JSON report: the whole outcome, redacted, for machines.

use super::redact::redact;
use crate::outcome::RunOutcome;

/// The outcome as pretty JSON.
pub fn render(outcome: &RunOutcome) -> std::io::Result<String> {
    let text = serde_json::to_string_pretty(outcome).map_err(std::io::Error::other)?;
    Ok(redact(&text))
}
