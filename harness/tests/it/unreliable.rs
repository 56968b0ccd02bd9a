//! Subjects that are not where the suite assumes: nothing listening, behind
//! TLS, exiting in the middle of a run, never answering a request, closing
//! connections. A connection that could not be made, or that the subject
//! closed, is never by itself evidence against a rule: each test here
//! failed before the harness watched its subject and sorted missing answers.
//!
//! The subjects are the fixture `misbehaving.py`, a proxy in front of a
//! working reference that misbehaves on the routes it is told, and a TLS
//! terminator made here with a certificate `rcgen` makes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use conformance::outcome::{RunOutcome, ScenarioResult, Verdict};
use conformance::rules::Catalogue;
use conformance::run::{Silent, SuiteError, SuiteOptions, plan_and_run};
use conformance::scenario::load::{LoadedScenario, load_bytes};
use conformance::services::{DockerOptions, ServicesMode};
use conformance::status::Status;
use conformance::subject::managed::ManagedSubject;
use conformance::subject::spec::{Launch, SubjectSpec};

use super::support::{reference_with_services, scenarios_named};

/// The origin the upstream reference allows (`CORS_ORIGIN`).
const ORIGIN: &str = "http://localhost:5999";

fn misbehaving_py() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/subjects/misbehaving.py"
    ))
}

/// A working reference (with its services) for a proxy to stand before.
struct Upstream {
    _services: conformance::services::Services,
    subject: ManagedSubject,
    secret: String,
}

async fn upstream() -> Upstream {
    let secret = format!("unreliable-{}", uuid::Uuid::new_v4().simple());
    let (services, subject) = reference_with_services(&secret, &origin_env()).await;
    Upstream {
        _services: services,
        subject,
        secret,
    }
}

fn origin_env() -> BTreeMap<String, String> {
    BTreeMap::from([("CORS_ORIGIN".to_owned(), ORIGIN.to_owned())])
}

/// `misbehaving.py` run by the test, in front of `upstream`.
struct Proxy {
    child: tokio::process::Child,
    port: u16,
    output: PathBuf,
    _dir: tempfile::TempDir,
}

impl Proxy {
    async fn start(upstream: &Upstream, misbehave: &str) -> Proxy {
        let port = free_port();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let output = dir.path().join("output.txt");
        let file = std::fs::File::create(&output).expect("the output file");
        let child = tokio::process::Command::new("python3")
            .arg(misbehaving_py())
            .env("PORT", port.to_string())
            .env("UPSTREAM", upstream.subject.base_url())
            .env("MISBEHAVE", misbehave)
            .stdout(Stdio::from(file))
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs the fixture (install python3)");
        wait_for_port(port).await;
        Proxy {
            child,
            port,
            output,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.output).unwrap_or_default()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

async fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("nothing listens on port {port} after 5 s");
}

fn url_subject(url: String, upstream: &Upstream) -> SubjectSpec {
    SubjectSpec::Url {
        backend_url: url,
        jwt_secret: Some(upstream.secret.clone()),
        allowed_origin: ORIGIN.to_owned(),
    }
}

fn options(subject: SubjectSpec, concurrency: usize) -> SuiteOptions {
    SuiteOptions {
        services: ServicesMode::Auto,
        docker: DockerOptions::default(),
        subject,
        strict: false,
        concurrency,
        browser_lanes: conformance::run::DEFAULT_BROWSER_LANES,
        require_browser: false,
        tls: Default::default(),
        artifacts: std::env::temp_dir().join("conformance-test-artifacts"),
    }
}

async fn run(
    scenarios: &[LoadedScenario],
    options: &SuiteOptions,
) -> Result<RunOutcome, SuiteError> {
    let catalogue = Catalogue::builtin().expect("catalogue");
    plan_and_run(scenarios, &catalogue, options, &Silent).await
}

/// A scenario made here (`name` is its file name without `.toml`).
fn scenario(name: &str, text: &str) -> LoadedScenario {
    let catalogue = Catalogue::builtin().expect("catalogue");
    load_bytes(
        Path::new(&format!("{name}.toml")),
        text.as_bytes(),
        &catalogue,
    )
    .expect("the test's scenario loads")
}

fn result<'a>(outcome: &'a RunOutcome, name: &str) -> &'a ScenarioResult {
    outcome
        .scenarios
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no result for {name}"))
}

