//! The recording proxy forwards a request as the browser sent it: same
//! method, target, headers (less the hop-by-hop ones and those `Connection`
//! names) and body, framed by its `Content-Length`, never re-chunked. A
//! fixture backend behind the proxy keeps the raw request it received.

use super::driver::Driver;
use super::recorder::Recorder;
use super::session::Session;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One HTTP/1.1 message as it was on the wire: the start line, the header
/// fields in order (names lower-cased) and the body, de-chunked when it
/// came chunked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Message {
    start: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The header fields sorted, `host` left out (the proxy addresses the
    /// backend, not itself).
    fn fields_but_host(&self) -> Vec<(String, String)> {
        let mut fields: Vec<_> = self
            .headers
            .iter()
            .filter(|(n, _)| n != "host")
            .cloned()
            .collect();
        fields.sort();
        fields
    }
}

/// Reads one message: head up to the blank line, then a body framed by
/// `Content-Length` or chunked, or none.
async fn read_message(reader: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Message> {
    let mut start = String::new();
    reader.read_line(&mut start).await?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 || line == "\r\n" {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| std::io::Error::other(format!("not a header field: {line:?}")))?;
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut message = Message {
        start: start.trim_end().to_owned(),
        headers,
        body: Vec::new(),
    };
    if let Some(length) = message.header("content-length") {
        let length: usize = length.parse().map_err(std::io::Error::other)?;
        message.body = vec![0; length];
        reader.read_exact(&mut message.body).await?;
    } else if message
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).await?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                .map_err(std::io::Error::other)?;
            if size == 0 {
                let mut trailer = String::new();
                while reader.read_line(&mut trailer).await? > 0 && trailer != "\r\n" {
                    trailer.clear();
                }
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await?;
            message.body.extend_from_slice(&chunk[..size]);
        }
    }
    Ok(message)
}

const PAGE: &str = "<!doctype html><title>fixture</title><p>fixture page</p>";

/// A backend that keeps every request it receives, answers each with a
/// short text and CORS headers that allow the browser's `fetch`, and
/// closes the connection. `GET /page` is an HTML page to start from.
struct Backend {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Message>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Backend {
    async fn start() -> Backend {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("its address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let mut stream = BufReader::new(stream);
                    let Ok(request) = read_message(&mut stream).await else {
                        return;
                    };
                    let (kind, body) = if request.start.starts_with("GET /page ") {
                        ("text/html", PAGE)
                    } else {
                        ("text/plain", "ok")
                    };
                    log.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(request);
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\n\
                         access-control-allow-origin: *\r\n\
                         access-control-allow-methods: GET, POST, PUT, PATCH, DELETE\r\n\
                         access-control-allow-headers: content-type, authorization\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.get_mut().write_all(answer.as_bytes()).await;
                    let _ = stream.get_mut().shutdown().await;
                });
            }
        });
        Backend {
            addr,
            received,
            task,
        }
    }

    fn received(&self) -> Vec<Message> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Sends `head` + `body` through the proxy on a fresh connection, as a
/// browser writes it, and reads the answer whole.
async fn send_raw(proxy: &str, head: &str, body: &[u8]) -> Message {
    let address = proxy.trim_start_matches("http://");
    let stream = TcpStream::connect(address)
        .await
        .expect("the proxy accepts");
    let mut stream = BufReader::new(stream);
    let mut bytes = head.replace('\n', "\r\n").into_bytes();
    bytes.extend_from_slice(body);
    stream
        .get_mut()
        .write_all(&bytes)
        .await
        .expect("the request is written");
    tokio::time::timeout(Duration::from_secs(10), read_message(&mut stream))
        .await
        .expect("the proxy answers within 10 s")
        .expect("an HTTP answer")
}

