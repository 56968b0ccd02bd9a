//! Plain request steps and bursts: build the request from the file, send it,
//! check the answer, capture variables.

use super::scene::{Scene, StepError};
use crate::expect;
use crate::outcome::Transcript;
use crate::scenario::model::{BurstStep, Exchange, RequestStep};
use reqwest::header::HeaderMap;
use std::collections::BTreeMap;
use std::time::Duration;

/// How much of a body a transcript keeps.
const BODY_EXCERPT: usize = 2048;
/// How long a plain request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A response as received.
pub struct Received {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// The body as text (lossy).
    pub body: String,
    /// The body as JSON, when it parses.
    pub json: Option<serde_json::Value>,
}

/// Builds a reqwest request from an exchange, expanding variables, and its transcript head.
pub fn build<E>(
    scene: &Scene,
    x: &Exchange<E>,
) -> Result<(reqwest::RequestBuilder, Transcript), StepError> {
    let method = reqwest::Method::from_bytes(x.method.as_bytes())
        .map_err(|_| StepError::Unsupported(format!("{:?} is not an HTTP method", x.method)))?;
    let url = format!("{}{}", scene.base_url, scene.expand(&x.path)?);
    let mut transcript = Transcript {
        request: format!("{method} {url}"),
        ..Transcript::default()
    };
    let mut builder = scene.client().request(method, &url);
    let query: Vec<(String, String)> = x
        .query
        .iter()
        .map(|(k, v)| Ok((k.clone(), scene.expand(v)?)))
        .collect::<Result<_, StepError>>()?;
    if !query.is_empty() {
        builder = builder.query(&query);
        let shown: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        transcript
            .request
            .push_str(&format!("?{}", shown.join("&")));
    }
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    if let Some(origin) = &x.origin {
        headers.insert("origin".into(), scene.expand(origin)?);
    }
    if let Some(token) = &x.bearer {
        headers.insert(
            "authorization".into(),
            format!("Bearer {}", scene.expand(token)?),
        );
    }
    let body = if let Some(json) = &x.json {
        headers.insert("content-type".into(), "application/json".into());
        Some(scene.vars.expand_toml(json)?.to_string())
    } else if let Some(raw) = &x.body {
        Some(scene.expand(raw)?)
    } else {
        x.json_padded_to_bytes.map(|n| {
            headers.insert("content-type".into(), "application/json".into());
            padded_json(n)
        })
    };
    for (k, v) in &x.headers {
        headers.insert(k.to_ascii_lowercase(), scene.expand(v)?);
    }
    for (k, v) in &headers {
        builder = builder.header(k, v);
        transcript.request_headers.push((k.clone(), v.clone()));
    }
    if let Some(body) = body {
        transcript.request_body = Some(excerpt(&body));
        builder = builder.body(body);
    }
    Ok((builder, transcript))
}

/// A JSON object of exactly `n` bytes (at least its fixed part).
fn padded_json(n: usize) -> String {
    let head = r#"{"email":"padding@example.com","password":"padding-password","name":""#;
    let tail = r#""}"#;
    let fill = n.saturating_sub(head.len() + tail.len());
    format!("{head}{}{tail}", "a".repeat(fill))
}

/// Sends a request and reads the whole answer, within [`REQUEST_TIMEOUT`].
pub async fn send(
    builder: reqwest::RequestBuilder,
    transcript: &mut Transcript,
) -> Result<Received, String> {
    send_within(builder, transcript, REQUEST_TIMEOUT).await
}

/// Sends a request and reads the whole answer, within `timeout`.
async fn send_within(
    builder: reqwest::RequestBuilder,
    transcript: &mut Transcript,
    timeout: Duration,
) -> Result<Received, String> {
    let response = builder
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| format!("request failed: {}", error_chain(&e)))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("reading the body failed: {}", error_chain(&e)))?;
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_slice(&bytes).ok();
    record_response(transcript, status, &headers, &body);
    Ok(Received {
        status,
        headers,
        body,
        json,
    })
}

/// Fills the response part of a transcript.
pub fn record_response(t: &mut Transcript, status: u16, headers: &HeaderMap, body: &str) {
    t.status = Some(status);
    t.response_headers = headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    t.response_body = excerpt(body);
}

