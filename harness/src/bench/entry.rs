//! `conformance bench`: gets a subject (the reference, started here with
//! its own Postgres and Redis, or a running backend at a URL), runs the
//! measurements one after the other and prints the report. A missed goal
//! is not a failure: exit code 0 whenever the bench ran, 2 when it could
//! not (no services, a subject that does not start or refuses the setup).

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, bail};

use super::goals::StreamsPhase;
use super::limits::{self, FileLimit};
use super::report::{self, BenchReport};
use super::rss::RssSampler;
use super::session::{self, BenchUser};
use super::{load, streams};
use crate::cli::BenchArgs;
use crate::services::{Services, ServicesMode};
use crate::subject::managed::ManagedSubject;
use crate::subject::spec::Launch;

/// `STREAM_DELAY_MS` for a reference the bench starts: short, so a round
/// of streams is quick, yet long enough that thousands overlap.
pub(crate) const STREAM_DELAY_MS: u64 = 10;
/// Logins one after the other.
const SEQUENTIAL_LOGINS: usize = 50;
/// Logins at once in the concurrent part, and how many each runs.
const CONCURRENT_LOGINS: usize = 16;
const LOGIN_ROUNDS: usize = 4;
/// How long one request may take outside the stream rounds.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a round of streams may take before the rest count as incomplete.
const STREAMS_DEADLINE: Duration = Duration::from_secs(120);

/// The subject and, when the bench started it, what it runs on. Fields
/// drop in order: the subject stops before its services.
struct Target {
    subject: Option<ManagedSubject>,
    services: Option<Services>,
    base_url: String,
}

/// Runs the benchmark as `args` say and prints the report; the exit code.
pub(crate) async fn run_bench(args: &BenchArgs) -> anyhow::Result<u8> {
    if args.connections == 0 {
        bail!("--connections must be at least 1");
    }
    if args.streams.contains(&0) {
        bail!("--streams takes counts of at least 1, such as 1000,10000");
    }
    let file_limit = limits::raise_open_files();
    let mut notes = limit_notes(&file_limit, args);

    let target = target(args).await?;
    let pid = target.subject.as_ref().and_then(ManagedSubject::pid);
    let base = session::base_url(&target.base_url)?;
    let setup_client = session::client(4, REQUEST_TIMEOUT)?;
    let user: BenchUser = session::prepare(&setup_client, &base)
        .await
        .context("cannot prepare a user and a document for the bench")?;
    let sampler = pid.map(RssSampler::start);

    eprintln!(
        "bench: GET /auth/me from {} connections for {} s",
        args.connections, args.duration_secs
    );
    let me_client = session::client(args.connections, REQUEST_TIMEOUT)?;
    let me = load::auth_me(
        &me_client,
        &user,
        args.connections,
        Duration::from_secs(args.duration_secs),
    )
    .await;
    drop(me_client);

    eprintln!(
        "bench: {SEQUENTIAL_LOGINS} logins one at a time, then {} with {CONCURRENT_LOGINS} at once",
        CONCURRENT_LOGINS * LOGIN_ROUNDS
    );
    let login = load::logins(
        &setup_client,
        &user,
        SEQUENTIAL_LOGINS,
        CONCURRENT_LOGINS,
        LOGIN_ROUNDS,
    )
    .await;

    if args.warmup_streams > 0 {
        let count = args.warmup_streams;
        eprintln!("bench: warm-up, {count} chat streams at once (not counted)");
        let warmup = streams_round(&user, count).await?;
        notes.push(format!(
            "a warm-up round of {count} streams ran before the rounds below and is not in them \
             ({} done, first delta p50 {:.1} ms, p99 {:.1} ms); --warmup-streams 0 skips it",
            warmup.done,
            warmup.first_delta.p50.as_secs_f64() * 1000.0,
            warmup.first_delta.p99.as_secs_f64() * 1000.0,
        ));
    }

    let mut phases = Vec::with_capacity(args.streams.len());
    for &count in &args.streams {
        eprintln!("bench: {count} chat streams at once");
        if let Some(sampler) = &sampler {
            sampler.begin_phase();
        }
        let result = streams_round(&user, count).await?;
        phases.push(StreamsPhase {
            result,
            peak_rss_kib: sampler.as_ref().map(RssSampler::phase_peak_kib),
        });
    }
    let memory = sampler.as_ref().map(RssSampler::overall);

    let report = BenchReport {
        subject: describe(&target, pid),
        services: target.services.as_ref().map(Services::description),
        release_build: !cfg!(debug_assertions),
        release_hint: args.release_hint,
        file_limit,
        notes,
        me,
        login,
        streams: phases,
        memory,
    };
    print!("{}", report::render(&report));
    drop(sampler);
    drop(target);
    Ok(0)
}

/// Starts services and the reference, or takes the URL given.
async fn target(args: &BenchArgs) -> anyhow::Result<Target> {
    if let Some(url) = &args.backend_url {
        return Ok(Target {
            subject: None,
            services: None,
            base_url: url.trim_end_matches('/').to_owned(),
        });
    }
    crate::process::install_interrupt_cleanup()?;
    eprintln!("bench: starting Postgres and Redis");
    let services = Services::start_with(ServicesMode::Auto, &args.docker.options())
        .await
        .context("cannot start Postgres and Redis for the reference server")?;
    eprintln!("bench: {}", services.description());
    let program = std::env::current_exe()
        .context("cannot find the conformance binary to start the reference server")?;
    let launch = Launch::reference(program, &[]);
    let secret = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let extra = BTreeMap::from([
        ("STREAM_DELAY_MS".to_owned(), STREAM_DELAY_MS.to_string()),
        ("RUST_LOG".to_owned(), args.subject_log.clone()),
    ]);
    let subject = ManagedSubject::start(&launch, &services, &secret, &extra).await?;
    eprintln!(
        "bench: reference server ready at {} in {} ms",
        subject.base_url(),
        subject.start_millis
    );
    Ok(Target {
        base_url: subject.base_url().to_owned(),
        subject: Some(subject),
        services: Some(services),
    })
}

fn describe(target: &Target, pid: Option<u32>) -> String {
    match (&target.subject, pid) {
        (Some(subject), Some(pid)) => format!(
            "reference server started by the bench at {} (pid {pid}; STREAM_DELAY_MS={STREAM_DELAY_MS}, RUST_LOG={})",
            subject.base_url(),
            subject
                .env()
                .set
                .get("RUST_LOG")
                .map_or("unset", String::as_str)
        ),
        _ => format!("running backend at {}", target.base_url),
    }
}

/// What the report should say about the open-file limit.
/// One round of `count` streams at once, on a client of its own.
async fn streams_round(user: &BenchUser, count: usize) -> anyhow::Result<streams::StreamsResult> {
    let client = session::client(count, STREAMS_DEADLINE + REQUEST_TIMEOUT)?;
    Ok(streams::concurrent_streams(&client, user, count, STREAMS_DEADLINE).await)
}

fn limit_notes(limit: &FileLimit, args: &BenchArgs) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(&most) = args.streams.iter().max() {
        if !limit.fits(most) {
            notes.push(format!(
                "the open-file limit ({}) is too low for {most} streams: each stream is a socket \
                 here and one in the subject; raise the hard limit (ulimit -Hn, LimitNOFILE) to at \
                 least {} and run again. Streams beyond it fail to connect",
                limit.now,
                most as u64 + limits::HEADROOM
            ));
        }
        if args.backend_url.is_some() {
            notes.push(format!(
                "the subject's own open-file limit is its business: {most} streams need at least \
                 {most} descriptors in it too"
            ));
        }
    }
    notes
}
