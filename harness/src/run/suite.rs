//! Runs a set of scenarios against one subject: provisions services, starts
//! the shared subject, runs the scenarios concurrently (each isolated by its
//! own unique data, or by a subject of its own) and builds the outcome.

use super::scenario::{Launcher, RunContext, run_scenario};
use crate::client::http_client;
use crate::outcome::RunOutcome;
use crate::rules::Catalogue;
use crate::scenario::load::LoadedScenario;
use crate::services::free_port;
use crate::services::{DockerOptions, Services, ServicesError, ServicesMode};
use crate::subject::managed::{ManagedSubject, SubjectError};
use crate::subject::spec::SubjectSpec;
use futures::StreamExt;
use std::time::Instant;

/// How to run a suite.
#[derive(Debug, Clone)]
pub struct SuiteOptions {
    /// Where Postgres and Redis come from (managed subjects only).
    pub services: ServicesMode,
    /// The images and deadline of Docker services (`docker`, `auto`).
    pub docker: DockerOptions,
    /// What is tested.
    pub subject: SubjectSpec,
    /// Whether SHOULD failures fail the run.
    pub strict: bool,
    /// How many scenarios without a browser run at once.
    pub concurrency: usize,
    /// How many browser scenarios run at once (each with its own browser).
    pub browser_lanes: usize,
    /// Where screenshots of failures go.
    pub artifacts: std::path::PathBuf,
}

/// Why a suite could not run at all (exit code 2: an environment problem).
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// Postgres or Redis could not be provided.
    #[error(transparent)]
    Services(#[from] ServicesError),
    /// The shared subject did not start with a valid environment.
    #[error(transparent)]
    Subject(#[from] SubjectError),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// Progress events, for the console's progress bar.
pub trait Progress: Sync {
    /// A phase started (services, subject).
    fn phase(&self, what: &str);
    /// The scenarios are about to run.
    fn start(&self, total: usize);
    /// A scenario finished.
    fn finished(&self, result: &crate::outcome::ScenarioResult);
}

/// Progress that shows nothing (tests, `--quiet`).
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _: &str) {}
    fn start(&self, _: usize) {}
    fn finished(&self, _: &crate::outcome::ScenarioResult) {}
}

/// Runs the scenarios and builds the per-rule outcome.
pub async fn run_suite(
    scenarios: &[LoadedScenario],
    catalogue: &Catalogue,
    options: &SuiteOptions,
    progress: &dyn Progress,
) -> Result<RunOutcome, SuiteError> {
    let run_started = Instant::now();
    let browsers = crate::browser::pool::BrowserPool::new(options.browser_lanes);
    let mut phases = Vec::new();
    let client = http_client()?;
    let secret = format!("conformance-{}", uuid::Uuid::new_v4().simple());
    let (services, shared, launch, secret, shared_url, allowed_origin) = match &options.subject {
        SubjectSpec::Managed(launch) => {
            progress.phase("starting Postgres and Redis");
            // The browser, when a scenario needs one, starts beside the services.
            let wants_browser = scenarios.iter().any(|s| s.scenario.needs.browser);
            let t = Instant::now();
            let (services, browser_ms) = tokio::join!(
                Services::start_with(options.services.clone(), &options.docker),
                async {
                    let t = Instant::now();
                    if wants_browser {
                        let _ = browsers.driver().await;
                    }
                    t.elapsed().as_millis() as u64
                }
            );
            let services = services?;
            phases.push(("services".to_owned(), t.elapsed().as_millis() as u64));
            if wants_browser {
                phases.push(("browser start".to_owned(), browser_ms));
            }
            // Every managed subject of the run allows this origin: not the
            // contract's default, so a hard-coded origin shows.
            let origin = format!("http://localhost:{}", free_port()?);
            let needs_shared = scenarios.iter().any(|s| !s.needs_own_subject());
            let shared = if needs_shared {
                progress.phase("starting the subject");
                let t = Instant::now();
                let extra = [("CORS_ORIGIN".to_owned(), origin.clone())].into();
                let subject = ManagedSubject::start(launch, &services, &secret, &extra).await?;
                phases.push(("subject start".to_owned(), t.elapsed().as_millis() as u64));
                Some(subject)
            } else {
                None
            };
            let url = shared.as_ref().map(|s| s.base_url().to_owned());
            (
                Some(services),
                shared,
                Some(launch),
                Some(secret),
                url,
                origin,
            )
        }
        SubjectSpec::Url {
            backend_url,
            jwt_secret,
            allowed_origin,
        } => (
            None,
            None,
            None,
            jwt_secret.clone(),
            Some(backend_url.trim_end_matches('/').to_owned()),
            allowed_origin.clone(),
        ),
    };
    let services_line = services.as_ref().map_or_else(
        || "services: none (the subject is a running URL)".to_owned(),
        Services::description,
    );
    let launcher = match (launch, services.as_ref()) {
        (Some(launch), Some(services)) => Some(Launcher { launch, services }),
        _ => None,
    };
    let ctx = RunContext {
        client,
        shared_url,
        secret,
        allowed_origin,
        launcher,
        is_reference: launch.is_some_and(|l| l.is_reference),
        sources: launch.and_then(|l| l.sources.clone()),
        browsers: launch.is_some().then_some(&browsers),
        artifacts: options.artifacts.clone(),
        quiet: tokio::sync::RwLock::new(()),
    };
    progress.start(scenarios.len());
    let t = Instant::now();
    let results = run_scheduled(scenarios, &ctx, options, progress).await;
    phases.push(("scenarios".to_owned(), t.elapsed().as_millis() as u64));
    browsers.close_all().await;
    drop(shared);
    let mut outcome = RunOutcome::new(
        options.subject.describe(),
        services_line,
        results,
        catalogue,
        options.strict,
    );
    outcome.phases = phases;
    outcome.millis = run_started.elapsed().as_millis() as u64;
    Ok(outcome)
}

/// Runs the scenarios in two streams side by side: the browser scenarios,
/// as many at once as there are browser lanes, and the others, `concurrency`
/// at once, those with a subject of their own first (they take longest).
/// Results come back in the scenarios' order.
async fn run_scheduled(
    scenarios: &[LoadedScenario],
    ctx: &RunContext<'_>,
    options: &SuiteOptions,
    progress: &dyn Progress,
) -> Vec<crate::outcome::ScenarioResult> {
    let (browser, mut other): (Vec<_>, Vec<_>) = scenarios
        .iter()
        .enumerate()
        .partition(|(_, s)| s.scenario.needs.browser);
    other.sort_by_key(|(_, s)| !s.needs_own_subject());
    fn run_list<'s>(
        list: Vec<(usize, &'s LoadedScenario)>,
        at_once: usize,
        ctx: &'s RunContext<'_>,
        progress: &'s dyn Progress,
    ) -> impl std::future::Future<Output = Vec<(usize, crate::outcome::ScenarioResult)>> + 's {
        futures::stream::iter(list)
            .map(move |(i, s)| async move {
                let r = run_scenario(s, ctx).await;
                progress.finished(&r);
                (i, r)
            })
            .buffer_unordered(at_once.max(1))
            .collect::<Vec<_>>()
    }
    let (mut done, other_done) = tokio::join!(
        run_list(browser, options.browser_lanes, ctx, progress),
        run_list(other, options.concurrency, ctx, progress)
    );
    done.extend(other_done);
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}
