//! Preparing a browser scenario: the browser's turn, the recording proxy,
//! the environment that points the subject's frontend at it, the frontend
//! process when the profile names one, and the browser session.

use super::scenario::RunContext;
use crate::browser::recorder::Recorder;
use crate::browser::scene::BrowserScene;
use crate::browser::session::Session;
use crate::process::ChildProcess;
use crate::scenario::load::LoadedScenario;
use crate::services::free_port;
use crate::subject::managed::wait_for_port;
use crate::subject::spec::Frontend;
use std::collections::BTreeMap;
use std::time::Duration;

/// Takes the browser's turn and prepares the recording proxy and the
/// environment that points the subject's frontend at it. The plan ran the
/// scenario only where a browser was found: one that does not start now is
/// the harness's breakdown (the error's text).
pub(crate) async fn prepare_browser<'a>(
    ctx: &RunContext<'a>,
    extra: &mut BTreeMap<String, String>,
) -> Result<(Option<tokio::sync::SemaphorePermit<'a>>, Recorder, u16), String> {
    let Some(pool) = ctx.browsers else {
        return Err("the run has no browser pool for a browser scenario".into());
    };
    pool.driver().await?;
    let turn = pool.turn().await;
    let (Ok(api_port), Ok(web_port)) = (free_port(), free_port()) else {
        return Err("no free port for the subject".into());
    };
    let recorder = Recorder::start(format!("http://127.0.0.1:{api_port}"))
        .await
        .map_err(|e| format!("cannot start the recording proxy: {e}"))?;
    extra.insert("PORT".into(), api_port.to_string());
    // The port is the frontend's: a backend hears of it only when it serves
    // the frontend itself, else the two would contend for it.
    let served_by_backend = ctx
        .launcher
        .is_some_and(|l| l.launch.frontend == Frontend::ServedByBackend);
    if served_by_backend {
        extra.insert("WEB_PORT".into(), web_port.to_string());
    }
    extra.insert("VITE_API_URL".into(), recorder.url());
    extra.insert("CORS_ORIGIN".into(), format!("http://localhost:{web_port}"));
    Ok((turn, recorder, web_port))
}

/// A browser for the scenario, from the pool (asked for before the subject
/// is up: a new browser starts while the subject does), and whether the
/// pool kept it warm.
pub(crate) async fn open_session(ctx: &RunContext<'_>) -> Result<(Session, bool), String> {
    ctx.browsers.ok_or("no browser")?.session().await
}

/// Starts the frontend when the profile names a command, waits for it to
/// answer, and puts the browser in front of it.
pub(crate) async fn attach_frontend(
    ctx: &RunContext<'_>,
    s: &LoadedScenario,
    session: Session,
    recorder: Recorder,
    web_port: u16,
) -> Result<BrowserScene, String> {
    let mut ready_within = Duration::from_secs(30);
    let frontend = match ctx.launcher.map(|l| &l.launch.frontend) {
        Some(Frontend::Command {
            command,
            cwd,
            env,
            ready_timeout_ms,
        }) => {
            ready_within = Duration::from_millis(*ready_timeout_ms);
            let mut process = std::process::Command::new("/bin/sh");
            process
                .arg("-c")
                .arg(command)
                .current_dir(cwd)
                .envs(env)
                .env("WEB_PORT", web_port.to_string())
                .env("PORT", web_port.to_string())
                .env("VITE_API_URL", recorder.url());
            match ChildProcess::spawn("frontend", process) {
                Ok(child) => Some(child),
                Err(e) => {
                    release(ctx, session).await;
                    return Err(e.to_string());
                }
            }
        }
        _ => None,
    };
    if !wait_for_port(web_port, ready_within).await {
        release(ctx, session).await;
        let output = frontend
            .as_ref()
            .map(|f| f.output().text())
            .unwrap_or_default();
        return Err(format!(
            "the frontend did not answer on WEB_PORT={web_port} within {} ms{}",
            ready_within.as_millis(),
            if output.is_empty() {
                String::new()
            } else {
                format!("; it printed:\n{output}")
            }
        ));
    }
    Ok(BrowserScene {
        session,
        recorder,
        frontend_url: format!("http://localhost:{web_port}"),
        artifacts: ctx.artifacts.clone(),
        scenario: s.name.clone(),
        _frontend: frontend,
        history_from: 0,
        held_ms: 0,
    })
}

/// Hands a scenario's browser back to the pool; one that was set up for a
/// scenario that never ran is closed rather than reused.
async fn release(ctx: &RunContext<'_>, session: Session) {
    match ctx.browsers {
        Some(pool) => pool.give_back(session, false).await,
        None => session.close().await,
    }
}
