//! Runs one planned scenario: prepare its scene (the shared subject or one
//! of its own, and its browser), run its steps in order and turn the first
//! step that ends it into the verdict: *fail* for a check, *blocked* for a
//! setup step (see [`super::blame`]), *n/a* or *error* for a step that
//! could not be carried out ([`super::scene::StepError::verdict`]).

use super::blame::blame_start;
use super::frontend::{attach_frontend, open_session, prepare_browser};
use super::scene::Scene;
use super::step_list::{StepList, run_steps};
use crate::browser::pool::BrowserPool;
use crate::check::{FailedCheck, What};
use crate::outcome::BrowserTiming;
use crate::outcome::{ScenarioResult, StepResult, Verdict};
use crate::plan::{Placement, Planned};
use crate::scenario::load::LoadedScenario;
use crate::scenario::vars::{BUILTIN, Source};
use crate::services::Services;
use crate::subject::env::{DEFAULT_ORIGIN, DEFAULT_SECRET, OTHER_ORIGIN};
use crate::subject::managed::ManagedSubject;
use crate::subject::spec::Launch;
use std::time::Instant;

/// What every scenario of a run shares.
pub(crate) struct RunContext<'a> {
    /// The shared subject's watch.
    pub(crate) supervisor: Option<std::sync::Arc<super::supervisor::Supervisor>>,
    /// The HTTP client.
    pub(crate) client: reqwest::Client,
    /// The client that keeps no connection, for requests sent again.
    pub(crate) fresh_client: reqwest::Client,
    /// The shared subject's base URL (when there is one).
    pub(crate) shared_url: Option<String>,
    /// The subject's `JWT_SECRET`, when known.
    pub(crate) secret: Option<String>,
    /// The origin the subject allows.
    pub(crate) allowed_origin: String,
    /// How to start a scenario's own subject, when the subject is managed.
    pub(crate) launcher: Option<Launcher<'a>>,
    /// The subject's sources, when known.
    pub(crate) sources: Option<crate::subject::sources::SourceTree>,
    /// The run's browsers, for browser scenarios.
    pub(crate) browsers: Option<&'a BrowserPool>,
    /// Where screenshots and other artifacts of failures go.
    pub(crate) artifacts: std::path::PathBuf,
    /// What the checks on all traffic found.
    pub(crate) traffic: std::sync::Arc<std::sync::Mutex<Vec<crate::outcome::TrafficFinding>>>,
}

/// What starting a subject of its own for a scenario takes.
#[derive(Clone, Copy)]
pub(crate) struct Launcher<'a> {
    /// How to start the subject.
    pub(crate) launch: &'a Launch,
    /// Where its databases come from.
    pub(crate) services: &'a Services,
}

/// Sets the built-in variables ([`BUILTIN`]) that are known before the
/// scenario's subject and frontend start; `port`, `backend_url`,
/// `frontend_url` and the browser's `origin` follow once they are up.
fn builtin_vars(scene: &mut Scene, ctx: &RunContext<'_>, s: &LoadedScenario) {
    let unique = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let slug: String = s
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    // A scenario that sets its subject's CORS_ORIGIN is judged for it, and
    // one that leaves it unset for the contract's default.
    let origin = allowed_origins(ctx, s)
        .into_iter()
        .next()
        .unwrap_or_else(|| ctx.allowed_origin.clone());
    let overrides = ctx.launcher.map(|l| &l.launch.selectors);
    let neighbours = crate::origins::neighbours(&origin);
    for b in BUILTIN {
        let value = match (b.name, b.source) {
            ("unique", _) => Some(unique.clone()),
            ("email", _) => Some(format!("{slug}-{unique}@example.com")),
            ("other_email", _) => Some(format!("{slug}-other-{unique}@example.com")),
            ("password", _) => Some(format!("Pw-{unique}-Garden!9")),
            ("other_secret", _) => Some(format!("another-secret-{unique}-0123456789abcdef")),
            ("origin", _) => Some(origin.clone()),
            ("other_origin", _) => Some(OTHER_ORIGIN.to_owned()),
            ("default_secret", _) => Some(DEFAULT_SECRET.to_owned()),
            ("jwt_secret", _) => ctx.secret.clone(),
            ("closed_port", _) => closed_port(),
            (name, Source::Neighbour) => neighbours
                .iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, origin)| origin.clone()),
            (name, Source::Profile { default, .. }) => Some(
                overrides
                    .and_then(|o| o.get(name))
                    .cloned()
                    .unwrap_or_else(|| default.to_owned()),
            ),
            _ => None,
        };
        if let Some(value) = value {
            scene.vars.set(b.name, value);
        }
    }
}