/// What the backend must receive for a request sent with these header
/// fields: the same, less the hop-by-hop fields and those `Connection`
/// names.
fn forwarded_fields(sent: &Message) -> Vec<(String, String)> {
    const HOP_BY_HOP: [&str; 7] = [
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ];
    let named: Vec<String> = sent
        .headers
        .iter()
        .filter(|(n, _)| n == "connection")
        .flat_map(|(_, v)| v.split(',').map(|t| t.trim().to_ascii_lowercase()))
        .collect();
    let mut fields: Vec<_> = sent
        .fields_but_host()
        .into_iter()
        .filter(|(n, _)| !HOP_BY_HOP.contains(&n.as_str()) && !named.contains(n))
        .collect();
    fields.sort();
    fields
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_reaches_the_backend_as_the_browser_sent_it() {
    let backend = Backend::start().await;
    let recorder = Recorder::start(format!("http://{}", backend.addr))
        .await
        .expect("the proxy starts");
    let proxy = recorder.url().replace("localhost", "127.0.0.1");
    let host = proxy.trim_start_matches("http://").to_owned();
    let json = br#"{"email":"ada@example.com","password":"correct horse battery"}"#;
    let cases: Vec<(&str, String, &[u8])> = vec![
        (
            "a POST with a JSON body and its Content-Length",
            format!(
                "POST /auth/register?from=form HTTP/1.1\nHost: {host}\nConnection: keep-alive\n\
                 Content-Length: {}\nContent-Type: application/json\nAccept: application/json\n\
                 Origin: http://localhost:5173\nReferer: http://localhost:5173/signup\n\
                 Accept-Language: en-GB,en;q=0.9\nAuthorization: Bearer a.b.c\n\n",
                json.len()
            ),
            json,
        ),
        (
            "an OPTIONS preflight with no body",
            format!(
                "OPTIONS /auth/register HTTP/1.1\nHost: {host}\nConnection: keep-alive\n\
                 Accept: */*\nAccess-Control-Request-Method: POST\n\
                 Access-Control-Request-Headers: authorization,content-type\n\
                 Origin: http://localhost:5173\nSec-Fetch-Mode: cors\n\n"
            ),
            b"",
        ),
        (
            "a request whose Connection header names another header",
            format!(
                "PATCH /documents/7 HTTP/1.1\nHost: {host}\nConnection: keep-alive, X-Secret-Hop\n\
                 X-Secret-Hop: only for the first hop\nKeep-Alive: timeout=5\n\
                 Proxy-Connection: keep-alive\nTE: trailers\nContent-Type: application/json\n\
                 Content-Length: 2\nAccept: */*\nX-Kept: twice\nX-Kept: in order\n\n"
            ),
            b"{}",
        ),
        (
            "a POST with an empty body",
            format!(
                "POST /auth/logout HTTP/1.1\nHost: {host}\nContent-Length: 0\nAccept: */*\n\
                 Origin: http://localhost:5173\n\n"
            ),
            b"",
        ),
        (
            "a GET",
            format!(
                "GET /auth/me HTTP/1.1\nHost: {host}\nAccept: */*\nAuthorization: Bearer a.b.c\n\n"
            ),
            b"",
        ),
    ];
    for (what, head, body) in &cases {
        let before = backend.received().len();
        let answer = send_raw(&proxy, head, body).await;
        assert!(answer.start.contains(" 200 "), "{what}: {answer:?}");
        let received = backend.received();
        assert_eq!(
            received.len(),
            before + 1,
            "{what}: one request reaches the backend"
        );
        let got = &received[before];
        let sent = read_message(&mut BufReader::new(
            [head.replace('\n', "\r\n").as_bytes(), body]
                .concat()
                .as_slice(),
        ))
        .await
        .expect("the request as sent");
        assert_eq!(got.start, sent.start, "{what}: method, target and version");
        assert_eq!(got.body, sent.body, "{what}: the body's bytes");
        assert_eq!(got.header("transfer-encoding"), None, "{what}: {got:?}");
        assert_eq!(
            got.header("content-length"),
            sent.header("content-length"),
            "{what}: Content-Length as sent, {} bytes",
            body.len()
        );
        assert_eq!(
            got.header("host"),
            Some(backend.addr.to_string().as_str()),
            "{what}"
        );
        assert_eq!(got.fields_but_host(), forwarded_fields(&sent), "{what}");
    }
    let recorded: Vec<_> = recorder
        .all_entries()
        .into_iter()
        .map(|e| (e.method, e.path, e.status))
        .collect();
    assert_eq!(
        recorded,
        [
            ("POST", "/auth/register"),
            ("OPTIONS", "/auth/register"),
            ("PATCH", "/documents/7"),
            ("POST", "/auth/logout"),
            ("GET", "/auth/me"),
        ]
        .map(|(m, p)| (m.to_owned(), p.to_owned(), Some(200)))
    );
}

/// Chromium's own `fetch`, a preflight and then a POST, through the proxy:
/// what the recorder saw the browser send is what the backend received.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chromium_fetch_reaches_the_backend_as_the_browser_sent_it() {
    let backend = Backend::start().await;
    let recorder = Recorder::start(format!("http://{}", backend.addr))
        .await
        .expect("the proxy starts");
    let driver = Driver::start().await.expect("chromedriver and Chromium");
    let session = Session::open(&driver).await.expect("a browser");
    let page_origin = format!("http://{}", backend.addr);
    session
        .client
        .goto(&format!("{page_origin}/page"))
        .await
        .expect("the fixture page opens");
    let body = r#"{"question":"why does the garden grow?","n":1}"#;
    let outcome = session
        .client
        .execute_async(
            "const [url, body, done] = arguments;
             fetch(url, { method: 'POST', body,
                          headers: { 'Content-Type': 'application/json',
                                     'Authorization': 'Bearer not-a-jwt' } })
               .then(r => r.text()).then(t => done('answer: ' + t), e => done('error: ' + e));",
            vec![
                format!("{}/chat/ask?doc=7", recorder.url()).into(),
                body.into(),
            ],
        )
        .await
        .expect("the script runs");
    session.close().await;
    assert_eq!(outcome.as_str(), Some("answer: ok"));

    let seen = recorder.all_entries();
    let received: Vec<Message> = backend
        .received()
        .into_iter()
        .filter(|m| m.start.contains(" /chat/"))
        .collect();
    let methods: Vec<_> = seen.iter().map(|e| e.method.as_str()).collect();
    assert_eq!(methods, ["OPTIONS", "POST"], "a preflight, then the POST");
    assert_eq!(received.len(), 2, "{received:#?}");
    for (entry, got) in seen.iter().zip(&received) {
        let what = &entry.method;
        assert_eq!(
            got.start,
            format!("{} /chat/ask?doc=7 HTTP/1.1", entry.method),
            "{what}"
        );
        assert_eq!(got.header("origin"), entry.origin.as_deref(), "{what}");
        assert_eq!(got.header("origin"), Some(page_origin.as_str()), "{what}");
        assert_eq!(
            got.header("access-control-request-method"),
            entry.request_method.as_deref(),
            "{what}"
        );
        assert_eq!(
            got.header("access-control-request-headers"),
            entry.request_headers.as_deref(),
            "{what}"
        );
        assert_eq!(got.header("transfer-encoding"), None, "{what}: {got:?}");
    }
    let (preflight, post) = (&received[0], &received[1]);
    assert_eq!(preflight.header("content-length"), None, "{preflight:?}");
    assert!(preflight.body.is_empty());
    assert_eq!(
        post.header("content-length"),
        Some(body.len().to_string().as_str())
    );
    assert_eq!(post.body, body.as_bytes());
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(preflight.header("authorization"), None);
    assert_eq!(seen[0].authorization, None);
    assert_eq!(post.header("authorization"), Some("Bearer not-a-jwt"));
    assert_eq!(
        seen[1].authorization.as_deref(),
        Some(r#"Bearer "not-a-jwt""#)
    );
}