/// The whole cause chain of an error, on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The start of a long text.
pub fn excerpt(text: &str) -> String {
    if text.len() <= BODY_EXCERPT {
        return text.to_owned();
    }
    let mut end = BODY_EXCERPT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

/// Runs a request step: problems found, and the transcript.
pub async fn run_request(
    scene: &mut Scene,
    step: &RequestStep,
) -> Result<(Vec<String>, Vec<Transcript>), StepError> {
    let (builder, mut transcript) = build(scene, step)?;
    let received = match send(builder, &mut transcript).await {
        Ok(r) => r,
        Err(problem) => return Ok((vec![problem], vec![transcript])),
    };
    let mut problems = Vec::new();
    let e = &step.expect;
    expect::check_status(e, received.status, &mut problems);
    expect::check_headers(&e.headers, &received.headers, &scene.vars, &mut problems)?;
    expect::check_json(
        &e.json,
        received.json.as_ref(),
        "body",
        &scene.vars,
        &mut problems,
    )?;
    expect::check_body_text(e, &received.body, &scene.vars, &mut problems)?;
    if e.cors_granted {
        expect::check_cors(
            &transcript.request_headers,
            received.status,
            &received.headers,
            &mut problems,
        );
    }
    capture(
        scene,
        &step.capture,
        received.json.as_ref(),
        "body",
        &mut problems,
    );
    Ok((problems, vec![transcript]))
}

/// Sets variables from a JSON document; a missing value is a problem.
pub fn capture(
    scene: &mut Scene,
    captures: &BTreeMap<String, String>,
    doc: Option<&serde_json::Value>,
    what: &str,
    problems: &mut Vec<String>,
) {
    for (name, pointer) in captures {
        match doc.and_then(|d| d.pointer(pointer)) {
            Some(serde_json::Value::String(s)) => scene.vars.set(name, s.clone()),
            Some(v) if !v.is_null() => scene.vars.set(name, v.to_string()),
            _ => problems.push(format!("capture {name}: nothing at {what} {pointer}")),
        }
    }
}

/// Runs a burst: `count` copies at once, then the status counts; with
/// `rounds`, that many bursts one after another, each with its own
/// `${round}` and each checked on its own.
pub async fn run_burst(
    scene: &mut Scene,
    step: &BurstStep,
) -> Result<(Vec<String>, Vec<Transcript>), StepError> {
    let mut problems = Vec::new();
    let mut missed = 0;
    let mut kept: BTreeMap<u16, Transcript> = BTreeMap::new();
    let rounds = step.rounds.max(1);
    for round in 1..=rounds {
        scene.vars.set("round", round.to_string());
        let (round_problems, transcripts) = burst_once(scene, step).await;
        if !round_problems.is_empty() {
            missed += 1;
            if rounds > 1 {
                problems.push(format!(
                    "round {round} of {rounds}: {}",
                    round_problems.join("; ")
                ));
            } else {
                problems.extend(round_problems);
            }
            for (status, t) in transcripts {
                kept.entry(status).or_insert(t);
            }
        } else if kept.is_empty() {
            for (status, t) in transcripts {
                kept.entry(status).or_insert(t);
            }
        }
    }
    if rounds > 1 && missed > 0 {
        problems.push(format!(
            "{missed} of {rounds} bursts of {} broke the expectation",
            step.count
        ));
    }
    Ok((problems, kept.into_values().collect()))
}

/// One burst: problems, and one transcript per distinct status (0: no
/// answer), in status order: enough to see each kind of answer.
async fn burst_once(scene: &Scene, step: &BurstStep) -> (Vec<String>, BTreeMap<u16, Transcript>) {
    // The answers of a burst come one after another when the subject does
    // the work one at a time (a password hash each): a second more each.
    let within = REQUEST_TIMEOUT + Duration::from_secs(step.count as u64);
    let mut sends = Vec::with_capacity(step.count);
    let mut problems = Vec::new();
    for _ in 0..step.count {
        match build(scene, &step.request) {
            Ok((builder, transcript)) => sends.push(async move {
                let mut transcript = transcript;
                let result = send_within(builder, &mut transcript, within).await;
                (result.map(|r| r.status), transcript)
            }),
            Err(e) => {
                problems.push(e.to_string());
                return (problems, BTreeMap::new());
            }
        }
    }
    let results = futures::future::join_all(sends).await;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (result, _) in &results {
        match result {
            Ok(status) => *counts.entry(status.to_string()).or_default() += 1,
            Err(e) => problems.push(e.clone()),
        }
    }
    for (status, want) in &step.expect_counts {
        let got = counts.get(status).copied().unwrap_or(0);
        if got != *want {
            problems.push(format!(
                "expected {want} × {status}, got {got} (all statuses: {counts:?})"
            ));
        }
    }
    if step.no_5xx {
        let five: usize = counts
            .iter()
            .filter(|(s, _)| s.starts_with('5'))
            .map(|(_, n)| n)
            .sum();
        if five > 0 {
            problems.push(format!(
                "expected no 5xx, got {five} (all statuses: {counts:?})"
            ));
        }
    }
    let mut by_status: BTreeMap<u16, Transcript> = BTreeMap::new();
    for (result, transcript) in results {
        by_status.entry(result.unwrap_or(0)).or_insert(transcript);
    }
    (problems, by_status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_json_has_the_requested_size_and_parses() {
        let body = padded_json(1_100_000);
        assert_eq!(body.len(), 1_100_000);
        assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok());
    }

    #[test]
    fn excerpts_cut_long_text_on_a_char_boundary() {
        let long = "é".repeat(2000);
        let cut = excerpt(&long);
        assert!(cut.ends_with("(4000 bytes in all)"));
        assert_eq!(excerpt("short"), "short");
    }
}
