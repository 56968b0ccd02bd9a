//! Runs one scenario: decide whether it applies, prepare its scene (a shared
//! or an own subject), run its steps in order and turn the first failing
//! step into the verdict: *fail* for a check, *blocked* for a setup step
//! (see [`super::blame`]), *error* when the harness itself broke.

use super::blame::{blame, blame_start};
use super::browser;
use super::browser::screenshot;
use super::frontend::{attach_frontend, open_session, prepare_browser};
use super::scene::Scene;
use super::steps::{label, run_step};
use crate::browser::pool::BrowserPool;
use crate::browser::recorder::Recorder;
use crate::outcome::{ScenarioResult, StepResult, Verdict};
use crate::scenario::load::LoadedScenario;
use crate::scenario::model::Step;
use crate::services::Services;
use crate::subject::env::{DEFAULT_SECRET, OTHER_ORIGIN};
use crate::subject::managed::ManagedSubject;
use crate::subject::spec::{Frontend, Launch};
use std::time::Instant;

/// What every scenario of a run shares.
pub struct RunContext<'a> {
    /// The HTTP client.
    pub client: reqwest::Client,
    /// The shared subject's base URL (when there is one).
    pub shared_url: Option<String>,
    /// The subject's `JWT_SECRET`, when known.
    pub secret: Option<String>,
    /// The origin the subject allows.
    pub allowed_origin: String,
    /// How to start a scenario's own subject, when the subject is managed.
    pub launcher: Option<Launcher<'a>>,
    /// Whether the subject is this workspace's reference server.
    pub is_reference: bool,
    /// The subject's sources, when known.
    pub sources: Option<crate::subject::sources::SourceTree>,
    /// The run's browser, for browser scenarios.
    pub browsers: Option<&'a BrowserPool>,
    /// Where screenshots and other artifacts of failures go.
    pub artifacts: std::path::PathBuf,
    /// Held shared by every scenario while it runs, and alone by those that
    /// time the subject's own start (CFG-2, CFG-3: "exits within 10 s"):
    /// they run on a machine no other scenario is loading.
    pub quiet: tokio::sync::RwLock<()>,
}

/// The contract's default selectors for the browser steps.
pub const DEFAULT_SELECTORS: &[(&str, &str)] = &[
    ("sel_email", "input[name=email]"),
    ("sel_password", "input[name=password]"),
    ("sel_submit", "button[type=submit]"),
    ("sel_message", "[name=message]"),
    ("sel_send", "button[type=submit]"),
    ("route_login", "/login"),
    ("route_app", "/app"),
    ("route_chat", "/chat/"),
];

/// What starting a subject of its own for a scenario takes.
#[derive(Clone, Copy)]
pub struct Launcher<'a> {
    /// How to start the subject.
    pub launch: &'a Launch,
    /// Where its databases come from.
    pub services: &'a Services,
}

/// Why a scenario does not apply to this subject, if it does not.
pub fn not_applicable(s: &LoadedScenario, ctx: &RunContext<'_>) -> Option<String> {
    if s.needs_control() && ctx.launcher.is_none() {
        return Some(
            "needs a subject the harness starts and controls (use a managed subject)".into(),
        );
    }
    if let Some(launcher) = ctx.launcher {
        let launch = launcher.launch;
        if let Some(knob) = s
            .scenario
            .needs
            .env
            .keys()
            .find(|k| launch.missing_knobs.contains(k))
        {
            return Some(format!(
                "sets {knob}, a test knob the subject's profile says it does not honour"
            ));
        }
        if s.scenario.needs.browser && launch.frontend == Frontend::None {
            return Some(
                "needs a frontend: describe one in the subject's profile ([frontend])".into(),
            );
        }
    }
    if s.scenario.needs.reference_only && !ctx.is_reference {
        return Some("checks the reference implementation's own repository".into());
    }
    let forges_with_secret = s.steps().any(|step| match step {
        Step::Forge(f) => f.kind.needs_secret(),
        Step::Token(t) => t.signed_with_secret,
        _ => false,
    });
    if forges_with_secret && ctx.secret.is_none() {
        return Some("needs the subject's JWT_SECRET (pass --jwt-secret)".into());
    }
    None
}

