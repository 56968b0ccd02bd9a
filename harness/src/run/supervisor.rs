//! The shared subject under watch. Every request on it is a *flight*
//! (which scenario, which step, since when); when its process exits, or a
//! running URL subject stops answering, the flight that was sent last
//! before it is the one that brought it down: its step fails ("the subject
//! exited with code 1 during step 3"), every other flight then in the air
//! is blocked by it (naming it), and a managed subject is started again for
//! the scenarios still to run. A connection that could not be made, or that
//! the subject closed, is never by itself evidence against a rule.

use crate::outcome::Blocked;
use crate::subject::managed::ManagedSubject;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How often the managed subject's process is looked at.
const WATCH_EVERY: Duration = Duration::from_millis(50);
/// How long a request that got no answer waits for the watch to say
/// whether the subject died (the watch looks every [`WATCH_EVERY`]).
const SETTLE_WITHIN: Duration = Duration::from_millis(500);
/// How long a request sent while the subject was down waits for it to be
/// back before it is sent again.
const BACK_WITHIN: Duration = Duration::from_secs(90);

/// One request in the air on the shared subject.
#[derive(Debug, Clone)]
pub(crate) struct Flight {
    id: u64,
    scenario: String,
    step: usize,
    label: String,
    rule: String,
    started: Instant,
}

/// The subject went away: how, when, and which flight was in the air.
#[derive(Debug, Clone)]
pub(crate) struct Death {
    /// When it was noticed.
    at: Instant,
    /// `exited with code 1`, `was killed by signal 9`, `stopped answering`.
    pub(crate) how: String,
    /// Its last output lines (managed subjects).
    pub(crate) output: String,
    /// The flight sent last before it, which brought it down.
    pub(crate) culprit: Option<Flight>,
    /// The other flights then in the air.
    bystanders: Vec<u64>,
    /// When a managed subject was back (`None`: it is not, or a URL
    /// subject, which is never started again).
    back: Option<Instant>,
}

impl Death {
    /// The death in one line, for the run's report.
    pub(crate) fn describe(&self) -> String {
        let during = match &self.culprit {
            Some(c) => format!(" during {} step {} ({})", c.scenario, c.step, c.label),
            None => String::new(),
        };
        let back = if self.back.is_some() {
            "; it was started again for the scenarios still to run"
        } else {
            ""
        };
        format!("the subject {}{during}{back}", self.how)
    }

    /// The sentence a failed check gives for it, from the culprit's side.
    pub(crate) fn during(&self, step: usize) -> String {
        let tail = if self.output.trim().is_empty() {
            String::new()
        } else {
            format!("; its last output:\n{}", self.output)
        };
        format!("none: the subject {} during step {step}{tail}", self.how)
    }

    /// The block of a flight that was in the air (or sent after), naming
    /// the culprit's scenario and step, and the rule that covers it.
    pub(crate) fn blocked(&self, step: usize, label: &str) -> Blocked {
        let (rule, whose) = match &self.culprit {
            Some(c) => (
                c.rule.clone(),
                format!("{} step {} ({})", c.scenario, c.step, c.label),
            ),
            // Nothing the harness sent was in the air: the subject stopped
            // answering HTTP on its port by itself (CFG-1).
            None => {
                return Blocked {
                    step,
                    label: format!("{label}: the subject {} between requests", self.how),
                    rule: "CFG-1".to_owned(),
                };
            }
        };
        Blocked {
            step,
            label: format!("{label}: the subject {} during {whose}", self.how),
            rule,
        }
    }
}

/// What became of a flight that got no answer.
#[derive(Debug, Clone)]
pub(crate) enum Fate {
    /// It brought the subject down: its step fails.
    Culprit(Death),
    /// It was in the air when another one did: its scenario is blocked.
    Bystander(Death),
    /// It was sent while the subject was down; a managed subject is back
    /// now, and the request may be sent again.
    Resend,
    /// It was sent while the subject was down and it is not coming back.
    After(Death),
    /// The subject is up: the missing answer is this exchange's own.
    Alive,
}

#[derive(Default)]
struct State {
    next: u64,
    open: Vec<Flight>,
    deaths: Vec<Death>,
    /// Flights whose connection could not be made: they never reached the
    /// subject, so none of them brought it down.
    refused: Vec<u64>,
    restarts: usize,
    down: bool,
}

/// The shared subject, watched.
pub(crate) struct Supervisor {
    subject: Option<tokio::sync::Mutex<ManagedSubject>>,
    state: Mutex<State>,
}

impl Supervisor {
    /// Watches a managed subject (see [`Supervisor::watch`]).
    pub(crate) fn managed(subject: ManagedSubject) -> Arc<Supervisor> {
        Arc::new(Supervisor {
            subject: Some(tokio::sync::Mutex::new(subject)),
            state: Mutex::default(),
        })
    }

