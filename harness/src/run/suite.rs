//! Runs a planned suite against one subject: provisions services, starts
//! the shared subject when the plan has scenarios for it, runs the
//! scenarios concurrently as the plan places them (each isolated by its
//! own unique data, or by a subject of its own) and builds the outcome.

use super::scenario::{Launcher, RunContext, run_scenario};
use crate::browser::pool::BrowserPool;
use crate::outcome::{RunOutcome, ScenarioResult};
use crate::plan::{Lane, Placement, Plan, Planned};
use crate::rules::Catalogue;
use crate::services::free_port;
use crate::services::{DockerOptions, Services, ServicesError, ServicesMode};
use crate::subject::managed::{ManagedSubject, SubjectError};
use crate::subject::spec::{Launch, SubjectSpec};
use futures::StreamExt;
use std::time::Instant;

/// Browser scenarios at once when the run does not say. Measured with
/// `conformance bench --suite` on two cores (release build, five runs
/// each): the whole suite took 5.7 s (median) with one browser and 7.2 s
/// with two, whose pages and Chromium processes only share the same CPU
/// with the scenarios beside them.
pub const DEFAULT_BROWSER_LANES: usize = 1;

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
    /// A missing browser is an error of the run, not n/a.
    pub require_browser: bool,
    /// How an `https://` subject's certificate is trusted.
    pub tls: crate::client::Tls,
    /// Where screenshots of failures go.
    pub artifacts: std::path::PathBuf,
}

impl SuiteOptions {
    /// What a run with these options can do: the subject's kind, and
    /// whether the browser's programs are on this machine (looked up,
    /// nothing started).
    pub fn capabilities(&self) -> crate::plan::Capabilities {
        let browser = crate::browser::driver::Binaries::find()
            .map(|_| ())
            .map_err(|e| e.to_string());
        crate::plan::Capabilities::of(&self.subject, browser, self.require_browser)
    }
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
    /// The HTTP client could not be built as `--ca-cert` asks.
    #[error(transparent)]
    Client(#[from] crate::client::ClientError),
    /// The subject does not answer at all: no rule was checked.
    #[error("the subject cannot be reached, no rule was checked: {0}")]
    Unreachable(#[from] crate::client::Unreachable),
    /// The run cannot go ahead as asked (a required browser is missing).
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
}

/// Progress events, for the console's progress bar.
pub trait Progress: Sync {
    /// A phase started (services, subject).
    fn phase(&self, what: &str);
    /// The scenarios are about to run.
    fn start(&self, total: usize);
    /// A scenario finished.
    fn finished(&self, result: &ScenarioResult);
}

/// Progress that shows nothing (tests, `--quiet`).
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _: &str) {}
    fn start(&self, _: usize) {}
    fn finished(&self, _: &ScenarioResult) {}
}

/// The Postgres and Redis of a run: started for it, or lent by a caller
/// that runs several suites on one set (a test binary's).
enum RunServices<'s> {
    Owned(Box<Services>),
    Lent(&'s Services),
}

impl RunServices<'_> {
    fn get(&self) -> &Services {
        match self {
            RunServices::Owned(s) => s,
            RunServices::Lent(s) => s,
        }
    }
}

/// The subject side of a run: services and the shared subject for a
/// managed subject, the URL and what is known of it for a running one.
struct Subjects<'o> {
    services: Option<RunServices<'o>>,
    /// The shared subject under watch (it stops when the last holder drops).
    supervisor: Option<std::sync::Arc<super::supervisor::Supervisor>>,
    launch: Option<&'o Launch>,
    secret: Option<String>,
    shared_url: Option<String>,
    allowed_origin: String,
}

