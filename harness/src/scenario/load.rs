//! Loading scenario files: parse (TOML, unknown fields denied) and validate
//! (known rules, defined variables, sound patterns) before anything runs,
//! with a positioned error for every problem found.

use super::model::{Exchange, HeaderCheck, JsonCheck, Scenario, Step};
use super::sequence::SequencePattern;
use super::source_error::SourceError;
use super::spans::{Seg, SpanIndex};
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
    /// Where each step is written in the file (`line:column`), for reports.
    pub step_positions: Vec<String>,
    /// Where each `[[each]]` step is written in the file.
    pub each_positions: Vec<String>,
    /// The labels of the cases a filter selected (`None`: every case).
    pub selected_cases: Option<Vec<String>>,
}

impl LoadedScenario {
    /// Whether the scenario needs a subject of its own.
    pub fn needs_own_subject(&self) -> bool {
        let needs = &self.scenario.needs;
        needs.own_subject
            || needs.browser
            || !needs.env.is_empty()
            || !needs.unset.is_empty()
            || !needs.dotenv.is_empty()
            || self.steps().any(Step::needs_control)
    }

    /// Whether the scenario needs a subject the harness starts itself.
    pub fn needs_control(&self) -> bool {
        !self.scenario.needs.env.is_empty()
            || !self.scenario.needs.unset.is_empty()
            || !self.scenario.needs.dotenv.is_empty()
            || self.scenario.needs.browser
            || self.steps().any(Step::needs_control)
    }

    /// Whether the scenario's own subject must be running for its steps
    /// (not when every step starts a process of its own that must fail).
    pub fn needs_running_subject(&self) -> bool {
        self.steps().any(|s| !matches!(s, Step::StartFails(_)))
    }

    /// Whether the case labelled `label` runs.
    pub fn selects_case(&self, label: &str) -> bool {
        self.selected_cases
            .as_ref()
            .is_none_or(|labels| labels.iter().any(|l| l == label))
    }

    /// Every step, those run once per case (`[[each]]`) included, without
    /// their roles.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.scenario
            .steps
            .iter()
            .chain(&self.scenario.each)
            .map(|e| &e.step)
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
    /// Two scenario files share a name, which reports use as the scenario's
    /// stable identity.
    #[error("two scenario files are named {name}: {} and {}", first.display(), second.display())]
    Duplicate {
        /// The file name without `.toml`.
        name: String,
        /// The first file of that name.
        first: PathBuf,
        /// The second.
        second: PathBuf,
    },
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
    load_files(read_dir_files(dir)?, catalogue)
}

