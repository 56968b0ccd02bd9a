//! What every measurement needs first: one registered user with its token
//! and one document to chat about, made through the subject's own API.

use std::time::Duration;

use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};

use crate::run::exchange::error_chain;

/// The password of the benchmark's user (long enough for REG rules).
pub(crate) const PASSWORD: &str = "Bench-password-correct-horse";

/// The question every chat stream asks.
pub(crate) const QUESTION: &str = "How do gardens keep insights alive through seasons?";

/// The document the streams chat about: three long sentences that share
/// words with [`QUESTION`], so the answer is cut into a few dozen deltas and
/// a stream stays open long enough for thousands to overlap.
const DOCUMENT: &str = "Gardens keep insights alive through seasons when every gardener writes down what grew, what failed, which seeds came from where and how the soil changed after each long rain in spring and autumn. \
Insights from one garden travel to another garden when seasons of notes are shared openly, compared carefully, argued about kindly and kept alive in a place everybody can read without asking anybody first. \
Seasons change the gardens and the gardeners, so insights that are alive get revisited, corrected, extended and sometimes thrown away when the evidence of many seasons says they were wrong all along.";

/// Why the benchmark could not get going against the subject.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SetupError {
    /// The subject's URL is not an `http://` or `https://` URL.
    #[error("`{0}` is not an http:// or https:// URL with a host")]
    BadUrl(String),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// A setup request got no answer.
    #[error("{what} failed: {detail}; is the subject running at {base}?")]
    Unreachable {
        /// Which request.
        what: &'static str,
        /// The error chain.
        detail: String,
        /// The subject's base URL.
        base: String,
    },
    /// A setup request got an unexpected answer.
    #[error("{what} answered {status}, expected {expected}: {body}")]
    Refused {
        /// Which request.
        what: &'static str,
        /// The status it got.
        status: StatusCode,
        /// The status it wanted.
        expected: u16,
        /// The start of the body.
        body: String,
    },
    /// A setup answer lacked a field.
    #[error("{what} answered without `{field}` in its JSON body")]
    MissingField {
        /// Which request.
        what: &'static str,
        /// The JSON pointer looked for.
        field: &'static str,
    },
}

/// The user the benchmark acts as, and its document.
#[derive(Debug, Clone)]
pub(crate) struct BenchUser {
    /// The subject's base URL.
    pub(crate) base: Url,
    /// The user's email.
    pub(crate) email: String,
    /// A bearer token for it.
    pub(crate) token: String,
    /// The id of its document.
    pub(crate) document_id: String,
}

impl BenchUser {
    /// The URL of `path` on the subject.
    pub(crate) fn url(&self, path: &str) -> Url {
        join(&self.base, path)
    }
}

/// Parses the subject's base URL.
pub(crate) fn base_url(raw: &str) -> Result<Url, SetupError> {
    let url = Url::parse(raw).map_err(|_| SetupError::BadUrl(raw.to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(SetupError::BadUrl(raw.to_owned()));
    }
    Ok(url)
}

/// An HTTP/1.1 client (TLS for an `https://` subject) keeping up to
/// `idle_per_host` connections open.
pub(crate) fn client(idle_per_host: usize, timeout: Duration) -> Result<Client, SetupError> {
    crate::client::with_platform_roots(Client::builder())
        .http1_only()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(idle_per_host)
        .connect_timeout(timeout)
        .timeout(timeout)
        .build()
        .map_err(|e| SetupError::Client(error_chain(&e)))
}

/// Registers a fresh user and creates its document.
pub(crate) async fn prepare(client: &Client, base: &Url) -> Result<BenchUser, SetupError> {
    let email = format!("bench-{}@example.com", uuid::Uuid::new_v4().simple());
    let registered = call(
        "POST /auth/register",
        client
            .post(join(base, "/auth/register"))
            .json(&json!({ "email": email, "password": PASSWORD, "name": "Bench" })),
        201,
        base,
    )
    .await?;
    let token = field(&registered, "POST /auth/register", "/accessToken")?;
    let document = call(
        "POST /documents",
        client
            .post(join(base, "/documents"))
            .bearer_auth(&token)
            .json(&json!({ "title": "Seasons of insight", "content": DOCUMENT })),
        201,
        base,
    )
    .await?;
    let document_id = field(&document, "POST /documents", "/id")?;
    Ok(BenchUser {
        base: base.clone(),
        email,
        token,
        document_id,
    })
}

/// Sends one setup request and returns its JSON body if the status is `expected`.
async fn call(
    what: &'static str,
    request: reqwest::RequestBuilder,
    expected: u16,
    base: &Url,
) -> Result<Value, SetupError> {
    let unreachable = |e: reqwest::Error| SetupError::Unreachable {
        what,
        detail: error_chain(&e),
        base: base.to_string(),
    };
    let response = request.send().await.map_err(unreachable)?;
    let status = response.status();
    let body = response.text().await.map_err(unreachable)?;
    if status.as_u16() != expected {
        return Err(SetupError::Refused {
            what,
            status,
            expected,
            body: body.chars().take(300).collect(),
        });
    }
    Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn field(body: &Value, what: &'static str, pointer: &'static str) -> Result<String, SetupError> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or(SetupError::MissingField {
            what,
            field: pointer,
        })
}

/// `base` with `path` appended to its path (a base with a path prefix such
/// as `http://host/api` keeps it).
fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}{path}"));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_appended_to_the_base_path() {
        let root = base_url("http://127.0.0.1:3000").expect("valid");
        assert_eq!(
            join(&root, "/auth/me").as_str(),
            "http://127.0.0.1:3000/auth/me"
        );
        let prefixed = base_url("http://localhost:3000/api/").expect("valid");
        assert_eq!(
            join(&prefixed, "/auth/me").as_str(),
            "http://localhost:3000/api/auth/me"
        );
    }

    #[test]
    fn only_http_and_https_urls_are_accepted() {
        assert!(base_url("https://example.com").is_ok());
        assert!(base_url("ftp://example.com").is_err());
        assert!(base_url("localhost:3000").is_err());
        assert!(base_url("not a url").is_err());
    }
}
