//! `conformance compare`: the reports of several runs (implementations, or
//! releases of one) side by side, rules × subjects, so differences show at
//! a glance. Built as plain data from the stored reports, then rendered as
//! Markdown here and as HTML in `compare_html`.

use super::stored::StoredReport;
use crate::rules::Level;
use crate::status::Status;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Why the columns cannot be named.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// More `--name` than reports.
    #[error("{names} names for {reports} reports: give at most one --name per report")]
    TooManyNames {
        /// How many names were given.
        names: usize,
        /// How many reports.
        reports: usize,
    },
}

/// One rule across the runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    /// Rule ID.
    pub id: String,
    /// MUST or SHOULD.
    pub level: Level,
    /// The rule's summary (from the first report that has the rule).
    pub summary: String,
    /// Its status in each run, in column order (`None`: not in that report).
    pub cells: Vec<Option<Status>>,
}

/// Rules × subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// The column names, one per report.
    pub subjects: Vec<String>,
    /// One row per rule that some run checked, in the first report's order
    /// (rules only later reports have come after).
    pub rows: Vec<MatrixRow>,
}

/// The column names: a `--name` when given, else the report's subject, else
/// the file's name; a name shared by two columns gets its file appended.
pub fn names(
    paths: &[PathBuf],
    reports: &[StoredReport],
    overrides: &[String],
) -> Result<Vec<String>, CompareError> {
    if overrides.len() > reports.len() {
        return Err(CompareError::TooManyNames {
            names: overrides.len(),
            reports: reports.len(),
        });
    }
    let base: Vec<String> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| match overrides.get(i) {
            Some(name) => name.clone(),
            None if !r.subject.trim().is_empty() => r.subject.clone(),
            None => file_name(paths.get(i)),
        })
        .collect();
    Ok(base
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if base.iter().filter(|n| *n == name).count() > 1 {
                let path = paths.get(i).map(|p| p.display().to_string());
                format!("{name} ({})", path.unwrap_or_else(|| format!("#{}", i + 1)))
            } else {
                name.clone()
            }
        })
        .collect())
}

fn file_name(path: Option<&PathBuf>) -> String {
    path.and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_owned())
}

/// The matrix of the reports under their names.
pub fn matrix(subjects: Vec<String>, reports: &[StoredReport]) -> Matrix {
    let mut rows: Vec<MatrixRow> = Vec::new();
    for (col, report) in reports.iter().enumerate() {
        for rule in &report.rules {
            let at = match rows.iter().position(|r| r.id == rule.id) {
                Some(at) => at,
                None => {
                    rows.push(MatrixRow {
                        id: rule.id.clone(),
                        level: rule.level,
                        summary: rule.summary.clone(),
                        cells: vec![None; reports.len()],
                    });
                    rows.len() - 1
                }
            };
            rows[at].cells[col] = Some(rule.status);
        }
    }
    let checked = |c: &Option<Status>| !matches!(c, None | Some(Status::NotRun));
    rows.retain(|r| r.cells.iter().any(checked));
    Matrix { subjects, rows }
}

/// How many rules of one column have each status, in one line.
pub fn totals(matrix: &Matrix, col: usize) -> String {
    crate::status::Counts::of(
        matrix
            .rows
            .iter()
            .filter_map(|r| r.cells.get(col).copied().flatten()),
    )
    .line(false)
}

/// `text` fit for a cell of a Markdown table: on one line, `&`, `<` and `>`
/// as character references (as summary.md's), `|` escaped.
fn cell(text: &str) -> String {
    super::markdown::inline(text).replace('|', "\\|")
}

/// The matrix as Markdown (stdout and `compare.md`).
pub fn markdown(matrix: &Matrix) -> String {
    let mut out = String::from("## Insight Garden conformance, side by side\n\n");
    let heads: Vec<String> = matrix.subjects.iter().map(|s| cell(s)).collect();
    let _ = writeln!(out, "| Rule | Level | {} | Summary |", heads.join(" | "));
    let _ = writeln!(out, "|---|---|{}---|", "---|".repeat(heads.len()));
    for r in &matrix.rows {
        let marks: Vec<&str> = r
            .cells
            .iter()
            .map(|c| c.map_or("— absent", |s| s.spelling().icon))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&r.id),
            r.level,
            marks.join(" | "),
            cell(&r.summary)
        );
    }
    let totals: Vec<String> = (0..heads.len()).map(|c| totals(matrix, c)).collect();
    let _ = writeln!(out, "| **totals** | | {} | |", totals.join(" | "));
    super::redact::redact(&out)
}

/// Writes `compare.md` and `compare.html` into `dir`; returns their paths.
pub fn write_files(matrix: &Matrix, dir: &Path) -> std::io::Result<[PathBuf; 2]> {
    std::fs::create_dir_all(dir)?;
    let md = dir.join("compare.md");
    let html = dir.join("compare.html");
    std::fs::write(&md, markdown(matrix))?;
    std::fs::write(&html, super::compare_html::render(matrix))?;
    Ok([md, html])
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