    /// Watches a running URL subject: it cannot be restarted.
    pub(crate) fn url() -> Arc<Supervisor> {
        Arc::new(Supervisor {
            subject: None,
            state: Mutex::default(),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A request of `scenario`'s step `step` leaves; `rule` covers the step.
    pub(crate) fn take_off(&self, scenario: &str, step: usize, label: &str, rule: &str) -> u64 {
        let mut state = self.state();
        state.next += 1;
        let id = state.next;
        state.open.push(Flight {
            id,
            scenario: scenario.to_owned(),
            step,
            label: label.to_owned(),
            rule: rule.to_owned(),
            started: Instant::now(),
        });
        id
    }

    /// The request is done (answered or not).
    pub(crate) fn land(&self, id: u64) {
        let mut state = self.state();
        state.open.retain(|f| f.id != id);
        state.refused.retain(|r| *r != id);
    }

    /// Whether the subject is a running URL the harness does not control.
    pub(crate) fn watches_a_url(&self) -> bool {
        self.subject.is_none()
    }

    /// How many times the subject had to be started again.
    pub(crate) fn restarts(&self) -> usize {
        self.state().restarts
    }

    /// Every time the subject went away, for the report.
    pub(crate) fn deaths(&self) -> Vec<Death> {
        self.state().deaths.clone()
    }

    /// Records a death now. Its culprit is `reporter` when that flight
    /// reached the subject (a running URL subject that dropped it and then
    /// refused it); else, of the flights that reached the subject and were
    /// sent before the reporter, the one sent last.
    fn note_death(&self, how: String, output: String, reporter: Option<(u64, bool)>) {
        let mut state = self.state();
        let reporter_started = reporter
            .and_then(|(id, _)| state.open.iter().find(|f| f.id == id))
            .map(|f| f.started);
        let culprit = match reporter {
            Some((id, true)) => state.open.iter().find(|f| f.id == id).cloned(),
            _ => state
                .open
                .iter()
                .filter(|f| !state.refused.contains(&f.id))
                .filter(|f| reporter_started.is_none_or(|r| f.started <= r))
                .max_by_key(|f| f.started)
                .cloned(),
        };
        let bystanders = state
            .open
            .iter()
            .map(|f| f.id)
            .filter(|id| Some(*id) != culprit.as_ref().map(|c| c.id))
            .collect();
        state.deaths.push(Death {
            at: Instant::now(),
            how,
            output,
            culprit,
            bystanders,
            back: None,
        });
        state.down = true;
    }

    /// Looks at the managed subject's process until `stop`: when it has
    /// exited, records the death and starts the subject again.
    pub(crate) async fn watch(self: Arc<Self>) {
        let Some(subject) = &self.subject else {
            return;
        };
        loop {
            tokio::time::sleep(WATCH_EVERY).await;
            let mut subject = subject.lock().await;
            let Some(status) = subject.exited() else {
                continue;
            };
            self.note_death(ended(status), subject.output_tail(12), None);
            let back = subject.restart(&Default::default()).await;
            let mut state = self.state();
            state.restarts += 1;
            if back.is_ok()
                && let Some(death) = state.deaths.last_mut()
            {
                death.back = Some(Instant::now());
            }
            // A subject that does not come back stays down: what is still
            // to run is blocked by the death that took it.
            state.down = back.is_err();
            if back.is_err() {
                return;
            }
        }
    }

    /// What became of flight `id`, which got no answer (`refused`: no
    /// connection could be made; `reached`: an earlier attempt of the same
    /// request did reach the subject).
    pub(crate) async fn fate(&self, id: u64, refused: bool, reached: bool) -> Fate {
        let started = {
            let mut state = self.state();
            if refused && !reached {
                state.refused.push(id);
            }
            state
                .open
                .iter()
                .find(|f| f.id == id)
                .map_or_else(Instant::now, |f| f.started)
        };
        let deadline = Instant::now() + SETTLE_WITHIN;
        loop {
            if let Some(fate) = self.decided(id, started) {
                return self.settle(fate).await;
            }
            if self.subject.is_none() {
                if refused {
                    // A running URL subject that refuses: it stopped answering.
                    self.note_death(
                        "stopped answering".to_owned(),
                        String::new(),
                        Some((id, reached)),
                    );
                    continue;
                }
                return Fate::Alive;
            }
            if Instant::now() >= deadline {
                return Fate::Alive;
            }
            tokio::time::sleep(WATCH_EVERY / 2).await;
        }
    }

    /// The fate of a flight if a death accounts for it.
    fn decided(&self, id: u64, started: Instant) -> Option<Fate> {
        let state = self.state();
        for death in state.deaths.iter().rev() {
            if death.culprit.as_ref().is_some_and(|c| c.id == id) {
                return Some(Fate::Culprit(death.clone()));
            }
            if death.bystanders.contains(&id) {
                return Some(Fate::Bystander(death.clone()));
            }
            if started >= death.at && death.back.is_none_or(|back| started < back) {
                return Some(Fate::After(death.clone()));
            }
        }
        None
    }

    /// A flight sent after a death: sent again once a managed subject is
    /// back; else blocked by the death.
    async fn settle(&self, fate: Fate) -> Fate {
        let Fate::After(death) = fate else {
            return fate;
        };
        if self.subject.is_none() {
            return Fate::After(death);
        }
        let deadline = Instant::now() + BACK_WITHIN;
        while Instant::now() < deadline {
            let (down, restarted) = {
                let state = self.state();
                (state.down, state.restarts >= state.deaths.len())
            };
            if !down && restarted {
                return Fate::Resend;
            }
            tokio::time::sleep(WATCH_EVERY).await;
        }
        Fate::After(death)
    }
}

/// How a process ended, in a few words.
pub(crate) fn ended(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => format!("ended ({status})"),
    }
}
