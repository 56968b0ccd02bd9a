//! Whose failure a failed step is. A check that does not hold is the
//! subject breaking the scenario's rule (*fail*). A setup step that fails
//! means the rule was never checked (*blocked*), and the failure belongs to
//! the rule that covers the step, which is named so that a person looks in
//! the right place. In a browser, an answer the browser refused for CORS
//! breaks whatever comes after it: any browser step that fails then is
//! blamed on WEB-5, the rule that no request fails for CORS.

use crate::outcome::{Blocked, StepResult, Verdict};
use crate::scenario::model::StepEntry;

/// The rule that no request from the browser fails for CORS.
pub(crate) const CORS_RULE: &str = "WEB-5";

/// The rule that a subject starts with a valid environment: it covers
/// starting a scenario's own subject.
pub(crate) const START_RULE: &str = "CFG-1";

/// The verdict for a scenario whose step `record` failed. `cors_refused`:
/// the browser refused an answer for CORS before or during the step.
pub(crate) fn blame(
    entry: &StepEntry,
    record: &StepResult,
    rules: &[String],
    cors_refused: bool,
) -> Verdict {
    let status_failed = record
        .failed
        .iter()
        .any(|c| c.what == crate::check::What::Status);
    let covering = if cors_refused {
        Some(CORS_RULE)
    } else if status_failed && let Some(rule) = entry.step.status_of() {
        // The answer is another rule's setup answer: its status blocks.
        Some(rule)
    } else {
        entry.setup.as_deref()
    };
    blocked_or_failed(covering, record, rules)
}

/// The verdict for a scenario whose own subject did not start.
pub(crate) fn blame_start(record: &StepResult, rules: &[String]) -> Verdict {
    blocked_or_failed(Some(START_RULE), record, rules)
}

/// Blocked by `covering`, unless the scenario checks that rule itself (its
/// failure is then the scenario's own) or no rule covers the step.
fn blocked_or_failed(covering: Option<&str>, record: &StepResult, rules: &[String]) -> Verdict {
    match covering {
        Some(rule) if !rules.iter().any(|r| r == rule) => Verdict::Blocked(Blocked {
            step: record.index,
            label: record.label.clone(),
            rule: rule.to_owned(),
        }),
        _ => Verdict::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::{SleepStep, Step};

    fn entry(setup: Option<&str>) -> StepEntry {
        StepEntry {
            setup: setup.map(str::to_owned),
            step: Step::Sleep(SleepStep { ms: 0 }),
        }
    }

    fn record() -> StepResult {
        crate::outcome::fixtures::step(
            2,
            "request",
            "POST /auth/register",
            vec![crate::check::FailedCheck::new(
                crate::check::What::Status,
                "201",
                "500",
            )],
        )
    }

    fn rules(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|r| (*r).to_owned()).collect()
    }

    #[test]
    fn a_failed_check_fails_and_a_failed_setup_blocks_naming_its_rule() {
        assert_eq!(
            blame(&entry(None), &record(), &rules(&["CORS-2"]), false),
            Verdict::Fail
        );
        assert_eq!(
            blame(&entry(Some("REG-1")), &record(), &rules(&["CORS-2"]), false),
            Verdict::Blocked(Blocked {
                step: 2,
                label: "POST /auth/register".into(),
                rule: "REG-1".into(),
            })
        );
    }

    #[test]
    fn a_cors_refusal_in_the_browser_is_blamed_on_web_5_unless_it_is_checked() {
        let blocked = blame(&entry(None), &record(), &rules(&["WEB-3"]), true);
        assert!(matches!(blocked, Verdict::Blocked(b) if b.rule == CORS_RULE));
        assert_eq!(
            blame(&entry(Some("WEB-4")), &record(), &rules(&["WEB-5"]), true),
            Verdict::Fail
        );
    }

    #[test]
    fn an_own_subject_that_does_not_start_blocks_unless_cfg_1_is_checked() {
        assert!(matches!(
            blame_start(&record(), &rules(&["TOK-6"])),
            Verdict::Blocked(b) if b.rule == START_RULE
        ));
        assert_eq!(blame_start(&record(), &rules(&["CFG-1"])), Verdict::Fail);
    }
}
