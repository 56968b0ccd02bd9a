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

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use conformance::services::{Services, ServicesError, ServicesMode};
use conformance::subject::managed::ManagedSubject;
use conformance::subject::spec::SubjectSpec;
use futures::StreamExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::support::reference;

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
/// The password of the account the corpus knows.
const PASSWORD: &str = "Hostile-password-1";

/// Starts Postgres and Redis (`auto`) and the reference server with
/// `secret`. Outside CI, a machine without Docker, `postgres` or
/// `redis-server` skips the test with a message; under `CI=true` it fails.
pub(crate) async fn reference_with_services(secret: &str) -> Option<(Services, ManagedSubject)> {
    let services = match Services::start(ServicesMode::Auto).await {
        Ok(services) => services,
        Err(error @ ServicesError::MissingBinary { .. })
            if std::env::var("CI").map_or(true, |ci| ci != "true") =>
        {
            eprintln!("not run: {error}");
            return None;
        }
        Err(error) => panic!("services did not start: {error}"),
    };
    let SubjectSpec::Managed(launch) = reference(&[]) else {
        unreachable!("the reference is managed")
    };
    let subject = ManagedSubject::start(&launch, &services, secret, &BTreeMap::new())
        .await
        .expect("the reference starts");
    Some((services, subject))
}

/// What the corpus builds requests from: a real account, its token and
/// document, and the server's secret (to forge tokens with hostile claims).
struct Known {
    host: String,
    secret: String,
    email: String,
    user_id: String,
    token: String,
    document: String,
}

/// One generated request: the bytes to write and how to report it.
struct Hostile {
    label: String,
    bytes: Vec<u8>,
    /// A header, target or body over the server's limits: a closed
    /// connection is an acceptable answer to it.
    oversized: bool,
}

/// What came back.
enum Answer {
    Status { code: u16, text: Vec<u8> },
    Closed(String),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_hostile_requests_get_no_5xx_and_leak_no_secret() {
    let secret = format!("hostile-secret-{}", uuid::Uuid::new_v4().simple());
    let Some((_services, subject)) = reference_with_services(&secret).await else {
        return;
    };
    let base = subject.base_url().to_owned();
    let client = reqwest::Client::new();
    let known = account(&client, &base, &secret).await;

    let mut rng = StdRng::seed_from_u64(SEED);
    let corpus: Vec<Hostile> = (0..REQUESTS)
        .map(|index| generate(&mut rng, &known, index))
        .collect();
    let answers: Vec<(usize, Answer)> = futures::stream::iter(corpus.iter().enumerate())
        .map(|(index, hostile)| async move { (index, send(&known.host, &hostile.bytes).await) })
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
                        let shown = if needle == secret { "the JWT secret" } else { needle };
                        offending.push(format!("{shown} in the answer ({code}) to {}", hostile.label));
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

/// A UUID drawn from the seeded generator.
fn seeded_uuid(rng: &mut StdRng) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Shortens a label part for the failure list.
fn short(text: &str) -> String {
    let text = text.escape_debug().to_string();
    if text.chars().count() <= 60 {
        text
    } else {
        let head: String = text.chars().take(50).collect();
        format!("{head}…({} chars)", text.chars().count())
    }
}

/// Signs `claims` as the server would (HS256 with its secret) or with `key`.
fn signed(claims: &Value, algorithm: Algorithm, key: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .expect("a token can be signed")
}

/// An `Authorization` value (or `None`: no header) and its description.
fn authorization(rng: &mut StdRng, known: &Known) -> (String, Option<Vec<u8>>) {
    let now = chrono::Utc::now().timestamp();
    let valid = &known.token;
    let mut parts = valid.split('.');
    let (head, _, signature) = (
        parts.next().unwrap_or_default(),
        parts.next(),
        parts.next().unwrap_or_default(),
    );
    let claims = |sub: Value| json!({ "sub": sub, "email": known.email, "iat": now, "exp": now + 3600 });
    let pick = rng.random_range(0..24);
    let (name, value): (&str, Option<String>) = match pick {
        0..=3 => ("none", None),
        4 => ("empty", Some(String::new())),
        5 => ("`Bearer`", Some("Bearer".into())),
        6 => ("`Bearer `", Some("Bearer ".into())),
        7 => ("`Bearer x.y`", Some("Bearer x.y".into())),
        8 => ("`Bearer x.y.z`", Some("Bearer x.y.z".into())),
        9 => {
            let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
            let p = URL_SAFE_NO_PAD.encode(claims(json!(known.user_id)).to_string());
            ("alg none", Some(format!("Bearer {h}.{p}.")))
        }
        10 => ("garbage base64", Some("Bearer !!!.@@@.###".into())),
        11 => {
            let size = *[8 * 1024, 60 * 1024].choose(rng).unwrap_or(&8192);
            ("huge token", Some(format!("Bearer {}", "A".repeat(size))))
        }
        12 => {
            let forged = URL_SAFE_NO_PAD
                .encode(claims(json!(seeded_uuid(rng).to_string())).to_string());
            ("tampered payload", Some(format!("Bearer {head}.{forged}.{signature}")))
        }
        13 => (
            "another secret",
            Some(format!(
                "Bearer {}",
                signed(&claims(json!(known.user_id)), Algorithm::HS256, "not-the-secret-0123456789")
            )),
        ),
        14 => {
            let expired = json!({ "sub": known.user_id, "iat": now - 7200, "exp": now - 3600 });
            ("expired", Some(format!("Bearer {}", signed(&expired, Algorithm::HS256, &known.secret))))
        }
        15 => {
            let sub = [json!("not-a-uuid"), json!(12), json!(null), json!("../../etc"), json!({})]
                .choose(rng)
                .cloned()
                .unwrap_or_default();
            ("hostile sub", Some(format!("Bearer {}", signed(&claims(sub), Algorithm::HS256, &known.secret))))
        }
        16 => {
            let odd = json!({ "sub": known.user_id, "exp": "tomorrow" });
            ("exp as text", Some(format!("Bearer {}", signed(&odd, Algorithm::HS256, &known.secret))))
        }
        17 => (
            "HS512",
            Some(format!(
                "Bearer {}",
                signed(&claims(json!(known.user_id)), Algorithm::HS512, &known.secret)
            )),
        ),
        18 => (
            "unknown user",
            Some(format!(
                "Bearer {}",
                signed(&claims(json!(seeded_uuid(rng).to_string())), Algorithm::HS256, &known.secret)
            )),
        ),
        19 => ("Basic", Some("Basic dXNlcjpwYXNzd29yZA==".into())),
        20 => ("lower-case bearer", Some(format!("bearer {valid}"))),
        21 => ("trailing junk", Some(format!("Bearer {valid}.extra"))),
        22 => ("valid", Some(format!("Bearer {valid}"))),
        _ => ("non-UTF-8 bytes", Some(String::new())),
    };
    if pick == 23 {
        let mut bytes = b"Bearer ".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe, 0x80, b'.', 0xc3, b'.', 0xa9]);
        return (name.to_owned(), Some(bytes));
    }
    (name.to_owned(), value.map(String::into_bytes))
}

