//! The second implementation, `implementations/nestjs` (NestJS 11, Prisma 7
//! with the pg adapter, ioredis; React + zustand), run as a user would run
//! theirs, through `profiles/nestjs.toml`: clean, every applicable rule
//! passes; with each of its pre-fix switches, exactly the rules that switch
//! breaks fail and exactly the rules it makes uncheckable are blocked
//! (`implementations/nestjs/kill-matrix.toml`). It keeps the verdicts honest
//! against code this suite did not grow up with.
//!
//! It needs the implementation installed (`npm ci` and `npm run build`, as
//! `.ci/run` does): without it the tests say so and stop, and under
//! `CI=true` they fail.

use super::support::{all_scenarios, run};
use conformance::outcome::RunOutcome;
use conformance::report::console;
use conformance::subject::profile;
use conformance::subject::spec::{Frontend, SubjectSpec};
use rstest::rstest;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// One pre-fix switch of the implementation and what it does to the suite.
#[derive(Deserialize)]
struct Switch {
    env: BTreeMap<String, String>,
    fails: BTreeSet<String>,
    #[serde(default)]
    blocked: BTreeSet<String>,
}

#[derive(Deserialize)]
struct Matrix {
    switches: BTreeMap<String, Switch>,
}

fn matrix() -> Matrix {
    let text =
        std::fs::read_to_string(Path::new(ROOT).join("implementations/nestjs/kill-matrix.toml"))
            .expect("the NestJS kill matrix exists");
    toml::from_str(&text).expect("the NestJS kill matrix parses")
}

/// Whether the implementation is installed; says why not, and fails under CI.
fn installed() -> bool {
    let base = Path::new(ROOT).join("implementations/nestjs");
    let missing: Vec<PathBuf> = [
        "backend/node_modules",
        "backend/dist/main.js",
        "frontend/node_modules",
    ]
    .iter()
    .map(|p| base.join(p))
    .filter(|p| !p.exists())
    .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "the NestJS implementation is not installed ({missing:?} missing): run \
         `npm ci && npm run build` in implementations/nestjs/backend and `npm ci` in \
         implementations/nestjs/frontend (.ci/run does)"
    );
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!in_ci, "{why}");
    eprintln!("skipped: {why}");
    false
}

/// The implementation's profile, with `env` for both of its processes.
fn subject(env: &BTreeMap<String, String>) -> SubjectSpec {
    let file = Path::new(ROOT).join("profiles/nestjs.toml");
    let profile = profile::load(&file).expect("profiles/nestjs.toml loads");
    let base = file.parent().expect("a directory").to_owned();
    let mut launch = profile.launch(PathBuf::from(env!("CARGO_BIN_EXE_conformance")), &base);
    launch.env.extend(env.clone());
    if let Frontend::Command { env: front, .. } = &mut launch.frontend {
        front.extend(env.clone());
    }
    SubjectSpec::Managed(launch)
}

fn rules(list: Vec<&str>) -> BTreeSet<String> {
    list.into_iter().map(str::to_owned).collect()
}

fn assert_no_error(outcome: &RunOutcome, what: &str) {
    assert!(
        outcome.scenarios_with("error").is_empty(),
        "{what}: the harness broke\n{}",
        console::render(outcome)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nestjs_implementation_passes_every_applicable_rule() {
    if !installed() {
        return;
    }
    let outcome = run(&all_scenarios(), subject(&BTreeMap::new())).await;
    assert_no_error(&outcome, "clean");
    let text = console::render(&outcome);
    assert!(outcome.failed_rules().is_empty(), "{text}");
    assert!(outcome.blocked_rules().is_empty(), "{text}");
    assert_eq!(outcome.exit_code(), 0, "{text}");
}

#[test]
fn every_switch_has_a_case_below() {
    let source = include_str!("nestjs.rs");
    for name in matrix().switches.keys() {
        assert!(
            source.contains(&format!("(\"{name}\")]")),
            "no #[case] runs {name}"
        );
    }
}

#[rstest]
#[case::unmapped_p2002("unmapped-p2002")]
#[case::unmapped_outage("unmapped-outage")]
#[case::prisma7_literal_fix("prisma7-literal-fix")]
#[case::register_check_then_insert("register-check-then-insert")]
#[case::no_query_token("no-query-token")]
#[case::accept_default_secret("accept-default-secret")]
#[case::accept_missing_secret("accept-missing-secret")]
#[case::expires_in_string("expires-in-string")]
#[case::login_201("login-201")]
#[case::cors_wildcard("cors-wildcard")]
#[case::cors_reflect_origin("cors-reflect-origin")]
#[case::cors_hardcoded_origin("cors-hardcoded-origin")]
#[case::log_query_token("log-query-token")]
#[case::stream_ignores_expiry("stream-ignores-expiry")]
#[case::deleted_account_500("deleted-account-500")]
#[case::non_id_sub_500("non-id-sub-500")]
#[case::cors_origin_prefix("cors-origin-prefix")]
#[case::cors_null_origin("cors-null-origin")]
#[case::cors_any_port("cors-any-port")]
#[case::no_hydration_gate("no-hydration-gate")]
#[case::stream_bearer_null("stream-bearer-null")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_switch_fails_and_blocks_exactly_its_rules(#[case] name: &str) {
    if !installed() {
        return;
    }
    let m = matrix();
    let switch = &m.switches[name];
    // The browser scenarios run when the switch touches a browser rule, the
    // others when it touches another rule.
    let touched: Vec<&String> = switch.fails.iter().chain(&switch.blocked).collect();
    let web = touched.iter().any(|r| r.starts_with("WEB-"));
    let api = touched.iter().any(|r| !r.starts_with("WEB-"));
    let scenarios: Vec<_> = all_scenarios()
        .into_iter()
        .filter(|s| if s.scenario.needs.browser { web } else { api })
        .collect();
    let outcome = run(&scenarios, subject(&switch.env)).await;
    assert_no_error(&outcome, name);
    let text = console::render(&outcome);
    assert_eq!(
        rules(outcome.failed_rules()),
        switch.fails,
        "{name}: failed rules\n{text}"
    );
    assert_eq!(
        rules(outcome.blocked_rules()),
        switch.blocked,
        "{name}: blocked rules\n{text}"
    );
}
