//! The state of one running scenario: its variables, HTTP client and subject.

use crate::scenario::vars::{UndefinedVar, Vars};
use crate::subject::managed::ManagedSubject;

/// Everything a step may use or change.
pub struct Scene {
    /// The scenario's variables (built-ins, captures, forged tokens).
    pub vars: Vars,
    /// The HTTP client for a shared subject (no redirects, bounded
    /// timeouts); a scenario's own subject has a client per process.
    pub client: reqwest::Client,
    /// The backend's base URL.
    pub base_url: String,
    /// The subject's `JWT_SECRET`, when known.
    pub secret: Option<String>,
    /// The scenario's own subject, when it has one.
    pub own: Option<ManagedSubject>,
    /// The subject's sources, when known.
    pub sources: Option<crate::subject::sources::SourceTree>,
    /// The browser and recording proxy of a browser scenario.
    pub browser: Option<super::browser::BrowserScene>,
}

/// A step could not be carried out as written: reported as the step's problem.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// A variable had no value.
    #[error(transparent)]
    Var(#[from] UndefinedVar),
    /// The step needs something this subject does not offer.
    #[error("{0}")]
    Unsupported(String),
    /// The harness itself broke while running the step (a browser or
    /// chromedriver that died, a WebDriver error): the scenario's verdict is
    /// *error*, never a failure of the subject.
    #[error("{0}")]
    Harness(String),
}

impl Scene {
    /// Expands variables in `text`.
    pub fn expand(&self, text: &str) -> Result<String, UndefinedVar> {
        self.vars.expand(text)
    }

    /// The client for requests to the subject: the own subject's client for
    /// its current process (so that no request rides a connection opened to
    /// an earlier process of it), else the run's shared client.
    pub fn client(&self) -> &reqwest::Client {
        self.own
            .as_ref()
            .map_or(&self.client, ManagedSubject::client)
    }

    /// The scenario's own subject, for steps that control it.
    pub fn own_subject(&mut self) -> Result<&mut ManagedSubject, StepError> {
        self.own.as_mut().ok_or_else(|| {
            StepError::Unsupported(
                "this step needs a subject the harness started for this scenario".into(),
            )
        })
    }
}
