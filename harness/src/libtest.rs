//! The suite inside `cargo test`: a test target with `harness = false`
//! runs every scenario as a test of its own, with `libtest`'s command line
//! (`cargo test --test conformance -- SSE` filters, `--list` lists, `--exact`
//! and `--skip` work, nextest runs each test in a process of its own) and
//! its exit codes.
//!
//! ```toml
//! # Cargo.toml of the implementation
//! [dev-dependencies]
//! conformance = { path = "../insight-garden-conformance/harness" }
//!
//! [[test]]
//! name = "conformance"
//! harness = false
//! ```
//!
//! ```no_run
//! // tests/conformance.rs; `my-backend` is the crate's binary, so in
//! // the crate itself: Subject::command(env!("CARGO_BIN_EXE_my-backend"))
//! fn main() -> std::process::ExitCode {
//!     conformance::Suite::builtin()
//!         .subject(conformance::Subject::command("./target/debug/my-backend"))
//!         .libtest()
//! }
//! ```
//!
//! Postgres and Redis start once per test binary, when the first test
//! needs them, and stop when the tests are done, as do chromedriver and
//! the browsers (wiped between scenarios, kept between suites); the
//! selected scenarios run as one planned run (shared subject, subjects of
//! their own, browser lanes), and each test reports its scenario's
//! verdict: a failure prints the explanation the console prints, a
//! scenario that is not applicable is ignored with the reason, a failing
//! SHOULD passes with a warning unless the suite is strict.

use crate::browser::pool::BrowserPool;
use crate::outcome::{RunOutcome, ScenarioResult, Verdict};
use crate::rules::Level;
use crate::run::suite::Lent;
use crate::services::{DockerOptions, Services, ServicesMode};
use crate::suite::{Error, Suite};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

/// What the tests of one test binary share: an async runtime, the
/// Postgres and Redis started on first use, and the browsers (chromedriver
/// and Chromium, kept open between suites), all stopped when it drops.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    services: tokio::sync::OnceCell<Services>,
    browsers: BrowserPool,
    mode: ServicesMode,
    docker: DockerOptions,
}

impl Harness {
    /// A harness whose services, once needed, come as `mode` says.
    pub fn new(mode: ServicesMode, docker: DockerOptions) -> Result<Harness, Error> {
        crate::process::install_interrupt_cleanup().map_err(std::io::Error::other)?;
        // As many browsers at once as suites run at once on this machine.
        let lanes = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Ok(Harness {
            runtime: tokio::runtime::Runtime::new()?,
            services: tokio::sync::OnceCell::new(),
            browsers: BrowserPool::new(lanes),
            mode,
            docker,
        })
    }

    /// Runs `suite` on this binary's services (started on the first call)
    /// and browsers; callable from several test threads at once.
    pub fn run(&self, suite: &Suite) -> Result<RunOutcome, Error> {
        self.runtime.block_on(async {
            let services = self
                .services
                .get_or_try_init(|| Services::start_with(self.mode.clone(), &self.docker))
                .await
                .map_err(|e| Error::Run(e.into()))?;
            let lent = Lent {
                services: Some(services),
                browsers: Some(&self.browsers),
            };
            suite.run_lent(lent).await
        })
    }

    /// Runs the futures of a test on this binary's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // Stopped inside the runtime: Docker services are removed by its
        // tasks, browsers are closed through WebDriver.
        let services = self.services.take();
        let browsers = &self.browsers;
        self.runtime.block_on(async move {
            browsers.close_all().await;
            drop(services);
        });
    }
}

/// Runs `trials`, made with the binary's [`Harness`], as `libtest` would
/// with this process's arguments; the process's exit code (101 when a
/// test failed, as `cargo test` expects).
pub fn run_trials(
    mode: ServicesMode,
    make: impl FnOnce(&Arguments, Arc<Harness>) -> Result<Vec<Trial>, Error>,
) -> ExitCode {
    run_trials_with(Arguments::from_args(), mode, make)
}

/// [`run_trials`] with `args` instead of this process's arguments: a test
/// binary can change their defaults first (how many tests run at once).
pub fn run_trials_with(
    args: Arguments,
    mode: ServicesMode,
    make: impl FnOnce(&Arguments, Arc<Harness>) -> Result<Vec<Trial>, Error>,
) -> ExitCode {
    let harness = match Harness::new(mode, DockerOptions::default()) {
        Ok(h) => Arc::new(h),
        Err(e) => return broken(&e),
    };
    let trials = match make(&args, Arc::clone(&harness)) {
        Ok(trials) => trials,
        Err(e) => return broken(&e),
    };
    let conclusion = libtest_mimic::run(&args, trials);
    // The trials are done with it: the services stop here.
    drop(harness);
    conclusion.exit_code()
}

/// A harness that cannot even list its tests: said, and exit code 101.
fn broken(e: &Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(101)
}

/// A test's name: its rules, then the scenario (`SSE-4::sse-4-token-…`),
/// so that a rule ID, a rule family or a scenario's name selects it.
pub fn trial_name(s: &crate::scenario::load::LoadedScenario) -> String {
    format!("{}::{}", s.scenario.rules.join(","), s.name)
}

