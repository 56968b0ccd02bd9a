//! Subject profiles and implementations other than the reference: the
//! repository's reference profile runs, a profile whose backend exits or
//! never opens its port is a clear error within its deadline, a broken
//! profile is rejected with its position, and an independent fake backend
//! (wiremock) gets the rules it keeps passed and the rules it breaks failed.

use super::support::{all_scenarios, run};
use conformance::outcome::RunOutcome;
use conformance::rules::Catalogue;
use conformance::run::{Silent, SuiteOptions, plan_and_run};
use conformance::services::ServicesMode;
use conformance::status::Status;
use conformance::subject::profile;
use conformance::subject::spec::SubjectSpec;
use rstest::rstest;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/profiles"
    ))
    .join(name)
}

fn launch_of(file: &Path) -> SubjectSpec {
    let profile = profile::load(file).expect("the profile loads");
    let base = file.parent().expect("a directory").to_owned();
    SubjectSpec::Managed(profile.launch(PathBuf::from(env!("CARGO_BIN_EXE_conformance")), &base))
}

fn status(outcome: &RunOutcome, rule: &str) -> Status {
    outcome
        .rules
        .iter()
        .find(|r| r.id == rule)
        .map(|r| r.status)
        .expect("a rule of the catalogue")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_repository_reference_profile_passes() {
    let file = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../profiles/reference.toml"
    ));
    let scenarios: Vec<_> = all_scenarios()
        .into_iter()
        .filter(|s| {
            [
                "reg-1-new-email-registers",
                "cors-1-preflight",
                "sse-4-token-expires-mid-stream",
            ]
            .contains(&s.name.as_str())
        })
        .collect();
    let outcome = run(&scenarios, launch_of(&file)).await;
    assert!(
        outcome.subject.starts_with("reference server"),
        "{}",
        outcome.subject
    );
    assert_eq!(outcome.failed_rules(), Vec::<&str>::new());
    assert_eq!(status(&outcome, "SSE-4"), Status::Pass);
}

async fn start_error(file: &str) -> (String, Duration) {
    let scenarios: Vec<_> = all_scenarios()
        .into_iter()
        .filter(|s| s.name == "reg-1-new-email-registers")
        .collect();
    let options = SuiteOptions {
        services: ServicesMode::Auto,
        docker: conformance::services::DockerOptions::default(),
        subject: launch_of(&fixture(file)),
        strict: false,
        concurrency: 1,
        browser_lanes: conformance::run::DEFAULT_BROWSER_LANES,
        require_browser: true,
        tls: Default::default(),
        artifacts: std::env::temp_dir().join("conformance-test-artifacts"),
    };
    let catalogue = Catalogue::builtin().expect("catalogue");
    let started = Instant::now();
    let error = plan_and_run(&scenarios, &catalogue, &options, &Silent)
        .await
        .expect_err("the subject cannot start");
    (error.to_string(), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_exits_is_reported_with_its_status_and_output() {
    let (message, took) = start_error("exits.toml").await;
    assert!(message.contains("exited"), "{message}");
    assert!(message.contains("exit status: 3"), "{message}");
    assert!(message.contains("fatal: no database"), "{message}");
    assert!(
        took < Duration::from_secs(20),
        "it waited for the whole deadline: {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_never_opens_its_port_fails_at_its_deadline() {
    let (message, took) = start_error("silent.toml").await;
    assert!(message.contains("within 1.5s"), "{message}");
    assert!(message.contains("open port"), "{message}");
    assert!(
        took < Duration::from_secs(15),
        "the 1.5 s deadline was not kept: {took:?}"
    );
}

#[rstest]
#[case::both("both.toml", 3, 1, "exactly one of `reference = true`, `command")]
#[case::typo("typo.toml", 5, 1, "unknown field `ready_timout_ms`")]
#[case::missing_cwd(
    "missing-cwd.toml",
    5,
    7,
    "[backend] cwd = \"no/such/directory\": no such directory"
)]
#[case::missing_program(
    "missing-program.toml",
    4,
    12,
    "`no-such-program-of-the-suite` is not found (not on PATH"
)]
fn a_broken_profile_is_rejected_with_its_position(
    #[case] file: &str,
    #[case] line: usize,
    #[case] column: usize,
    #[case] message: &str,
) {
    let error = profile::load(&fixture(file)).expect_err("rejected");
    assert!(error.message.contains(message), "{error}");
    assert_eq!((error.line, error.column), (line, column), "{error}");
}

