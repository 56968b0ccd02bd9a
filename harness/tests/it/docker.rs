//! Docker services for real: the suite, the settings and the ports of the
//! containers, an outage through the fault proxy. The images come from
//! `CONFORMANCE_POSTGRES_IMAGE` / `CONFORMANCE_REDIS_IMAGE` (`.ci/run` sets
//! them to the images `.ci/docker-images` builds), else the official ones.
//!
//! Without a daemon these tests fail and say so. The stall tests in
//! `stall` need no daemon: they talk to a fake one.

mod detection;
mod fake_daemon;
mod interrupt;
mod stall;

use std::process::Command;
use std::time::{Duration, Instant};

use conformance::outcome::Verdict;
use conformance::report::console::failure_text;
use conformance::services::{
    DaemonStatus, DockerOptions, PID_LABEL, POSTGRES_IMAGE_ENV, REDIS_IMAGE_ENV, Services,
    ServicesKind, ServicesMode, docker_daemon_status,
};
use sqlx::{Connection, PgConnection};

use super::support::{all_scenarios, reference, run_with};

/// The settings both services modes must agree on.
const COMPARED_SETTINGS: &[&str] = &[
    "max_connections",
    "fsync",
    "synchronous_commit",
    "full_page_writes",
    "dynamic_shared_memory_type",
    "server_encoding",
    "lc_collate",
];
/// Connections held at once: eight subjects with pools of 16, and more.
const CONNECTIONS_AT_ONCE: usize = 150;

/// The images to test with: the environment's, else the official ones.
pub(crate) fn images() -> DockerOptions {
    let mut options = DockerOptions::default();
    let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(image) = read(POSTGRES_IMAGE_ENV) {
        options.postgres_image = image.parse().expect("CONFORMANCE_POSTGRES_IMAGE parses");
    }
    if let Some(image) = read(REDIS_IMAGE_ENV) {
        options.redis_image = image.parse().expect("CONFORMANCE_REDIS_IMAGE parses");
    }
    options
}

/// The images, once a daemon answers; a failure that says so when none
/// does (a test that cannot run here fails; it does not pass unrun).
pub(crate) async fn daemon() -> DockerOptions {
    match docker_daemon_status(Duration::from_secs(1)).await {
        DaemonStatus::Answered { .. } => images(),
        DaemonStatus::Absent { reason } => {
            panic!("the tests in Docker mode need a Docker daemon, and none answers: {reason}")
        }
    }
}

