//! Real Postgres and Redis: local, auto, docker refusal, external, the fault
//! proxy, and cleanup after a drop or a panic.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::process::{alive, eventually, group_members};
use conformance::services::{
    DaemonStatus, FaultProxy, Services, ServicesKind, ServicesMode, docker_daemon_status,
};
use sqlx::{Connection, PgConnection};

/// Local services, or a failure that names what is missing (a test that
/// cannot run here fails; it does not pass unrun).
async fn local_services() -> Services {
    Services::start(ServicesMode::Local)
        .await
        .unwrap_or_else(|error| panic!("local services did not start: {error}"))
}

async fn select_one(url: &str) -> Result<i32, sqlx::Error> {
    let mut connection = PgConnection::connect(url).await?;
    sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut connection)
        .await
}

#[tokio::test]
async fn local_services_give_fresh_distinct_databases_and_a_redis() {
    let started = Instant::now();
    let services = local_services().await;
    let start_time = started.elapsed();
    assert_eq!(services.kind(), ServicesKind::Local);
    let description = services.description();
    assert!(
        description.starts_with("services: local postgres "),
        "{description}"
    );
    assert!(
        description.contains(&services.postgres().address()),
        "{description}"
    );
    assert!(
        description.contains(&services.redis().address()),
        "{description}"
    );
    assert!(description.contains("(local requested)"), "{description}");
    assert_ne!(services.postgres().port, 5432);
    assert_ne!(services.redis().port, 6379);

    let first_started = Instant::now();
    let first = services.create_database().await.unwrap();
    let first_time = first_started.elapsed();
    let second_started = Instant::now();
    let second = services.create_database().await.unwrap();
    let second_time = second_started.elapsed();
    eprintln!(
        "local services started in {start_time:?}; create_database {first_time:?} (with template), then {second_time:?}"
    );
    assert_ne!(first.url(), second.url());
    assert_eq!(select_one(first.url()).await.unwrap(), 1);

    let mut one = PgConnection::connect(first.url()).await.unwrap();
    let mut two = PgConnection::connect(second.url()).await.unwrap();
    sqlx::query("CREATE TABLE marker (id int)")
        .execute(&mut one)
        .await
        .unwrap();
    let in_second: Option<String> = sqlx::query_scalar("SELECT to_regclass('marker')::text")
        .fetch_one(&mut two)
        .await
        .unwrap();
    assert_eq!(in_second, None, "databases must be distinct");

    let client = redis::Client::open(services.redis().url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let pong: String = redis::cmd("PING")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(pong, "PONG");
}

fn assert_cleaned_up(pids: &[u32], dirs: &[PathBuf]) {
    assert_eq!(pids.len(), 2);
    assert_eq!(dirs.len(), 2);
    assert!(
        eventually(Duration::from_secs(2), || pids
            .iter()
            .all(|&pid| !alive(pid) && group_members(pid).is_empty())),
        "servers or their children still run: {pids:?}"
    );
    for dir in dirs {
        assert!(!dir.exists(), "{} was not removed", dir.display());
    }
}

#[tokio::test]
async fn dropping_services_stops_the_servers_and_removes_their_directories() {
    let services = local_services().await;
    let database = services.create_database().await.unwrap();
    let _open = PgConnection::connect(database.url()).await.unwrap(); // a backend process too
    let pids = services.process_ids();
    let dirs = services.temp_dirs();
    assert!(pids.iter().all(|&pid| alive(pid)));
    assert!(dirs.iter().all(|dir| dir.is_dir()));
    drop(services);
    assert_cleaned_up(&pids, &dirs);
}

#[test]
fn a_panic_while_holding_services_still_cleans_up() {
    let (sender, receiver) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let services = runtime.block_on(local_services());
        sender
            .send((services.process_ids(), services.temp_dirs()))
            .unwrap();
        panic!("a scenario failed while holding services");
    })
    .join();
    let (pids, dirs) = receiver
        .recv()
        .expect("services started (if not, the thread's panic above says why)");
    assert!(outcome.is_err(), "the thread must have panicked");
    assert_cleaned_up(&pids, &dirs);
}

#[tokio::test]
async fn auto_mode_says_which_services_it_chose_and_why() {
    let daemon = docker_daemon_status(Duration::from_secs(1)).await;
    let started = Instant::now();
    let images = super::docker::images();
    let services = Services::start_with(ServicesMode::Auto, &images)
        .await
        .unwrap();
    let description = services.description();
    eprintln!("{description} [chosen in {:?}]", started.elapsed());
    match daemon {
        DaemonStatus::Answered { endpoint } => {
            assert_eq!(services.kind(), ServicesKind::Docker, "{description}");
            assert!(
                description.contains(&format!("(Docker daemon answered at {endpoint})")),
                "{description}"
            );
        }
        DaemonStatus::Absent { reason } => {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "took {:?}",
                started.elapsed()
            );
            assert_eq!(services.kind(), ServicesKind::Local);
            assert!(description.contains("(no Docker daemon: "), "{description}");
            assert!(description.contains(&reason), "{description}");
        }
    }
}