/// The origins the scenario's subject is told to allow: its own
/// `CORS_ORIGIN` when the scenario sets one, else the run's.
fn allowed_origins(ctx: &RunContext<'_>, s: &LoadedScenario) -> Vec<String> {
    let needs = &s.scenario.needs;
    let list = if needs.unset.iter().any(|v| v == "CORS_ORIGIN") {
        DEFAULT_ORIGIN
    } else {
        needs
            .env
            .get("CORS_ORIGIN")
            .map_or(ctx.allowed_origin.as_str(), String::as_str)
    };
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A local port where nothing listens.
fn closed_port() -> Option<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
    Some(listener.local_addr().ok()?.port().to_string())
}

/// A scenario's result before it ran.
fn empty_result(s: &LoadedScenario, verdict: Verdict) -> ScenarioResult {
    ScenarioResult {
        name: s.name.clone(),
        title: s.scenario.title.clone(),
        file: s.path.display().to_string(),
        rules: s.scenario.rules.clone(),
        level: s.level,
        verdict,
        steps: Vec::new(),
        cases: Vec::new(),
        subject_output: None,
        har: None,
        browser: None,
        first_attempt: None,
        millis: 0,
    }
}

/// Runs one planned scenario to its verdict. A browser scenario whose
/// browser broke under one of its steps (WebDriver itself, not the page:
/// a session that is gone, a crashed renderer, an answer that is not
/// WebDriver's), or whose new browser did not open, runs once more from
/// its start, on a new browser (the broken one is closed), with new values
/// for its built-in variables: one breakdown of Chromium or chromedriver
/// says nothing of the subject, and should not cost a team's CI run. The
/// verdict is the second attempt's; the first one's breakdown is kept in
/// [`ScenarioResult::first_attempt`] for the reports. Only once: a browser
/// that breaks again is the harness's error.
pub(crate) async fn run_scenario(planned: &Planned<'_>, ctx: &RunContext<'_>) -> ScenarioResult {
    let (first, browser_broke) = run_attempt(planned, ctx).await;
    // A browser that broke always ends its attempt with an error.
    let (true, Verdict::Error(why)) = (browser_broke, &first.verdict) else {
        return first;
    };
    let why = why.clone();
    tracing::warn!("{}: {why}; running it again on a new browser", first.name);
    let (mut second, _) = run_attempt(planned, ctx).await;
    second.first_attempt = Some(why);
    second.millis += first.millis;
    second
}