/// A fake backend that keeps the registration rules but protects nothing
/// and sends no CORS headers.
async fn fake_backend(secret: &str) -> MockServer {
    let server = MockServer::start().await;
    reference_server::auth::hs256::install();
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).expect("a non-empty key");
    Mock::given(method("POST"))
        .and(path("/auth/register"))
        .respond_with(move |request: &Request| {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let email = body["email"].as_str().unwrap_or_default().to_owned();
            let now = chrono::Utc::now().timestamp();
            let claims = json!({ "sub": "u-1", "iat": now, "exp": now + 604_800 });
            let token = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)
                .expect("signs");
            ResponseTemplate::new(201).set_body_json(json!({
                "accessToken": token,
                "user": { "id": "u-1", "email": email, "name": null },
            }))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/auth/me"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "u-1" })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/auth/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "anonymous" })))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_fake_gets_what_it_keeps_passed_and_what_it_breaks_failed() {
    let secret = "fake-backend-secret-0123456789abcdef";
    let server = fake_backend(secret).await;
    let subject = SubjectSpec::Url {
        backend_url: server.uri(),
        jwt_secret: Some(secret.to_owned()),
        allowed_origin: "http://localhost:5173".to_owned(),
    };
    let outcome = run(&all_scenarios(), subject).await;
    assert_eq!(
        status(&outcome, "REG-1"),
        Status::Pass,
        "registration is kept"
    );
    assert_eq!(
        status(&outcome, "LOG-1"),
        Status::Fail,
        "login does not exist"
    );
    assert_eq!(
        status(&outcome, "LOG-4"),
        Status::Blocked,
        "without a login, the token it would give is not checked"
    );
    assert_eq!(
        status(&outcome, "TOK-2"),
        Status::Fail,
        "/auth/me answers without a token"
    );
    assert_eq!(status(&outcome, "CORS-1"), Status::Fail, "no CORS headers");
    for rule in [
        "CFG-1", "CFG-2", "REG-4", "TOK-6", "TOK-7", "INF-2", "WEB-1",
    ] {
        assert_eq!(
            status(&outcome, rule),
            Status::NotApplicable,
            "{rule} needs control"
        );
    }
    assert_eq!(outcome.exit_code(), 1);
}

#[test]
fn a_profile_names_a_running_backend_behind_tls_and_where_its_secret_is() {
    let file = fixture("staging.toml");
    let loaded = profile::load(&file).expect("the profile loads");
    let conformance = PathBuf::from(env!("CARGO_BIN_EXE_conformance"));
    let base = file.parent().expect("a directory");
    let spec = loaded.subject(conformance, base);
    let SubjectSpec::Url {
        backend_url,
        allowed_origin,
        ..
    } = &spec
    else {
        panic!("a URL subject: {spec:?}");
    };
    assert_eq!(backend_url, "https://staging.example:8443");
    assert_eq!(allowed_origin, "https://app.staging.example");
    // The secret is read from the variable the profile names, never written
    // in it: with the variable set, the checks that forge tokens are planned;
    // without it, they are n/a.
    let plan = |secret: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_conformance"));
        command.args(["plan", "--subject"]).arg(&file);
        match secret {
            Some(value) => command.env("CONFORMANCE_TEST_STAGING_SECRET", value),
            None => command.env_remove("CONFORMANCE_TEST_STAGING_SECRET"),
        };
        let output = command.output().expect("the CLI runs");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{text}");
        assert!(text.contains("https://staging.example:8443"), "{text}");
        text.matches("n/a").count()
    };
    let with_secret = plan(Some("a-staging-secret-of-enough-length-0123456789"));
    let without_secret = plan(None);
    assert!(
        with_secret > 0,
        "a URL subject cannot be restarted: some checks stay n/a"
    );
    assert!(
        without_secret > with_secret,
        "without the secret, the forging checks are n/a too: {without_secret} vs {with_secret}"
    );
}

#[test]
fn the_profile_s_storage_version_is_the_one_sign_in_writes() {
    // The reference's app rehydrates only the version it writes (0): told
    // 7, the state the browser steps write is refused and the app asks for
    // a login. With the default, the same scenario passes (browser_time.rs).
    let run = super::support::run_cli([
        "--filter".into(),
        "web-2-reload-app".into(),
        "--subject".into(),
        fixture("other-storage-version.toml").into_os_string(),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    let report = run.report();
    let scenario = &report["scenarios"][0];
    assert_eq!(scenario["verdict"], "fail", "{scenario}");
    let steps = scenario["steps"].as_array().expect("steps");
    let signed_in = steps
        .iter()
        .find(|s| {
            s["label"]
                .as_str()
                .is_some_and(|l| l.starts_with("sign in"))
        })
        .expect("the sign_in step");
    assert!(
        signed_in["failed"].as_array().is_some_and(Vec::is_empty),
        "{signed_in}"
    );
    // The app, refusing the state, shows the login page instead.
    let last = steps.last().expect("a failed step");
    assert!(
        last["label"]
            .as_str()
            .is_some_and(|l| l.contains("Tomato diary")),
        "{last}"
    );
}
