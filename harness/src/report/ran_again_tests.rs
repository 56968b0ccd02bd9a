//! A scenario that ran a second time because the browser broke under its
//! first attempt says so in every report a person reads, and in
//! `report.json`, whatever the second attempt's verdict.

use crate::outcome::fixtures::{outcome, scenario};
use crate::outcome::{ScenarioResult, Verdict};
use crate::report::{console, json, junit, markdown};
use crate::rules::Level;

const FIRST: &str = "step 3: the browser broke (webdriver: chrome not reachable)";

fn ran_again(verdict: Verdict) -> ScenarioResult {
    ScenarioResult {
        first_attempt: Some(FIRST.to_owned()),
        ..scenario("web-1-login-persists-auth", "WEB-1", Level::Must, verdict)
    }
}

#[test]
fn a_scenario_that_passed_on_its_second_attempt_is_noted_in_every_report() {
    let run = outcome(vec![ran_again(Verdict::Pass)], false);
    let note = format!(
        "web-1-login-persists-auth ran a second time, on a new browser, after its first attempt's breakdown ({FIRST})"
    );
    assert!(
        console::render(&run).contains(&format!("note: {note}")),
        "{}",
        console::render(&run)
    );
    assert!(markdown::render(&run).contains(&note));
    let xml = junit::render(&run).expect("junit.xml");
    assert!(xml.contains(&note.replace('\'', "&apos;")), "{xml}");
    let report: serde_json::Value =
        serde_json::from_str(&json::render(&run).expect("report.json")).expect("json");
    assert_eq!(report["scenarios"][0]["first_attempt"], FIRST, "{report}");
    assert_eq!(report["scenarios"][0]["verdict"], "pass", "{report}");
}

#[test]
fn a_browser_that_broke_on_both_attempts_is_an_error_that_names_both() {
    let second = "step 2: the browser broke (webdriver: invalid session id)";
    let run = outcome(vec![ran_again(Verdict::Error(second.to_owned()))], false);
    let text = console::failure_text(&run.scenarios[0]);
    assert!(text.contains(second), "{text}");
    assert!(
        text.contains(&format!("after the first one's breakdown ({FIRST})")),
        "{text}"
    );
}

#[test]
fn a_scenario_that_ran_once_has_no_note() {
    let run = outcome(
        vec![scenario(
            "web-1-login-persists-auth",
            "WEB-1",
            Level::Must,
            Verdict::Pass,
        )],
        false,
    );
    assert!(!console::render(&run).contains("ran a second time"));
    let report = json::render(&run).expect("report.json");
    assert!(!report.contains("first_attempt"), "{report}");
}

#[test]
fn as_a_cargo_test_a_second_attempt_that_passed_passes_and_one_that_broke_says_both() {
    assert!(matches!(
        crate::libtest::test_result(&ran_again(Verdict::Pass), false),
        Ok(libtest_mimic::Completion::Completed)
    ));
    let second = "step 2: the browser broke (webdriver: invalid session id)";
    let Err(failed) =
        crate::libtest::test_result(&ran_again(Verdict::Error(second.to_owned())), false)
    else {
        panic!("an error must fail the test");
    };
    let message = failed.message().unwrap_or_default();
    assert!(
        message.contains(second) && message.contains(FIRST),
        "{message}"
    );
}
