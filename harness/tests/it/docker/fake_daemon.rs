//! A Docker daemon that answers `GET /_ping` and lists no containers, and
//! never answers one chosen kind of request: a registry that stalls a pull,
//! or a daemon that stalls a container create. Served on a Unix socket in
//! a temp directory (or on a loopback TCP port), for a `conformance`
//! process given it as `DOCKER_HOST`.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, UnixListener};
use tokio::task::JoinHandle;

/// Which request never gets an answer.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stall {
    /// The image is missing and `POST /images/create` (the pull) hangs.
    Pull,
    /// The image is there and `POST /containers/create` hangs.
    Create,
}

/// The fake daemon; it stops when dropped.
pub(crate) struct FakeDaemon {
    _dir: tempfile::TempDir,
    docker_host: String,
    task: JoinHandle<()>,
}

impl FakeDaemon {
    /// Listens on a fresh socket. Needs a tokio runtime.
    pub(crate) fn start(stall: Stall) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("fake-docker-")
            .tempdir()
            .expect("a temp directory");
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).expect("the fake socket binds");
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, stall));
            }
        });
        Self {
            _dir: dir,
            docker_host: format!("unix://{}", socket.display()),
            task,
        }
    }

    /// Listens on a free port of 127.0.0.1, plain HTTP. Needs a runtime.
    pub(crate) async fn start_tcp(stall: Stall) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("the fake port binds");
        let address = listener.local_addr().expect("a local address");
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, stall));
            }
        });
        Self {
            _dir: tempfile::tempdir().expect("a temp directory"),
            docker_host: format!("tcp://{address}"),
            task,
        }
    }

    /// The value for `DOCKER_HOST`.
    pub(crate) fn docker_host(&self) -> String {
        self.docker_host.clone()
    }
}

impl Drop for FakeDaemon {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answers requests on one connection until it closes or a stalled one
/// comes (then holds the connection open, silent, until the client gives up).
async fn serve(stream: impl AsyncRead + AsyncWrite + Unpin, stall: Stall) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut body_length = 0_usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).await.unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                body_length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; body_length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let path = path.split('?').next().unwrap_or("");
        let answer = match (method, path, stall) {
            (_, p, _) if p.ends_with("/_ping") => (200, "text/plain", "OK"),
            ("GET", p, _) if p.ends_with("/containers/json") => (200, "application/json", "[]"),
            ("GET", p, Stall::Pull) if p.contains("/images/") => {
                (404, "application/json", r#"{"message":"No such image"}"#)
            }
            ("GET", p, Stall::Create) if p.contains("/images/") => (200, "application/json", "{}"),
            ("POST", p, Stall::Pull) if p.ends_with("/images/create") => {
                return std::future::pending().await;
            }
            ("POST", p, Stall::Create) if p.ends_with("/containers/create") => {
                return std::future::pending().await;
            }
            _ => (500, "application/json", r#"{"message":"not faked"}"#),
        };
        let (status, content_type, text) = answer;
        let response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        if reader
            .get_mut()
            .write_all(response.as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}
