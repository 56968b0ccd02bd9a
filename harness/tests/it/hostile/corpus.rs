//! The hostile corpus: tables of bad methods, targets, queries and
//! headers (tokens and bodies are in `payloads`), and a seeded draw that
//! combines them into raw HTTP/1.1 requests.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use serde_json::Value;

use super::payloads::{authorizations, bodies};

/// What the corpus builds requests from: a real account, its token and
/// document, and the server's secret (to sign tokens with hostile claims).
pub struct Known {
    /// `host:port` of the server.
    pub host: String,
    /// The server's `JWT_SECRET`.
    pub secret: String,
    /// The account's email, password and id.
    pub email: String,
    pub password: String,
    pub user_id: String,
    /// A valid token of the account.
    pub token: String,
    /// The id of a document of the account.
    pub document: String,
}

/// One generated request: the bytes to write and how to report it.
pub struct Hostile {
    /// Number, method, target and the pieces drawn, for failure lists.
    pub label: String,
    /// The request as written to the socket.
    pub bytes: Vec<u8>,
    /// A header, target or body over the server's limits: a closed
    /// connection is an acceptable answer to it.
    pub oversized: bool,
}

/// One entry of a table: what it is called in reports and its bytes.
#[derive(Clone, Default)]
pub struct Piece {
    /// Empty for "no piece" (e.g. no `Authorization` header).
    pub name: String,
    pub bytes: Vec<u8>,
    /// For bodies: the `Content-Type` sent with it, if any.
    pub content_type: Option<&'static str>,
    /// Over one of the server's limits (see [`Hostile::oversized`]).
    pub oversized: bool,
}

pub fn piece(name: &str, bytes: impl Into<Vec<u8>>) -> Piece {
    Piece {
        name: name.to_owned(),
        bytes: bytes.into(),
        ..Piece::default()
    }
}

pub fn json_body(name: &str, value: Value) -> Piece {
    Piece {
        content_type: Some("application/json"),
        ..piece(name, value.to_string())
    }
}

pub fn typed(content_type: &'static str, name: &str, bytes: impl Into<Vec<u8>>) -> Piece {
    Piece {
        content_type: Some(content_type),
        ..piece(name, bytes)
    }
}

pub fn oversized(piece: Piece) -> Piece {
    Piece {
        oversized: true,
        ..piece
    }
}

/// Every table, built once; a draw only picks from them.
pub struct Corpus {
    host: String,
    methods: Vec<Piece>,
    json_routes: Vec<Piece>,
    guarded_json_routes: Vec<Piece>,
    targets: Vec<Piece>,
    queries: Vec<Piece>,
    authorizations: Vec<Piece>,
    valid_authorization: Piece,
    headers: Vec<Piece>,
    bodies: Vec<Piece>,
}

impl Corpus {
    pub fn new(known: &Known) -> Self {
        let doc = &known.document;
        let other = "7b0f9a53-8d3c-4e8a-9a41-0c5e2f6d1b2a";
        let methods = [
            "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "CONNECT",
            "PROPFIND", "get", "FOO", "G(T",
        ];
        let mut methods: Vec<Piece> = methods.iter().map(|m| piece(m, *m)).collect();
        methods.push(piece("G<0xff>T", b"G\xffT".to_vec()));
        methods.push(oversized(piece("X×1000", "X".repeat(1_000))));
        let paths = |list: &[String]| list.iter().map(|p| piece(p, p.as_str())).collect();
        let json_routes = paths(&["/auth/register".into(), "/auth/login".into()]);
        let guarded_json_routes = paths(&[
            "/documents".into(),
            format!("/documents/{doc}/chat/stream"),
            format!("/documents/{other}/chat/stream"),
        ]);
        let mut targets: Vec<Piece> = paths(&[
            "/auth/register".into(),
            "/auth/login".into(),
            "/auth/me".into(),
            "/documents".into(),
            format!("/documents/{doc}"),
            format!("/documents/{doc}/chat/stream"),
            "/health".into(),
            format!("/documents/{other}"),
            "/documents/not-a-uuid".into(),
            "/".into(),
            "*".into(),
            "/../../etc/passwd".into(),
            "/documents/../auth/me".into(),
            "/auth/./me".into(),
            "//auth//me".into(),
            "/auth/me/".into(),
            "/AUTH/ME".into(),
            "/auth%2fme".into(),
            "/%2e%2e/%2e%2e/etc/passwd".into(),
            "/documents/%00".into(),
            "/documents/%ff%fe".into(),
            "/documents/%".into(),
            "/documents/%zz".into(),
            "http://evil.example/auth/me".into(),
            format!("/documents/{}", doc.to_uppercase()),
            format!("/documents/{doc}%20"),
            format!("/documents/{doc}/chat/stream/extra"),
            "/documents/é/ü".into(),
            format!("/documents/{}", "a".repeat(1_000)),
        ]);
        targets.push(piece(
            "/documents/<not UTF-8>",
            b"/documents/\xff\xfe\xc3\x28\x80".to_vec(),
        ));
        targets.push(oversized(piece(
            "/documents/a×70000",
            format!("/documents/{}", "a".repeat(70_000)),
        )));
        let valid = &known.token;
        let queries = vec![
            piece("?token=", "?token="),
            piece("?token", "?token"),
            piece("?token=x.y.z", "?token=x.y.z"),
            piece("?token=<valid>", format!("?token={valid}")),
            piece("?token twice", format!("?token={valid}&token=garbage")),
            piece("?token=%ff%fe%00", "?token=%ff%fe%00"),
            piece("?token[]=<valid>", format!("?token[]={valid}")),
            piece("?junk", "?=&&==&%&%zz=%"),
            oversized(piece(
                "?token=B×20000",
                format!("?token={}", "B".repeat(20_000)),
            )),
        ];
        let header = |name: &str, value: &[u8]| [name.as_bytes(), b": ", value, b"\r\n"].concat();
        let headers = vec![
            oversized(piece(
                "64 KiB header",
                header("X-Junk", "j".repeat(64 * 1024).as_bytes()),
            )),
            oversized(piece(
                "150 headers",
                (0..150)
                    .flat_map(|i| header(&format!("X-Many-{i}"), b"v"))
                    .collect::<Vec<u8>>(),
            )),
            oversized(piece(
                "16 KiB cookie",
                header("Cookie", "c=".repeat(8 * 1024).as_bytes()),
            )),
            piece("header not UTF-8", header("X-Bytes", b"\xff\xfe\x80\x81")),
            piece("hostile origin", header("Origin", b"http://evil.example")),
            piece("origin null", header("Origin", b"null")),
            piece("Expect: 100-continue", header("Expect", b"100-continue")),
            piece(
                "accept event-stream",
                header("Accept", b"text/event-stream"),
            ),
            piece("second content type", header("Content-Type", b"text/html")),
            piece(
                "spoofed forwarded-for",
                header("X-Forwarded-For", b"127.0.0.1, ::1, \"><script>"),
            ),
        ];
        Corpus {
            host: known.host.clone(),
            methods,
            json_routes,
            guarded_json_routes,
            targets,
            queries,
            authorizations: authorizations(known),
            valid_authorization: piece("valid", format!("Bearer {valid}")),
            headers,
            bodies: bodies(known),
        }
    }