fn text(result: &ScenarioResult) -> String {
    serde_json::to_string(result).expect("a result serializes")
}

fn status(outcome: &RunOutcome, rule: &str) -> Status {
    outcome
        .rules
        .iter()
        .find(|r| r.id == rule)
        .map(|r| r.status)
        .unwrap_or_else(|| panic!("no verdict for {rule}"))
}

fn summary(outcome: &RunOutcome) -> String {
    conformance::report::console::render(outcome)
}

/// Scenarios that run on the shared subject, need no forged token, and
/// reach the route `doc-2-foreign-document-404` alone uses.
const SHARED: &[&str] = &[
    "doc-1-own-documents-listed",
    "doc-2-foreign-document-404",
    "log-1-correct-credentials",
    "reg-1-new-email-registers",
    "tok-1-valid-bearer",
];

/// The route of `doc-2-foreign-document-404`'s step 6 alone.
const MISSING_DOCUMENT: &str = "GET /documents/00000000-0000-4000-8000-000000000000";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_is_no_verdict_but_one_line_naming_the_url() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["run", "--subject", "url", "--backend-url", &url])
        .output()
        .await
        .expect("the CLI runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(&url) && stderr.contains("nothing accepts connections"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("FAIL") && !stdout.contains("RULE"),
        "no verdict: {stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_does_not_resolve_is_named_as_such() {
    let options = options(
        SubjectSpec::Url {
            backend_url: "http://no-such-host.invalid:3000".to_owned(),
            jwt_secret: None,
            allowed_origin: ORIGIN.to_owned(),
        },
        2,
    );
    let error = run(&scenarios_named(&["tok-1-valid-bearer"]), &options)
        .await
        .expect_err("nothing to reach");
    let line = error.to_string();
    assert!(matches!(error, SuiteError::Unreachable(_)), "{line}");
    assert!(line.contains("does not resolve"), "{line}");
}

/// A CA, and a certificate for `localhost` and `127.0.0.1` it signed, as PEM.
struct Certificates {
    ca: String,
    leaf: String,
    key: String,
}

fn certificates() -> Certificates {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::new()).expect("CA parameters");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "conformance test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("a CA key"))
        .expect("the CA certificate");
    let key = KeyPair::generate().expect("a key");
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("leaf parameters")
        .signed_by(&key, &ca)
        .expect("the leaf certificate");
    Certificates {
        ca: ca.pem(),
        leaf: leaf.pem(),
        key: key.serialize_pem(),
    }
}