/// Whether or not a daemon answers on this machine, `DOCKER_HOST` points a
/// run of the CLI at a socket that does not exist: `--services docker`
/// then refuses at once, says what to do instead and starts nothing.
#[test]
fn docker_mode_without_a_daemon_fails_fast_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("docker.sock");
    let reports = dir.path().join("reports");
    let started = Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["run", "-q", "--services", "docker", "--filter", "SSE-4"])
        .arg("--report-dir")
        .arg(&reports)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("DOCKER_HOST", format!("unix://{}", socket.display()))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert!(
        stderr.contains("no Docker daemon answers")
            && stderr.contains(&socket.display().to_string())
            && stderr.contains("--services local"),
        "{stderr}"
    );
    assert!(!reports.exists(), "a refused run wrote reports");
}

/// The databases made for subjects (the template they are copied from
/// aside), by name.
async fn subject_databases(services: &Services) -> Vec<String> {
    let admin = services.postgres().database_url("postgres");
    let mut connection = PgConnection::connect(&admin).await.unwrap();
    sqlx::query_scalar(
        r"SELECT datname FROM pg_database
          WHERE datname LIKE 'ig\_%' AND datname NOT LIKE 'ig\_template\_%' ORDER BY 1",
    )
    .fetch_all(&mut connection)
    .await
    .unwrap()
}

/// Waits up to 10 s for `services` to hold exactly `names` as subject
/// databases; what they hold at the end.
async fn subject_databases_become(services: &Services, names: &[&str]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = subject_databases(services).await;
        if now == names || Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_database_is_dropped_with_its_handle_even_with_a_connection_open() {
    let services = local_services().await;
    let kept = services.create_database().await.unwrap();
    let dropped = services.create_database().await.unwrap();
    let name = dropped.name().to_owned();
    let mut open = PgConnection::connect(dropped.url()).await.unwrap();
    let mut both = vec![kept.name(), name.as_str()];
    both.sort_unstable();
    assert_eq!(subject_databases(&services).await, both);

    drop(dropped);
    assert_eq!(
        subject_databases_become(&services, &[kept.name()]).await,
        [kept.name()]
    );
    let after = sqlx::query("SELECT 1").execute(&mut open).await;
    assert!(
        after.is_err(),
        "a connection to {name} outlived it: {after:?}"
    );
}

#[tokio::test]
async fn a_subject_s_database_goes_with_the_subject() {
    let (services, subject) = crate::support::reference_with_services(
        "a-secret-of-32-characters-at-least",
        &Default::default(),
    )
    .await;
    assert_eq!(subject_databases(&services).await.len(), 1);
    drop(subject);
    assert_eq!(
        subject_databases_become(&services, &[]).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn external_mode_uses_the_servers_it_is_given() {
    let local = local_services().await;
    let external = Services::start(ServicesMode::External {
        database_url: local.postgres().database_url("postgres"),
        redis_url: local.redis().url().to_owned(),
    })
    .await
    .unwrap();
    assert_eq!(external.kind(), ServicesKind::External);
    assert_eq!(external.postgres(), local.postgres());
    assert!(external.description().contains("(external requested)"));
    let database = external.create_database().await.unwrap();
    assert_eq!(select_one(database.url()).await.unwrap(), 1);
    assert!(external.process_ids().is_empty());
}

#[tokio::test]
async fn the_fault_proxy_cuts_postgres_off_and_restores_it() {
    let services = local_services().await;
    let database = services.create_database().await.unwrap();
    let proxy = FaultProxy::start(services.postgres().address())
        .await
        .unwrap();
    let via = proxy.database_url_via(database.url()).unwrap();
    let expected = database
        .url()
        .replace(&services.postgres().address(), &proxy.addr().to_string());
    assert_eq!(via, expected);
    assert_eq!(select_one(&via).await.unwrap(), 1);
    let mut open = PgConnection::connect(&via).await.unwrap();

    proxy.cut().await;
    assert!(proxy.is_cut());
    let started = Instant::now();
    let query = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("SELECT 1").execute(&mut open),
    )
    .await;
    assert!(
        matches!(query, Ok(Err(_))),
        "open connection not dropped: {query:?}"
    );
    let fresh = tokio::time::timeout(Duration::from_secs(2), select_one(&via)).await;
    assert!(
        matches!(fresh, Ok(Err(_))),
        "new connection not refused: {fresh:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    proxy.restore();
    assert_eq!(select_one(&via).await.unwrap(), 1);
}
