//! The kill matrix: for every fault switch of the reference server, the
//! whole suite fails exactly the rules the fault is documented to break
//! (kept as data in `tests/fixtures/kill-matrix.toml`), and the clean
//! reference fails none. This proves every scenario can fail.

use super::support::{all_scenarios, reference, run};
use conformance::report::console;
use reference_server::faults::Fault;
use rstest::rstest;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Matrix {
    faults: BTreeMap<String, Vec<String>>,
}

fn matrix() -> Matrix {
    let text = include_str!("../fixtures/kill-matrix.toml");
    toml::from_str(text).expect("kill-matrix.toml parses")
}

#[test]
fn the_matrix_names_every_fault_switch_and_every_rule_is_killed() {
    let m = matrix();
    let names: BTreeSet<String> = Fault::ALL.iter().map(|f| f.name().to_owned()).collect();
    let listed: BTreeSet<String> = m.faults.keys().cloned().collect();
    assert_eq!(names, listed, "kill-matrix.toml and Fault::ALL differ");
    for fault in Fault::ALL {
        let documented: BTreeSet<&str> = fault.rules().iter().copied().collect();
        let data: BTreeSet<&str> = m.faults[fault.name()].iter().map(String::as_str).collect();
        assert_eq!(
            documented,
            data,
            "{}: Fault::rules() and kill-matrix.toml differ",
            fault.name()
        );
    }
    let mut killed: BTreeSet<&str> = m.faults.values().flatten().map(String::as_str).collect();
    // INF-2 checks the repository's compose file, which no runtime switch can
    // break: `a_broken_compose_file_fails_inf_2` shows that it can fail.
    killed.insert("INF-2");
    let scenarios = all_scenarios();
    let checked: BTreeSet<&str> = scenarios
        .iter()
        .flat_map(|s| s.scenario.rules.iter().map(String::as_str))
        .collect();
    let unkilled: Vec<&&str> = checked.difference(&killed).collect();
    assert!(unkilled.is_empty(), "rules no fault breaks: {unkilled:?}");
}

#[rstest]
#[case::clean("")]
#[case::register_unmapped_errors("register-unmapped-errors")]
#[case::register_check_then_insert("register-check-then-insert")]
#[case::no_query_token("no-query-token")]
#[case::query_token_first("query-token-first")]
#[case::cors_wildcard("cors-wildcard")]
#[case::cors_reflect_origin("cors-reflect-origin")]
#[case::cors_missing_on_errors("cors-missing-on-errors")]
#[case::accept_default_secret("accept-default-secret")]
#[case::accept_missing_secret("accept-missing-secret")]
#[case::ignore_expires_in("ignore-expires-in")]
#[case::stream_recheck_token("stream-recheck-token")]
#[case::stream_buffered("stream-buffered")]
#[case::log_query_token("log-query-token")]
#[case::random_secret_per_start("random-secret-per-start")]
#[case::no_login_throttle("no-login-throttle")]
#[case::leak_password_hash("leak-password-hash")]
#[case::alg_none_accepted("alg-none-accepted")]
#[case::wrong_banner("wrong-banner")]
#[case::hardcoded_redis_address("hardcoded-redis-address")]
#[case::health_always_ok("health-always-ok")]
#[case::malformed_input_500("malformed-input-500")]
#[case::login_unknown_email_404("login-unknown-email-404")]
#[case::login_enumerates_accounts("login-enumerates-accounts")]
#[case::documents_unguarded("documents-unguarded")]
#[case::verify_with_default_secret("verify-with-default-secret")]
#[case::stream_no_done("stream-no-done")]
#[case::stream_starts_before_auth("stream-starts-before-auth")]
#[case::stream_any_document("stream-any-document")]
#[case::no_hydration_gate("no-hydration-gate")]
#[case::token_not_persisted("token-not-persisted")]
#[case::stream_without_auth_header("stream-without-auth-header")]
#[case::web_extra_header("web-extra-header")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_fails_exactly_the_documented_rules(#[case] fault: &str) {
    let expected: BTreeSet<String> = if fault.is_empty() {
        BTreeSet::new()
    } else {
        matrix()
            .faults
            .get(fault)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect()
    };
    // A fault of the web app is judged by the browser scenarios, any other
    // by the scenarios that need no browser (the clean case runs in scenarios.rs).
    let web_fault = !expected.is_empty() && expected.iter().all(|r| r.starts_with("WEB-"));
    let scenarios: Vec<_> = all_scenarios()
        .into_iter()
        .filter(|s| s.scenario.needs.browser == web_fault)
        .collect();
    let faults: Vec<&str> = if fault.is_empty() {
        vec![]
    } else {
        vec![fault]
    };
    let outcome = run(&scenarios, reference(&faults)).await;
    let failed: BTreeSet<String> = outcome
        .failed_rules()
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        failed,
        expected,
        "fault {fault:?}: failed rules differ from kill-matrix.toml\n{}",
        console::render(&outcome)
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
    launch.source_root = Some(root.path().to_owned());
    let outcome = run(
        &scenarios,
        conformance::subject::spec::SubjectSpec::Managed(launch),
    )
    .await;
    let failed: Vec<&str> = outcome.failed_rules();
    assert_eq!(failed, vec!["INF-2"], "{}", console::render(&outcome));
}
