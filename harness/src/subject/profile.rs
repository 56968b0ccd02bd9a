//! Subject profiles: a TOML file that says how to start and reach an
//! implementation (backend command, working directory, extra environment,
//! readiness, frontend, selectors for the browser steps, supported knobs).
//! `conformance run --subject profile.toml`. The reference server is
//! described by `profiles/reference.toml` in this repository.

use super::overrides::{Overrides, RouteTable, SelectorTable, StorageTable};
use super::spec::{Frontend, Launch};
use crate::scenario::source_error::SourceError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A subject profile file.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// A name for reports.
    pub name: String,
    /// How to start the backend.
    pub backend: BackendProfile,
    /// How to start or reach the frontend (browser scenarios).
    pub frontend: Option<FrontendProfile>,
    /// CSS selectors of the frontend, overriding the contract's defaults.
    #[serde(default)]
    pub selectors: Overrides<SelectorTable>,
    /// Routes of the frontend, overriding the contract's defaults.
    #[serde(default)]
    pub routes: Overrides<RouteTable>,
    /// The frontend's persisted auth state, where it differs from the
    /// contract's defaults (`version`).
    #[serde(default)]
    pub storage: Overrides<StorageTable>,
    /// Test knobs of the contract the implementation supports.
    #[serde(default)]
    pub knobs: Knobs,
}

/// How to start the backend.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackendProfile {
    /// The reference server of this workspace, started by the harness itself
    /// (no command needed).
    #[serde(default)]
    pub reference: bool,
    /// A shell command line that starts the backend in the foreground.
    pub command: Option<String>,
    /// A backend that already runs (`https://staging.example`): the rules
    /// that need control of it are not applicable.
    pub url: Option<String>,
    /// With `url`: the environment variable holding its `JWT_SECRET` (a
    /// secret does not belong in a file), so tokens can be forged.
    pub jwt_secret_env: Option<String>,
    /// With `url`: the origin it allows (`CORS_ORIGIN`; default the
    /// contract's `http://localhost:5173`).
    pub allowed_origin: Option<String>,
    /// Its working directory, relative to the profile file.
    #[schemars(with = "Option<PathBuf>")]
    pub cwd: Option<toml::Spanned<PathBuf>>,
    /// Extra environment (the contract's variables are set by the harness).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// A line the backend prints when it is ready (besides its port answering).
    pub ready_line: Option<String>,
    /// How long it may take to get ready, in milliseconds.
    #[serde(default = "default_ready_timeout")]
    pub ready_timeout_ms: u64,
    /// Reference fault switches to turn on (reference only).
    #[serde(default)]
    pub faults: Vec<String>,
}

fn default_ready_timeout() -> u64 {
    60_000
}

/// How the frontend is provided.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontendProfile {
    /// The backend serves it itself on `WEB_PORT` (the reference does).
    #[serde(default)]
    pub served_by_backend: bool,
    /// A shell command line that serves it on `$WEB_PORT`, using
    /// `$VITE_API_URL` as its API (such as `npx vite --port $WEB_PORT`).
    pub command: Option<String>,
    /// Its working directory, relative to the profile file.
    #[schemars(with = "Option<PathBuf>")]
    pub cwd: Option<toml::Spanned<PathBuf>>,
    /// Extra environment for the frontend.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// How long the command may take to serve on `$WEB_PORT`, in
    /// milliseconds; past it the scenario is an *error* (the harness could
    /// not get the frontend), not a failure of the subject.
    #[serde(default = "default_frontend_timeout")]
    pub ready_timeout_ms: u64,
}

fn default_frontend_timeout() -> u64 {
    30_000
}

/// Which of the contract's test knobs the implementation honours.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Knobs {
    /// It paces the chat stream by `STREAM_DELAY_MS`.
    #[serde(default = "yes")]
    pub stream_delay_ms: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            stream_delay_ms: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// Reads a profile; errors carry file, line and column.