    /// `count` requests drawn with a generator seeded with `seed`.
    pub fn draw(&self, seed: u64, count: usize) -> Vec<Hostile> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..count).map(|i| self.request(&mut rng, i)).collect()
    }

    /// One request. Four in ten post a body to register or login, one in
    /// ten posts one with a valid token to a route that reads JSON after
    /// authentication, the rest combine everything at random.
    fn request(&self, rng: &mut StdRng, index: usize) -> Hostile {
        let none = Piece::default;
        let focus = rng.random_range(0..10);
        let (method, target, authorization) = match focus {
            0..=3 => (
                piece("POST", "POST"),
                pick(rng, &self.json_routes),
                maybe(rng, &self.authorizations, 0.3),
            ),
            4 => (
                piece("POST", "POST"),
                pick(rng, &self.guarded_json_routes),
                self.valid_authorization.clone(),
            ),
            _ => (
                match rng.random_range(0..3) {
                    0 => piece("GET", "GET"),
                    1 => piece("POST", "POST"),
                    _ => pick(rng, &self.methods),
                },
                pick(rng, &self.targets),
                maybe(rng, &self.authorizations, 0.8),
            ),
        };
        let query = maybe(rng, &self.queries, 0.3);
        let extra = maybe(rng, &self.headers, 0.3);
        let body = if focus <= 4 || rng.random_bool(0.5) {
            pick(rng, &self.bodies)
        } else {
            none()
        };
        let version: &[u8] = if rng.random_range(0..40) == 0 {
            b" HTTP/9.9\r\n"
        } else {
            b" HTTP/1.1\r\n"
        };

        let mut bytes = Vec::with_capacity(body.bytes.len() + 1024);
        for part in [&method.bytes, &b" ".to_vec(), &target.bytes, &query.bytes] {
            bytes.extend_from_slice(part);
        }
        bytes.extend_from_slice(version);
        bytes.extend_from_slice(format!("Host: {}\r\n", self.host).as_bytes());
        if !authorization.name.is_empty() {
            bytes.extend_from_slice(b"Authorization: ");
            bytes.extend_from_slice(&authorization.bytes);
            bytes.extend_from_slice(b"\r\n");
        }
        if let Some(content_type) = body.content_type {
            bytes.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        bytes.extend_from_slice(&extra.bytes);
        if !body.bytes.is_empty() {
            bytes.extend_from_slice(format!("Content-Length: {}\r\n", body.bytes.len()).as_bytes());
        }
        bytes.extend_from_slice(b"Connection: close\r\n\r\n");
        bytes.extend_from_slice(&body.bytes);

        let label = format!(
            "#{index} {} {}{}{} auth={} ct={} body={} ({} bytes){}",
            short(&method.name),
            short(&target.name),
            query.name,
            if version.starts_with(b" HTTP/9") {
                " HTTP/9.9"
            } else {
                ""
            },
            if authorization.name.is_empty() {
                "none"
            } else {
                &authorization.name
            },
            body.content_type.unwrap_or("none"),
            if body.name.is_empty() {
                "none"
            } else {
                &body.name
            },
            body.bytes.len(),
            if extra.name.is_empty() {
                String::new()
            } else {
                format!(" + {}", extra.name)
            },
        );
        let oversized = [&method, &target, &query, &authorization, &extra, &body]
            .iter()
            .any(|p| p.oversized);
        Hostile {
            label,
            bytes,
            oversized,
        }
    }
}

fn pick(rng: &mut StdRng, table: &[Piece]) -> Piece {
    table.choose(rng).cloned().unwrap_or_default()
}

/// An entry of `table` with probability `p`, else nothing.
fn maybe(rng: &mut StdRng, table: &[Piece], p: f64) -> Piece {
    if rng.random_bool(p) {
        pick(rng, table)
    } else {
        Piece::default()
    }
}

/// Shortens a label part for the failure list.
fn short(text: &str) -> String {
    let text = text.escape_debug().to_string();
    if text.chars().count() <= 60 {
        text
    } else {
        let head: String = text.chars().take(40).collect();
        format!("{head}…({} chars)", text.chars().count())
    }
}