/// A `?token=` query (or none) and its description.
fn query(rng: &mut StdRng, known: &Known) -> (String, String) {
    let valid = &known.token;
    let options: [(&str, String); 12] = [
        ("", String::new()),
        ("", String::new()),
        ("", String::new()),
        ("?token=", "?token=".into()),
        ("?token", "?token".into()),
        ("?token=x.y.z", "?token=x.y.z".into()),
        ("?token=valid", format!("?token={valid}")),
        ("?token twice", format!("?token={valid}&token=garbage")),
        ("?token=%ff%fe", "?token=%ff%fe%00".into()),
        ("?token[]", format!("?token[]={valid}")),
        ("?token huge", format!("?token={}", "B".repeat(20_000))),
        ("?junk", "?=&&==&%&%zz=%".into()),
    ];
    let (name, text) = options.choose(rng).cloned().unwrap_or_default();
    (name.to_owned(), text)
}

/// A target (path and query) and its description; `true` when oversized.
fn target(rng: &mut StdRng, known: &Known) -> (String, Vec<u8>, bool) {
    let doc = &known.document;
    let routes = [
        "/auth/register".to_owned(),
        "/auth/login".to_owned(),
        "/auth/me".to_owned(),
        "/documents".to_owned(),
        format!("/documents/{doc}"),
        format!("/documents/{doc}/chat/stream"),
        "/health".to_owned(),
        format!("/documents/{}", seeded_uuid(rng)),
        "/documents/not-a-uuid".to_owned(),
        format!("/documents/{}/chat/stream", seeded_uuid(rng)),
    ];
    let odd = [
        "/".to_owned(),
        "*".to_owned(),
        "/../../etc/passwd".to_owned(),
        "/documents/../auth/me".to_owned(),
        "/auth/./me".to_owned(),
        "//auth//me".to_owned(),
        "/auth/me/".to_owned(),
        "/AUTH/ME".to_owned(),
        "/auth%2fme".to_owned(),
        "/%2e%2e/%2e%2e/etc/passwd".to_owned(),
        "/documents/%00".to_owned(),
        "/documents/%ff%fe".to_owned(),
        "/documents/%".to_owned(),
        "/documents/%zz".to_owned(),
        "http://evil.example/auth/me".to_owned(),
        format!("/documents/{}", doc.to_uppercase()),
        format!("/documents/{doc}%20"),
        format!("/documents/{doc}/chat/stream/extra"),
        "/documents/é/ü".to_owned(),
    ];
    let (name, mut path, oversized) = match rng.random_range(0..10) {
        0..=5 => {
            let path = routes.choose(rng).cloned().unwrap_or_default();
            (path.clone(), path.into_bytes(), false)
        }
        6..=7 => {
            let path = odd.choose(rng).cloned().unwrap_or_default();
            (path.clone(), path.into_bytes(), false)
        }
        8 => {
            let size = *[1_000, 10_000, 70_000].choose(rng).unwrap_or(&1_000);
            let path = format!("/documents/{}", "a".repeat(size));
            (format!("/documents/a×{size}"), path.into_bytes(), size > 8_000)
        }
        _ => {
            let mut path = b"/documents/".to_vec();
            path.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28, 0x80]);
            ("/documents/<bytes that are not UTF-8>".to_owned(), path, false)
        }
    };
    let (query_name, query) = query(rng, known);
    path.extend_from_slice(query.as_bytes());
    let oversized = oversized || query.len() > 8_000;
    (format!("{}{}", short(&name), query_name), path, oversized)
}

