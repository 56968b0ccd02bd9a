//! The HTTP client the harness talks to subjects with, over plain HTTP or
//! TLS (rustls, the platform's root certificates, a CA of the user's own
//! with `--ca-cert`, or none at all with `--insecure`), and the one check
//! that the subject can be reached before any scenario runs.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// How long an idle keep-alive connection is kept for reuse: less than the
/// servers' own idle timeouts (Node's and uvicorn's are 5 s), so that the
/// harness never sends a request on a connection the subject is closing at
/// that moment (the request would be reset: a false failure).
pub(crate) const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long reaching the subject before the run may take.
const REACH_WITHIN: Duration = Duration::from_secs(10);

/// How the harness trusts a subject's TLS certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tls {
    /// A CA certificate (PEM) trusted besides the platform's roots, for a
    /// subject behind a private CA.
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate, a self-signed one included: the connection
    /// is encrypted but the subject is not authenticated.
    pub insecure: bool,
}

impl Tls {
    /// One line for the run's header and `report.json`.
    pub fn describe(&self) -> String {
        match (&self.ca_cert, self.insecure) {
            (_, true) => "TLS: certificates are NOT verified (--insecure)".to_owned(),
            (Some(ca), false) => format!(
                "TLS: certificates verified against the platform's roots and {}",
                ca.display()
            ),
            (None, false) => "TLS: certificates verified against the platform's roots".to_owned(),
        }
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The `--ca-cert` file could not be read.
    #[error("cannot read the CA certificate {path}: {source}")]
    ReadCa {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The `--ca-cert` file is not a PEM certificate.
    #[error("{path} is not a PEM certificate: {source}")]
    ParseCa {
        /// The file.
        path: PathBuf,
        /// Why.
        source: reqwest::Error,
    },
    /// reqwest refused the configuration.
    #[error("cannot build the HTTP client: {0}")]
    Build(#[from] reqwest::Error),
}

/// Installs the process's TLS crypto provider (ring), once: reqwest and
/// every other rustls user of the process take it.
fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Another part of the process may have installed one first: that
        // one then serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// `builder` with the process's TLS provider, trusting the platform's root
/// certificates, read once per process: reqwest's own platform verifier
/// reads and parses them (some 150 PEM certificates) for every client, and
/// the harness builds one for each subject it starts and each browser
/// scenario (over a kill matrix, the harness took 37 s of CPU instead of
/// 53 s). Where the platform has none, plain HTTP works all the same and a
/// TLS handshake fails naming the certificate, where reqwest's verifier
/// refused to build any client.
pub(crate) fn with_platform_roots(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    static ROOTS: OnceLock<Vec<reqwest::Certificate>> = OnceLock::new();
    install_tls_provider();
    let roots = ROOTS.get_or_init(|| {
        rustls_native_certs::load_native_certs()
            .certs
            .iter()
            .filter_map(|der| reqwest::Certificate::from_der(der).ok())
            .collect()
    });
    builder.tls_certs_only(roots.iter().cloned())
}

/// Builds a client for one subject process: no redirects (a scenario checks
/// the answer itself), a bounded connect time, and its own connection pool,
/// so that requests to a restarted subject never ride a connection opened
/// to its earlier process. Answers compressed with gzip, deflate or Brotli
/// are decoded, as a browser decodes them.
pub(crate) fn http_client() -> reqwest::Result<reqwest::Client> {
    builder().build()
}

/// Like [`http_client`], trusting certificates as `tls` says.
pub(crate) fn http_client_with(tls: &Tls) -> Result<reqwest::Client, ClientError> {
    trusting(builder(), tls)
}

/// Like [`http_client_with`], but keeping no connection: each request
/// opens its own. A request sent again because its first attempt got no
/// answer goes through it, so that the second attempt never rides another
/// kept connection that the subject closed as well.
pub(crate) fn fresh_client_with(tls: &Tls) -> Result<reqwest::Client, ClientError> {
    trusting(builder().pool_max_idle_per_host(0), tls)
}

/// `builder`, trusting certificates as `tls` says.
fn trusting(
    mut builder: reqwest::ClientBuilder,
    tls: &Tls,
) -> Result<reqwest::Client, ClientError> {
    if let Some(path) = &tls.ca_cert {
        let pem = std::fs::read(path).map_err(|source| ClientError::ReadCa {
            path: path.clone(),
            source,
        })?;
        let cert = reqwest::Certificate::from_pem(&pem).map_err(|source| ClientError::ParseCa {
            path: path.clone(),
            source,
        })?;
        builder = builder.add_root_certificate(cert);
    }
    if tls.insecure {
        builder = builder.tls_danger_accept_invalid_certs(true);
    }
    Ok(builder.build()?)
}

fn builder() -> reqwest::ClientBuilder {
    with_platform_roots(reqwest::Client::builder())
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(64)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
}

/// Why the subject could not be reached at all: no rule was checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{url}: {what} ({detail}); {hint}")]
pub struct Unreachable {
    /// The URL tried.
    pub url: String,
    /// What failed, in a few words.
    pub what: &'static str,
    /// The client's own words.
    pub detail: String,
    /// What to check.
    pub hint: &'static str,
}

/// Reaches `base_url` once (`GET /health`; any answer will do): the run
/// starts only when the subject answers at all.
pub(crate) async fn reach(client: &reqwest::Client, base_url: &str) -> Result<(), Unreachable> {
    let url = format!("{}/health", base_url.trim_end_matches('/'));
    match client.get(&url).timeout(REACH_WITHIN).send().await {
        Ok(_) => Ok(()),
        Err(e) => Err(unreachable(base_url, &e)),
    }
}

/// Sorts a failure to reach the subject into what a user checks next.
fn unreachable(url: &str, e: &reqwest::Error) -> Unreachable {
    let detail = crate::run::exchange::error_chain(e);
    let lower = detail.to_ascii_lowercase();
    let (what, hint) = if e.is_timeout() {
        (
            "no answer in time",
            "check that the URL's host and port are the subject's and that nothing between drops the connection",
        )
    } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
        (
            "its host name does not resolve",
            "check the host name in the URL",
        )
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        (
            "the TLS handshake failed",
            "for a private CA pass it with --ca-cert FILE; for a self-signed certificate --insecure (the report says so); for plain HTTP use http://",
        )
    } else if lower.contains("connection refused") {
        (
            "nothing accepts connections there",
            "check the port in the URL, and that the subject is running",
        )
    } else if lower.contains("invalid url")
        || lower.contains("builder error")
        || lower.contains("relative url")
    {
        (
            "it is not a URL the harness can use",
            "give http:// or https://, a host and a port",
        )
    } else {
        (
            "the connection failed",
            "check the URL, and that the subject is running and reachable from here",
        )
    };
    Unreachable {
        url: url.to_owned(),
        what,
        detail,
        hint,
    }
}
