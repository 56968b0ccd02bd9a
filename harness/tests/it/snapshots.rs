//! Reviewed transcripts: the reference's answers (register 201/409/503,
//! error shapes, CORS headers, the SSE event sequence) and the console and
//! Markdown reports of one failing run, normalized so that tokens, ids, ports
//! and times do not change them. A change to any of them shows up as a
//! snapshot diff in review.

use super::support::{all_scenarios, reference, run};
use conformance::report::{console, markdown};
use conformance::services::{Services, ServicesMode};
use conformance::subject::managed::ManagedSubject;
use conformance::subject::spec::SubjectSpec;
use regex::Regex;
use serde_json::{Value, json};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Replaces what changes from run to run with stable placeholders.
fn normalize(text: &str) -> String {
    let rules = [
        (
            r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*",
            "[token]",
        ),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uuid]",
        ),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"localhost:\d{5}", "localhost:[port]"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[time]"),
        (r"date: .*", "date: [date]"),
        (r"latency=[0-9.]+[µm]?s", "latency=[t]"),
        // A burst's answers and errors are logged in the order they
        // finish: the subject's output lines are left out, their heading stays.
        (r"(?m)^ +\| .*\n", ""),
        (r"\+\d+ ms", "+[t] ms"),
        (r"scenarios in [0-9.]+ s", "scenarios in [t] s"),
        (r"Pw-[0-9a-f]{12}-", "Pw-[unique]-"),
        (r"(?m)^ *< content-length: \d+\n", ""),
        (r"time: .*", "time: [phases]"),
        (r"slowest: .*", "slowest: [scenarios]"),
        (r"[a-z0-9]+-[0-9a-f]{12}@example\.com", "[email]"),
        (r"[0-9]{2,} ms", "[t] ms"),
        (r"services: .*", "services: [services]"),
        (r"[^\s(]*scenarios/", "[path]/"),
    ];
    let mut out = text.to_owned();
    for (pattern, with) in rules {
        let re = Regex::new(pattern).expect("valid normalization regex");
        out = re.replace_all(&out, with).into_owned();
    }
    out
}

async fn exchange(client: &reqwest::Client, request: reqwest::RequestBuilder) -> Value {
    let _ = client;
    let response = request.send().await.expect("the reference answers");
    let status = response.status().as_u16();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(k, _)| {
            let k = k.as_str();
            k.starts_with("access-control-")
                || k == "vary"
                || k == "content-type"
                || k == "cache-control"
        })
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_owned()))
        .collect();
    headers.sort();
    let body = response.text().await.expect("a body");
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    let text =
        normalize(&json!({ "status": status, "headers": headers, "body": body }).to_string());
    serde_json::from_str(&text).expect("normalized JSON stays JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_answers_as_reviewed() {
    let services = Services::start(ServicesMode::Auto).await.expect("services");
    let SubjectSpec::Managed(launch) = reference(&[]) else {
        unreachable!("the reference is managed")
    };
    let origin = "http://localhost:4173";
    let subject = ManagedSubject::start(
        &launch,
        &services,
        "snapshot-secret-0123456789abcdefghij",
        &[("CORS_ORIGIN".to_owned(), origin.to_owned())].into(),
    )
    .await
    .expect("the reference starts");
    let base = subject.base_url().to_owned();
    let client = super::support::http_client();
    let email = "snap-0123456789ab@example.com";
    let register = || {
        client
            .post(format!("{base}/auth/register"))
            .header("origin", origin)
            .json(&json!({ "email": email, "password": "Snapshot-password-1", "name": "Snap" }))
    };
    let created = exchange(&client, register()).await;
    let conflict = exchange(&client, register()).await;
    let unauthorized = exchange(
        &client,
        client
            .get(format!("{base}/auth/me"))
            .header("origin", origin),
    )
    .await;
    let preflight = exchange(
        &client,
        client
            .request(reqwest::Method::OPTIONS, format!("{base}/documents"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            ),
    )
    .await;
    let malformed = exchange(
        &client,
        client
            .post(format!("{base}/auth/register"))
            .header("content-type", "application/json")
            .body("{\"email\":"),
    )
    .await;
    let login: Value = client
        .post(format!("{base}/auth/login"))
        .json(&json!({ "email": email, "password": "Snapshot-password-1" }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login JSON");
    let token = login["accessToken"].as_str().expect("a token").to_owned();
    let doc: Value = client
        .post(format!("{base}/documents"))
        .bearer_auth(&token)
        .json(&json!({ "title": "Snap", "content": "Snapshots keep reports honest. Reviews catch changes." }))
        .send()
        .await
        .expect("document")
        .json()
        .await
        .expect("document JSON");
    let stream = client
        .post(format!(
            "{base}/documents/{}/chat/stream",
            doc["id"].as_str().expect("id")
        ))
        .bearer_auth(&token)
        .header("origin", origin)
        .json(&json!({ "message": "What keeps reports honest?" }))
        .send()
        .await
        .expect("stream")
        .text()
        .await
        .expect("stream body");
    let events: Vec<String> = stream
        .lines()
        .filter(|l| l.starts_with("event:"))
        .map(str::to_owned)
        .collect();
    subject.proxy().cut().await;
    let unavailable = exchange(
        &client,
        client
            .post(format!("{base}/auth/register"))
            .header("origin", origin)
            .json(&json!({ "email": "other-0123456789ab@example.com", "password": "Snapshot-password-1" })),
    )
    .await;
    subject.proxy().restore();
    let transcript = json!({
        "register 201": created,
        "register again 409": conflict,
        "me without a token 401": unauthorized,
        "preflight": preflight,
        "malformed JSON": malformed,
        "register with the database down 503": unavailable,
        "stream event names": events,
    });
    settings().bind(|| insta::assert_json_snapshot!("reference_transcript", transcript));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_run_reports_as_reviewed() {
    let scenarios: Vec<_> = all_scenarios()
        .into_iter()
        .filter(|s| {
            s.name == "reg-3-concurrent-registrations" || s.name == "reg-1-new-email-registers"
        })
        .collect();
    // Every duplicate answers 500 under this fault, whatever the timing: the
    // transcript does not depend on which request of a burst wins.
    let outcome = run(&scenarios, reference(&["register-unmapped-errors"])).await;
    assert_eq!(outcome.exit_code(), 1);
    let console = normalize(&console::render(&outcome));
    let markdown = normalize(&markdown::render(&outcome));
    settings().bind(|| {
        insta::assert_snapshot!("failing_run_console", console);
        insta::assert_snapshot!("failing_run_markdown", markdown);
    });
}
