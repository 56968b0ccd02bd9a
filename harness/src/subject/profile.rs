//! Subject profiles: a TOML file that says how to start and reach an
//! implementation (backend command, working directory, extra environment,
//! readiness, frontend, selectors for the browser steps, supported knobs).
//! `conformance run --subject profile.toml`. The reference server is
//! described by `profiles/reference.toml` in this repository.

use super::overrides::{Overrides, RouteTable, SelectorTable};
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
    /// Its working directory, relative to the profile file.
    pub cwd: Option<PathBuf>,
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
    pub cwd: Option<PathBuf>,
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
    let backend = &profile.backend;
    if backend.reference == backend.command.is_some() {
        return Err(SourceError::at_text(
            path,
            &text,
            "[backend]",
            "[backend] needs exactly one of `reference = true` and `command = \"...\"`",
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
    Ok(profile)
}

impl Profile {
    /// How to start the subject this profile describes. `harness` is the
    /// `conformance` binary (it starts the reference); relative directories
    /// are taken from `base`, the profile's directory.
    pub fn launch(&self, harness: PathBuf, base: &Path) -> Launch {
        let backend = &self.backend;
        let mut launch = match &backend.command {
            Some(command) => Launch::command(command, Some(resolve(base, backend.cwd.as_deref()))),
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
                cwd: resolve(base, f.cwd.as_deref()),
                env: f.env.clone(),
                ready_timeout_ms: f.ready_timeout_ms,
            },
        };
        launch.selectors.extend(self.selectors.by_variable.clone());
        launch.selectors.extend(self.routes.by_variable.clone());
        if !self.knobs.stream_delay_ms {
            launch.missing_knobs.push("STREAM_DELAY_MS".to_owned());
        }
        launch
    }
}

fn resolve(base: &Path, dir: Option<&Path>) -> PathBuf {
    match dir {
        Some(d) if d.is_absolute() => d.to_owned(),
        Some(d) => base.join(d),
        None => base.to_owned(),
    }
}