/// A body with its content type (or `None`) and its description.
fn body(rng: &mut StdRng, known: &Known) -> (String, Option<&'static str>, Vec<u8>, bool) {
    const JSON: Option<&str> = Some("application/json");
    let fresh = format!("h-{}@example.com", seeded_uuid(rng).simple());
    let (name, content_type, bytes, oversized): (&str, Option<&'static str>, Vec<u8>, bool) =
        match rng.random_range(0..30) {
            0..=2 => ("empty", None, Vec::new(), false),
            3 => ("`{`", JSON, b"{".to_vec(), false),
            4 => ("`{\"email\":`", JSON, br#"{"email":"#.to_vec(), false),
            5 => ("`[]`", JSON, b"[]".to_vec(), false),
            6 => ("`null`", JSON, b"null".to_vec(), false),
            7 => ("a string", JSON, br#""just a string""#.to_vec(), false),
            8 => ("wrong types", JSON, br#"{"email":1,"password":true,"name":[]}"#.to_vec(), false),
            9 => ("not UTF-8", JSON, [b"{\"email\":\"".as_slice(), &[0xff, 0xfe, 0xc3], b"\"}"].concat(), false),
            10 => ("NUL bytes", JSON, b"{\"email\":\"a\0b@example.com\",\"password\":\"\0\0\0\0\0\0\0\0\"}".to_vec(), false),
            11 => ("nested 10,000 deep", JSON, ["[".repeat(10_000), "]".repeat(10_000)].concat().into_bytes(), false),
            12 => {
                let email = format!("{}@example.com", "e".repeat(10_000));
                ("10,000-char email", JSON, json!({ "email": email, "password": PASSWORD }).to_string().into_bytes(), false)
            }
            13 => ("100,000-char password", JSON, json!({ "email": fresh, "password": "p".repeat(100_000) }).to_string().into_bytes(), false),
            14 => ("1,000-char name", JSON, json!({ "email": fresh, "password": PASSWORD, "name": "n".repeat(1_000) }).to_string().into_bytes(), false),
            15 => ("email with spaces and unicode", JSON, json!({ "email": " Ünï cödé @ exämple .com ", "password": PASSWORD }).to_string().into_bytes(), false),
            16 => ("a registration", JSON, json!({ "email": fresh, "password": PASSWORD }).to_string().into_bytes(), false),
            17 => ("known email, wrong password", JSON, json!({ "email": known.email, "password": "wrong-password-1" }).to_string().into_bytes(), false),
            18 => ("known email again", JSON, json!({ "email": known.email.to_uppercase(), "password": PASSWORD }).to_string().into_bytes(), false),
            19 => ("chat message", JSON, json!({ "message": "What must not hurt?" }).to_string().into_bytes(), false),
            20 => ("document", JSON, json!({ "title": "t".repeat(5_000), "content": "c. ".repeat(1_000) }).to_string().into_bytes(), false),
            21 => ("duplicate keys", JSON, br#"{"email":"a@example.com","email":"b@example.com","password":"x","password":12}"#.to_vec(), false),
            22 => ("JSON as text/plain", Some("text/plain"), json!({ "email": fresh, "password": PASSWORD }).to_string().into_bytes(), false),
            23 => ("form-encoded", Some("application/x-www-form-urlencoded"), b"email=a%40example.com&password=Hostile-password-1".to_vec(), false),
            24 => ("multipart without boundary", Some("multipart/form-data"), b"--x\r\n\r\n".to_vec(), false),
            25 => ("JSON labelled UTF-16", Some("application/json; charset=utf-16"), b"\xff\xfe{\0}\0".to_vec(), false),
            26 => ("garbage content type", Some(";;;/;;"), br#"{"email":"a@example.com"}"#.to_vec(), false),
            27 => {
                let padding = "x".repeat(1024 * 1024 + 1);
                ("JSON over 1 MiB", JSON, json!({ "email": fresh, "password": PASSWORD, "name": padding }).to_string().into_bytes(), true)
            }
            28 => ("2 MiB of zeros", Some("application/octet-stream"), vec![0; 2 * 1024 * 1024], true),
            _ => ("random bytes", JSON, (0..rng.random_range(1..4096)).map(|_| rng.random::<u8>()).collect(), false),
        };
    (name.to_owned(), content_type, bytes, oversized)
}

/// Extra headers and their description; `true` when oversized.
fn extra_headers(rng: &mut StdRng) -> (String, Vec<(Vec<u8>, Vec<u8>)>, bool) {
    let header = |name: &str, value: &[u8]| (name.as_bytes().to_vec(), value.to_vec());
    match rng.random_range(0..20) {
        0..=9 => (String::new(), Vec::new(), false),
        10 => (" + 64 KiB header".into(), vec![header("X-Junk", "j".repeat(64 * 1024).as_bytes())], true),
        11 => (
            " + 150 headers".into(),
            (0..150).map(|i| (format!("X-Many-{i}").into_bytes(), b"v".to_vec())).collect(),
            true,
        ),
        12 => (" + header bytes not UTF-8".into(), vec![header("X-Bytes", &[0xff, 0xfe, 0x80, 0x81])], false),
        13 => (" + hostile origin".into(), vec![header("Origin", b"http://evil.example")], false),
        14 => (" + origin null".into(), vec![header("Origin", b"null")], false),
        15 => (" + Expect: 100-continue".into(), vec![header("Expect", b"100-continue")], false),
        16 => (" + accept event-stream".into(), vec![header("Accept", b"text/event-stream")], false),
        17 => (" + 16 KiB cookie".into(), vec![header("Cookie", "c=".repeat(8 * 1024).as_bytes())], true),
        18 => (" + forwarded-for spoof".into(), vec![header("X-Forwarded-For", b"127.0.0.1, ::1, \"><script>")], false),
        _ => (" + second content type".into(), vec![header("Content-Type", b"text/html")], false),
    }
}

/// A whole request, as bytes.
fn generate(rng: &mut StdRng, known: &Known, index: usize) -> Hostile {
    let methods: [&[u8]; 14] = [
        b"GET", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"HEAD", b"TRACE",
        b"CONNECT", b"PROPFIND", b"get", b"FOO", b"G(T", b"G\xffT",
    ];
    let (target_name, target, long_target) = target(rng, known);
    let method: Vec<u8> = match rng.random_range(0..10) {
        0..=4 if target_name.starts_with("/auth/register") || target_name.starts_with("/auth/login") => {
            b"POST".to_vec()
        }
        0..=3 => b"GET".to_vec(),
        4 => b"POST".to_vec(),
        5 => "X".repeat(1_000).into_bytes(),
        _ => methods.choose(rng).copied().unwrap_or(b"GET").to_vec(),
    };
    let (auth_name, auth) = authorization(rng, known);
    let (body_name, content_type, body, huge_body) = body(rng, known);
    let (extra_name, extra, huge_headers) = extra_headers(rng);
    let broken_line = rng.random_range(0..40) == 0;

    let mut bytes = Vec::with_capacity(body.len() + 512);
    bytes.extend_from_slice(&method);
    bytes.push(b' ');
    bytes.extend_from_slice(&target);
    bytes.extend_from_slice(if broken_line { b" HTTP/9.9\r\n" } else { b" HTTP/1.1\r\n" });
    let mut headers: Vec<(Vec<u8>, Vec<u8>)> = vec![(b"Host".to_vec(), known.host.clone().into_bytes())];
    if let Some(value) = auth {
        headers.push((b"Authorization".to_vec(), value));
    }
    if let Some(content_type) = content_type {
        headers.push((b"Content-Type".to_vec(), content_type.as_bytes().to_vec()));
    }
    headers.extend(extra);
    if !body.is_empty() {
        headers.push((b"Content-Length".to_vec(), body.len().to_string().into_bytes()));
    }
    headers.push((b"Connection".to_vec(), b"close".to_vec()));
    for (name, value) in headers {
        bytes.extend_from_slice(&name);
        bytes.extend_from_slice(b": ");
        bytes.extend_from_slice(&value);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(&body);

    let label = format!(
        "#{index} {} {target_name}{} auth={auth_name} ct={} body={body_name} ({} bytes){extra_name}",
        short(&String::from_utf8_lossy(&method)),
        if broken_line { " HTTP/9.9" } else { "" },
        content_type.unwrap_or("none"),
        body.len(),
    );
    Hostile {
        label,
        bytes,
        oversized: long_target || huge_body || huge_headers || method.len() > 100,
    }
}