/// Runs one attempt of a planned scenario to its verdict; also says
/// whether the browser broke under one of its steps or did not open.
async fn run_attempt(planned: &Planned<'_>, ctx: &RunContext<'_>) -> (ScenarioResult, bool) {
    let s = planned.scenario;
    let running = match &planned.placement {
        Placement::NotApplicable(why) => {
            return (empty_result(s, Verdict::NotApplicable(why.clone())), false);
        }
        Placement::Shared => None,
        Placement::Own { running } => Some(*running),
    };
    let mut result = empty_result(s, Verdict::Pass);
    let mut started = Instant::now();
    let mut scene = Scene {
        vars: Default::default(),
        client: ctx.client.clone(),
        fresh_client: ctx.fresh_client.clone(),
        base_url: ctx.shared_url.clone().unwrap_or_default(),
        secret: ctx.secret.clone(),
        own: None,
        sources: ctx.sources.clone(),
        browser: None,
        watch: crate::traffic::Watch::new(
            std::sync::Arc::clone(&ctx.traffic),
            &s.name,
            allowed_origins(ctx, s),
        ),
        supervisor: running.is_none().then(|| ctx.supervisor.clone()).flatten(),
    };
    builtin_vars(&mut scene, ctx, s);
    if let Some(password) = scene.vars.get("password") {
        let password = password.to_owned();
        scene.watch.with_password(&password);
    }
    let mut extra = s.scenario.needs.env.clone();
    if !s.scenario.needs.unset.iter().any(|v| v == "CORS_ORIGIN") {
        extra
            .entry("CORS_ORIGIN".to_owned())
            .or_insert_with(|| ctx.allowed_origin.clone());
    }
    let mut front = None;
    let mut _turn = None;
    let mut timing = BrowserTiming::default();
    if s.scenario.needs.browser {
        match prepare_browser(ctx, &mut extra).await {
            Ok((turn, recorder, web_port)) => {
                _turn = turn;
                // Time spent waiting for the browser is not the scenario's own.
                timing.wait_ms = millis_since(started);
                started = Instant::now();
                front = Some((recorder, web_port));
            }
            Err(why) => {
                result.verdict = Verdict::Error(why);
                return (result, false);
            }
        }
    }
    // The scenario's own subject and its browser start side by side.
    let own_start = async {
        match (ctx.launcher, running) {
            (Some(launcher), Some(running)) => {
                let secret = ctx.secret.clone().unwrap_or_default();
                let mut launch = launcher.launch.clone();
                launch.unset.extend(s.scenario.needs.unset.iter().cloned());
                launch.dotenv.extend(s.scenario.needs.dotenv.clone());
                let (launch, services) = (&launch, launcher.services);
                let subject = if running {
                    ManagedSubject::start(launch, services, &secret, &extra).await
                } else {
                    ManagedSubject::prepare(launch, services, &secret, &extra).await
                };
                Some(subject.map_err(|e| e.to_string()))
            }
            _ => None,
        }
    };
    let session_start = async {
        let t = Instant::now();
        match front {
            Some(_) => Some((open_session(ctx).await, millis_since(t))),
            None => None,
        }
    };
    let t = Instant::now();
    let (own, session) = tokio::join!(own_start, session_start);
    let session = session.map(|(session, ms)| {
        timing.session_ms = ms;
        session.map(|(session, reused)| {
            timing.reused = reused;
            session
        })
    });
    match own {
        Some(Ok(subject)) => {
            scene.base_url = subject.base_url().to_owned();
            scene.vars.set("port", subject.port().to_string());
            scene.own = Some(subject);
        }
        Some(Err(e)) => {
            let step = start_step(
                "start the scenario's own subject",
                FailedCheck::new(What::Start, "the subject to start", e),
                t,
            );
            result.verdict = blame_start(&step, &s.scenario.rules);
            result.steps.push(step);
            if let (Some(Ok(session)), Some(pool)) = (session, ctx.browsers) {
                pool.give_back(session, true).await;
            }
            result.millis = started.elapsed().as_millis() as u64;
            return (result, false);
        }
        None => {
            if let Some(port) = scene.base_url.rsplit(':').next() {
                scene.vars.set("port", port.trim_end_matches('/'));
            }
        }
    }
    scene.vars.set("backend_url", scene.base_url.clone());
    let mut browser_broke = false;
    if let (Some((recorder, web_port)), Some(session)) = (front, session) {
        let t = Instant::now();
        let opened = match session {
            Ok(session) => attach_frontend(ctx, s, session, recorder, web_port).await,
            Err(e) => {
                // A new browser that did not open (Chromium that crashed
                // at its start on a loaded machine): worth another try.
                browser_broke = true;
                Err(e)
            }
        };
        timing.frontend_ms = millis_since(t);
        match opened {
            Ok(b) => {
                scene.vars.set("frontend_url", b.frontend_url.clone());
                scene.vars.set("origin", b.frontend_url.clone());
                scene.watch.allow_origin(&b.frontend_url);
                scene.browser = Some(b);
            }
            Err(problem) => {
                // The frontend command or the browser broke: the harness's
                // breakdown, not a verdict on the subject.
                let mut step = start_step(
                    "start the frontend and the browser",
                    FailedCheck::new(What::Start, "the frontend and a browser", problem.clone()),
                    t,
                );
                step.stopped = Some(problem.clone());
                step.failed.clear();
                result.steps.push(step);
                result.verdict = Verdict::Error(problem);
            }
        }
    }
    if result.verdict == Verdict::Pass {
        let list = StepList {
            entries: &s.scenario.steps,
            positions: &s.step_positions,
            first_index: 1,
        };
        let (steps, ended) = run_steps(&list, &s.scenario.rules, &mut scene).await;
        result.steps = steps;
        if let Some(ended) = ended {
            result.verdict = ended.verdict;
            browser_broke = ended.browser_broke;
        } else if let Some(matrix) = &s.scenario.matrix {
            result.cases = super::cases::run_cases(s, matrix, &scene).await;
            result.verdict = crate::outcome::combined(result.cases.iter().map(|c| &c.verdict));
        }
    }
    if matches!(result.verdict, Verdict::Fail | Verdict::Blocked(_))
        && let Some(own) = &scene.own
    {
        result.subject_output = Some(own.output_tail(30));
    }
    if let Some(b) = scene.browser.take() {
        let t = Instant::now();
        let held_ms = b.held_ms;
        // The browser's own requests get the checks every exchange gets.
        let mut watch = scene.watch.clone();
        watch.at_step(0, "the browser's requests", "WEB-5");
        for e in b.recorder.all_entries() {
            if let Some(status) = e.status {
                let headers: Vec<(String, String)> = e
                    .allow_origin
                    .iter()
                    .map(|v| ("access-control-allow-origin".to_owned(), v.clone()))
                    .collect();
                watch.observe(
                    &crate::traffic::Observed {
                        method: &e.method,
                        path: &e.path,
                        origin: e.origin.as_deref(),
                        status,
                        headers: &headers,
                        body: None,
                    },
                    None,
                );
            }
        }
        // The HAR is a report of the run, not a check: a file that cannot
        // be written is said, and changes no verdict.
        match b.write_har() {
            Ok(name) => result.har = Some(name),
            Err(e) => tracing::warn!("cannot write the HAR file of {}: {e}", s.name),
        }
        if let Some(pool) = ctx.browsers {
            pool.give_back(b.session, keeps_browser(&result.verdict))
                .await;
        }
        timing.release_ms = millis_since(t);
        timing.steps_ms = result
            .steps
            .iter()
            .filter(|step| step.kind == "browser")
            .map(|step| step.millis)
            .sum();
        timing.holds_ms = held_ms;
        result.browser = Some(timing);
    }
    if let Some(mut own) = scene.own.take() {
        own.stop().await;
    }
    result.millis = started.elapsed().as_millis() as u64;
    (result, browser_broke)
}

