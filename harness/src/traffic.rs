//! The checks that hold on every exchange of a run, not in one scenario:
//! whatever a step sent (a request, a burst, a stream, the browser's
//! requests through the recording proxy), the answer must not break
//!
//! - API-1: no `5xx`, unless a step of the scenario cut the subject's
//!   database or Redis on purpose (it judges those answers itself), and
//!   but `/health`'s, whose `503` is INF-1's;
//! - CORS-3: `Access-Control-Allow-Origin` is never `*`;
//! - CORS-4: it never grants an origin the subject was not told to allow;
//! - DOC-3: no body holds the scenario's password or a password hash;
//! - API-2: an error (`4xx`, `5xx`; but a preflight's, and `/health`'s,
//!   whose `503` names a dependency in a shape of its own) is JSON in the
//!   error shape (`statusCode` equal to the status, `message`), and a `401`
//!   is never `text/event-stream`.
//!
//! A violation is a [`TrafficFinding`]: the rule, the failed check, and the
//! scenario, step and case where it was seen.

use crate::check::{FailedCheck, What};
use crate::outcome::{TrafficFinding, Transcript};
use serde_json::Value;
use std::sync::{Arc, Mutex, PoisonError};

/// One answer as the checks see it.
pub(crate) struct Observed<'a> {
    /// The request's method.
    pub(crate) method: &'a str,
    /// The request's path (without the query).
    pub(crate) path: &'a str,
    /// The request's `Origin`.
    pub(crate) origin: Option<&'a str>,
    /// The answer's status.
    pub(crate) status: u16,
    /// The answer's headers (names lowercase).
    pub(crate) headers: &'a [(String, String)],
    /// The answer's body, when it was read (not for streams or the browser).
    pub(crate) body: Option<&'a str>,
}

impl Observed<'_> {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Where the exchanges of one scenario are checked and their findings go.
#[derive(Clone)]
pub(crate) struct Watch {
    log: Arc<Mutex<Vec<TrafficFinding>>>,
    scenario: String,
    step: usize,
    label: String,
    rule: String,
    case: Option<String>,
    allowed_origins: Vec<String>,
    password: Option<String>,
    dependency_cut: bool,
}

impl Watch {
    /// A watch for `scenario`, whose subject allows `allowed_origins`.
    pub(crate) fn new(
        log: Arc<Mutex<Vec<TrafficFinding>>>,
        scenario: &str,
        allowed_origins: Vec<String>,
    ) -> Watch {
        Watch {
            log,
            scenario: scenario.to_owned(),
            step: 0,
            label: String::new(),
            rule: String::new(),
            case: None,
            allowed_origins,
            password: None,
            dependency_cut: false,
        }
    }

    /// The exchanges that follow belong to step `index` (`label`), whose
    /// failure is `rule`'s (its setup rule, or the scenario's own).
    pub(crate) fn at_step(&mut self, index: usize, label: &str, rule: &str) {
        self.step = index;
        self.label = label.to_owned();
        self.rule = rule.to_owned();
    }

    /// The scenario whose exchanges these are.
    pub(crate) fn scenario(&self) -> &str {
        &self.scenario
    }

    /// The current step.
    pub(crate) fn step(&self) -> usize {
        self.step
    }

    /// The current step, in a few words.
    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    /// The rule the current step's failure is.
    pub(crate) fn rule(&self) -> &str {
        &self.rule
    }

    /// The exchanges that follow belong to this case.
    pub(crate) fn in_case(&self, case: &str) -> Watch {
        Watch {
            case: Some(case.to_owned()),
            ..self.clone()
        }
    }

    /// The password the scenario registers with, which no body may hold.
    pub(crate) fn with_password(&mut self, password: &str) {
        self.password = Some(password.to_owned());
    }

    /// A further origin the subject allows (a browser scenario's frontend).
    pub(crate) fn allow_origin(&mut self, origin: &str) {
        self.allowed_origins.push(origin.to_owned());
    }

