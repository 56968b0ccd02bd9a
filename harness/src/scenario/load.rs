//! Loading scenario files: parse (TOML, unknown fields denied) and validate
//! (known rules, defined variables, sound patterns) before anything runs,
//! with a positioned error for every problem found.

use super::model::{Exchange, JsonCheck, Scenario, Step};
use super::sequence::SequencePattern;
use super::source_error::SourceError;
use super::vars;
use crate::rules::{Catalogue, Level};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A scenario file that parsed and validated.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file name without `.toml`: the scenario's stable name.
    pub name: String,
    /// Where it was read from.
    pub path: PathBuf,
    /// Its content.
    pub scenario: Scenario,
    /// MUST if any of its rules is MUST, else SHOULD.
    pub level: Level,
}

impl LoadedScenario {
    /// Whether the scenario needs a subject of its own.
    pub fn needs_own_subject(&self) -> bool {
        let needs = &self.scenario.needs;
        needs.own_subject
            || needs.browser
            || !needs.env.is_empty()
            || self.scenario.steps.iter().any(Step::needs_control)
    }

    /// Whether the scenario needs a subject the harness starts itself.
    pub fn needs_control(&self) -> bool {
        !self.scenario.needs.env.is_empty()
            || self.scenario.needs.browser
            || self.scenario.steps.iter().any(Step::needs_control)
    }
}

/// Why scenario files could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A directory or file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// What was being read.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The directory holds no `*.toml` file.
    #[error("no scenario files (*.toml) in {0}")]
    Empty(PathBuf),
    /// One or more files are invalid; each error is positioned.
    #[error("{} invalid scenario file(s):\n\n{}", .0.len(), render(.0))]
    Invalid(Vec<SourceError>),
}

fn render(errors: &[SourceError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Loads every `*.toml` in `dir`, sorted by name; reports all invalid files at once.
pub fn load_dir(dir: &Path, catalogue: &Catalogue) -> Result<Vec<LoadedScenario>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(LoadError::Empty(dir.to_owned()));
    }
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        match load_bytes(&path, &bytes, catalogue) {
            Ok(s) => loaded.push(s),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(LoadError::Invalid(errors))
    }
}

/// Parses and validates one file's bytes.
pub fn load_bytes(
    path: &Path,
    bytes: &[u8],
    catalogue: &Catalogue,
) -> Result<LoadedScenario, Vec<SourceError>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned();
            return Err(vec![SourceError::at(
                path,
                &valid,
                valid.len(),
                "the file is not UTF-8 text (expected a TOML scenario file)",
            )]);
        }
    };
    let scenario: Scenario = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        vec![SourceError::at(
            path,
            text,
            offset,
            e.message().trim_end().to_owned(),
        )]
    })?;
    let errors = validate(path, text, &scenario, catalogue);
    if !errors.is_empty() {
        return Err(errors);
    }
    let level = scenario
        .rules
        .iter()
        .filter_map(|id| catalogue.get(id))
        .map(|r| r.level)
        .min()
        .unwrap_or(Level::Should);
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Ok(LoadedScenario {
        name,
        path: path.to_owned(),
        scenario,
        level,
    })
}

fn validate(path: &Path, text: &str, s: &Scenario, catalogue: &Catalogue) -> Vec<SourceError> {
    let mut errors = Vec::new();
    let mut err_at = |needle: &str, message: String| {
        errors.push(SourceError::at_text(path, text, needle, message));
    };
    if s.rules.is_empty() {
        err_at(
            "rules",
            "`rules` is empty: name at least one rule ID, such as \"REG-1\"".into(),
        );
    }
    for id in &s.rules {
        if catalogue.get(id).is_none() {
            let known: Vec<&str> = catalogue.ids().collect();
            err_at(
                &format!("\"{id}\""),
                format!("unknown rule {id:?}: expected one of {}", known.join(", ")),
            );
        }
    }
    if s.steps.is_empty() {
        err_at(
            "title",
            "the scenario has no steps: add at least one [[steps]] table".into(),
        );
    }
    let mut defined: BTreeSet<&str> = BTreeSet::new();
    for step in &s.steps {
        match step {
            Step::Request(x) => check_exchange(x, &x.expect.json, &mut defined, &mut err_at),
            Step::Stream(x) => {
                check_exchange(x, &x.expect.json, &mut defined, &mut err_at);
                if let Some(p) = &x.expect.sequence
                    && let Err(e) = SequencePattern::parse(p)
                {
                    err_at(p, e.to_string());
                }
            }
            Step::Burst(b) => {
                check_exchange(&b.request, &[], &mut defined, &mut err_at);
                if !b.request.capture.is_empty() {
                    err_at("capture", "a burst cannot capture variables".into());
                }
                for status in b.expect_counts.keys() {
                    if status.parse::<u16>().is_err() {
                        err_at(status, format!("{status:?} is not an HTTP status code"));
                    }
                }
                if b.count == 0 {
                    err_at("count", "a burst needs a count of at least 1".into());
                }
            }
            Step::Forge(f) => {
                defined.insert(&f.into);
            }
            _ => {}
        }
    }
    for (offset, line) in line_offsets(text) {
        let code = line.split('#').next().unwrap_or_default();
        for r in vars::references(code) {
            if !vars::is_builtin(r.name) && !defined.contains(r.name) {
                let builtins: Vec<&str> = vars::BUILTIN.iter().map(|(n, _)| *n).collect();
                errors.push(SourceError::at(
                    path,
                    text,
                    offset + r.start,
                    format!(
                        "undefined variable ${{{}}}: expected a built-in ({}) or one captured by a step",
                        r.name,
                        builtins.join(", ")
                    ),
                ));
            }
        }
    }
    errors
}

fn check_exchange<'a, E>(
    x: &'a Exchange<E>,
    json: &[JsonCheck],
    defined: &mut BTreeSet<&'a str>,
    err_at: &mut impl FnMut(&str, String),
) {
    for name in x.capture.keys() {
        defined.insert(name);
    }
    for pointer in x.capture.values() {
        if !(pointer.is_empty() || pointer.starts_with('/')) {
            err_at(
                pointer,
                format!("{pointer:?} is not a JSON pointer (it must start with '/')"),
            );
        }
    }
    for check in json {
        if !(check.pointer.is_empty() || check.pointer.starts_with('/')) {
            err_at(
                &check.pointer,
                format!(
                    "{:?} is not a JSON pointer (it must start with '/')",
                    check.pointer
                ),
            );
        }
        if let Some(re) = &check.matches
            && let Err(e) = regex::Regex::new(re)
        {
            err_at(re, format!("invalid regex: {e}"));
        }
    }
    let bodies = [
        x.json.is_some(),
        x.body.is_some(),
        x.json_padded_to_bytes.is_some(),
    ];
    if bodies.iter().filter(|b| **b).count() > 1 {
        err_at(
            &x.path,
            "give at most one of `json`, `body` and `json_padded_to_bytes`".into(),
        );
    }
}

fn line_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line)
    })
}
