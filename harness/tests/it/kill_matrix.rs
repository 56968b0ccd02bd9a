//! The kill matrix: for every fault switch of the reference server, the
//! suite fails exactly the scenarios the fault is documented to fail and
//! blocks exactly those it is documented to block (kept as data in
//! `tests/fixtures/kill-matrix.toml`), so a failure is never blamed on the
//! wrong rule; the failing scenarios' rules are the rules the fault's doc
//! comment names; every scenario file is failed by at least one fault, so
//! every scenario is shown able to fail; and the clean reference fails
//! none (`scenarios.rs`).

use super::support::{all_scenarios, reference, run};
use conformance::report::console;
use conformance::scenario::load::LoadedScenario;
use reference_server::faults::Fault;
use rstest::rstest;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// What one fault does to the suite.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Scenario files that fail.
    pub fail: BTreeSet<String>,
    /// Scenario files that are blocked (a setup step fails), with the rule
    /// named as the one that covers the failed step.
    #[serde(default)]
    pub blocked: BTreeMap<String, String>,
    /// Scenario files that catch the fault by chance only (a narrow race):
    /// either verdict is right.
    #[serde(default)]
    pub may_fail: BTreeSet<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Matrix {
    faults: BTreeMap<String, Expected>,
}

fn matrix() -> Matrix {
    let text = include_str!("../fixtures/kill-matrix.toml");
    toml::from_str(text).expect("kill-matrix.toml parses")
}

/// The rules of the named scenarios.
fn rules_of<'a>(
    names: impl Iterator<Item = &'a String>,
    all: &[LoadedScenario],
) -> BTreeSet<String> {
    let names: BTreeSet<&String> = names.collect();
    all.iter()
        .filter(|s| names.contains(&s.name))
        .flat_map(|s| s.scenario.rules.iter().cloned())
        .collect()
}

#[test]
fn the_matrix_names_every_fault_and_every_scenario_is_failed_by_one() {
    let m = matrix();
    let scenarios = all_scenarios();
    let known: BTreeSet<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    let names: BTreeSet<String> = Fault::ALL.iter().map(|f| f.name().to_owned()).collect();
    let listed: BTreeSet<String> = m.faults.keys().cloned().collect();
    assert_eq!(names, listed, "kill-matrix.toml and Fault::ALL differ");
    for fault in Fault::ALL {
        let expected = &m.faults[fault.name()];
        for name in expected
            .fail
            .iter()
            .chain(expected.blocked.keys())
            .chain(&expected.may_fail)
        {
            assert!(
                known.contains(name.as_str()),
                "{}: no scenario {name}",
                fault.name()
            );
        }
        let documented: BTreeSet<String> = fault.rules().iter().map(|r| (*r).to_owned()).collect();
        assert_eq!(
            documented,
            rules_of(expected.fail.iter(), &scenarios),
            "{}: Fault::rules() and the rules of the scenarios it fails differ",
            fault.name()
        );
    }
    let failed: BTreeSet<&str> = m
        .faults
        .values()
        .flat_map(|e| e.fail.iter().map(String::as_str))
        .collect();
    // INF-2 checks the repository's compose file, which no runtime switch
    // can break: `a_broken_compose_file_fails_inf_2` shows that it can fail.
    let never: Vec<&&str> = known
        .iter()
        .filter(|name| !failed.contains(**name) && **name != "inf-2-compose-file")
        .collect();
    assert!(never.is_empty(), "scenarios that no fault fails: {never:?}");
}

#[test]
fn every_fault_has_a_case_below() {
    let source = include_str!("kill_matrix.rs");
    for fault in Fault::ALL {
        let case = format!("(\"{}\")]", fault.name());
        assert!(source.contains(&case), "no #[case] runs {}", fault.name());
    }
}