    /// A step cut the subject's database or Redis: the scenario judges the
    /// answers that follow itself, and API-1 leaves them alone.
    pub(crate) fn dependency_cut(&mut self) {
        self.dependency_cut = true;
    }

    /// Checks one answer; a violation is kept with `exchange`.
    pub(crate) fn observe(&self, seen: &Observed<'_>, exchange: Option<&Transcript>) {
        let found = check(
            seen,
            &self.allowed_origins,
            self.password.as_deref(),
            self.dependency_cut,
        );
        if found.is_empty() {
            return;
        }
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        for (rule, check) in found {
            log.push(TrafficFinding {
                rule: rule.to_owned(),
                check,
                scenario: self.scenario.clone(),
                step: self.step,
                case: self.case.clone(),
                exchange: exchange.cloned(),
            });
        }
    }
}

/// The checks on one answer: each violated rule with its failed check.
pub(crate) fn check(
    seen: &Observed<'_>,
    allowed_origins: &[String],
    password: Option<&str>,
    dependency_cut: bool,
) -> Vec<(&'static str, FailedCheck)> {
    let mut found = Vec::new();
    // `/health`'s 503 is INF-1's: it names a dependency that is down.
    if seen.status >= 500 && !dependency_cut && seen.path != "/health" {
        found.push((
            "API-1",
            FailedCheck::new(What::Status, "no 5xx", seen.status.to_string()),
        ));
    }
    let acao = || What::Header {
        name: "access-control-allow-origin".into(),
    };
    for granted in seen.header("access-control-allow-origin") {
        let granted = granted.trim();
        if granted == "*" {
            found.push(("CORS-3", FailedCheck::new(acao(), "never *", "*")));
        } else if seen.origin == Some(granted) && !allowed_origins.iter().any(|o| o == granted) {
            found.push((
                "CORS-4",
                FailedCheck::new(
                    acao(),
                    format!(
                        "absent or an allowed origin ({})",
                        allowed_origins.join(", ")
                    ),
                    format!("{granted:?}, the request's own Origin"),
                ),
            ));
        }
    }
    if let Some(body) = seen.body {
        for finding in crate::secrets::password_findings(body, password.unwrap_or_default()) {
            found.push(("DOC-3", finding));
        }
    }
    let preflight = seen.method.eq_ignore_ascii_case("OPTIONS");
    if seen.status >= 400 && !preflight && seen.path != "/health" {
        let event_stream = seen
            .header("content-type")
            .iter()
            .any(|v| v.to_ascii_lowercase().contains("text/event-stream"));
        if event_stream {
            found.push((
                "API-2",
                FailedCheck::new(
                    What::Header {
                        name: "content-type".into(),
                    },
                    "a JSON error, not text/event-stream",
                    "text/event-stream",
                ),
            ));
        } else if let Some(body) = seen.body
            && !is_error_shape(body, seen.status)
        {
            found.push((
                "API-2",
                FailedCheck::new(
                    What::Json {
                        doc: "body".into(),
                        pointer: String::new(),
                    },
                    format!(
                        "the error shape: {{\"statusCode\": {}, \"message\": …}}",
                        seen.status
                    ),
                    crate::expect::short_text(body),
                ),
            ));
        }
    }
    found
}

