//! The kill matrices, one test per fault, on the suite's own `cargo test`
//! adapter (one set of Postgres and Redis for the whole binary):
//!
//! - `reference::<fault>`: with that fault switch of the reference server
//!   on, the suite fails exactly the scenarios `tests/fixtures/kill-matrix.toml`
//!   documents and blocks exactly those it documents, naming the rule that
//!   covers the step that failed; so a failure is never blamed on the wrong
//!   rule. `reference::every_fault_is_in_the_matrix` holds the matrix to
//!   the server's fault list and the rules each fault's doc names, and shows
//!   that every scenario is failed by some fault.
//! - `nestjs::<switch>`: the NestJS implementation (`profiles/nestjs.toml`)
//!   with a pre-fix switch fails and blocks exactly the rules of
//!   `implementations/nestjs/kill-matrix.toml`; `nestjs::clean` passes
//!   every applicable rule. They need the implementation installed (`npm
//!   ci`, `npm run build`, as `.ci/run` does), and fail saying so without it.

use conformance::libtest::{Harness, run_trials_with};
use conformance::outcome::{RunOutcome, Verdict};
use conformance::report::console;
use conformance::scenario::load::LoadedScenario;
use conformance::services::ServicesMode;
use conformance::status::Status;
use conformance::subject::spec::{Frontend, SubjectSpec};
use conformance::{Subject, Suite};
use libtest_mimic::{Arguments, Failed, Trial};
use reference_server::faults::Fault;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const CONFORMANCE: &str = env!("CARGO_BIN_EXE_conformance");

/// What one fault does to the suite.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    /// Scenario files that fail.
    fail: BTreeSet<String>,
    /// Scenario files that are blocked, with the rule named as the one
    /// that covers the failed step.
    #[serde(default)]
    blocked: BTreeMap<String, String>,
    /// Scenario files that catch the fault by chance only (a narrow race):
    /// either verdict is right.
    #[serde(default)]
    may_fail: BTreeSet<String>,
    /// Rules that the checks on all traffic find broken (API-1 for a `5xx`
    /// on an exchange of any scenario, CORS-3, CORS-4, DOC-3, API-2).
    #[serde(default)]
    traffic: BTreeSet<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferenceMatrix {
    faults: BTreeMap<String, Expected>,
}

/// One pre-fix switch of the NestJS implementation.
#[derive(Deserialize)]
struct Switch {
    env: BTreeMap<String, String>,
    fails: BTreeSet<String>,
    #[serde(default)]
    blocked: BTreeSet<String>,
}

impl Switch {
    /// Whether it touches a browser rule, and another rule: the browser
    /// scenarios run in its trial in the first case, the others in the
    /// second.
    fn lanes(&self) -> (bool, bool) {
        let mut touched = self.fails.iter().chain(&self.blocked);
        let web = touched.clone().any(|r| r.starts_with("WEB-"));
        (web, touched.any(|r| !r.starts_with("WEB-")))
    }
}

#[derive(Deserialize)]
struct NestMatrix {
    switches: BTreeMap<String, Switch>,
}