#[rstest]
#[case::register_unmapped_errors("register-unmapped-errors")]
#[case::register_check_then_insert("register-check-then-insert")]
#[case::register_narrow_race("register-narrow-race")]
#[case::no_query_token("no-query-token")]
#[case::query_token_first("query-token-first")]
#[case::cors_wildcard("cors-wildcard")]
#[case::cors_reflect_origin("cors-reflect-origin")]
#[case::cors_missing_on_errors("cors-missing-on-errors")]
#[case::cors_origin_hardcoded("cors-origin-hardcoded")]
#[case::cors_allow_headers_wildcard("cors-allow-headers-wildcard")]
#[case::accept_default_secret("accept-default-secret")]
#[case::accept_missing_secret("accept-missing-secret")]
#[case::ignore_expires_in("ignore-expires-in")]
#[case::default_expires_in_millis("default-expires-in-millis")]
#[case::stream_recheck_token("stream-recheck-token")]
#[case::stream_buffered("stream-buffered")]
#[case::stream_compressed_buffered("stream-compressed-buffered")]
#[case::log_query_token("log-query-token")]
#[case::random_secret_per_start("random-secret-per-start")]
#[case::no_login_throttle("no-login-throttle")]
#[case::leak_password_hash("leak-password-hash")]
#[case::me_password_hash("me-password-hash")]
#[case::alg_none_accepted("alg-none-accepted")]
#[case::wrong_banner("wrong-banner")]
#[case::hardcoded_redis_address("hardcoded-redis-address")]
#[case::health_always_ok("health-always-ok")]
#[case::malformed_input_500("malformed-input-500")]
#[case::login_unknown_email_404("login-unknown-email-404")]
#[case::login_enumerates_accounts("login-enumerates-accounts")]
#[case::login_answers_201("login-answers-201")]
#[case::documents_unguarded("documents-unguarded")]
#[case::documents_list_everyone("documents-list-everyone")]
#[case::foreign_document_403("foreign-document-403")]
#[case::verify_with_default_secret("verify-with-default-secret")]
#[case::stream_no_done("stream-no-done")]
#[case::stream_starts_before_auth("stream-starts-before-auth")]
#[case::stream_any_document("stream-any-document")]
#[case::no_hydration_gate("no-hydration-gate")]
#[case::token_not_persisted("token-not-persisted")]
#[case::stream_without_auth_header("stream-without-auth-header")]
#[case::web_extra_header("web-extra-header")]
#[case::stream_ignores_expiry("stream-ignores-expiry")]
#[case::deleted_account_500("deleted-account-500")]
#[case::non_id_sub_500("non-id-sub-500")]
#[case::cors_origin_prefix("cors-origin-prefix")]
#[case::cors_null_origin("cors-null-origin")]
#[case::cors_any_port("cors-any-port")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_fails_and_blocks_exactly_the_documented_scenarios(#[case] fault: &str) {
    let m = matrix();
    let expected = &m.faults[fault];
    let all = all_scenarios();
    // The browser scenarios run when the fault touches one of them, the
    // others when it touches one of those: a web app fault cannot reach an
    // API scenario, and most API faults no browser scenario.
    let named: BTreeSet<&String> = expected
        .fail
        .iter()
        .chain(expected.blocked.keys())
        .collect();
    let touches = |browser: bool| {
        all.iter()
            .any(|s| s.scenario.needs.browser == browser && named.contains(&s.name))
    };
    let (browser, api) = (touches(true), touches(false));
    let scenarios: Vec<_> = all
        .into_iter()
        .filter(|s| {
            if s.scenario.needs.browser {
                browser
            } else {
                api
            }
        })
        .collect();
    let outcome = run(&scenarios, reference(&[fault])).await;
    let failed: BTreeSet<String> = outcome
        .scenarios_with("fail")
        .into_iter()
        .filter(|name| !expected.may_fail.contains(*name))
        .map(str::to_owned)
        .collect();
    let blocked: BTreeMap<String, String> = outcome
        .scenarios
        .iter()
        .filter_map(|s| match &s.verdict {
            conformance::outcome::Verdict::Blocked(b) => Some((s.name.clone(), b.rule.clone())),
            _ => None,
        })
        .collect();
    let report = console::render(&outcome);
    assert_eq!(
        failed, expected.fail,
        "fault {fault:?}: failed scenarios differ from kill-matrix.toml\n{report}"
    );
    assert_eq!(
        blocked, expected.blocked,
        "fault {fault:?}: blocked scenarios (and their rules) differ from kill-matrix.toml\n{report}"
    );
    assert!(
        outcome.scenarios_with("error").is_empty(),
        "fault {fault:?}: the harness broke\n{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_compose_file_fails_inf_2() {
    let root = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        root.path().join("docker-compose.yml"),
        "services:\n  postgres:\n    image: postgres:13\n    ports: [\"5433:5432\"]\n",
    )
    .expect("write the broken compose file");
    let scenarios: Vec<_> = all_scenarios()
        .into_iter()
        .filter(|s| s.name == "inf-2-compose-file")
        .collect();
    let conformance::subject::spec::SubjectSpec::Managed(mut launch) = reference(&[]) else {
        unreachable!("the reference is managed")
    };
    launch.sources = Some(conformance::subject::sources::SourceTree::Dir(
        root.path().to_owned(),
    ));
    let outcome = run(
        &scenarios,
        conformance::subject::spec::SubjectSpec::Managed(launch),
    )
    .await;
    let failed: Vec<&str> = outcome.failed_rules();
    assert_eq!(failed, vec!["INF-2"], "{}", console::render(&outcome));
}
