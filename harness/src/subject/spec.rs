//! Which implementation is tested and how the harness reaches it.

use super::sources::SourceTree;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How the harness gets at the subject.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "one value per run; boxing would only add noise at every use"
)]
pub enum SubjectSpec {
    /// A process the harness starts and controls (the reference server, or
    /// any implementation started from a command).
    Managed(Launch),
    /// A backend that is already running; rules that need control are not applicable.
    Url {
        /// Its base URL, such as `http://localhost:3000`.
        backend_url: String,
        /// Its `JWT_SECRET`, when known, so tokens can be forged.
        jwt_secret: Option<String>,
        /// The origin it allows (`CORS_ORIGIN`).
        allowed_origin: String,
    },
}

impl SubjectSpec {
    /// One line saying what is tested.
    pub fn describe(&self) -> String {
        match self {
            SubjectSpec::Managed(l) => l.description.clone(),
            SubjectSpec::Url { backend_url, .. } => format!("running backend at {backend_url}"),
        }
    }

    /// Whether the harness starts this subject itself.
    pub fn is_managed(&self) -> bool {
        matches!(self, SubjectSpec::Managed(_))
    }
}

/// How to start a subject process.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its working directory; a fresh empty one per start when `None`, so no
    /// stray `.env` is read.
    pub cwd: Option<PathBuf>,
    /// Extra environment on top of the contract's.
    pub env: BTreeMap<String, String>,
    /// One line for reports.
    pub description: String,
    /// The subject's sources (for `file` steps), if known.
    pub sources: Option<SourceTree>,
    /// Whether this is the reference implementation of this workspace.
    pub is_reference: bool,
    /// The longest wait for the subject to get ready.
    pub ready_timeout_ms: u64,
    /// A line that says the subject is ready (its port answering does too).
    pub ready_line: Option<String>,
    /// How the frontend is provided, for browser scenarios.
    pub frontend: Frontend,
    /// Selector variables (`sel_email`...) overriding the contract's defaults.
    pub selectors: BTreeMap<String, String>,
    /// Test knobs of the contract the subject does not honour (such as
    /// `STREAM_DELAY_MS`): scenarios that set them are not applicable.
    pub missing_knobs: Vec<String>,
    /// Variables left out of the environment (a scenario's `needs.unset`).
    pub unset: Vec<String>,
    /// A `.env` written into the working directory the harness makes for
    /// each start (a scenario's `needs.dotenv`; only without `cwd`).
    pub dotenv: BTreeMap<String, String>,
}

/// How a subject's frontend is provided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frontend {
    /// No frontend: browser scenarios are not applicable.
    None,
    /// The backend serves it on `WEB_PORT`.
    ServedByBackend,
    /// A command serves it on `$WEB_PORT` with `$VITE_API_URL` as its API.
    Command {
        /// The shell command line.
        command: String,
        /// Its working directory.
        cwd: PathBuf,
        /// Extra environment.
        env: BTreeMap<String, String>,
        /// How long it may take to serve.
        ready_timeout_ms: u64,
    },
}

impl Launch {
    /// The reference server of this workspace, started by re-running `program`
    /// (a `conformance` binary) with its hidden `reference-server` subcommand.
    pub fn reference(program: PathBuf, faults: &[String]) -> Launch {
        let mut env = BTreeMap::new();
        env.insert("REFERENCE_FAULTS".to_owned(), faults.join(","));
        // Its web app only where a browser scenario asks for it (WEB_PORT).
        env.insert("WEB_PORT".to_owned(), "off".to_owned());
        // No rule depends on the cost of a password hash, and at OWASP's
        // it would be most of the reference's work in a run.
        env.insert("PASSWORD_HASH_COST".to_owned(), "minimal".to_owned());
        // Its web app reads the stored session after a delay, so that the
        // original race is real; 100 ms is ample on loopback (a request sent
        // before rehydration has left, and been answered, by then) and the
        // page's text history sees `Loading…` however briefly it shows.
        env.insert("WEB_HYDRATION_DELAY_MS".to_owned(), "100".to_owned());
        let description = if faults.is_empty() {
            "reference server".to_owned()
        } else {
            format!("reference server with faults: {}", faults.join(", "))
        };
        Launch {
            program,
            args: vec!["reference-server".to_owned()],
            cwd: None,
            env,
            description,
            sources: Some(SourceTree::Reference),
            is_reference: true,
            ready_timeout_ms: 30_000,
            ready_line: None,
            frontend: Frontend::ServedByBackend,
            selectors: BTreeMap::new(),
            missing_knobs: Vec::new(),
            unset: Vec::new(),
            dotenv: BTreeMap::new(),
        }
    }

    /// Any implementation started by a shell command line in `cwd`.
    pub fn command(command_line: &str, cwd: Option<PathBuf>) -> Launch {
        Launch {
            program: PathBuf::from("/bin/sh"),
            args: vec!["-c".to_owned(), command_line.to_owned()],
            cwd: cwd.clone(),
            env: BTreeMap::new(),
            description: format!("command `{command_line}`"),
            sources: cwd.map(SourceTree::Dir),
            is_reference: false,
            ready_timeout_ms: 60_000,
            ready_line: None,
            frontend: Frontend::None,
            selectors: BTreeMap::new(),
            missing_knobs: Vec::new(),
            unset: Vec::new(),
            dotenv: BTreeMap::new(),
        }
    }
}
