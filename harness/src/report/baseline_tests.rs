use super::*;
use crate::outcome::Blocked;
use crate::outcome::fixtures::{outcome, scenario};
use crate::report::stored::{ReportFileError, StoredReport, load, parse};

/// The baseline as `--report-dir` writes it, read back.
fn baseline_of(o: &RunOutcome) -> StoredReport {
    let text = crate::report::json::render(o).expect("json");
    parse(&text).expect("a report.json is a baseline")
}

fn blocked() -> Verdict {
    Verdict::Blocked(Blocked {
        step: 1,
        label: "POST /auth/register".into(),
        rule: "REG-1".into(),
    })
}

fn ids(list: &[Change]) -> Vec<String> {
    list.iter()
        .map(|c| format!("{} {} {}>{}", c.kind.word(), c.id, c.before, c.now))
        .collect()
}

#[test]
fn a_must_that_passed_and_now_fails_regresses_and_exits_1() {
    let then = outcome(
        vec![scenario("a", "REG-1", Level::Must, Verdict::Pass)],
        false,
    );
    let now = outcome(
        vec![scenario("a", "REG-1", Level::Must, Verdict::Fail)],
        false,
    );
    let cmp = compare(&baseline_of(&then), &now);
    assert_eq!(
        ids(&cmp.regressed),
        vec!["rule REG-1 pass>fail", "scenario a pass>fail"]
    );
    assert!(cmp.improved.is_empty() && cmp.still_failing.is_empty());
    assert_eq!(cmp.exit_code(&now), 1);
    assert_eq!(cmp.baseline_subject, "subject");
}

#[test]
fn a_known_failure_that_stays_failing_exits_0_and_a_fixed_one_is_improved() {
    let then = outcome(
        vec![
            scenario("a", "REG-1", Level::Must, Verdict::Fail),
            scenario("b", "REG-2", Level::Must, Verdict::Fail),
        ],
        false,
    );
    let now = outcome(
        vec![
            scenario("a", "REG-1", Level::Must, Verdict::Fail),
            scenario("b", "REG-2", Level::Must, Verdict::Pass),
        ],
        false,
    );
    assert_eq!(now.exit_code(), 1, "without a baseline the run fails");
    let cmp = compare(&baseline_of(&then), &now);
    assert_eq!(
        ids(&cmp.still_failing),
        vec!["rule REG-1 fail>fail", "scenario a fail>fail"]
    );
    assert_eq!(
        ids(&cmp.improved),
        vec!["rule REG-2 fail>pass", "scenario b fail>pass"]
    );
    assert!(cmp.regressed.is_empty() && cmp.new_failures.is_empty());
    assert_eq!(cmp.exit_code(&now), 0);
}

#[test]
fn a_new_failing_scenario_of_a_rule_already_failing_is_caught() {
    let then = outcome(
        vec![
            scenario("a", "REG-1", Level::Must, Verdict::Fail),
            scenario("b", "REG-1", Level::Must, Verdict::Pass),
        ],
        false,
    );
    let now = outcome(
        vec![
            scenario("a", "REG-1", Level::Must, Verdict::Fail),
            scenario("b", "REG-1", Level::Must, blocked()),
        ],
        false,
    );
    let cmp = compare(&baseline_of(&then), &now);
    assert_eq!(ids(&cmp.regressed), vec!["scenario b pass>blocked"]);
    assert_eq!(cmp.exit_code(&now), 1);
}

#[test]
fn a_failure_the_baseline_did_not_check_is_new_and_fails_the_run() {
    let then = outcome(
        vec![scenario("a", "REG-1", Level::Must, Verdict::Pass)],
        false,
    );
    let now = outcome(
        vec![
            scenario("a", "REG-1", Level::Must, Verdict::Pass),
            scenario("c", "REG-2", Level::Must, Verdict::Fail),
        ],
        false,
    );
    let cmp = compare(&baseline_of(&then), &now);
    assert_eq!(
        ids(&cmp.new_failures),
        vec!["rule REG-2 not run>fail", "scenario c absent>fail"]
    );
    assert_eq!(cmp.exit_code(&now), 1);
}

#[test]
fn a_should_that_regresses_is_reported_but_fails_only_a_strict_run() {
    let then = outcome(
        vec![scenario("s", "LOG-3", Level::Should, Verdict::Pass)],
        false,
    );
    let now = outcome(
        vec![scenario("s", "LOG-3", Level::Should, Verdict::Fail)],
        false,
    );
    let cmp = compare(&baseline_of(&then), &now);
    assert_eq!(
        ids(&cmp.regressed),
        vec!["rule LOG-3 pass>warn", "scenario s pass>fail"]
    );
    assert_eq!(cmp.exit_code(&now), 0);
    let strict = outcome(
        vec![scenario("s", "LOG-3", Level::Should, Verdict::Fail)],
        true,
    );
    assert_eq!(compare(&baseline_of(&then), &strict).exit_code(&strict), 1);
}

#[test]
fn a_harness_error_exits_2_even_when_it_was_already_failing() {
    let error = || Verdict::Error("chromedriver died".into());
    let then = outcome(vec![scenario("a", "TOK-1", Level::Must, error())], false);
    let now = outcome(vec![scenario("a", "TOK-1", Level::Must, error())], false);
    let cmp = compare(&baseline_of(&then), &now);
    assert!(cmp.worse().next().is_none());
    assert_eq!(cmp.exit_code(&now), 2);
}

#[test]
fn a_pass_that_is_no_longer_checked_is_reported_without_failing() {
    let then = outcome(
        vec![
            scenario("a", "REG-1", Level::Must, Verdict::Pass),
            scenario("b", "REG-2", Level::Must, Verdict::Pass),
        ],
        false,
    );
    let now = outcome(
        vec![scenario(
            "a",
            "REG-1",
            Level::Must,
            Verdict::NotApplicable("url subject".into()),
        )],
        false,
    );
    let cmp = compare(&baseline_of(&then), &now);
    assert_eq!(
        ids(&cmp.no_longer_checked),
        vec![
            "rule REG-1 pass>n/a",
            "rule REG-2 pass>not run",
            "scenario a pass>n/a",
            "scenario b pass>absent"
        ]
    );
    assert_eq!(cmp.exit_code(&now), 0);
}

#[test]
fn a_file_that_is_not_a_report_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.json");
    std::fs::write(
        &path,
        r#"{"subject": "x", "rules": [{"id": "REG-1", "status": "green"}]}"#,
    )
    .expect("write");
    let err = load(&path).expect_err("an unknown status");
    assert!(matches!(err, ReportFileError::Parse { .. }), "{err}");
    assert!(err.to_string().contains("not a report.json"), "{err}");
    let missing = load(&dir.path().join("none.json")).expect_err("no file");
    assert!(matches!(missing, ReportFileError::Read { .. }), "{missing}");
}