/// The `*.toml` files of `dir` with their bytes, sorted by name.
pub fn read_dir_files(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, LoadError> {
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
    paths
        .into_iter()
        .map(|path| match std::fs::read(&path) {
            Ok(bytes) => Ok((path, bytes)),
            Err(source) => Err(LoadError::Io { path, source }),
        })
        .collect()
}

/// Parses and validates files already read, in the order given; reports
/// all invalid files at once.
pub fn load_files(
    files: Vec<(PathBuf, Vec<u8>)>,
    catalogue: &Catalogue,
) -> Result<Vec<LoadedScenario>, LoadError> {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for (path, bytes) in files {
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
    let spans = SpanIndex::parse(text);
    let errors: Vec<SourceError> = match &spans {
        Some(spans) => validate(&scenario, catalogue, spans)
            .into_iter()
            .map(|(offset, message)| SourceError::at(path, text, offset, message))
            .collect(),
        None => Vec::new(),
    };
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
    let positions = |list: &'static str, count: usize| -> Vec<String> {
        match &spans {
            Some(spans) => (0..count)
                .map(|i| {
                    let offset = spans.span(&[Seg::Key(list), Seg::Index(i)]).start;
                    let at = SourceError::at(path, text, offset, String::new());
                    format!("{}:{}", at.line, at.column)
                })
                .collect(),
            None => Vec::new(),
        }
    };
    let step_positions = positions("steps", scenario.steps.len());
    let each_positions = positions("each", scenario.each.len());
    Ok(LoadedScenario {
        name,
        path: path.to_owned(),
        scenario,
        level,
        step_positions,
        each_positions,
        selected_cases: None,
    })
}

/// The variable set by each round of a burst, usable only in its request.
const ROUND_VAR: &str = "round";

/// Every problem of a parsed scenario, as (byte offset, message).
fn validate(s: &Scenario, catalogue: &Catalogue, spans: &SpanIndex<'_>) -> Vec<(usize, String)> {
    let mut errors = Vec::new();
    let at = |path: &[Seg<'_>]| spans.span(path).start;
    if s.rules.is_empty() {
        errors.push((
            at(&[Seg::Key("rules")]),
            "`rules` is empty: name at least one rule ID, such as \"REG-1\"".into(),
        ));
    }
    let known = || catalogue.ids().collect::<Vec<_>>().join(", ");
    for (i, id) in s.rules.iter().enumerate() {
        if catalogue.get(id).is_none() {
            errors.push((
                at(&[Seg::Key("rules"), Seg::Index(i)]),
                format!("unknown rule {id:?}: expected one of {}", known()),
            ));
        }
    }
    if s.steps.is_empty() && s.each.is_empty() {
        errors.push((
            at(&[Seg::Key("title")]),
            "the scenario has no steps: add at least one [[steps]] table".into(),
        ));
    } else if s.steps.iter().chain(&s.each).all(|e| e.is_setup()) {
        errors.push((
            at(&[Seg::Key(if s.each.is_empty() { "steps" } else { "each" })]),
            "every step is marked `setup`: a scenario needs at least one step that checks its rules"
                .into(),
        ));
    }
    let mut defined: BTreeSet<String> = BTreeSet::new();
    validate_steps(
        s,
        "steps",
        &s.steps,
        &mut defined,
        catalogue,
        spans,
        &mut errors,
    );
    match (&s.matrix, s.each.is_empty()) {
        (None, false) => errors.push((
            at(&[Seg::Key("each")]),
            "[[each]] steps run once per case of a matrix: add a [matrix] with at least one axis"
                .into(),
        )),
        (Some(_), true) => errors.push((
            at(&[Seg::Key("matrix")]),
            "the [matrix] has no [[each]] steps to run for its cases".into(),
        )),
        (Some(matrix), false) => {
            validate_matrix(matrix, &defined, spans, &mut errors);
            defined.extend(matrix.variables());
            for (i, entry) in s.each.iter().enumerate() {
                if !EACH_KINDS.contains(&entry.step.kind()) {
                    errors.push((
                        at(&[Seg::Key("each"), Seg::Index(i), Seg::Key(entry.step.kind())]),
                        format!(
                            "a `{}` step cannot run once per case (cases run at once on one \
                             subject): [[each]] takes {}; put it in [[steps]]",
                            entry.step.kind(),
                            EACH_KINDS.join(", ")
                        ),
                    ));
                }
            }
            validate_steps(
                s,
                "each",
                &s.each,
                &mut defined,
                catalogue,
                spans,
                &mut errors,
            );
        }
        (None, true) => {}
    }
    errors
}

/// The step kinds that may run once per case: they only talk HTTP or make
/// values, so cases can run at once on one subject.
const EACH_KINDS: &[&str] = &["request", "stream", "forge", "token", "sleep"];

/// Checks the steps of one list (`steps` or `each`): their `setup`, their
/// own fields and the variables they use, which must be built-ins or set
/// by an earlier step (`defined`, which grows with each step's captures).
fn validate_steps(
    s: &Scenario,
    list: &'static str,
    entries: &[super::model::StepEntry],
    defined: &mut BTreeSet<String>,
    catalogue: &Catalogue,
    spans: &SpanIndex<'_>,
    errors: &mut Vec<(usize, String)>,
) {
    let at = |path: &[Seg<'_>]| spans.span(path).start;
    let known = || catalogue.ids().collect::<Vec<_>>().join(", ");
    for (i, entry) in entries.iter().enumerate() {
        let step_path = [Seg::Key(list), Seg::Index(i)];
        if let Some(rule) = &entry.setup {
            let here = at(&[Seg::Key(list), Seg::Index(i), Seg::Key("setup")]);
            if catalogue.get(rule).is_none() {
                errors.push((
                    here,
                    format!(
                        "unknown rule {rule:?} in `setup`: expected one of {}",
                        known()
                    ),
                ));
            } else if s.rules.contains(rule) {
                errors.push((
                    here,
                    format!(
                        "`setup` names {rule}, a rule this scenario checks: a failure of this \
                         step is that rule failing, so the step is a check (drop `setup`)"
                    ),
                ));
            }
        }
        let kind = entry.step.kind();
        if let Some(rule) = entry.step.status_of() {
            let here = at(&[
                Seg::Key(list),
                Seg::Index(i),
                Seg::Key(kind),
                Seg::Key("expect"),
                Seg::Key("status_of"),
            ]);
            if catalogue.get(rule).is_none() {
                errors.push((
                    here,
                    format!(
                        "unknown rule {rule:?} in `status_of`: expected one of {}",
                        known()
                    ),
                ));
            } else if s.rules.contains(&rule.to_owned()) {
                errors.push((
                    here,
                    format!(
                        "`status_of` names {rule}, a rule this scenario checks: the status is then \
                         the scenario's own check (drop `status_of`)"
                    ),
                ));
            }
        }
        if let Step::Restart(r) = &entry.step
            && r.dotenv.is_some()
            && s.needs.dotenv.is_empty()
        {
            errors.push((
                at(&[
                    Seg::Key(list),
                    Seg::Index(i),
                    Seg::Key(kind),
                    Seg::Key("dotenv"),
                ]),
                "`dotenv` replaces the scenario's `.env`: give the first one in `[needs] dotenv` \
                 (a subject that runs in a directory of its own makes the scenario not applicable)"
                    .into(),
            ));
        }
        let base = [Seg::Key(list), Seg::Index(i), Seg::Key(kind)];
        let mut problems: Vec<(Vec<Seg<'_>>, String)> = Vec::new();
        check_step(&entry.step, &mut problems);
        for (rest, message) in problems {
            let mut path = base.to_vec();
            path.extend(rest);
            errors.push((at(&path), message));
        }
        // Variables: a step may use the built-ins and what earlier steps set.
        let in_burst = matches!(entry.step, Step::Burst(_));
        for string in spans.strings_under(&step_path) {
            for r in vars::references(&string.value) {
                let ok = vars::is_builtin(r.name)
                    || defined.contains(r.name)
                    || (in_burst && r.name == ROUND_VAR);
                if !ok {
                    errors.push((
                        reference_offset(&string, r.name),
                        undefined_message(r.name, &entry.step, entries, i),
                    ));
                }
            }
        }
        defined.extend(defines(&entry.step));
    }
}

/// Checks a matrix: axes with values, names unique, and fields that use
/// only built-ins, what `[[steps]]` set (`defined`) and other axes' values.
fn validate_matrix(
    matrix: &super::matrix::Matrix,
    defined: &BTreeSet<String>,
    spans: &SpanIndex<'_>,
    errors: &mut Vec<(usize, String)>,
) {
    let at = |path: &[Seg<'_>]| spans.span(path).start;
    let variables = matrix.variables();
    for axis in &matrix.axes {
        let axis_path = [Seg::Key("matrix"), Seg::Key(axis.name.as_str())];
        let valid_name = !axis.name.is_empty()
            && axis
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            errors.push((
                at(&axis_path),
                format!(
                    "axis {:?}: an axis name is letters, digits and `_` (it is used as ${{{}}})",
                    axis.name, axis.name
                ),
            ));
        } else if vars::is_builtin(&axis.name) || defined.contains(&axis.name) {
            errors.push((
                at(&axis_path),
                format!(
                    "axis `{}` has the name of a variable the scenario already has: rename it",
                    axis.name
                ),
            ));
        }
        if axis.values.is_empty() {
            errors.push((
                at(&axis_path),
                format!("axis `{}` has no values: give at least one", axis.name),
            ));
        }
        for (j, value) in axis.values.iter().enumerate() {
            if value.name.is_empty() || value.name.contains([',', '=', '[', ']']) {
                errors.push((
                    at(&[axis_path[0], axis_path[1], Seg::Index(j)]),
                    format!(
                        "the value name {:?} of axis `{}` is empty or holds `,`, `=`, `[` or `]`, \
                         which case labels and filters use",
                        value.name, axis.name
                    ),
                ));
            }
            if axis.values[..j].iter().any(|v| v.name == value.name) {
                errors.push((
                    at(&[axis_path[0], axis_path[1], Seg::Index(j)]),
                    format!(
                        "axis `{}` has two values named {:?}: a case is named by its values",
                        axis.name, value.name
                    ),
                ));
            }
        }
        for string in spans.strings_under(&axis_path) {
            for r in vars::references(&string.value) {
                let own = r.name == axis.name || r.name.starts_with(&format!("{}.", axis.name));
                let ok = vars::is_builtin(r.name)
                    || defined.contains(r.name)
                    || (variables.iter().any(|v| v == r.name) && !own);
                if !ok {
                    errors.push((
                        reference_offset(&string, r.name),
                        if own {
                            format!(
                                "${{{}}} is a value of this axis: a value may use other axes, built-ins \
                                 and what [[steps]] set",
                                r.name
                            )
                        } else {
                            format!(
                                "undefined variable ${{{}}}: expected a built-in, one set by [[steps]], \
                                 or another axis's value or field",
                                r.name
                            )
                        },
                    ));
                }
            }
        }
    }
}

/// Where `${name}` is written inside a string literal (the literal's
/// opening quote comes first; escapes before it may shift the caret within
/// the literal, never outside it).
fn reference_offset(string: &super::spans::StringAt, name: &str) -> usize {
    string.span.start
        + string
            .value
            .find(&format!("${{{name}}}"))
            .map_or(0, |i| i + 1)
}

/// The message for a variable used where it has no value.
fn undefined_message(
    name: &str,
    step: &Step,
    entries: &[super::model::StepEntry],
    index: usize,
) -> String {
    if name == ROUND_VAR {
        return format!(
            "${{{ROUND_VAR}}} is only set inside a burst's request (it is the burst's round number)"
        );
    }
    let later = entries[index..]
        .iter()
        .position(|e| defines(&e.step).iter().any(|d| d == name));
    match later {
        Some(0) => format!(
            "variable ${{{name}}} is used by the step that sets it: a step's captures are set \
             from its answer, after its request was sent ({} step)",
            step.kind()
        ),
        Some(n) => format!(
            "variable ${{{name}}} is used before it is set: step {} sets it, this is step {}",
            index + n + 1,
            index + 1
        ),
        None => {
            let builtins: Vec<&str> = vars::BUILTIN.iter().map(|b| b.name).collect();
            format!(
                "undefined variable ${{{name}}}: expected a built-in ({}) or one captured by an earlier step",
                builtins.join(", ")
            )
        }
    }
}

/// The variables a step sets for the steps after it.
fn defines(step: &Step) -> Vec<String> {
    match step {
        Step::Request(x) => x.capture.keys().cloned().collect(),
        Step::Stream(x) => x.capture.keys().cloned().collect(),
        Step::Forge(f) => vec![f.into.clone()],
        _ => Vec::new(),
    }
}

/// Problems of one step, each with its path below the step's kind key.
fn check_step<'s>(step: &'s Step, problems: &mut Vec<(Vec<Seg<'s>>, String)>) {
    match step {
        Step::Request(x) => {
            check_exchange(x, problems);
            check_json_list(&x.expect.json, &[Seg::Key("expect")], problems);
            check_headers(&x.expect.headers, problems);
            if let Some(re) = &x.expect.body_matches
                && let Err(e) = regex::Regex::new(re)
            {
                problems.push((
                    vec![Seg::Key("expect"), Seg::Key("body_matches")],
                    format!("invalid regex: {e}"),
                ));
            }
            if x.expect.cors_granted && x.origin.is_none() {
                problems.push((
                    vec![Seg::Key("expect"), Seg::Key("cors_granted")],
                    "`cors_granted` judges the answer for the request's Origin: set `origin`"
                        .into(),
                ));
            }
        }
        Step::Stream(x) => {
            check_exchange(x, problems);
            check_json_list(&x.expect.json, &[Seg::Key("expect")], problems);
            check_headers(&x.expect.headers, problems);
            if let Some(p) = &x.expect.sequence
                && let Err(e) = SequencePattern::parse(p)
            {
                problems.push((
                    vec![Seg::Key("expect"), Seg::Key("sequence")],
                    e.to_string(),
                ));
            }
            for (name, fields) in &x.expect.fields {
                if fields.is_empty() {
                    problems.push((
                        vec![Seg::Key("expect"), Seg::Key("fields"), Seg::Key(name)],
                        format!("`fields.{name}` lists no field: name at least one, or drop it"),
                    ));
                }
            }
            if x.expect.cors_granted && x.origin.is_none() {
                problems.push((
                    vec![Seg::Key("expect"), Seg::Key("cors_granted")],
                    "`cors_granted` judges the answer for the request's Origin: set `origin`"
                        .into(),
                ));
            }
        }
        Step::Burst(b) => {
            let mut inner = Vec::new();
            check_exchange(&b.request, &mut inner);
            for (mut path, message) in inner {
                path.insert(0, Seg::Key("request"));
                problems.push((path, message));
            }
            if !b.request.capture.is_empty() {
                problems.push((
                    vec![Seg::Key("request"), Seg::Key("capture")],
                    "a burst cannot capture variables".into(),
                ));
            }
            for status in b.expect_counts.keys() {
                if status.parse::<u16>().is_err() {
                    problems.push((
                        vec![Seg::Key("expect_counts"), Seg::Key(status)],
                        format!("{status:?} is not an HTTP status code"),
                    ));
                }
            }
            if b.count == 0 {
                problems.push((
                    vec![Seg::Key("count")],
                    "a burst needs a count of at least 1".into(),
                ));
            }
            if b.rounds == 0 {
                problems.push((
                    vec![Seg::Key("rounds")],
                    "a burst needs at least 1 round".into(),
                ));
            }
            if b.expect_counts.is_empty() && !b.no_5xx {
                problems.push((
                    Vec::new(),
                    "the burst checks nothing: give `expect_counts` or `no_5xx = true`".into(),
                ));
            }
        }
        Step::Browser(super::model::BrowserAction::Storage(st)) => {
            check_json_list(&st.json, &[Seg::Key("storage")], problems);
            if st.json.is_empty() {
                problems.push((
                    vec![Seg::Key("storage")],
                    "the storage check has no `json` checks: it would only read the key".into(),
                ));
            }
        }
        Step::Database(d)
            if (d.state == super::model::DatabaseState::Slow) != d.latency_ms.is_some() =>
        {
            problems.push((
                Vec::new(),
                "`latency_ms` goes with `state = \"slow\"`, and only with it".into(),
            ));
        }
        Step::Connections(c) if !c.database && !c.redis => problems.push((
            Vec::new(),
            "the step checks nothing: set `database = true`, `redis = true` or both".into(),
        )),
        Step::Output(o) if o.contains.is_empty() && o.not_contains.is_empty() => problems.push((
            Vec::new(),
            "the step checks nothing: give `contains` or `not_contains`".into(),
        )),
        _ => {}
    }
}

fn check_exchange<'s, E>(x: &'s Exchange<E>, problems: &mut Vec<(Vec<Seg<'s>>, String)>) {
    for (name, pointer) in &x.capture {
        if !(pointer.is_empty() || pointer.starts_with('/')) {
            problems.push((
                vec![Seg::Key("capture"), Seg::Key(name)],
                format!("{pointer:?} is not a JSON pointer (it must start with '/')"),
            ));
        }
    }
    let bodies = [
        x.json.is_some(),
        x.body.is_some(),
        x.json_padded_to_bytes.is_some(),
    ];
    if bodies.iter().filter(|b| **b).count() > 1 {
        problems.push((
            Vec::new(),
            "give at most one of `json`, `body` and `json_padded_to_bytes`".into(),
        ));
    }
}

/// Checks `json` checks found at `prefix` + `json`.
fn check_json_list<'s>(
    checks: &'s [JsonCheck],
    prefix: &[Seg<'s>],
    problems: &mut Vec<(Vec<Seg<'s>>, String)>,
) {
    for (j, check) in checks.iter().enumerate() {
        let path = |key: Option<&'s str>| {
            let mut p = prefix.to_vec();
            p.extend([Seg::Key("json"), Seg::Index(j)]);
            p.extend(key.map(Seg::Key));
            p
        };
        if !(check.pointer.is_empty() || check.pointer.starts_with('/')) {
            problems.push((
                path(Some("pointer")),
                format!(
                    "{:?} is not a JSON pointer (it must start with '/')",
                    check.pointer
                ),
            ));
        }
        if let Some(re) = &check.matches
            && let Err(e) = regex::Regex::new(re)
        {
            problems.push((path(Some("matches")), format!("invalid regex: {e}")));
        }
        let asserts = check.equals.is_some()
            || check.not_equals.is_some()
            || check.exists
            || check.absent
            || check.json_type.is_some()
            || check.matches.is_some();
        if !asserts {
            problems.push((
                path(None),
                format!(
                    "the check on {:?} asserts nothing: add `equals`, `not_equals`, `exists`, \
                     `absent`, `type` or `matches`",
                    check.pointer
                ),
            ));
        }
    }
}

fn check_headers<'s>(checks: &'s [HeaderCheck], problems: &mut Vec<(Vec<Seg<'s>>, String)>) {
    for (j, check) in checks.iter().enumerate() {
        let asserts = check.equals.is_some()
            || check.not_equals.is_some()
            || check.contains.is_some()
            || check.not_contains.is_some()
            || check.absent
            || check.present
            || !check.lists.is_empty();
        if !asserts {
            problems.push((
                vec![Seg::Key("expect"), Seg::Key("headers"), Seg::Index(j)],
                format!(
                    "the check on header {:?} asserts nothing: add `equals`, `not_equals`, \
                     `contains`, `not_contains`, `absent`, `present` or `lists`",
                    check.name
                ),
            ));
        }
    }
}
