//! JUnit XML: one test suite per rule family, one test case per scenario,
//! so CI systems show each scenario with its failure text.

use super::console::failure_text;
use crate::outcome::{RunOutcome, Verdict};
use crate::rules::Level;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// The outcome as JUnit XML.
pub fn render(outcome: &RunOutcome) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("conformance");
    let mut suite = TestSuite::new("insight-garden-contract");
    for s in &outcome.scenarios {
        let status = match &s.verdict {
            Verdict::Pass => TestCaseStatus::success(),
            Verdict::NotApplicable(reason) => {
                let mut st = TestCaseStatus::skipped();
                st.set_message(reason.as_str());
                st
            }
            // A failing SHOULD is a warning: it passes, with the text in its output.
            Verdict::Fail if s.level == Level::Should && !outcome.strict => {
                TestCaseStatus::success()
            }
            Verdict::Fail => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                st.set_type("fail");
                st.set_message(format!("{} failed", s.rules.join(", ")));
                st.set_description(failure_text(s));
                st
            }
            // Shown apart from a failure: the rules were not checked.
            Verdict::Blocked(b) if s.level == Level::Should && !outcome.strict => {
                let mut st = TestCaseStatus::skipped();
                st.set_message(format!(
                    "blocked: not checked, setup step {} failed (covered by {})",
                    b.step, b.rule
                ));
                st
            }
            Verdict::Blocked(b) => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                st.set_type("blocked");
                st.set_message(format!(
                    "blocked: {} not checked, setup step {} failed (covered by {})",
                    s.rules.join(", "),
                    b.step,
                    b.rule
                ));
                st.set_description(failure_text(s));
                st
            }
            Verdict::Error(e) => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
                st.set_type("harness error");
                st.set_message(e.as_str());
                st.set_description(failure_text(s));
                st
            }
        };
        let mut case = TestCase::new(format!("{} {}", s.rules.join(","), s.name), status);
        case.set_classname(
            s.rules
                .first()
                .map(|r| r.split('-').next().unwrap_or("rule"))
                .unwrap_or("rule"),
        );
        case.set_time(Duration::from_millis(s.millis));
        if s.verdict == Verdict::Fail && s.level == Level::Should && !outcome.strict {
            case.set_system_out(format!("warning (SHOULD): {}", failure_text(s)));
        } else if s.verdict == Verdict::Pass
            && let Some(note) = super::sentence::ran_again_note(s)
        {
            case.set_system_out(format!("note: {note}"));
        }
        suite.add_test_case(case);
    }
    // The checks on all traffic: one case per rule they found broken.
    let mut rules: Vec<&str> = outcome.traffic.iter().map(|t| t.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    for rule in rules {
        let count = outcome.traffic.iter().filter(|t| t.rule == rule).count();
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
        st.set_type("fail");
        st.set_message(format!("{rule} broke on {count} exchange(s)"));
        st.set_description(super::console::traffic_text(outcome));
        let mut case = TestCase::new(format!("{rule} every exchange"), st);
        case.set_classname(rule.split('-').next().unwrap_or("rule"));
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    report.set_time(Duration::from_millis(outcome.millis));
    Ok(super::redact::redact(&report.to_string()?))
}