/// A scenario's verdict as a test's result.
pub fn test_result(result: &ScenarioResult, strict: bool) -> Result<Completion, Failed> {
    let warn_only = result.level == Level::Should && !strict;
    let explanation = || crate::report::console::failure_text(result);
    match &result.verdict {
        Verdict::Pass => {
            if let Some(note) = crate::report::sentence::ran_again_note(result) {
                eprintln!("note: {note}");
            }
            Ok(Completion::Completed)
        }
        Verdict::NotApplicable(why) => Ok(Completion::ignored_with(format!("n/a: {why}"))),
        Verdict::Fail | Verdict::Blocked(_) if warn_only => {
            eprintln!(
                "warning: {} ({}, SHOULD) did not hold:\n{}",
                result.name,
                result.rules.join(", "),
                explanation()
            );
            Ok(Completion::Completed)
        }
        Verdict::Fail => Err(Failed::from(explanation())),
        Verdict::Blocked(_) => Err(Failed::from(format!(
            "not checked (blocked):\n{}",
            explanation()
        ))),
        Verdict::Error(_) => Err(Failed::from(format!(
            "the harness broke, no verdict on the subject:\n{}",
            explanation()
        ))),
    }
}

impl Suite {
    /// Runs the suite as `cargo test`'s tests, one per scenario, with this
    /// process's arguments; the process's exit code. See [`crate::libtest`].
    pub fn libtest(self) -> ExitCode {
        let mode = self.options().services.clone();
        run_trials(mode, |args, harness| self.trials(args, harness))
    }

    /// The suite's tests: one per scenario (one per case of a matrix
    /// scenario), all run together on the first test's call, each
    /// reporting its verdict.
    pub fn trials(self, args: &Arguments, harness: Arc<Harness>) -> Result<Vec<Trial>, Error> {
        let (_, scenarios) = self.load()?;
        // One test per scenario, or per selected case of a matrix scenario.
        let mut tests: Vec<(String, String, Option<String>)> = Vec::new();
        for s in &scenarios {
            match &s.scenario.matrix {
                Some(matrix) => {
                    for case in matrix.cases() {
                        let label = case.label();
                        if s.selects_case(&label) {
                            let name = format!("{}[{label}]", trial_name(s));
                            tests.push((name, s.name.clone(), Some(label)));
                        }
                    }
                }
                None => tests.push((trial_name(s), s.name.clone(), None)),
            }
        }
        let mut selection: std::collections::BTreeMap<String, Option<Vec<String>>> =
            std::collections::BTreeMap::new();
        for (name, scenario, case) in &tests {
            let probe = Trial::test(name.clone(), || Ok(()));
            if args.is_filtered_out(&probe) || args.is_ignored(&probe) {
                continue;
            }
            let entry = selection
                .entry(scenario.clone())
                .or_insert_with(|| case.as_ref().map(|_| Vec::new()));
            if let (Some(cases), Some(case)) = (entry.as_mut(), case) {
                cases.push(case.clone());
            }
        }
        let strict = self.options().strict;
        let suite = Arc::new(self.only_cases(selection));
        let outcome: Arc<OnceLock<Result<RunOutcome, String>>> = Arc::new(OnceLock::new());
        Ok(tests
            .into_iter()
            .map(|(name, scenario, case)| {
                let (suite, harness, outcome) = (
                    Arc::clone(&suite),
                    Arc::clone(&harness),
                    Arc::clone(&outcome),
                );
                Trial::ignorable_test(name, move || {
                    let run =
                        outcome.get_or_init(|| harness.run(&suite).map_err(|e| e.to_string()));
                    let run = run.as_ref().map_err(|e| Failed::from(e.as_str()))?;
                    let result = run
                        .scenarios
                        .iter()
                        .find(|r| r.name == scenario)
                        .ok_or_else(|| Failed::from("the scenario did not run"))?;
                    let traffic = traffic_seen(run, &scenario, case.as_deref());
                    match &case {
                        None => with_traffic(test_result(result, strict), traffic),
                        Some(label) => {
                            let case = result.cases.iter().find(|c| &c.case == label);
                            with_traffic(case_result(result, case, strict), traffic)
                        }
                    }
                })
            })
            .collect())
    }
}

/// The findings of the checks on all traffic seen in a scenario (and case).
fn traffic_seen(run: &RunOutcome, scenario: &str, case: Option<&str>) -> Vec<String> {
    run.traffic
        .iter()
        .filter(|t| t.scenario == scenario && t.case.as_deref() == case)
        .map(|t| {
            format!(
                "{} broke on an exchange of step {}: {}",
                t.rule,
                t.step,
                crate::report::sentence::check(&t.check)
            )
        })
        .collect()
}

/// A test's result with the traffic findings seen in it: a finding fails
/// the test that made the exchange, whatever its own rules.
fn with_traffic(
    result: Result<Completion, Failed>,
    traffic: Vec<String>,
) -> Result<Completion, Failed> {
    if traffic.is_empty() {
        return result;
    }
    let before = match result {
        Err(e) => e.message().map(str::to_owned).unwrap_or_default(),
        Ok(_) => String::new(),
    };
    Err(Failed::from(
        format!("{before}\n{}", traffic.join("\n"))
            .trim()
            .to_owned(),
    ))
}

/// One case's verdict as a test's result.
fn case_result(
    scenario: &ScenarioResult,
    case: Option<&crate::outcome::CaseResult>,
    strict: bool,
) -> Result<Completion, Failed> {
    let Some(case) = case else {
        // The scenario ended before its cases: its verdict is theirs.
        return test_result(scenario, strict);
    };
    let mut one = scenario.clone();
    one.verdict = case.verdict.clone();
    one.cases = vec![case.clone()];
    test_result(&one, strict)
}
