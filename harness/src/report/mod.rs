//! Reports of a run, each written from the same `RunOutcome`: the console,
//! JUnit XML, JSON, a Markdown summary and an HTML page. Tokens are
//! redacted in all of them.

pub mod baseline;
pub(crate) mod baseline_text;
pub mod compare;
pub(crate) mod compare_html;
pub mod console;
pub(crate) mod curl;
pub(crate) mod har;
pub(crate) mod html;
pub(crate) mod index_failure;
pub mod index_html;
pub mod json;
pub mod junit;
pub mod markdown;
pub(crate) mod plan;
pub(crate) mod redact;
pub(crate) mod sentence;
pub mod stored;

use crate::outcome::{RunOutcome, Verdict};
use baseline::Comparison;
use std::path::Path;

/// Picks the scenarios one section of a report lists, by their verdict.
pub(crate) type VerdictFilter = fn(&Verdict) -> bool;

/// Writes `junit.xml`, `report.json`, `summary.md` and `index.html` into
/// `dir`; the summary and the page show the comparison with the baseline
/// when there is one.
pub fn write_files(
    outcome: &RunOutcome,
    baseline: Option<&Comparison>,
    dir: &Path,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("junit.xml"),
        junit::render(outcome).map_err(std::io::Error::other)?,
    )?;
    std::fs::write(dir.join("report.json"), json::render(outcome)?)?;
    std::fs::write(
        dir.join("summary.md"),
        markdown::render_with(outcome, baseline),
    )?;
    std::fs::write(
        dir.join("index.html"),
        index_html::render_with(outcome, baseline),
    )?;
    Ok(())
}

#[cfg(test)]
#[path = "hostile_report_tests.rs"]
mod hostile_report_tests;

#[cfg(test)]
#[path = "ran_again_tests.rs"]
mod ran_again_tests;
