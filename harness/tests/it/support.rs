//! Shared helpers: run scenarios against the reference server of this
//! workspace, started from the built `conformance` binary.

use conformance::outcome::RunOutcome;
use conformance::rules::Catalogue;
use conformance::run::{Silent, SuiteOptions, plan_and_run};
use conformance::scenario::load::{LoadedScenario, load_dir};
use conformance::services::{DockerOptions, ServicesMode};
use conformance::subject::spec::{Launch, SubjectSpec};
use std::path::PathBuf;

/// The scenario directory of the repository.
pub fn scenarios_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios"))
}

/// Every scenario of the repository.
pub fn all_scenarios() -> Vec<LoadedScenario> {
    let catalogue = Catalogue::builtin().expect("catalogue");
    load_dir(&scenarios_dir(), &catalogue).expect("the repository's scenarios load")
}

/// The repository's scenarios with these names.
pub fn scenarios_named(names: &[&str]) -> Vec<LoadedScenario> {
    let found: Vec<LoadedScenario> = all_scenarios()
        .into_iter()
        .filter(|s| names.contains(&s.name.as_str()))
        .collect();
    assert_eq!(found.len(), names.len(), "every named scenario exists");
    found
}

/// The reference server as a managed subject, with these faults.
pub fn reference(faults: &[&str]) -> SubjectSpec {
    let faults: Vec<String> = faults.iter().map(|f| (*f).to_owned()).collect();
    SubjectSpec::Managed(Launch::reference(
        PathBuf::from(env!("CARGO_BIN_EXE_conformance")),
        &faults,
    ))
}

/// Runs `scenarios` against `subject` with fresh services.
pub async fn run(scenarios: &[LoadedScenario], subject: SubjectSpec) -> RunOutcome {
    run_with(
        scenarios,
        subject,
        ServicesMode::Auto,
        DockerOptions::default(),
    )
    .await
}

/// Runs `scenarios` against `subject` with fresh services of `services`,
/// Docker services made of `docker`.
pub async fn run_with(
    scenarios: &[LoadedScenario],
    subject: SubjectSpec,
    services: ServicesMode,
    docker: DockerOptions,
) -> RunOutcome {
    let catalogue = Catalogue::builtin().expect("catalogue");
    let options = SuiteOptions {
        services,
        docker,
        subject,
        strict: false,
        concurrency: 8,
        browser_lanes: conformance::run::DEFAULT_BROWSER_LANES,
        require_browser: true,
        tls: Default::default(),
        artifacts: std::env::temp_dir().join("conformance-test-artifacts"),
    };
    plan_and_run(scenarios, &catalogue, &options, &Silent)
        .await
        .expect("the suite runs")
}

/// A client builder for tests that talk to a subject directly (reqwest is
/// built with rustls and no default crypto provider: the process installs
/// one, ring, as the harness does).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// A plain client for tests that talk to a subject directly.
pub fn http_client() -> reqwest::Client {
    http_client_builder().build().expect("an HTTP client")
}

/// Starts Postgres and Redis (`auto`) and the reference server with
/// `secret` and `extra` environment, for tests that talk to it directly.
/// A machine without Docker, `postgres` or `redis-server` fails the test,
/// naming what is missing.
pub async fn reference_with_services(
    secret: &str,
    extra: &std::collections::BTreeMap<String, String>,
) -> (
    conformance::services::Services,
    conformance::subject::managed::ManagedSubject,
) {
    let services = conformance::services::Services::start(ServicesMode::Auto)
        .await
        .unwrap_or_else(|error| panic!("services did not start: {error}"));
    let SubjectSpec::Managed(launch) = reference(&[]) else {
        unreachable!("the reference is managed")
    };
    let subject =
        conformance::subject::managed::ManagedSubject::start(&launch, &services, secret, extra)
            .await
            .expect("the reference starts");
    (services, subject)
}

/// What `conformance run` did when a test ran it: its exit code, what it
/// printed, and the directory with its reports (removed when this drops).
pub struct CliRun {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Its standard output.
    pub stdout: String,
    /// `--report-dir`.
    pub reports: tempfile::TempDir,
}

impl CliRun {
    /// The run's `report.json`.
    pub fn report(&self) -> serde_json::Value {
        let text =
            std::fs::read_to_string(self.reports.path().join("report.json")).expect("report.json");
        serde_json::from_str(&text).expect("report.json is JSON")
    }
}

/// Runs `conformance run ARGS --report-dir TEMP` from the repository's root,
/// with no reference fault taken from the environment.
pub fn run_cli<I, S>(args: I) -> CliRun
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let reports = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_conformance"))
        .arg("run")
        .args(args)
        .arg("--report-dir")
        .arg(reports.path())
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("REFERENCE_FAULTS")
        .output()
        .expect("conformance runs");
    CliRun {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        reports,
    }
}
