//! The plan of a run, decided before any service starts: for each loaded
//! scenario, whether it applies to this subject (and if not, why), where
//! it runs (the shared subject, or a subject of its own), in which lane
//! (with or without a browser) and whether it must run alone. Plain data
//! from the scenarios and what the run can do ([`Capabilities`]); the
//! runner follows it, and `conformance plan` shows it.

use crate::scenario::load::LoadedScenario;
use crate::scenario::model::Step;
use crate::subject::spec::{Frontend, SubjectSpec};

/// What this run can do for its scenarios.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// The harness starts and controls the subject (and its database).
    pub control: bool,
    /// The subject's `JWT_SECRET` is known, so tokens can be forged.
    pub secret: bool,
    /// The subject is this workspace's reference implementation.
    pub reference: bool,
    /// The subject has a frontend the harness can serve.
    pub frontend: bool,
    /// Test knobs of the contract the subject does not honour.
    pub missing_knobs: Vec<String>,
    /// The harness makes the subject's working directory (the subject
    /// names none of its own), so it can put a `.env` there.
    pub own_workdir: bool,
    /// Whether a browser can be started here, and if not, why.
    pub browser: Result<(), String>,
    /// A missing browser is an error of the run, not a reason for n/a
    /// (`--require-browser`, on under `CI=true`).
    pub require_browser: bool,
}

impl Capabilities {
    /// Everything: the reference, started by the harness, with a browser.
    #[cfg(test)]
    pub(crate) fn everything() -> Self {
        Capabilities {
            control: true,
            secret: true,
            reference: true,
            frontend: true,
            missing_knobs: Vec::new(),
            own_workdir: true,
            browser: Ok(()),
            require_browser: false,
        }
    }

    /// What a run against `subject` can do; `browser` says whether the
    /// browser's programs were found.
    pub fn of(subject: &SubjectSpec, browser: Result<(), String>, require_browser: bool) -> Self {
        match subject {
            SubjectSpec::Managed(launch) => Capabilities {
                control: true,
                secret: true,
                reference: launch.is_reference,
                frontend: launch.frontend != Frontend::None,
                missing_knobs: launch.missing_knobs.clone(),
                own_workdir: launch.cwd.is_none(),
                browser,
                require_browser,
            },
            SubjectSpec::Url { jwt_secret, .. } => Capabilities {
                control: false,
                secret: jwt_secret.is_some(),
                reference: false,
                frontend: false,
                missing_knobs: Vec::new(),
                own_workdir: false,
                browser,
                require_browser,
            },
        }
    }
}

/// Where a scenario runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// On the run's shared subject, beside other scenarios.
    Shared,
    /// On a subject of its own with a fresh database; `running: false`
    /// when the harness only prepares it (every step starts a process of
    /// its own that must fail).
    Own {
        /// Whether the subject is started before the steps.
        running: bool,
    },
    /// Not run: it cannot be checked against this subject.
    NotApplicable(String),
}

/// Which of the run's two streams a scenario runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Without a browser, `--concurrency` at once.
    Api,
    /// With a browser, `--browsers` at once.
    Browser,
}

/// One scenario as the run will treat it.
#[derive(Debug, Clone)]
pub struct Planned<'a> {
    /// Its position in the loaded list (reports keep this order).
    pub index: usize,
    /// The scenario.
    pub scenario: &'a LoadedScenario,
    /// Where it runs, or why it does not.
    pub placement: Placement,
    /// Its lane.
    pub lane: Lane,
    /// It times the subject's own start (CFG-2, CFG-3: "exits within
    /// 10 s"), so it runs while no other scenario loads the machine.
    pub alone: bool,
}

impl Planned<'_> {
    /// Why it does not run, if it does not.
    pub fn not_applicable(&self) -> Option<&str> {
        match &self.placement {
            Placement::NotApplicable(why) => Some(why),
            _ => None,
        }
    }
}