impl<'o> Subjects<'o> {
    /// Starts what the plan needs: the services and the shared subject.
    async fn start(
        plan: &Plan<'_>,
        options: &'o SuiteOptions,
        lent: Option<&'o Services>,
        progress: &dyn Progress,
        phases: &mut Vec<(String, u64)>,
    ) -> Result<Subjects<'o>, SuiteError> {
        let launch = match &options.subject {
            SubjectSpec::Managed(launch) => launch,
            SubjectSpec::Url {
                backend_url,
                jwt_secret,
                allowed_origin,
            } => {
                return Ok(Subjects {
                    services: None,
                    supervisor: Some(super::supervisor::Supervisor::url()),
                    launch: None,
                    secret: jwt_secret.clone(),
                    shared_url: Some(backend_url.trim_end_matches('/').to_owned()),
                    allowed_origin: allowed_origin.clone(),
                });
            }
        };
        progress.phase("starting Postgres and Redis");
        let t = Instant::now();
        let services = match lent {
            Some(services) => RunServices::Lent(services),
            None => RunServices::Owned(Box::new(
                Services::start_with(options.services.clone(), &options.docker).await?,
            )),
        };
        phases.push(("services".to_owned(), t.elapsed().as_millis() as u64));
        let secret = format!("conformance-{}", uuid::Uuid::new_v4().simple());
        // Every managed subject of the run allows this origin: not the
        // contract's default, so a hard-coded origin shows.
        let origin = format!("http://localhost:{}", free_port()?);
        let shared = if plan.needs_shared_subject() {
            progress.phase("starting the subject");
            let t = Instant::now();
            let extra = [("CORS_ORIGIN".to_owned(), origin.clone())].into();
            let subject = ManagedSubject::start(launch, services.get(), &secret, &extra).await?;
            phases.push(("subject start".to_owned(), t.elapsed().as_millis() as u64));
            Some(subject)
        } else {
            None
        };
        let shared_url = shared.as_ref().map(|s| s.base_url().to_owned());
        Ok(Subjects {
            services: Some(services),
            supervisor: shared.map(super::supervisor::Supervisor::managed),
            launch: Some(launch),
            secret: Some(secret),
            shared_url,
            allowed_origin: origin,
        })
    }
}

/// Plans `scenarios` for what `options` can do, then runs them.
pub async fn plan_and_run(
    scenarios: &[crate::scenario::load::LoadedScenario],
    catalogue: &Catalogue,
    options: &SuiteOptions,
    progress: &dyn Progress,
) -> Result<RunOutcome, SuiteError> {
    let plan = crate::plan::plan(scenarios, options.capabilities())?;
    run_suite(&plan, catalogue, options, progress).await
}

/// Runs the planned scenarios and builds the per-rule outcome.
pub async fn run_suite(
    plan: &Plan<'_>,
    catalogue: &Catalogue,
    options: &SuiteOptions,
    progress: &dyn Progress,
) -> Result<RunOutcome, SuiteError> {
    run_suite_on(plan, catalogue, options, None, progress).await
}

/// Runs the planned scenarios on `lent` services when given (a managed
/// subject's databases are made in them; `options.services` is then not
/// used), else on services started for this run.
pub async fn run_suite_on(
    plan: &Plan<'_>,
    catalogue: &Catalogue,
    options: &SuiteOptions,
    lent: Option<&Services>,
    progress: &dyn Progress,
) -> Result<RunOutcome, SuiteError> {
    let lent = Lent {
        services: lent,
        browsers: None,
    };
    run_suite_lent(plan, catalogue, options, lent, progress).await
}

/// What a caller that runs several suites (a test binary's
/// [`crate::libtest::Harness`]) lends each of them.
#[derive(Clone, Copy, Default)]
pub(crate) struct Lent<'l> {
    /// Postgres and Redis; else the run starts its own.
    pub(crate) services: Option<&'l Services>,
    /// The browsers; else the run starts its own and closes them at its
    /// end. A lent pool's browsers stay open for the next run (a Chromium
    /// start costs about a CPU-second).
    pub(crate) browsers: Option<&'l BrowserPool>,
}