fn builtin_vars(scene: &mut Scene, ctx: &RunContext<'_>, s: &LoadedScenario) {
    let name = s.name.as_str();
    let unique = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let v = &mut scene.vars;
    v.set("unique", &unique);
    let slug: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    v.set("email", format!("{slug}-{unique}@example.com"));
    v.set("other_email", format!("{slug}-other-{unique}@example.com"));
    v.set("password", format!("Pw-{unique}-Garden!9"));
    // A scenario that sets its subject's CORS_ORIGIN is judged for it.
    let origin = s
        .scenario
        .needs
        .env
        .get("CORS_ORIGIN")
        .and_then(|o| o.split(',').next())
        .map_or(ctx.allowed_origin.as_str(), str::trim);
    v.set("origin", origin);
    v.set("other_origin", OTHER_ORIGIN);
    v.set(
        "other_secret",
        format!("another-secret-{unique}-0123456789abcdef"),
    );
    v.set("default_secret", DEFAULT_SECRET);
    if let Some(secret) = &ctx.secret {
        v.set("jwt_secret", secret);
    }
    for (name, selector) in DEFAULT_SELECTORS {
        v.set(*name, *selector);
    }
    if let Some(launcher) = ctx.launcher {
        for (name, selector) in &launcher.launch.selectors {
            v.set(name, selector);
        }
    }
}