/// A TLS terminator on a local port in front of `upstream` (plain TCP), as
/// a load balancer stands in front of a staging deployment; its port.
async fn tls_terminator(certs: &Certificates, upstream: String) -> u16 {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let chain = vec![CertificateDer::from_pem_slice(certs.leaf.as_bytes()).expect("leaf PEM")];
    let key = PrivateKeyDer::from_pem_slice(certs.key.as_bytes()).expect("key PEM");
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("a TLS server configuration");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("its address").port();
    let upstream = upstream.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

/// The reference behind a TLS terminator whose certificate a CA of the
/// test's own signed.
struct TlsSubject {
    upstream: Upstream,
    /// Holds `ca_file`.
    dir: tempfile::TempDir,
    /// The CA's certificate (PEM).
    ca_file: PathBuf,
    /// `https://localhost:PORT`.
    url: String,
}

async fn tls_subject() -> TlsSubject {
    let upstream = upstream().await;
    let certs = certificates();
    let port = tls_terminator(&certs, upstream.subject.base_url().to_owned()).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &certs.ca).expect("the CA file");
    TlsSubject {
        upstream,
        dir,
        ca_file,
        url: format!("https://localhost:{port}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_subject_is_checked_with_its_ca_or_insecure_and_unreachable_without() {
    let TlsSubject {
        upstream,
        dir: _dir,
        ca_file,
        url,
    } = tls_subject().await;
    let scenarios = scenarios_named(&["reg-1-new-email-registers", "tok-1-valid-bearer"]);

    let mut untrusted = options(url_subject(url.clone(), &upstream), 2);
    let error = run(&scenarios, &untrusted)
        .await
        .expect_err("a certificate of an unknown CA is not trusted");
    let line = error.to_string();
    assert!(matches!(error, SuiteError::Unreachable(_)), "{line}");
    assert!(
        line.contains(&url) && line.contains("TLS handshake failed") && line.contains("--ca-cert"),
        "{line}"
    );

    untrusted.tls.ca_cert = Some(ca_file.clone());
    let outcome = run(&scenarios, &untrusted).await.expect("the suite runs");
    assert_eq!(outcome.exit_code(), 0, "{}", summary(&outcome));
    let tls = outcome.tls.clone().unwrap_or_default();
    assert!(tls.contains(&ca_file.display().to_string()), "{tls}");
    let json = serde_json::to_value(&outcome).expect("report.json");
    assert_eq!(json["tls"].as_str(), Some(tls.as_str()));

    let mut insecure = options(url_subject(url, &upstream), 2);
    insecure.tls.insecure = true;
    let outcome = run(&scenarios, &insecure).await.expect("the suite runs");
    assert_eq!(outcome.exit_code(), 0, "{}", summary(&outcome));
    assert!(
        outcome
            .tls
            .as_deref()
            .unwrap_or_default()
            .contains("NOT verified"),
        "{:?}",
        outcome.tls
    );
}

/// The platform's root certificates are trusted with no option: here the
/// CA is the only one the platform has (`SSL_CERT_FILE`, read as OpenSSL
/// reads it), and `conformance run` reaches the subject and passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_subject_signed_by_a_ca_of_the_platform_is_trusted_without_options() {
    let TlsSubject {
        upstream,
        dir,
        ca_file,
        url,
    } = tls_subject().await;
    let reports = dir.path().join("reports");
    let cli = |roots: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_conformance"))
            .args(["run", "--subject", "url", "--backend-url", &url])
            .args(["--jwt-secret", &upstream.secret, "--allowed-origin", ORIGIN])
            .args(["--filter", "reg-1-new-email-registers", "--report-dir"])
            .arg(&reports)
            .env("SSL_CERT_FILE", roots)
            .env("SSL_CERT_DIR", dir.path().join("no-such-directory"))
            .output()
            .expect("conformance runs")
    };

    let trusted = cli(&ca_file);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&trusted.stdout),
        String::from_utf8_lossy(&trusted.stderr)
    );
    assert_eq!(trusted.status.code(), Some(0), "{said}");
    assert!(said.contains("REG-1") && said.contains("pass"), "{said}");

    // Without that CA among the platform's roots, the same run cannot reach it.
    let untrusted = cli(&dir.path().join("no-such-file.pem"));
    let said = String::from_utf8_lossy(&untrusted.stderr);
    assert_eq!(untrusted.status.code(), Some(2), "{said}");
    assert!(said.contains("TLS handshake failed"), "{said}");
}