/// [`run_suite_on`] with what `lent` holds.
pub(crate) async fn run_suite_lent(
    plan: &Plan<'_>,
    catalogue: &Catalogue,
    options: &SuiteOptions,
    lent: Lent<'_>,
    progress: &dyn Progress,
) -> Result<RunOutcome, SuiteError> {
    let run_started = Instant::now();
    let own_browsers;
    let browsers = match lent.browsers {
        Some(pool) => pool,
        None => {
            own_browsers = BrowserPool::new(options.browser_lanes);
            &own_browsers
        }
    };
    // The browsers start beside everything else (services, the subject, the
    // first scenarios without a browser): a browser scenario that comes
    // before they are up waits for them rather than starting another.
    let managed = matches!(options.subject, SubjectSpec::Managed(_));
    let warm = async {
        let t = Instant::now();
        if managed && plan.needs_browser() {
            browsers.warm(plan.browser_scenarios()).await;
            Some(t.elapsed().as_millis() as u64)
        } else {
            None
        }
    };
    let (warmed_ms, outcome) = tokio::join!(
        warm,
        run_with_browsers(plan, catalogue, options, lent.services, progress, browsers)
    );
    if lent.browsers.is_none() {
        browsers.close_all().await;
    }
    let mut outcome = outcome?;
    if let Some(ms) = warmed_ms {
        let at = outcome.phases.len().min(1);
        outcome.phases.insert(at, ("browsers start".to_owned(), ms));
    }
    outcome.millis = run_started.elapsed().as_millis() as u64;
    Ok(outcome)
}