pub fn load(path: &Path) -> Result<Profile, SourceError> {
    let text = std::fs::read_to_string(path).map_err(|e| SourceError {
        path: path.to_owned(),
        line: 1,
        column: 1,
        message: format!("cannot read the profile: {e}"),
        line_text: String::new(),
    })?;
    let profile: Profile = toml::from_str(&text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        SourceError::at(path, &text, offset, e.message().trim_end().to_owned())
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let at = |offset: usize, message: String| SourceError::at(path, &text, offset, message);
    let backend = &profile.backend;
    let kinds = [
        backend.reference,
        backend.command.is_some(),
        backend.url.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        return Err(SourceError::at_text(
            path,
            &text,
            "[backend]",
            "[backend] needs exactly one of `reference = true`, `command = \"...\"` and `url = \"https://...\"`",
        ));
    }
    if let Some(front) = &profile.frontend
        && front.served_by_backend == front.command.is_some()
    {
        return Err(SourceError::at_text(
            path,
            &text,
            "[frontend]",
            "[frontend] needs exactly one of `served_by_backend = true` and `command = \"...\"`",
        ));
    }
    let dirs = [
        ("backend", backend.cwd.as_ref()),
        (
            "frontend",
            profile.frontend.as_ref().and_then(|f| f.cwd.as_ref()),
        ),
    ];
    for (table, cwd) in dirs {
        if let Some(cwd) = cwd {
            let resolved = resolve(base, Some(cwd.get_ref()));
            if !resolved.is_dir() {
                return Err(at(
                    cwd.span().start,
                    format!(
                        "[{table}] cwd = {:?}: no such directory (resolved to {})",
                        cwd.get_ref().display(),
                        resolved.display()
                    ),
                ));
            }
        }
    }
    let commands = [
        ("backend", backend.command.as_ref(), backend.cwd.as_ref()),
        (
            "frontend",
            profile.frontend.as_ref().and_then(|f| f.command.as_ref()),
            profile.frontend.as_ref().and_then(|f| f.cwd.as_ref()),
        ),
    ];
    for (table, command, cwd) in commands {
        if let Some(command) = command {
            let cwd = resolve(base, cwd.map(toml::Spanned::get_ref));
            if let Some(program) = missing_program(command, &cwd) {
                return Err(SourceError::at_text(
                    path,
                    &text,
                    command,
                    format!(
                        "[{table}] command = {command:?}: `{program}` is not found (not on PATH, nor a file in {}): install it or correct the command",
                        cwd.display()
                    ),
                ));
            }
        }
    }
    Ok(profile)
}

impl Profile {
    /// How to start the subject this profile describes. `harness` is the
    /// `conformance` binary (it starts the reference); relative directories
    /// are taken from `base`, the profile's directory.
    pub fn launch(&self, harness: PathBuf, base: &Path) -> Launch {
        let backend = &self.backend;
        let cwd = backend.cwd.as_ref().map(toml::Spanned::get_ref);
        let mut launch = match &backend.command {
            Some(command) => Launch::command(command, Some(resolve(base, cwd))),
            None => Launch::reference(harness, &backend.faults),
        };
        launch.description = format!("{} ({})", self.name, launch.description);
        launch.env.extend(backend.env.clone());
        launch.ready_line = backend.ready_line.clone();
        launch.ready_timeout_ms = backend.ready_timeout_ms;
        launch.frontend = match &self.frontend {
            None => Frontend::None,
            Some(f) if f.served_by_backend => Frontend::ServedByBackend,
            Some(f) => Frontend::Command {
                command: f.command.clone().unwrap_or_default(),
                cwd: resolve(base, f.cwd.as_ref().map(toml::Spanned::get_ref)),
                env: f.env.clone(),
                ready_timeout_ms: f.ready_timeout_ms,
            },
        };
        launch.selectors.extend(self.selectors.by_variable.clone());
        launch.selectors.extend(self.routes.by_variable.clone());
        launch.selectors.extend(self.storage.by_variable.clone());
        if !self.knobs.stream_delay_ms {
            launch.missing_knobs.push("STREAM_DELAY_MS".to_owned());
        }
        launch
    }
}

/// The program a shell command line starts, when it is a plain name or
/// path that does not exist (a builtin, an assignment or anything the
/// shell itself reads is left to the shell).
fn missing_program(command: &str, cwd: &Path) -> Option<String> {
    const SHELL_WORDS: &[&str] = &[
        "cd", "exec", "export", "set", "source", ".", "eval", "true", "false", "test", "[", "if",
        "for", "while", "case", "{", "(", "echo", "printf", "trap", "ulimit", "umask", "wait",
    ];
    let first = command.split_whitespace().next()?;
    if first.contains('=') || SHELL_WORDS.contains(&first) || first.contains(['$', '`', '"', '\''])
    {
        return None;
    }
    let found = if first.contains('/') {
        cwd.join(first).is_file()
    } else {
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|dir| dir.join(first).is_file()))
            .unwrap_or(false)
    };
    (!found).then(|| first.to_owned())
}

impl Profile {
    /// What is tested, as this profile describes it: a backend it starts,
    /// or one that already runs (`[backend] url`). `harness` is the
    /// `conformance` binary (it starts the reference); relative directories
    /// are taken from `base`, the profile's directory.
    pub fn subject(&self, harness: PathBuf, base: &Path) -> super::spec::SubjectSpec {
        let backend = &self.backend;
        match &backend.url {
            Some(url) => super::spec::SubjectSpec::Url {
                backend_url: url.clone(),
                jwt_secret: backend
                    .jwt_secret_env
                    .as_ref()
                    .and_then(|name| std::env::var(name).ok())
                    .filter(|s| !s.is_empty()),
                allowed_origin: backend
                    .allowed_origin
                    .clone()
                    .unwrap_or_else(|| super::env::DEFAULT_ORIGIN.to_owned()),
            },
            None => super::spec::SubjectSpec::Managed(self.launch(harness, base)),
        }
    }
}

fn resolve(base: &Path, dir: Option<&PathBuf>) -> PathBuf {
    match dir {
        Some(d) if d.is_absolute() => d.to_owned(),
        Some(d) => base.join(d),
        None => base.to_owned(),
    }
}
