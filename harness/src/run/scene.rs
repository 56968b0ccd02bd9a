//! The state of one running scenario (its variables, HTTP client,
//! subject and browser), what a step gives back, and why a step could not
//! be carried out, each reason matched to the verdict it means.

use crate::check::FailedCheck;
use crate::outcome::{Transcript, Verdict};
use crate::scenario::vars::{UndefinedVar, Vars};
use crate::subject::managed::ManagedSubject;

/// Everything a step may use or change.
pub(crate) struct Scene {
    /// The scenario's variables (built-ins, captures, forged tokens).
    pub(crate) vars: Vars,
    /// The HTTP client for a shared subject (no redirects, bounded
    /// timeouts); a scenario's own subject has a client per process.
    pub(crate) client: reqwest::Client,
    /// A client that keeps no connection: a request sent again after its
    /// first attempt got no answer goes through it, on a connection of its
    /// own (see [`crate::client::fresh_client_with`]).
    pub(crate) fresh_client: reqwest::Client,
    /// The backend's base URL.
    pub(crate) base_url: String,
    /// The subject's `JWT_SECRET`, when known.
    pub(crate) secret: Option<String>,
    /// The scenario's own subject, when it has one.
    pub(crate) own: Option<ManagedSubject>,
    /// The subject's sources, when known.
    pub(crate) sources: Option<crate::subject::sources::SourceTree>,
    /// The browser and recording proxy of a browser scenario.
    pub(crate) browser: Option<crate::browser::scene::BrowserScene>,
    /// The checks every exchange of the scenario gets.
    pub(crate) watch: crate::traffic::Watch,
    /// The shared subject's watch, for a scenario that runs on it.
    pub(crate) supervisor: Option<std::sync::Arc<super::supervisor::Supervisor>>,
}

/// What a step that was carried out gives back: the checks that did not
/// hold (none: it passed) and the exchanges it made.
#[derive(Debug, Default)]
pub(crate) struct Ran {
    /// Every check that did not hold.
    pub(crate) failed: Vec<FailedCheck>,
    /// The exchanges, kept for the report of a failed step.
    pub(crate) transcripts: Vec<Transcript>,
}

impl Ran {
    /// A step that made no exchange.
    pub(crate) fn checks(failed: Vec<FailedCheck>) -> Ran {
        Ran {
            failed,
            transcripts: Vec::new(),
        }
    }
}

/// A step could not be carried out: never a failure of the subject, each
/// variant says whose it is ([`StepError::verdict`]).
#[derive(Debug, thiserror::Error)]
pub(crate) enum StepError {
    /// A variable had no value here: the scenario or the harness is wrong
    /// (the loader checks every reference, the plan every capability).
    #[error(transparent)]
    Var(#[from] UndefinedVar),
    /// The step needs a capability this run lacks (the subject's secret, a
    /// subject the harness controls, its sources): not applicable.
    #[error("{0}")]
    Unsupported(String),
    /// The harness itself broke while running the step (a browser or
    /// chromedriver that died, a request it could not build, a process it
    /// could not start): the scenario's verdict is *error*.
    #[error("{0}")]
    Harness(String),
    /// The browser or chromedriver broke under a browser step (a session
    /// that is gone, a renderer that crashed, an answer that is not
    /// WebDriver's), as opposed to what the page did: the harness's
    /// breakdown, after which the scenario runs once more on a new browser.
    #[error("the browser broke (webdriver: {0})")]
    BrowserBroke(String),
    /// The shared subject went down while this step's request was in the
    /// air, brought down by another scenario's step: blocked by it.
    #[error("{}", .0.label)]
    Blocked(crate::outcome::Blocked),
}

impl StepError {
    /// The scenario's verdict when step `index` stopped with this error.
    pub(crate) fn verdict(&self, index: usize) -> Verdict {
        match self {
            StepError::Unsupported(why) => Verdict::NotApplicable(format!("step {index}: {why}")),
            StepError::Var(e) => Verdict::Error(format!("step {index}: {e}")),
            StepError::Harness(_) | StepError::BrowserBroke(_) => {
                Verdict::Error(format!("step {index}: {self}"))
            }
            StepError::Blocked(b) => Verdict::Blocked(b.clone()),
        }
    }
}

impl Scene {
    /// Expands variables in `text`.
    pub(crate) fn expand(&self, text: &str) -> Result<String, UndefinedVar> {
        self.vars.expand(text)
    }

    /// The client for requests to the subject: the own subject's client for
    /// its current process (so that no request rides a connection opened to
    /// an earlier process of it), else the run's shared client.
    pub(crate) fn client(&self) -> &reqwest::Client {
        self.own
            .as_ref()
            .map_or(&self.client, ManagedSubject::client)
    }

    /// The scene of one case of a matrix: the scenario's variables and
    /// the case's (`vars`), on the same subject, with no control of it.
    pub(crate) fn for_case(&self, vars: Vars, case: &str) -> Scene {
        Scene {
            vars,
            client: self.client().clone(),
            fresh_client: self.fresh_client.clone(),
            base_url: self.base_url.clone(),
            secret: self.secret.clone(),
            own: None,
            sources: None,
            browser: None,
            watch: self.watch.in_case(case),
            supervisor: self.supervisor.clone(),
        }
    }

    /// A request of the current step leaves for the shared subject; it
    /// lands when the returned flight is dropped.
    pub(crate) fn take_off(&self) -> Flight {
        let id = self.supervisor.as_ref().map(|supervisor| {
            supervisor.take_off(
                self.watch.scenario(),
                self.watch.step(),
                self.watch.label(),
                self.watch.rule(),
            )
        });
        Flight {
            supervisor: self.supervisor.clone(),
            id,
        }
    }

    /// The browser side, for browser and network steps.
    pub(crate) fn browser(
        &mut self,
    ) -> Result<&mut crate::browser::scene::BrowserScene, StepError> {
        self.browser.as_mut().ok_or_else(|| {
            StepError::Unsupported("this step needs a browser (set needs.browser = true)".into())
        })
    }

    /// The scenario's own subject, for steps that control it.
    pub(crate) fn own_subject(&mut self) -> Result<&mut ManagedSubject, StepError> {
        self.own.as_mut().ok_or_else(|| {
            StepError::Unsupported(
                "this step needs a subject the harness started for this scenario".into(),
            )
        })
    }
}

/// A request in the air on the shared subject (none on a scenario's own
/// subject); it lands when dropped, however its step ends.
pub(crate) struct Flight {
    supervisor: Option<std::sync::Arc<super::supervisor::Supervisor>>,
    id: Option<u64>,
}

impl Flight {
    /// Its number in the supervisor's books.
    pub(crate) fn id(&self) -> Option<u64> {
        self.id
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        if let (Some(supervisor), Some(id)) = (&self.supervisor, self.id) {
            supervisor.land(id);
        }
    }
}
