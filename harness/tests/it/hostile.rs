//! A thousand malformed or hostile requests against the reference server,
//! generated from a fixed seed: random methods and paths, broken JSON,
//! invalid UTF-8, wrong content types, huge headers and bodies, tokens of
//! every broken shape. None may get a `5xx`, the server must keep answering,
//! and no answer may carry a password hash or the server's secret.
//!
//! Requests are written to a raw TCP socket, so that targets such as
//! `/../x`, bytes that are not UTF-8 and broken request lines reach the
//! server exactly as generated.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::support::reference_with_services;
use corpus::{Corpus, Known};

mod corpus;
mod payloads;

/// How many hostile requests are sent.
const REQUESTS: usize = 1_000;
/// The seed of the generator: the same requests on every run.
const SEED: u64 = 0x5EED_0006;
/// Requests in flight at once.
const IN_FLIGHT: usize = 16;
/// Only to avoid hanging on a server that never answers.
const ANSWER_DEADLINE: Duration = Duration::from_secs(30);
/// What an answer must never contain, besides the secret itself.
const NEVER_IN_AN_ANSWER: &[&str] = &["$argon2", "passwordHash"];
/// The password of the accounts the test makes.
const PASSWORD: &str = "Hostile-password-1";

/// What came back.
enum Answer {
    Status { code: u16, text: Vec<u8> },
    Closed(String),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_hostile_requests_get_no_5xx_and_leak_no_secret() {
    let secret = format!("hostile-secret-{}", uuid::Uuid::new_v4().simple());
    let (_services, subject) = reference_with_services(&secret, &BTreeMap::new()).await;
    let base = subject.base_url().to_owned();
    let client = super::support::http_client();
    let known = account(&client, &base, &secret).await;

    let corpus = Corpus::new(&known).draw(SEED, REQUESTS);
    let host = known.host.as_str();
    let answers: Vec<(usize, Answer)> = futures::stream::iter(corpus.iter().enumerate())
        .map(|(index, hostile)| async move { (index, send(host, &hostile.bytes).await) })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut offending = Vec::new();
    for (index, answer) in &answers {
        let hostile = &corpus[*index];
        match answer {
            Answer::Status { code, text } => {
                *counts.entry(code.to_string()).or_default() += 1;
                if *code >= 500 {
                    offending.push(format!("{code} for {}", hostile.label));
                }
                for needle in NEVER_IN_AN_ANSWER.iter().copied().chain([secret.as_str()]) {
                    if contains(text, needle.as_bytes()) {
                        let shown = if needle == secret {
                            "the JWT secret"
                        } else {
                            needle
                        };
                        offending.push(format!(
                            "{shown} in the answer ({code}) to {}",
                            hostile.label
                        ));
                    }
                }
            }
            Answer::Closed(why) => {
                *counts.entry("no answer".to_owned()).or_default() += 1;
                if !hostile.oversized {
                    offending.push(format!("no answer ({why}) to {}", hostile.label));
                }
            }
        }
    }
    let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    eprintln!("answers by status: {}", counts.join(", "));
    assert!(
        offending.is_empty(),
        "{} of {REQUESTS} hostile requests (seed {SEED:#x}) were mishandled; answers by status: {}\n{}",
        offending.len(),
        counts.join(", "),
        offending.join("\n"),
    );

    let health = client
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("the server still answers");
    assert_eq!(health.status(), 200, "/health after the corpus");
    let after = account(&client, &base, &secret).await;
    let me = client
        .get(format!("{base}/auth/me"))
        .bearer_auth(&after.token)
        .send()
        .await
        .expect("/auth/me answers");
    assert_eq!(me.status(), 200, "/auth/me with a fresh login's token");
}

/// Registers a new account, logs in and creates a document.
async fn account(client: &reqwest::Client, base: &str, secret: &str) -> Known {
    let email = format!("hostile-{}@example.com", uuid::Uuid::new_v4().simple());
    let credentials = json!({ "email": email, "password": PASSWORD });
    let registered = client
        .post(format!("{base}/auth/register"))
        .json(&credentials)
        .send()
        .await
        .expect("register answers");
    assert_eq!(registered.status(), 201, "registering {email}");
    let login = client
        .post(format!("{base}/auth/login"))
        .json(&credentials)
        .send()
        .await
        .expect("login answers");
    assert_eq!(login.status(), 200, "logging in as {email}");
    let login: Value = login.json().await.expect("login JSON");
    let token = login["accessToken"].as_str().expect("a token").to_owned();
    let user_id = login["user"]["id"].as_str().expect("a user id").to_owned();
    let document: Value = client
        .post(format!("{base}/documents"))
        .bearer_auth(&token)
        .json(&json!({ "title": "Target", "content": "Hostile input must not hurt. Ever." }))
        .send()
        .await
        .expect("create a document")
        .json()
        .await
        .expect("document JSON");
    Known {
        host: base.trim_start_matches("http://").to_owned(),
        secret: secret.to_owned(),
        email,
        password: PASSWORD.to_owned(),
        user_id,
        token,
        document: document["id"].as_str().expect("a document id").to_owned(),
    }
}

/// Writes `bytes`, reads until the server closes, and parses the status.
async fn send(host: &str, bytes: &[u8]) -> Answer {
    let exchange = async {
        let mut stream = TcpStream::connect(host)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        // A server may answer and close before reading everything (413,
        // 431); what it answered still counts, so a failed write is not
        // the end.
        let written = stream.write_all(bytes).await;
        let mut text = Vec::new();
        let read = stream.read_to_end(&mut text).await;
        if text.is_empty() {
            let why = match (written, read) {
                (Err(e), _) => format!("write: {e}"),
                (_, Err(e)) => format!("read: {e}"),
                _ => "closed without a response".to_owned(),
            };
            return Err(why);
        }
        Ok(text)
    };
    match tokio::time::timeout(ANSWER_DEADLINE, exchange).await {
        Err(_) => Answer::Closed(format!("nothing within {} s", ANSWER_DEADLINE.as_secs())),
        Ok(Err(why)) => Answer::Closed(why),
        Ok(Ok(text)) => match final_status(&text) {
            Some(code) => Answer::Status {
                code,
                text: dechunked(&text),
            },
            None => Answer::Closed(format!(
                "unparsable response {:?}",
                String::from_utf8_lossy(&text[..text.len().min(80)])
            )),
        },
    }
}

/// The status of the final response (interim `1xx` responses skipped).
fn final_status(text: &[u8]) -> Option<u16> {
    let mut rest = text;
    loop {
        let line_end = find(rest, b"\r\n")?;
        let line = std::str::from_utf8(&rest[..line_end]).ok()?;
        let code: u16 = line.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()?;
        if code >= 200 {
            return Some(code);
        }
        let head_end = find(rest, b"\r\n\r\n")?;
        rest = &rest[head_end + 4..];
    }
}

/// The response with a chunked body joined up (so that a secret split over
/// two chunks is still found); the raw text when it is not chunked.
fn dechunked(text: &[u8]) -> Vec<u8> {
    let Some(head_end) = find(text, b"\r\n\r\n") else {
        return text.to_vec();
    };
    let head = String::from_utf8_lossy(&text[..head_end]).to_ascii_lowercase();
    if !head.contains("transfer-encoding: chunked") {
        return text.to_vec();
    }
    let mut joined = text[..head_end + 4].to_vec();
    let mut rest = &text[head_end + 4..];
    while let Some(size_end) = find(rest, b"\r\n") {
        let size = std::str::from_utf8(&rest[..size_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok());
        let Some(size) = size.filter(|&s| s > 0) else {
            break;
        };
        let start = size_end + 2;
        let end = (start + size).min(rest.len());
        joined.extend_from_slice(&rest[start..end]);
        rest = rest.get(end + 2..).unwrap_or_default();
    }
    joined
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}
