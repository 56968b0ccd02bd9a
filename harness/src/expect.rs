//! Checks on responses: each check that does not hold becomes a
//! [`FailedCheck`] saying what was expected and what came, so a failure is
//! data to report, not an error to unwind.

use crate::check::{FailedCheck, What};
use crate::scenario::model::{Expect, HeaderCheck, JsonCheck, JsonType};
use crate::scenario::vars::{UndefinedVar, Vars};
use reqwest::header::HeaderMap;
use serde_json::Value;

/// Checks the status line against `status`, `status_in` and `status_class`.
pub(crate) fn check_status(expect: &Expect, status: u16, problems: &mut Vec<FailedCheck>) {
    if let Some(want) = expect.status
        && want != status
    {
        problems.push(FailedCheck::new(
            What::Status,
            want.to_string(),
            status.to_string(),
        ));
    }
    if let Some(set) = &expect.status_in
        && !set.contains(&status)
    {
        problems.push(FailedCheck::new(
            What::Status,
            format!("one of {set:?}"),
            status.to_string(),
        ));
    }
    if let Some(class) = &expect.status_class {
        let first = class.chars().next().and_then(|c| c.to_digit(10));
        if first.map(|d| d as u16) != Some(status / 100) {
            problems.push(FailedCheck::new(What::Status, class, status.to_string()));
        }
    }
}