/// Whether `body` is JSON in the contract's error shape for `status`:
/// `statusCode` equal to it, `message` a string or an array of strings.
fn is_error_shape(body: &str, status: u16) -> bool {
    let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    let code = doc.get("statusCode").and_then(Value::as_u64) == Some(u64::from(status));
    let message = match doc.get("message") {
        Some(Value::String(_)) => true,
        Some(Value::Array(items)) => items.iter().all(Value::is_string),
        _ => false,
    };
    code && message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn rules_of(seen: &Observed<'_>, cut: bool) -> Vec<&'static str> {
        check(
            seen,
            &["http://localhost:5173".to_owned()],
            Some("Pw-1"),
            cut,
        )
        .into_iter()
        .map(|(r, _)| r)
        .collect()
    }

    #[test]
    fn a_server_error_breaks_api_1_unless_a_dependency_was_cut() {
        let h = headers(&[]);
        let seen = Observed {
            method: "POST",
            path: "/auth/register",
            origin: None,
            status: 500,
            headers: &h,
            body: Some(r#"{"statusCode":500,"message":"Internal server error"}"#),
        };
        assert_eq!(rules_of(&seen, false), vec!["API-1"]);
        assert!(rules_of(&seen, true).is_empty());
    }

    #[test]
    fn a_granted_foreign_origin_breaks_cors_4_and_a_wildcard_cors_3() {
        let h = headers(&[("access-control-allow-origin", "null")]);
        let seen = Observed {
            method: "GET",
            path: "/health",
            origin: Some("null"),
            status: 200,
            headers: &h,
            body: None,
        };
        assert_eq!(rules_of(&seen, false), vec!["CORS-4"]);
        let h = headers(&[("Access-Control-Allow-Origin", "*")]);
        let seen = Observed {
            headers: &h,
            ..seen
        };
        assert_eq!(rules_of(&seen, false), vec!["CORS-3"]);
        // An allowed origin, or one the request did not send, is no grant.
        let h = headers(&[("access-control-allow-origin", "http://localhost:5173")]);
        let seen = Observed {
            origin: Some("http://localhost:5173"),
            headers: &h,
            ..seen
        };
        assert!(rules_of(&seen, false).is_empty());
    }

    #[test]
    fn every_error_but_a_preflight_s_and_health_s_has_the_error_shape() {
        let json = headers(&[("content-type", "application/json")]);
        let conflict = Observed {
            method: "POST",
            path: "/auth/register",
            origin: None,
            status: 409,
            headers: &json,
            body: Some(r#"{"statusCode":409,"message":["email already registered"]}"#),
        };
        assert!(rules_of(&conflict, false).is_empty());
        let detail = Observed {
            status: 422,
            body: Some(r#"{"detail":"missing field"}"#),
            ..conflict
        };
        assert_eq!(rules_of(&detail, false), vec!["API-2"]);
        let health = Observed {
            method: "GET",
            path: "/health",
            status: 503,
            body: Some(r#"{"status":"error","redis":"down"}"#),
            ..conflict
        };
        assert!(rules_of(&health, true).is_empty());
    }

    #[test]
    fn a_401_is_a_json_error_and_never_a_stream() {
        let json = headers(&[("content-type", "application/json")]);
        let ok = Observed {
            method: "GET",
            path: "/auth/me",
            origin: None,
            status: 401,
            headers: &json,
            body: Some(r#"{"message":"Unauthorized","statusCode":401}"#),
        };
        assert!(rules_of(&ok, false).is_empty());
        let plain = Observed {
            body: Some("Unauthorized"),
            ..ok
        };
        assert_eq!(rules_of(&plain, false), vec!["API-2"]);
        let sse = headers(&[("content-type", "text/event-stream")]);
        let stream = Observed {
            headers: &sse,
            body: None,
            ..ok
        };
        assert_eq!(rules_of(&stream, false), vec!["API-2"]);
        let preflight = Observed {
            method: "OPTIONS",
            body: Some(""),
            ..ok
        };
        assert!(rules_of(&preflight, false).is_empty());
    }

    #[test]
    fn a_password_or_a_hash_in_a_body_breaks_doc_3() {
        let h = headers(&[]);
        let seen = Observed {
            method: "GET",
            path: "/auth/me",
            origin: None,
            status: 200,
            headers: &h,
            body: Some(r#"{"passwordHash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"}"#),
        };
        assert!(rules_of(&seen, false).iter().all(|r| *r == "DOC-3"));
        assert!(!rules_of(&seen, false).is_empty());
    }
}