/// Whether a scenario's browser may serve the next one (once wiped, see
/// [`crate::browser::pool::BrowserPool::give_back`]). A verdict on the
/// subject, failing ones included, leaves a browser that works: what the
/// page did is wiped with its storage, and a page that cannot be left (an
/// alert, a dead renderer) fails the wipe, which closes the browser. A
/// browser that was part of the harness's own breakdown is not trusted.
/// Replacing a browser after every failure cost about 3 s of CPU each
/// (Chromium's start and first pages): most of a failing browser run's.
fn keeps_browser(verdict: &Verdict) -> bool {
    !matches!(verdict, Verdict::Error(_))
}

/// Milliseconds since `t`.
fn millis_since(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The record of a scenario's preparation (step 0) that failed.
fn start_step(label: &str, failed: FailedCheck, started: Instant) -> StepResult {
    StepResult {
        index: 0,
        kind: "start",
        setup: None,
        label: label.to_owned(),
        at: None,
        failed: vec![failed],
        stopped: None,
        artifacts: Vec::new(),
        transcripts: Vec::new(),
        millis: started.elapsed().as_millis() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::vars::BUILTIN;
    use std::collections::BTreeSet;

    #[test]
    fn a_browser_is_kept_after_any_verdict_on_the_subject_but_not_after_a_harness_error() {
        let blocked = Verdict::Blocked(crate::outcome::Blocked {
            rule: "WEB-1".into(),
            step: 1,
            label: "a setup step".into(),
        });
        for verdict in [Verdict::Pass, Verdict::Fail, blocked] {
            assert!(keeps_browser(&verdict), "{verdict:?}");
        }
        assert!(!keeps_browser(&Verdict::Error("the browser died".into())));
    }

    #[test]
    fn every_built_in_is_set_and_nothing_else() {
        let catalogue = crate::rules::Catalogue::builtin().expect("catalogue");
        let s = crate::scenario::load::load_bytes(
            std::path::Path::new("a.toml"),
            b"title = \"t\"\nrules = [\"TOK-2\"]\n[[steps]]\n[steps.request]\npath = \"/a\"\n",
            &catalogue,
        )
        .expect("loads");
        let ctx = RunContext {
            supervisor: None,
            client: crate::client::http_client().expect("a client"),
            fresh_client: crate::client::http_client().expect("a client"),
            shared_url: Some("http://127.0.0.1:1".into()),
            secret: Some("s".into()),
            allowed_origin: "http://localhost:1".into(),
            launcher: None,
            sources: None,
            browsers: None,
            artifacts: std::env::temp_dir(),
            traffic: Default::default(),
        };
        let mut scene = Scene {
            vars: Default::default(),
            client: ctx.client.clone(),
            fresh_client: ctx.fresh_client.clone(),
            base_url: String::new(),
            secret: None,
            own: None,
            sources: None,
            browser: None,
            watch: crate::traffic::Watch::new(Default::default(), "a", Vec::new()),
            supervisor: None,
        };
        builtin_vars(&mut scene, &ctx, &s);
        // Set once the subject and the frontend are up; an allowed origin
        // whose host has no dot has no unescaped-dot neighbour.
        let later = [
            "port",
            "backend_url",
            "frontend_url",
            "origin_unescaped_dot",
        ];
        let set: BTreeSet<&str> = scene.vars.values().map(|(k, _)| k).collect();
        let want: BTreeSet<&str> = BUILTIN
            .iter()
            .map(|b| b.name)
            .filter(|n| !later.contains(n))
            .collect();
        assert_eq!(set, want);
        assert_eq!(scene.vars.get("sel_message"), Some("[name=message]"));
    }
}