/// Checks headers; values are expanded with `vars`.
pub(crate) fn check_headers(
    checks: &[HeaderCheck],
    headers: &HeaderMap,
    vars: &Vars,
    problems: &mut Vec<FailedCheck>,
) -> Result<(), UndefinedVar> {
    for check in checks {
        let name = check.name.to_ascii_lowercase();
        let values: Vec<String> = headers
            .get_all(name.as_str())
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let value = (!values.is_empty()).then(|| values.join(", "));
        let shown = value
            .as_deref()
            .map_or("absent".to_owned(), |v| format!("{v:?}"));
        let what = || What::Header { name: name.clone() };
        if check.absent && value.is_some() {
            problems.push(FailedCheck::new(what(), "absent", shown.clone()));
        }
        if check.present && value.is_none() {
            problems.push(FailedCheck::new(what(), "present", "absent"));
        }
        if let Some(want) = &check.equals {
            let want = vars.expand(want)?;
            if value.as_deref() != Some(want.as_str()) {
                problems.push(FailedCheck::new(what(), format!("{want:?}"), shown.clone()));
            }
        }
        if let Some(unwanted) = &check.not_equals {
            let unwanted = vars.expand(unwanted)?;
            if value.as_deref() == Some(unwanted.as_str()) {
                problems.push(FailedCheck::new(
                    what(),
                    format!("anything but {unwanted:?}"),
                    "it",
                ));
            }
        }
        if let Some(part) = &check.not_contains {
            let part = vars.expand(part)?.to_ascii_lowercase();
            if value
                .as_deref()
                .is_some_and(|v| v.to_ascii_lowercase().contains(&part))
            {
                problems.push(FailedCheck::new(
                    what(),
                    format!("not to contain {part:?}"),
                    shown.clone(),
                ));
            }
        }
        if let Some(part) = &check.contains {
            let part = vars.expand(part)?.to_ascii_lowercase();
            if !value
                .as_deref()
                .is_some_and(|v| v.to_ascii_lowercase().contains(&part))
            {
                problems.push(FailedCheck::new(
                    what(),
                    format!("to contain {part:?}"),
                    shown.clone(),
                ));
            }
        }
        if !check.lists.is_empty() {
            let listed: Vec<String> = value
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .collect();
            for item in &check.lists {
                let item = vars.expand(item)?.to_ascii_lowercase();
                if !listed.iter().any(|l| *l == item || l == "*") {
                    problems.push(FailedCheck::new(
                        what(),
                        format!("to list {item:?}"),
                        shown.clone(),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Checks a JSON document; `what` names it in messages (such as "body").
pub(crate) fn check_json(
    checks: &[JsonCheck],
    doc: Option<&Value>,
    what: &str,
    vars: &Vars,
    problems: &mut Vec<FailedCheck>,
) -> Result<(), UndefinedVar> {
    if checks.is_empty() {
        return Ok(());
    }
    let Some(doc) = doc else {
        problems.push(FailedCheck::new(
            What::Json {
                doc: what.to_owned(),
                pointer: String::new(),
            },
            "JSON",
            "something that does not parse as JSON",
        ));
        return Ok(());
    };
    for check in checks {
        let pointer = vars.expand(&check.pointer)?;
        let at = || What::Json {
            doc: what.to_owned(),
            pointer: pointer.clone(),
        };
        let found = doc.pointer(&pointer);
        let shown = || found.map_or("nothing".into(), short);
        if check.exists && found.is_none() {
            problems.push(FailedCheck::new(at(), "a value", "nothing"));
        }
        if check.absent
            && let Some(v) = found
        {
            problems.push(FailedCheck::new(at(), "nothing", short(v)));
        }
        if let Some(want) = &check.equals {
            let want = vars.expand_toml(want)?;
            if found != Some(&want) {
                problems.push(FailedCheck::new(at(), short(&want), shown()));
            }
        }
        if let Some(unwanted) = &check.not_equals {
            let unwanted = vars.expand_toml(unwanted)?;
            if found == Some(&unwanted) {
                problems.push(FailedCheck::new(
                    at(),
                    format!("anything but {}", short(&unwanted)),
                    "it",
                ));
            }
        }
        if let Some(ty) = check.json_type
            && !found.is_some_and(|v| has_type(v, ty))
        {
            problems.push(FailedCheck::new(at(), ty.word(), shown()));
        }
        if let Some(re) = &check.matches {
            let re = vars.expand(re)?;
            // A string, a number's text, or (as NestJS's `message` may be)
            // an array of them: any element that matches will do.
            let texts: Vec<String> = match found {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Number(n)) => vec![n.to_string()],
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let ok = match regex::Regex::new(&re) {
                Ok(regex) => texts.iter().any(|t| regex.is_match(t)),
                Err(_) => false,
            };
            if !ok {
                problems.push(FailedCheck::new(at(), format!("to match /{re}/"), shown()));
            }
        }
    }
    Ok(())
}

/// Checks substrings of a body.
pub(crate) fn check_body_text(
    expect: &Expect,
    body: &str,
    vars: &Vars,
    problems: &mut Vec<FailedCheck>,
) -> Result<(), UndefinedVar> {
    for part in &expect.body_contains {
        let part = vars.expand(part)?;
        if !body.contains(&part) {
            problems.push(FailedCheck::missing(
                What::Body,
                format!("to contain {part:?}"),
            ));
        }
    }
    for part in &expect.body_not_contains {
        let part = vars.expand(part)?;
        if body.contains(&part) {
            problems.push(FailedCheck::new(
                What::Body,
                format!("not to contain {part:?}"),
                "it does",
            ));
        }
    }
    if let Some(re) = &expect.body_matches {
        let re = vars.expand(re)?;
        let ok = regex::Regex::new(&re).is_ok_and(|r| r.is_match(body));
        if !ok {
            problems.push(FailedCheck::missing(What::Body, format!("to match /{re}/")));
        }
    }
    if expect.no_password {
        let password = vars.get("password").unwrap_or_default();
        problems.extend(crate::secrets::password_findings(body, password));
    }
    Ok(())
}

/// Judges the answer as a browser would for the request's `Origin`, with
/// credentials (`cors_granted`); a preflight is recognised by its
/// `Access-Control-Request-Method`.
pub(crate) fn check_cors(
    request_headers: &[(String, String)],
    status: u16,
    headers: &HeaderMap,
    problems: &mut Vec<FailedCheck>,
) {
    let sent = |name: &str| {
        request_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let Some(origin) = sent("origin") else {
        problems.push(FailedCheck::new(
            What::Cors {
                origin: String::new(),
                preflight: false,
            },
            "an Origin to judge the answer for",
            "the request sent none",
        ));
        return;
    };
    let all = |name: &str| -> Vec<&str> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    };
    let answer = crate::cors::Answer {
        status,
        allow_origin: all("access-control-allow-origin"),
        allow_credentials: headers
            .get("access-control-allow-credentials")
            .and_then(|v| v.to_str().ok()),
        allow_methods: all("access-control-allow-methods"),
        allow_headers: all("access-control-allow-headers"),
    };
    let asked = sent("access-control-request-method").map(|method| crate::cors::Asked {
        method,
        headers: sent("access-control-request-headers"),
    });
    if let Err(refusal) = crate::cors::judge(origin, &answer, asked.as_ref(), true) {
        problems.push(FailedCheck::new(
            What::Cors {
                origin: origin.to_owned(),
                preflight: asked.is_some(),
            },
            "a browser to accept it",
            refusal.to_string(),
        ));
    }
}

fn has_type(v: &Value, ty: JsonType) -> bool {
    match ty {
        JsonType::String => v.is_string(),
        JsonType::Number => v.is_number(),
        JsonType::Integer => v.is_i64() || v.is_u64(),
        JsonType::Boolean => v.is_boolean(),
        JsonType::Object => v.is_object(),
        JsonType::Array => v.is_array(),
        JsonType::Null => v.is_null(),
    }
}

/// A text shortened for a message, on a character boundary.
pub(crate) fn short_text(text: &str) -> String {
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}…")
    } else {
        text.to_owned()
    }
}

/// A JSON value shortened for a message.
pub(crate) fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn expect(text: &str) -> Expect {
        toml::from_str(text).expect("valid expect")
    }

    #[test]
    fn status_checks_report_expected_and_got() {
        let mut p = Vec::new();
        check_status(&expect("status = 201"), 500, &mut p);
        check_status(&expect("status_in = [409, 201]"), 201, &mut p);
        check_status(&expect("status_class = \"4xx\""), 503, &mut p);
        assert_eq!(
            p,
            vec![
                FailedCheck::new(What::Status, "201", "500"),
                FailedCheck::new(What::Status, "4xx", "503"),
            ]
        );
    }

    #[test]
    fn header_checks_cover_equality_absence_and_lists() {
        let mut headers = HeaderMap::new();
        let put = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
            h.append(HeaderName::from_static(k), HeaderValue::from_static(v));
        };
        put(&mut headers, "access-control-allow-origin", "*");
        put(
            &mut headers,
            "access-control-allow-headers",
            "Authorization,Content-Type",
        );
        let mut vars = Vars::default();
        vars.set("origin", "http://localhost:5173");
        let e = expect(
            r#"headers = [
              { name = "Access-Control-Allow-Origin", equals = "${origin}" },
              { name = "access-control-allow-origin", not_equals = "*" },
              { name = "access-control-allow-headers", lists = ["authorization", "content-type"] },
              { name = "vary", contains = "origin" },
            ]"#,
        );
        let mut p = Vec::new();
        check_headers(&e.headers, &headers, &vars, &mut p).expect("vars defined");
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(p[0].expected, "\"http://localhost:5173\"");
        assert_eq!(p[0].actual.as_deref(), Some("\"*\""));
        assert_eq!(
            p[2].what,
            What::Header {
                name: "vary".into()
            }
        );
        assert!(p[2].expected.starts_with("to contain"));
    }

    #[test]
    fn json_checks_cover_presence_types_values_and_regexes() {
        let doc = serde_json::json!({"user": {"id": "7", "email": "a@b"}, "accessToken": "x.y.z"});
        let e = expect(
            r#"json = [
              { pointer = "/accessToken", type = "string", matches = "^[^.]+\\.[^.]+\\.[^.]+$" },
              { pointer = "/user/passwordHash", absent = true },
              { pointer = "/user/email", equals = "a@b" },
              { pointer = "/user/name", exists = true },
              { pointer = "/user/id", type = "integer" },
            ]"#,
        );
        let mut p = Vec::new();
        check_json(&e.json, Some(&doc), "body", &Vars::default(), &mut p).expect("no vars");
        let at = |pointer: &str| What::Json {
            doc: "body".into(),
            pointer: pointer.into(),
        };
        assert_eq!(
            p,
            vec![
                FailedCheck::new(at("/user/name"), "a value", "nothing"),
                FailedCheck::new(at("/user/id"), "an integer", "\"7\""),
            ]
        );
    }

    #[test]
    fn json_checks_on_a_non_json_body_fail_once() {
        let e = expect(r#"json = [{ pointer = "/a", exists = true }]"#);
        let mut p = Vec::new();
        check_json(&e.json, None, "body", &Vars::default(), &mut p).expect("no vars");
        assert_eq!(p.len(), 1);
    }

    /// A FastAPI backend answering `Service unavailable: postgres is down`
    /// names the failing dependency, as INF-1 asks: it got a warning for
    /// not saying "database".
    #[test]
    fn a_503_naming_postgres_names_the_failing_dependency() {
        let catalogue = crate::rules::Catalogue::builtin().expect("catalogue");
        let (path, bytes) = crate::scenario::sources::builtin_files()
            .into_iter()
            .find(|(p, _)| p.ends_with("inf-1-health.toml"))
            .expect("inf-1-health is built in");
        let scenario =
            crate::scenario::load::load_bytes(&path, &bytes, &catalogue).expect("it loads");
        let crate::scenario::model::Step::Request(outage) = &scenario.scenario.steps[2].step else {
            panic!("step 3 of inf-1 is the request during the outage");
        };
        let vars = Vars::default();
        for body in [
            r#"{"detail":"Service unavailable: postgres is down"}"#,
            r#"{"status":"error","error":{"database":{"status":"down"}}}"#,
            r#"{"db":"unreachable"}"#,
        ] {
            let mut problems = Vec::new();
            check_body_text(&outage.expect, body, &vars, &mut problems).expect("no variables");
            assert!(problems.is_empty(), "{body}: {problems:?}");
        }
        let mut problems = Vec::new();
        check_body_text(&outage.expect, r#"{"status":"down"}"#, &vars, &mut problems)
            .expect("no variables");
        assert_eq!(problems.len(), 1, "a 503 naming nothing is still a warning");
    }
}