/// [`run_suite_on`] with the run's browser pool.
async fn run_with_browsers(
    plan: &Plan<'_>,
    catalogue: &Catalogue,
    options: &SuiteOptions,
    lent: Option<&Services>,
    progress: &dyn Progress,
    browsers: &BrowserPool,
) -> Result<RunOutcome, SuiteError> {
    let mut phases = Vec::new();
    let client = crate::client::http_client_with(&options.tls)?;
    let fresh_client = crate::client::fresh_client_with(&options.tls)?;
    let subjects = Subjects::start(plan, options, lent, progress, &mut phases).await?;
    // Reached once before any scenario: a subject that does not answer at
    // all (a wrong port, a host that does not resolve, a certificate not
    // trusted) is no evidence against any rule.
    if let Some(url) = &subjects.shared_url {
        crate::client::reach(&client, url).await?;
    }
    let services_line = subjects.services.as_ref().map_or_else(
        || "services: none (the subject is a running URL)".to_owned(),
        |s| s.get().description(),
    );
    let launcher = match (
        subjects.launch,
        subjects.services.as_ref().map(RunServices::get),
    ) {
        (Some(launch), Some(services)) => Some(Launcher { launch, services }),
        _ => None,
    };
    // The shared subject's process is watched while the scenarios run.
    let watching = subjects.supervisor.clone().map(|s| tokio::spawn(s.watch()));
    let ctx = RunContext {
        supervisor: subjects.supervisor.clone(),
        client,
        fresh_client,
        shared_url: subjects.shared_url.clone(),
        secret: subjects.secret.clone(),
        allowed_origin: subjects.allowed_origin.clone(),
        launcher,
        sources: subjects.launch.and_then(|l| l.sources.clone()),
        browsers: subjects.launch.is_some().then_some(browsers),
        artifacts: options.artifacts.clone(),
        traffic: Default::default(),
    };
    progress.start(plan.scenarios.len());
    let t = Instant::now();
    let results = run_scheduled(plan, &ctx, options, progress).await;
    phases.push(("scenarios".to_owned(), t.elapsed().as_millis() as u64));
    if let Some(watching) = watching {
        watching.abort();
        let _ = watching.await;
    }
    let restarts = subjects.supervisor.as_ref().map_or(0, |s| s.restarts());
    let went_down: Vec<String> = subjects
        .supervisor
        .as_ref()
        .map(|s| {
            s.deaths()
                .iter()
                .map(super::supervisor::Death::describe)
                .collect()
        })
        .unwrap_or_default();
    let traffic = std::mem::take(
        &mut *ctx
            .traffic
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    drop(ctx);
    let subjects_url = subjects.shared_url.clone();
    drop(subjects);
    let mut outcome = RunOutcome::with_traffic(
        options.subject.describe(),
        services_line,
        results,
        traffic,
        catalogue,
        options.strict,
    );
    let https = subjects_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    if https || options.tls != crate::client::Tls::default() {
        outcome.tls = Some(options.tls.describe());
    }
    outcome.went_down = went_down;
    outcome.restarts = restarts;
    outcome.phases = phases;
    // `millis` is set by run_suite_on, which counts the browsers' start too.
    Ok(outcome)
}

/// The plan's scenarios in the three lists [`run_scheduled`] runs.
#[derive(Debug)]
pub(crate) struct RunningOrder<'p, 'a> {
    /// Those that must run alone, in the plan's order: run first, one
    /// after the other.
    pub(crate) alone: Vec<&'p Planned<'a>>,
    /// The browser lane's, in the plan's order.
    pub(crate) browser: Vec<&'p Planned<'a>>,
    /// The others: those with a subject of their own first (they take
    /// longest), each group in the plan's order.
    pub(crate) api: Vec<&'p Planned<'a>>,
}

impl<'p, 'a> RunningOrder<'p, 'a> {
    /// Sorts the plan's scenarios into the three lists.
    pub(crate) fn of(plan: &'p Plan<'a>) -> RunningOrder<'p, 'a> {
        let (alone, together): (Vec<&Planned<'_>>, Vec<&Planned<'_>>) =
            plan.scenarios.iter().partition(|p| p.alone);
        let (browser, mut api): (Vec<&Planned<'_>>, Vec<&Planned<'_>>) =
            together.into_iter().partition(|p| p.lane == Lane::Browser);
        api.sort_by_key(|p| !matches!(p.placement, Placement::Own { .. }));
        RunningOrder {
            alone,
            browser,
            api,
        }
    }
}

/// Runs first, one after another, the scenarios the plan says must run
/// alone (nothing else of the run loads the machine while they time a
/// start); then the others in two streams side by side: the browser lane,
/// as many at once as there are browser lanes, and the other,
/// `concurrency` at once, those with a subject of their own first (they
/// take longest). Started among the others, one that must run alone would
/// wait for every scenario in flight, browser ones included, with the rest
/// queued behind it. Results come back in the plan's order.
async fn run_scheduled(
    plan: &Plan<'_>,
    ctx: &RunContext<'_>,
    options: &SuiteOptions,
    progress: &dyn Progress,
) -> Vec<ScenarioResult> {
    let RunningOrder {
        alone,
        browser,
        api,
    } = RunningOrder::of(plan);
    fn run_list<'s>(
        list: Vec<&'s Planned<'s>>,
        at_once: usize,
        ctx: &'s RunContext<'_>,
        progress: &'s dyn Progress,
    ) -> impl std::future::Future<Output = Vec<(usize, ScenarioResult)>> + 's {
        futures::stream::iter(list)
            .map(move |p| async move {
                let r = run_scenario(p, ctx).await;
                progress.finished(&r);
                (p.index, r)
            })
            .buffer_unordered(at_once.max(1))
            .collect::<Vec<_>>()
    }
    let mut done = run_list(alone, 1, ctx, progress).await;
    let (browser_done, api_done) = tokio::join!(
        run_list(browser, options.browser_lanes, ctx, progress),
        run_list(api, options.concurrency, ctx, progress)
    );
    done.extend(browser_done);
    done.extend(api_done);
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
#[path = "suite_tests.rs"]
mod tests;