/// The proxy as a managed subject: the harness starts it (and starts it
/// again), it forwards to `upstream`.
fn managed_proxy(upstream: &Upstream, misbehave: &str) -> SubjectSpec {
    let mut launch = Launch::command(
        &format!("exec python3 {}", misbehaving_py().display()),
        None,
    );
    launch.description = format!("misbehaving.py ({misbehave})");
    launch.env.insert(
        "UPSTREAM".to_owned(),
        upstream.subject.base_url().to_owned(),
    );
    launch
        .env
        .insert("MISBEHAVE".to_owned(), misbehave.to_owned());
    launch
        .env
        .insert("CORS_ORIGIN".to_owned(), ORIGIN.to_owned());
    SubjectSpec::Managed(launch)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subject_that_exits_fails_the_step_that_brought_it_down_and_is_started_again() {
    let upstream = upstream().await;
    let options = options(
        managed_proxy(&upstream, &format!("exit {MISSING_DOCUMENT}")),
        1,
    );
    let outcome = run(&scenarios_named(SHARED), &options)
        .await
        .expect("the suite runs");
    let report = summary(&outcome);
    let culprit = result(&outcome, "doc-2-foreign-document-404");
    assert_eq!(culprit.verdict, Verdict::Fail, "{report}");
    let said = text(culprit);
    assert!(
        said.contains("the subject exited with code 7 during step 6")
            && said.contains("an exception was thrown outside any handler"),
        "{said}"
    );
    assert_eq!(status(&outcome, "DOC-2"), Status::Fail, "{report}");
    // One at a time: nobody else was in the air; the scenarios after it
    // ran on the subject started again.
    for name in SHARED
        .iter()
        .filter(|n| **n != "doc-2-foreign-document-404")
    {
        assert_eq!(
            result(&outcome, name).verdict,
            Verdict::Pass,
            "{name}: {report}"
        );
    }
    assert_eq!(outcome.restarts, 1, "{report}");
    assert_eq!(outcome.went_down.len(), 1, "{report}");
    assert!(
        outcome.went_down[0].contains("doc-2-foreign-document-404 step 6"),
        "{:?}",
        outcome.went_down
    );
    assert!(report.contains("started again 1 time(s)"), "{report}");
}

/// Waits on a request the proxy never answers, so that it is in the air
/// when the other scenario brings the subject down.
const BYSTANDER: &str = r#"
title = "A request in the air when another scenario brings the subject down"
rules = ["TOK-1"]

[[steps]]
setup = "REG-1"
[steps.request]
method = "POST"
path = "/auth/register"
json = { email = "${email}", password = "${password}" }
expect = { status = 201 }
capture = { token = "/accessToken" }

[[steps]]
[steps.request]
path = "/auth/me"
bearer = "${token}"
expect = { status = 200 }
"#;

/// Brings the subject down, once the bystander's request is in the air.
const CULPRIT: &str = r#"
title = "A request that brings the subject down"
rules = ["DOC-2"]

[[steps]]
sleep = { ms = 1500 }

[[steps]]
setup = "REG-1"
[steps.request]
method = "POST"
path = "/auth/register"
json = { email = "${email}", password = "${password}" }
expect = { status = 201 }
capture = { token = "/accessToken" }

[[steps]]
[steps.request]
path = "/documents/00000000-0000-4000-8000-000000000000"
bearer = "${token}"
expect = { status = 404 }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_in_the_air_when_the_subject_exits_is_blocked_naming_the_culprit() {
    let upstream = upstream().await;
    let options = options(
        managed_proxy(
            &upstream,
            &format!("hang GET /auth/me; exit {MISSING_DOCUMENT}"),
        ),
        2,
    );
    let scenarios = vec![
        scenario("a-bystander", BYSTANDER),
        scenario("b-culprit", CULPRIT),
    ];
    let outcome = run(&scenarios, &options).await.expect("the suite runs");
    let report = summary(&outcome);
    assert_eq!(
        result(&outcome, "b-culprit").verdict,
        Verdict::Fail,
        "{report}"
    );
    let Verdict::Blocked(blocked) = &result(&outcome, "a-bystander").verdict else {
        panic!("the bystander is blocked: {report}");
    };
    assert_eq!(blocked.rule, "DOC-2", "{report}");
    assert_eq!(blocked.step, 2, "{report}");
    assert!(
        blocked
            .label
            .contains("exited with code 7 during b-culprit step 3"),
        "{}",
        blocked.label
    );
    assert_eq!(status(&outcome, "TOK-1"), Status::Blocked, "{report}");
    assert_eq!(status(&outcome, "DOC-2"), Status::Fail, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_subject_that_stops_answering_fails_the_culprit_and_blocks_the_rest() {
    let upstream = upstream().await;
    let proxy = Proxy::start(&upstream, &format!("exit {MISSING_DOCUMENT}")).await;
    let options = options(url_subject(proxy.url(), &upstream), 1);
    let outcome = run(&scenarios_named(SHARED), &options)
        .await
        .expect("the suite runs");
    let report = summary(&outcome);
    assert_eq!(
        result(&outcome, "doc-1-own-documents-listed").verdict,
        Verdict::Pass,
        "{report}"
    );
    let culprit = text(result(&outcome, "doc-2-foreign-document-404"));
    assert!(
        culprit.contains("the subject stopped answering during step 6"),
        "{culprit}"
    );
    for name in [
        "log-1-correct-credentials",
        "reg-1-new-email-registers",
        "tok-1-valid-bearer",
    ] {
        let Verdict::Blocked(blocked) = &result(&outcome, name).verdict else {
            panic!("{name} is blocked: {report}");
        };
        assert_eq!(blocked.rule, "DOC-2", "{name}: {report}");
        assert!(
            blocked
                .label
                .contains("stopped answering during doc-2-foreign-document-404 step 6"),
            "{}",
            blocked.label
        );
    }
    assert_eq!(outcome.restarts, 0, "a URL subject is never started again");
    assert_eq!(outcome.exit_code(), 1, "{report}");
}

/// `tok-1`'s check, with a deadline a hanging subject makes it miss.
const IMPATIENT: &str = r#"
title = "GET /auth/me answers within half a second"
rules = ["TOK-1"]

[[steps]]
setup = "REG-1"
[steps.request]
method = "POST"
path = "/auth/register"
json = { email = "${email}", password = "${password}" }
expect = { status = 201 }
capture = { token = "/accessToken" }

[[steps]]
[steps.request]
path = "/auth/me"
bearer = "${token}"
timeout_ms = 500
expect = { status = 200 }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_subject_never_answers_fails_its_step_at_its_deadline() {
    let upstream = upstream().await;
    let proxy = Proxy::start(&upstream, "hang GET /auth/me").await;
    let options = options(url_subject(proxy.url(), &upstream), 4);
    let mut scenarios =
        scenarios_named(&["reg-1-new-email-registers", "doc-1-own-documents-listed"]);
    scenarios.push(scenario("impatient", IMPATIENT));
    let outcome = run(&scenarios, &options).await.expect("the suite runs");
    let report = summary(&outcome);
    let impatient = result(&outcome, "impatient");
    assert_eq!(impatient.verdict, Verdict::Fail, "{report}");
    assert!(report.contains("an answer within 500 ms"), "{report}");
    assert!(impatient.millis < 5_000, "{} ms", impatient.millis);
    for name in ["reg-1-new-email-registers", "doc-1-own-documents-listed"] {
        assert_eq!(
            result(&outcome, name).verdict,
            Verdict::Pass,
            "{name}: {report}"
        );
    }
}

/// The shared scenarios through a proxy whose connections misbehave as
/// `rule` says, `concurrency` at once: they all pass, and at least
/// `at_least` requests were dropped on kept connections and sent again.
async fn dropped_requests_are_sent_again(rule: &str, concurrency: usize, at_least: usize) {
    let upstream = upstream().await;
    let proxy = Proxy::start(&upstream, rule).await;
    let options = options(url_subject(proxy.url(), &upstream), concurrency);
    let outcome = run(&scenarios_named(SHARED), &options)
        .await
        .expect("the suite runs");
    let report = summary(&outcome);
    let dropped = proxy.output().matches("drop-next dropped").count();
    assert!(dropped >= at_least, "{dropped} dropped: {}", proxy.output());
    assert_eq!(outcome.exit_code(), 0, "{dropped} dropped; {report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_connection_the_subject_dropped_is_sent_again() {
    dropped_requests_are_sent_again("drop-next POST /auth/register", 1, 1).await;
}

/// Every connection answers one request and drops the next: with four
/// scenarios at once the client keeps several connections, all of them
/// stale. A request sent again on another kept one was dropped again, and
/// the step failed although the subject answers every request that comes
/// on a new connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_sent_again_goes_out_on_a_new_connection() {
    dropped_requests_are_sent_again("drop-next * /", 4, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_reset_on_every_attempt_fails_that_step_alone() {
    let upstream = upstream().await;
    let proxy = Proxy::start(&upstream, "close GET /auth/me").await;
    let options = options(url_subject(proxy.url(), &upstream), 4);
    let outcome = run(&scenarios_named(SHARED), &options)
        .await
        .expect("the suite runs");
    let report = summary(&outcome);
    let tok1 = result(&outcome, "tok-1-valid-bearer");
    assert_eq!(tok1.verdict, Verdict::Fail, "{report}");
    let said = text(tok1);
    assert!(
        said.contains("dropped before the whole answer") && said.contains("sent twice"),
        "{said}"
    );
    assert_eq!(proxy.output().matches("close on GET /auth/me").count(), 2);
    for name in SHARED.iter().filter(|n| **n != "tok-1-valid-bearer") {
        assert_eq!(
            result(&outcome, name).verdict,
            Verdict::Pass,
            "{name}: {report}"
        );
    }
}
