//! Failed checks and artifacts rendered to sentences, for every report
//! that shows them to a person (console, Markdown, JUnit, HTML).

use crate::check::{Artifact, FailedCheck, What};

/// What a check looked at, in a few words.
pub(crate) fn subject(what: &What) -> String {
    match what {
        What::Status => "status".into(),
        What::Header { name } => format!("header {name}"),
        What::Json { doc, pointer } if pointer.is_empty() => format!("{doc} (root)"),
        What::Json { doc, pointer } => format!("{doc} {pointer}"),
        What::Body => "body".into(),
        What::Password { pointer: None } => "body".into(),
        What::Password {
            pointer: Some(pointer),
        } => format!("body {pointer}"),
        What::Cors { .. } => "cors".into(),
        What::Capture { name, .. } => format!("capture {name}"),
        What::Answer => "answer".into(),
        What::Events => "events".into(),
        What::Event { name } => format!("event {name}"),
        What::FirstEvent => "first event".into(),
        What::Timing => "timing".into(),
        What::Burst { round, rounds } if *rounds > 1 => format!("round {round} of {rounds}"),
        What::Burst { .. } => "burst".into(),
        What::Bursts { .. } => "bursts".into(),
        What::Token { part } => format!("token {part}"),
        What::Page => "page".into(),
        What::Storage { key } => format!("localStorage[{key}]"),
        What::Network => "network".into(),
        What::Restart => "restart".into(),
        What::Start => "start".into(),
        What::Output => "output".into(),
        What::File { path } => path.clone(),
        What::Connection { service } => format!("connection to {service}"),
        What::Screenshot { name } => format!("screenshot {name}"),
    }
}

/// One failed check as a sentence: `status: expected 201, got 500`.
pub(crate) fn check(c: &FailedCheck) -> String {
    match (&c.what, &c.actual) {
        (
            What::Bursts {
                broke,
                rounds,
                count,
            },
            _,
        ) => {
            format!("{broke} of {rounds} bursts of {count} broke the expectation")
        }
        (What::Cors { origin, preflight }, actual) => {
            let answer = if *preflight { "preflight" } else { "answer" };
            format!(
                "cors: a browser refuses this {answer} for {origin}: {}",
                actual.as_deref().unwrap_or(&c.expected)
            )
        }
        (what, Some(actual)) if actual.contains('\n') => format!(
            "{}: expected {}; got:\n{}",
            subject(what),
            c.expected,
            actual
        ),
        (what, Some(actual)) => {
            format!("{}: expected {}, got {actual}", subject(what), c.expected)
        }
        (what, None) => format!("{}: expected {}", subject(what), c.expected),
    }
}

/// An artifact as report lines; `None` for those a report shows in a
/// form of its own (a screenshot inline).
pub(crate) fn artifact(a: &Artifact) -> String {
    match a {
        Artifact::Screenshot { path } => format!("screenshot: {}", path.display()),
        Artifact::ScreenshotMissing { reason } => format!("no screenshot: {reason}"),
        Artifact::CorsRefusal { line } => {
            format!("the browser refused an answer for CORS: {line}")
        }
        Artifact::BrowserRequests { lines } if lines.is_empty() => {
            "requests the browser made to the API: none".into()
        }
        Artifact::BrowserRequests { lines } => format!(
            "requests the browser made to the API:\n  {}",
            lines.join("\n  ")
        ),
    }
}

/// What an error of a scenario's second attempt adds: how the first one
/// ended (both broke the browser).
pub(crate) fn second_attempt(first: &str) -> String {
    format!("a second attempt, on a new browser, after the first one's breakdown ({first})")
}

/// The note on a scenario that ran a second time because the browser
/// broke under its first attempt, if it did.
pub(crate) fn ran_again_note(s: &crate::outcome::ScenarioResult) -> Option<String> {
    let first = s.first_attempt.as_ref()?;
    Some(format!(
        "{} ran a second time, on a new browser, after its first attempt's breakdown ({first})",
        s.name
    ))
}

/// The run's notes on its scenarios that ran a second time (console and
/// Markdown).
pub(crate) fn ran_again(outcome: &crate::outcome::RunOutcome) -> Vec<String> {
    outcome
        .scenarios
        .iter()
        .filter_map(ran_again_note)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_reads_as_expected_and_got() {
        assert_eq!(
            check(&FailedCheck::new(What::Status, "201", "500")),
            "status: expected 201, got 500"
        );
        assert_eq!(
            check(&FailedCheck::missing(What::Body, "to contain \"x\"")),
            "body: expected to contain \"x\""
        );
        assert_eq!(
            check(&FailedCheck::new(
                What::Bursts {
                    broke: 2,
                    rounds: 3,
                    count: 10
                },
                "none",
                "2"
            )),
            "2 of 3 bursts of 10 broke the expectation"
        );
        assert_eq!(
            check(&FailedCheck::new(
                What::Json {
                    doc: "body".into(),
                    pointer: String::new()
                },
                "a object",
                "[]"
            )),
            "body (root): expected a object, got []"
        );
    }
}