/// `docker` with arguments, its standard output on success.
pub(crate) fn docker_cli(args: &[&str]) -> String {
    let output = Command::new("docker")
        .args(args)
        .output()
        .expect("the docker command runs (a daemon answers, so the CLI is needed to check it)");
    assert!(
        output.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Ids of every container (running or not) made by the process `pid`.
pub(crate) fn containers_of(pid: u32) -> Vec<String> {
    let filter = format!("label={PID_LABEL}={pid}");
    docker_cli(&["ps", "-a", "-q", "--filter", &filter])
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_suite_passes_against_the_reference_with_docker_services() {
    let docker = daemon().await;
    let started = Instant::now();
    let outcome = run_with(
        &all_scenarios(),
        reference(&[]),
        ServicesMode::Docker,
        docker,
    )
    .await;
    eprintln!(
        "{} [whole suite in {:?}, phases {:?}]",
        outcome.services,
        started.elapsed(),
        outcome.phases
    );
    assert!(
        outcome.services.starts_with("services: docker "),
        "{}",
        outcome.services
    );
    let failures: Vec<String> = outcome
        .scenarios
        .iter()
        .filter(|s| s.verdict != Verdict::Pass)
        .map(failure_text)
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // A rule can fail with every scenario passed (the run's traffic checks):
    // the report says which and why.
    assert_eq!(
        outcome.exit_code(),
        0,
        "{}",
        conformance::report::console::render(&outcome)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_outage_scenario_works_through_a_container() {
    let docker = daemon().await;
    let scenarios: Vec<_> = all_scenarios()
        .into_iter()
        .filter(|s| s.scenario.rules.iter().any(|rule| rule == "REG-4"))
        .collect();
    assert!(!scenarios.is_empty(), "a REG-4 scenario exists");
    let outcome = run_with(&scenarios, reference(&[]), ServicesMode::Docker, docker).await;
    assert!(outcome.services.starts_with("services: docker "));
    for result in &outcome.scenarios {
        assert_eq!(result.verdict, Verdict::Pass, "{}", failure_text(result));
    }
}

/// The compared settings as Postgres reports them.
async fn postgres_settings(services: &Services) -> Vec<(String, String)> {
    let database = services.create_database().await.expect("a database");
    let mut connection = PgConnection::connect(database.url())
        .await
        .expect("a connection");
    let mut settings = Vec::new();
    for name in COMPARED_SETTINGS {
        let value: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {name}")))
            .fetch_one(&mut connection)
            .await
            .expect("SHOW answers");
        settings.push(((*name).to_owned(), value));
    }
    settings
}

/// Redis's persistence settings as it reports them.
async fn redis_settings(services: &Services) -> Vec<String> {
    let client = redis::Client::open(services.redis().url()).expect("a Redis URL");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("a Redis connection");
    let mut settings = Vec::new();
    for name in ["save", "appendonly"] {
        let pair: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg(name)
            .query_async(&mut connection)
            .await
            .expect("CONFIG GET answers");
        settings.extend(pair);
    }
    settings
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_get_the_settings_of_local_servers_and_hold_many_connections() {
    let docker = daemon().await;
    let started = Instant::now();
    let containers = Services::start_with(ServicesMode::Docker, &docker)
        .await
        .expect("docker services start");
    eprintln!("{} [in {:?}]", containers.description(), started.elapsed());
    assert_eq!(containers.kind(), ServicesKind::Docker);
    let local = Services::start(ServicesMode::Local)
        .await
        .expect("local services start (install postgresql and redis-server)");

    // Trust authentication in both: a wrong password is no obstacle.
    for services in [&containers, &local] {
        let mut endpoint = services.postgres().clone();
        endpoint.password = "not-the-password".to_owned();
        PgConnection::connect(&endpoint.database_url("postgres"))
            .await
            .expect("trust authentication");
    }

    let in_containers = postgres_settings(&containers).await;
    assert_eq!(in_containers, postgres_settings(&local).await);
    assert!(in_containers.contains(&("max_connections".to_owned(), "200".to_owned())));
    assert_eq!(
        redis_settings(&containers).await,
        redis_settings(&local).await
    );

    // Far more than the default 100: a refused one (53300) would read as
    // the subject's 503.
    let database = containers.create_database().await.expect("a database");
    let connections = futures::future::try_join_all(
        (0..CONNECTIONS_AT_ONCE).map(|_| PgConnection::connect(database.url())),
    )
    .await
    .expect("every connection is accepted");
    assert_eq!(connections.len(), CONNECTIONS_AT_ONCE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_answer_on_127_0_0_1_and_publish_nothing_else() {
    let docker = daemon().await;
    let services = Services::start_with(ServicesMode::Docker, &docker)
        .await
        .expect("docker services start");
    assert_eq!(services.postgres().host, "127.0.0.1");
    assert_eq!(services.redis().host, "127.0.0.1");
    let ids = services.container_ids();
    assert_eq!(ids.len(), 2);
    for id in &ids {
        let ports = docker_cli(&["port", id]);
        let bindings: Vec<&str> = ports.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(bindings.len(), 1, "one published port: {ports}");
        assert!(
            bindings[0].contains("-> 127.0.0.1:"),
            "published on loopback only: {ports}"
        );
    }
    let pid_label = format!("{PID_LABEL}={}", std::process::id());
    for id in &ids {
        let labels = docker_cli(&["inspect", "--format", "{{json .Config.Labels}}", id]);
        assert!(
            labels.contains(&format!("\"{PID_LABEL}\":\"{}\"", std::process::id())),
            "{pid_label} missing: {labels}"
        );
    }
    drop(services);
    for id in &ids {
        let left = docker_cli(&["ps", "-a", "-q", "--filter", &format!("id={id}")]);
        assert!(
            left.trim().is_empty(),
            "container {id} outlived its services"
        );
    }
}