/// Runs one scenario to its verdict.
pub async fn run_scenario(s: &LoadedScenario, ctx: &RunContext<'_>) -> ScenarioResult {
    let mut result = ScenarioResult {
        name: s.name.clone(),
        title: s.scenario.title.clone(),
        file: s.path.display().to_string(),
        rules: s.scenario.rules.clone(),
        level: s.level,
        verdict: Verdict::Pass,
        steps: Vec::new(),
        subject_output: None,
        millis: 0,
    };
    if let Some(reason) = not_applicable(s, ctx) {
        result.verdict = Verdict::NotApplicable(reason);
        return result;
    }
    // Scenarios that time the subject's own start run alone.
    let (_shared, _alone) = if s.steps().any(|st| matches!(st, Step::StartFails(_))) {
        (None, Some(ctx.quiet.write().await))
    } else {
        (Some(ctx.quiet.read().await), None)
    };
    let mut started = Instant::now();
    let mut scene = Scene {
        vars: Default::default(),
        client: ctx.client.clone(),
        base_url: ctx.shared_url.clone().unwrap_or_default(),
        secret: ctx.secret.clone(),
        own: None,
        sources: ctx.sources.clone(),
        browser: None,
    };
    builtin_vars(&mut scene, ctx, s);
    let mut extra = s.scenario.needs.env.clone();
    extra
        .entry("CORS_ORIGIN".to_owned())
        .or_insert_with(|| ctx.allowed_origin.clone());
    let mut front: Option<(Recorder, u16)> = None;
    let mut _turn = None;
    if s.scenario.needs.browser {
        match prepare_browser(ctx, &mut extra).await {
            Ok((turn, recorder, web_port)) => {
                _turn = turn;
                // Time spent waiting for the browser is not the scenario's own.
                started = Instant::now();
                front = Some((recorder, web_port));
            }
            Err(verdict) => {
                result.verdict = verdict;
                return result;
            }
        }
    }
    // The scenario's own subject and its browser start side by side.
    let own_start = async {
        match ctx.launcher {
            Some(launcher) if s.needs_own_subject() => {
                let secret = ctx.secret.clone().unwrap_or_default();
                let (launch, services) = (launcher.launch, launcher.services);
                let subject = if s.needs_running_subject() {
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
        match front {
            Some(_) => Some(open_session(ctx).await),
            None => None,
        }
    };
    let t = Instant::now();
    let (own, session) = tokio::join!(own_start, session_start);
    match own {
        Some(Ok(subject)) => {
            scene.base_url = subject.base_url().to_owned();
            scene.vars.set("port", subject.port().to_string());
            scene.own = Some(subject);
        }
        Some(Err(e)) => {
            let step = start_step("start the scenario's own subject", e, t);
            result.verdict = blame_start(&step, &s.scenario.rules);
            result.steps.push(step);
            if let (Some(Ok(session)), Some(pool)) = (session, ctx.browsers) {
                pool.give_back(session, true).await;
            }
            result.millis = started.elapsed().as_millis() as u64;
            return result;
        }
        None => {
            if let Some(port) = scene.base_url.rsplit(':').next() {
                scene.vars.set("port", port.trim_end_matches('/'));
            }
        }
    }
    scene.vars.set("backend_url", scene.base_url.clone());
    if let (Some((recorder, web_port)), Some(session)) = (front, session) {
        let t = Instant::now();
        let opened = match session {
            Ok(session) => attach_frontend(ctx, s, session, recorder, web_port).await,
            Err(e) => Err(e),
        };
        match opened {
            Ok(b) => {
                scene.vars.set("frontend_url", b.frontend_url.clone());
                scene.vars.set("origin", b.frontend_url.clone());
                scene.browser = Some(b);
            }
            Err(problem) => {
                // The frontend command or the browser broke: the harness's
                // breakdown, not a verdict on the subject.
                let step = start_step("start the frontend and the browser", problem.clone(), t);
                result.steps.push(step);
                result.verdict = Verdict::Error(problem);
            }
        }
    }
    if let Ok(l) = std::net::TcpListener::bind("127.0.0.1:0")
        && let Ok(addr) = l.local_addr()
    {
        scene.vars.set("closed_port", addr.port().to_string());
    }
    let steps = if result.verdict == Verdict::Pass {
        s.scenario.steps.as_slice()
    } else {
        &[]
    };
    for (i, entry) in steps.iter().enumerate() {
        let t = Instant::now();
        let step = &entry.step;
        let (mut problems, transcripts, broke) = match run_step(&mut scene, step).await {
            Ok((problems, transcripts)) => (problems, transcripts, None),
            Err(e) => (vec![e.to_string()], Vec::new(), Some(e.to_string())),
        };
        let failed = !problems.is_empty();
        let mut cors_refusal = None;
        if failed
            && broke.is_none()
            && let Some(b) = &scene.browser
            && matches!(step.kind(), "browser" | "network")
        {
            if step.kind() == "browser"
                && let Some(path) = screenshot(b, &format!("step{}", i + 1)).await
            {
                problems.push(format!("screenshot: {}", path.display()));
            }
            cors_refusal = browser::first_cors_refusal(b);
            if let Some(refusal) = &cors_refusal {
                problems.push(format!("the browser refused an answer for CORS: {refusal}"));
            }
            let requests = browser::network_lines(b);
            problems.push(format!(
                "requests the browser made to the API:\n  {}",
                requests.join("\n  ")
            ));
        }
        let record = StepResult {
            index: i + 1,
            kind: step.kind(),
            setup: entry.setup.clone(),
            label: label(step),
            problems,
            transcripts: if failed { transcripts } else { Vec::new() },
            millis: t.elapsed().as_millis() as u64,
        };
        let verdict = match broke {
            Some(why) => Some(Verdict::Error(format!("step {}: {why}", i + 1))),
            None if failed => Some(blame(
                entry,
                &record,
                &s.scenario.rules,
                cors_refusal.is_some(),
            )),
            None => None,
        };
        result.steps.push(record);
        if let Some(verdict) = verdict {
            result.verdict = verdict;
            break;
        }
    }
    if matches!(result.verdict, Verdict::Fail | Verdict::Blocked(_))
        && let Some(own) = &scene.own
    {
        result.subject_output = Some(own.output_tail(30));
    }
    // The HAR is a report of the run, not a check: a file that cannot be
    // written is said, and changes no verdict.
    if let Some(b) = &scene.browser
        && let Err(e) = super::browser::write_har(b)
    {
        tracing::warn!("cannot write the HAR file of {}: {e}", s.name);
    }
    if let Some(b) = scene.browser.take()
        && let Some(pool) = ctx.browsers
    {
        // A browser that saw a failure is not trusted with the next scenario.
        pool.give_back(b.session, result.verdict == Verdict::Pass)
            .await;
    }
    if let Some(mut own) = scene.own.take() {
        own.stop().await;
    }
    result.millis = started.elapsed().as_millis() as u64;
    result
}

/// The record of a scenario's preparation (step 0) that failed.
fn start_step(label: &str, problem: String, started: Instant) -> StepResult {
    StepResult {
        index: 0,
        kind: "start",
        setup: None,
        label: label.to_owned(),
        problems: vec![problem],
        transcripts: Vec::new(),
        millis: started.elapsed().as_millis() as u64,
    }
}