fn read_toml<T: for<'de> Deserialize<'de>>(relative: &str) -> Result<T, Failed> {
    let path = Path::new(ROOT).join(relative);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Failed::from(format!("{}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| Failed::from(format!("{}: {e}", path.display())))
}

fn all_scenarios() -> Result<Vec<LoadedScenario>, Failed> {
    Suite::builtin()
        .load()
        .map(|(_, scenarios)| scenarios)
        .map_err(|e| Failed::from(e.to_string()))
}

fn names(list: Vec<&str>) -> BTreeSet<String> {
    list.into_iter().map(str::to_owned).collect()
}

/// Fails with the run's report when `got` is not `want`.
fn same<T: PartialEq + std::fmt::Debug>(
    what: &str,
    got: T,
    want: T,
    outcome: &RunOutcome,
) -> Result<(), Failed> {
    if got == want {
        return Ok(());
    }
    Err(Failed::from(format!(
        "{what} differ\n  got:  {got:?}\n  want: {want:?}\n{}",
        console::render(outcome)
    )))
}

fn no_harness_error(outcome: &RunOutcome) -> Result<(), Failed> {
    let broken = outcome.scenarios_with(Status::Error);
    if broken.is_empty() {
        return Ok(());
    }
    Err(Failed::from(format!(
        "the harness broke on {broken:?}\n{}",
        console::render(outcome)
    )))
}

/// The scenarios a fault can reach: the browser ones when it names a
/// browser scenario, the others when it names another (a web app fault
/// cannot reach an API scenario, and most API faults no browser one).
fn reached(named: &BTreeSet<&String>, all: &[LoadedScenario]) -> Vec<String> {
    let (browser, api) = lanes_named(named, all);
    all.iter()
        .filter(|s| {
            if s.scenario.needs.browser {
                browser
            } else {
                api
            }
        })
        .map(|s| s.name.clone())
        .collect()
}

/// Whether `named` holds a browser scenario, and another scenario.
fn lanes_named(named: &BTreeSet<&String>, all: &[LoadedScenario]) -> (bool, bool) {
    let touches = |browser: bool| {
        all.iter()
            .any(|s| s.scenario.needs.browser == browser && named.contains(&s.name))
    };
    (touches(true), touches(false))
}

impl Expected {
    /// The scenarios it names as failed or blocked.
    fn named(&self) -> BTreeSet<&String> {
        self.fail.iter().chain(self.blocked.keys()).collect()
    }
}

fn reference_fault(harness: &Harness, fault: &str) -> Result<(), Failed> {
    let matrix: ReferenceMatrix = read_toml("harness/tests/fixtures/kill-matrix.toml")?;
    let expected = matrix
        .faults
        .get(fault)
        .ok_or_else(|| Failed::from(format!("{fault} is not in kill-matrix.toml")))?;
    let all = all_scenarios()?;
    let named = expected.named();
    let suite = Suite::builtin()
        .subject(Subject::reference(CONFORMANCE, &[fault]))
        .require_browser(true)
        .only(&reached(&named, &all));
    let outcome = harness
        .run(&suite)
        .map_err(|e| Failed::from(e.to_string()))?;
    let failed: BTreeSet<String> = outcome
        .scenarios_with(Status::Fail)
        .into_iter()
        .filter(|name| !expected.may_fail.contains(*name))
        .map(str::to_owned)
        .collect();
    let blocked: BTreeMap<String, String> = outcome
        .scenarios
        .iter()
        .filter_map(|s| match &s.verdict {
            Verdict::Blocked(b) => Some((s.name.clone(), b.rule.clone())),
            _ => None,
        })
        .collect();
    same("failed scenarios", &failed, &expected.fail, &outcome)?;
    let traffic: BTreeSet<String> = outcome.traffic.iter().map(|t| t.rule.clone()).collect();
    same(
        "rules the traffic checks found broken",
        &traffic,
        &expected.traffic,
        &outcome,
    )?;
    same(
        "blocked scenarios (and their rules)",
        &blocked,
        &expected.blocked,
        &outcome,
    )?;
    no_harness_error(&outcome)
}

/// The matrix names every fault of the server and no other; each fault's
/// failing scenarios check exactly the rules its doc comment names; every
/// scenario is failed by some fault (INF-2 by a broken compose file).
fn every_fault_is_in_the_matrix() -> Result<(), Failed> {
    let matrix: ReferenceMatrix = read_toml("harness/tests/fixtures/kill-matrix.toml")?;
    let scenarios = all_scenarios()?;
    let known: BTreeSet<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    let faults: BTreeSet<String> = Fault::ALL.iter().map(|f| f.name().to_owned()).collect();
    let listed: BTreeSet<String> = matrix.faults.keys().cloned().collect();
    if faults != listed {
        return Err(Failed::from(format!(
            "kill-matrix.toml and Fault::ALL differ: only in the server {:?}, only in the matrix {:?}",
            faults.difference(&listed).collect::<Vec<_>>(),
            listed.difference(&faults).collect::<Vec<_>>()
        )));
    }
    for fault in Fault::ALL {
        let expected = &matrix.faults[fault.name()];
        for name in expected.named().into_iter().chain(&expected.may_fail) {
            if !known.contains(name.as_str()) {
                return Err(Failed::from(format!(
                    "{}: no scenario {name}",
                    fault.name()
                )));
            }
        }
        let documented: BTreeSet<String> = fault.rules().iter().map(|r| (*r).to_owned()).collect();
        let of_failing: BTreeSet<String> = scenarios
            .iter()
            .filter(|s| expected.fail.contains(&s.name))
            .flat_map(|s| s.scenario.rules.iter().cloned())
            .chain(expected.traffic.iter().cloned())
            .collect();
        if documented != of_failing {
            return Err(Failed::from(format!(
                "{}: Fault::rules() {documented:?} and the rules of the scenarios and traffic it fails {of_failing:?} differ",
                fault.name()
            )));
        }
    }
    let failed: BTreeSet<&str> = matrix
        .faults
        .values()
        .flat_map(|e| e.fail.iter().map(String::as_str))
        .collect();
    // INF-2 checks the repository's compose file, which no runtime switch
    // can break: `reference::broken_compose_file_fails_inf_2` shows it can fail.
    let never: Vec<&&str> = known
        .iter()
        .filter(|name| !failed.contains(**name) && **name != "inf-2-compose-file")
        .collect();
    if never.is_empty() {
        Ok(())
    } else {
        Err(Failed::from(format!(
            "scenarios that no fault fails: {never:?}"
        )))
    }
}

fn broken_compose_file_fails_inf_2(harness: &Harness) -> Result<(), Failed> {
    let root = tempfile::tempdir().map_err(|e| Failed::from(e.to_string()))?;
    std::fs::write(
        root.path().join("docker-compose.yml"),
        "services:\n  postgres:\n    image: postgres:13\n    ports: [\"5433:5432\"]\n",
    )
    .map_err(|e| Failed::from(e.to_string()))?;
    let SubjectSpec::Managed(mut launch) = Subject::reference(CONFORMANCE, &[]).spec().clone()
    else {
        return Err(Failed::from("the reference is a managed subject"));
    };
    launch.sources = Some(conformance::subject::sources::SourceTree::Dir(
        root.path().to_owned(),
    ));
    let suite = Suite::builtin()
        .subject(SubjectSpec::Managed(launch))
        .only(&["inf-2-compose-file".to_owned()]);
    let outcome = harness
        .run(&suite)
        .map_err(|e| Failed::from(e.to_string()))?;
    same(
        "failed rules",
        outcome.failed_rules(),
        vec!["INF-2"],
        &outcome,
    )
}

/// What `.ci/run` installs for the NestJS implementation, when missing.
fn nestjs_installed() -> Result<(), Failed> {
    let base = Path::new(ROOT).join("implementations/nestjs");
    let missing: Vec<PathBuf> = [
        "backend/node_modules",
        "backend/dist/bundle/main.js",
        "frontend/node_modules",
    ]
    .iter()
    .map(|p| base.join(p))
    .filter(|p| !p.exists())
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failed::from(format!(
        "the NestJS implementation is not installed ({missing:?} missing): run \
         `npm ci && npm run build` in implementations/nestjs/backend and `npm ci` in \
         implementations/nestjs/frontend (.ci/run does)"
    )))
}

/// The implementation's profile, with `env` for both of its processes.
fn nestjs(env: &BTreeMap<String, String>) -> Result<SubjectSpec, Failed> {
    let file = Path::new(ROOT).join("profiles/nestjs.toml");
    let subject = Subject::profile(&file, CONFORMANCE).map_err(|e| Failed::from(e.to_string()))?;
    let SubjectSpec::Managed(mut launch) = subject.spec().clone() else {
        return Err(Failed::from("profiles/nestjs.toml starts its backend"));
    };
    launch.env.extend(env.clone());
    if let Frontend::Command { env: front, .. } = &mut launch.frontend {
        front.extend(env.clone());
    }
    Ok(SubjectSpec::Managed(launch))
}

fn nestjs_clean(harness: &Harness) -> Result<(), Failed> {
    nestjs_installed()?;
    let _place = NestjsPlace::take();
    let mut suite = Suite::builtin()
        .subject(nestjs(&BTreeMap::new())?)
        .require_browser(true);
    // CI compares this run with the reference's (`scenarios.rs`).
    if let Some(dir) = std::env::var_os("CONFORMANCE_CI_REPORTS") {
        suite = suite.report_dir(PathBuf::from(dir).join("nestjs"));
    }
    let outcome = harness
        .run(&suite)
        .map_err(|e| Failed::from(e.to_string()))?;
    no_harness_error(&outcome)?;
    same("failed rules", outcome.failed_rules(), Vec::new(), &outcome)?;
    same(
        "blocked rules",
        outcome.blocked_rules(),
        Vec::new(),
        &outcome,
    )
}

fn nestjs_switch(harness: &Harness, name: &str) -> Result<(), Failed> {
    nestjs_installed()?;
    let _place = NestjsPlace::take();
    let matrix: NestMatrix = read_toml("implementations/nestjs/kill-matrix.toml")?;
    let switch = matrix
        .switches
        .get(name)
        .ok_or_else(|| Failed::from(format!("{name} is not in the NestJS kill matrix")))?;
    let (web, api) = switch.lanes();
    let only: Vec<String> = all_scenarios()?
        .into_iter()
        .filter(|s| if s.scenario.needs.browser { web } else { api })
        .map(|s| s.name)
        .collect();
    let suite = Suite::builtin()
        .subject(nestjs(&switch.env)?)
        .require_browser(true)
        .only(&only);
    let outcome = harness
        .run(&suite)
        .map_err(|e| Failed::from(e.to_string()))?;
    no_harness_error(&outcome)?;
    same(
        "failed rules",
        names(outcome.failed_rules()),
        switch.fails.clone(),
        &outcome,
    )?;
    same(
        "blocked rules",
        names(outcome.blocked_rules()),
        switch.blocked.clone(),
        &outcome,
    )
}

/// The trials: the reference's faults with NestJS's spread evenly among
/// them, so that NestJS's starts (most of the matrix's CPU) fill the time
/// the reference's trials spend waiting, and at most [`NESTJS_AT_ONCE`]
/// of them run together. Not the longest first: that started the two
/// heaviest NestJS trials together, and a CI run failed REG-3 falsely (a
/// registration of reg-3-slow-database waited 6.4 s for its database and
/// answered 503).
///
/// The reference's browser trials are spread evenly among its others too:
/// they wait on deadlines much of their time, holding one of the binary's
/// browsers (as many as the machine's cores), and where they came one after
/// another (the web app's faults) the machine was half idle for 20 s.
fn trials(harness: Arc<Harness>) -> Vec<Trial> {
    let browser_faults = browser_faults().unwrap_or_default();
    let mut browser = Vec::new();
    let mut reference = vec![Trial::test(
        "reference::every_fault_is_in_the_matrix",
        every_fault_is_in_the_matrix,
    )];
    let h = Arc::clone(&harness);
    reference.push(Trial::test(
        "reference::broken_compose_file_fails_inf_2",
        move || broken_compose_file_fails_inf_2(&h),
    ));
    for fault in Fault::ALL {
        let h = Arc::clone(&harness);
        let trial = Trial::test(format!("reference::{}", fault.name()), move || {
            reference_fault(&h, fault.name())
        });
        if browser_faults.contains(fault.name()) {
            browser.push(trial);
        } else {
            reference.push(trial);
        }
    }
    let reference = spread(reference, browser);
    let h = Arc::clone(&harness);
    let mut nestjs = vec![Trial::test("nestjs::clean", move || nestjs_clean(&h))];
    // A matrix that cannot be read is the failure of every switch test.
    let switches: Vec<String> = read_toml::<NestMatrix>("implementations/nestjs/kill-matrix.toml")
        .map(|m| m.switches.into_keys().collect())
        .unwrap_or_else(|_| vec!["<unreadable kill matrix>".to_owned()]);
    for name in switches {
        let h = Arc::clone(&harness);
        nestjs.push(Trial::test(format!("nestjs::{name}"), move || {
            nestjs_switch(&h, &name)
        }));
    }
    spread(reference, nestjs)
}

/// The reference's faults whose trials run the browser scenarios.
fn browser_faults() -> Result<BTreeSet<String>, Failed> {
    let matrix: ReferenceMatrix = read_toml("harness/tests/fixtures/kill-matrix.toml")?;
    let all = all_scenarios()?;
    Ok(matrix
        .faults
        .iter()
        .filter(|(_, expected)| lanes_named(&expected.named(), &all).0)
        .map(|(fault, _)| fault.clone())
        .collect())
}

/// `many` with `few` spread evenly among them, each list in its order.
fn spread<T>(many: Vec<T>, few: Vec<T>) -> Vec<T> {
    let (m, f) = (many.len(), few.len());
    let mut out = Vec::with_capacity(m + f);
    let mut few = few.into_iter();
    for (i, item) in many.into_iter().enumerate() {
        // The few whose even place (k * m / f) is before the i-th of many.
        while out.len() - i < f && (out.len() - i) * m <= i * f {
            out.extend(few.next());
        }
        out.push(item);
    }
    out.extend(few);
    out
}

/// How many trials run at once unless `--test-threads` says, whatever the
/// machine's cores: a trial spends much of its time waiting (deadlines,
/// browsers, subjects that start), and with 2 at once the 2-core CI
/// machine was a fifth idle, with 3 a tenth (mostly while trials waited
/// for a subject's exit or a page's text together). Since a browser's wait
/// costs next to nothing, 4 keep it 96 % busy for about the same CPU: 329
/// to 337 s over four matrices instead of 352 s.
const AT_ONCE: usize = 4;

/// How many NestJS trials run at once, whatever `--test-threads` says:
/// with 3 at once on the 2-core CI machine the three NestJS trials that
/// started first starved NestJS so that a registration waited 7.8 s for the
/// database and answered 503, failing REG-3 and API-1 falsely.
const NESTJS_AT_ONCE: usize = 2;

/// How many NestJS trials run now, and the signal that one ended.
static NESTJS_RUNNING: Mutex<usize> = Mutex::new(0);
static NESTJS_ENDED: Condvar = Condvar::new();

/// One of the [`NESTJS_AT_ONCE`] places of a NestJS trial, held while it
/// runs.
struct NestjsPlace;

impl NestjsPlace {
    /// Waits for a place. A poisoned count is still a count: a trial that
    /// panicked gave its place back in `drop`.
    fn take() -> NestjsPlace {
        let mut running = NESTJS_RUNNING
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *running >= NESTJS_AT_ONCE {
            running = NESTJS_ENDED
                .wait(running)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *running += 1;
        NestjsPlace
    }
}

impl Drop for NestjsPlace {
    fn drop(&mut self) {
        let mut running = NESTJS_RUNNING
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *running -= 1;
        NESTJS_ENDED.notify_one();
    }
}

fn main() -> std::process::ExitCode {
    let mut args = Arguments::from_args();
    args.test_threads.get_or_insert(AT_ONCE);
    run_trials_with(args, ServicesMode::Auto, |_, harness| Ok(trials(harness)))
}