/// The whole plan.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// What the run can do.
    pub capabilities: Capabilities,
    /// Every scenario, in the loaded order.
    pub scenarios: Vec<Planned<'a>>,
}

/// Why a run cannot go ahead as asked (exit code 2, before anything starts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Browser scenarios would run, a browser is required, and none is here.
    #[error(
        "{count} browser scenario(s) would run and a browser is required (--require-browser, \
         on under CI=true), but {why}"
    )]
    NoBrowser {
        /// How many browser scenarios apply.
        count: usize,
        /// What is missing.
        why: String,
    },
}

impl<'a> Plan<'a> {
    /// Whether any scenario runs on the shared subject.
    pub fn needs_shared_subject(&self) -> bool {
        self.scenarios
            .iter()
            .any(|p| p.placement == Placement::Shared)
    }

    /// Whether any scenario that runs needs a browser.
    pub fn needs_browser(&self) -> bool {
        self.browser_scenarios() > 0
    }

    /// How many browser scenarios will run.
    pub fn browser_scenarios(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|p| p.lane == Lane::Browser && p.not_applicable().is_none())
            .count()
    }
}

/// Plans `scenarios` for a run that can do what `capabilities` say.
pub fn plan<'a>(
    scenarios: &'a [LoadedScenario],
    capabilities: Capabilities,
) -> Result<Plan<'a>, PlanError> {
    let planned: Vec<Planned<'a>> = scenarios
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let placement = match not_applicable(s, &capabilities) {
                Some(why) => Placement::NotApplicable(why),
                None if s.needs_own_subject() => Placement::Own {
                    running: s.needs_running_subject(),
                },
                None => Placement::Shared,
            };
            Planned {
                index,
                scenario: s,
                placement,
                lane: if s.scenario.needs.browser {
                    Lane::Browser
                } else {
                    Lane::Api
                },
                alone: s.steps().any(|st| matches!(st, Step::StartFails(_))),
            }
        })
        .collect();
    let mut plan = Plan {
        capabilities,
        scenarios: planned,
    };
    if let Err(why) = &plan.capabilities.browser {
        let wanting = plan
            .scenarios
            .iter_mut()
            .filter(|p| p.lane == Lane::Browser && p.not_applicable().is_none());
        if plan.capabilities.require_browser {
            let count = wanting.count();
            if count > 0 {
                return Err(PlanError::NoBrowser {
                    count,
                    why: why.clone(),
                });
            }
        } else {
            for p in wanting {
                p.placement = Placement::NotApplicable(format!("no browser: {why}"));
            }
        }
    }
    Ok(plan)
}

/// Why a scenario does not apply, if it does not.
fn not_applicable(s: &LoadedScenario, can: &Capabilities) -> Option<String> {
    if s.needs_control() && !can.control {
        return Some(
            "needs a subject the harness starts and controls (use a managed subject)".into(),
        );
    }
    if can.control {
        if let Some(knob) = s
            .scenario
            .needs
            .env
            .keys()
            .find(|k| can.missing_knobs.contains(k))
        {
            return Some(format!(
                "sets {knob}, a test knob the subject's profile says it does not honour"
            ));
        }
        if !s.scenario.needs.dotenv.is_empty() && !can.own_workdir {
            return Some(
                "writes a .env into the subject's working directory, and the subject runs in a directory of its own (cwd), which the harness does not write into".into(),
            );
        }
        if s.scenario.needs.browser && !can.frontend {
            return Some(
                "needs a frontend: describe one in the subject's profile ([frontend])".into(),
            );
        }
    }
    if s.scenario.needs.reference_only && !can.reference {
        return Some("checks the reference implementation's own repository".into());
    }
    let forges_with_secret = s.steps().any(|step| match step {
        Step::Forge(f) => f.kind.needs_secret(),
        Step::Token(t) => t.signed_with_secret,
        _ => false,
    });
    if forges_with_secret && !can.secret {
        return Some("needs the subject's JWT_SECRET (pass --jwt-secret)".into());
    }
    None
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
