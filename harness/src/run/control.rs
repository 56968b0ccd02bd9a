//! Steps that control the subject: database and Redis outages, restart, a start that
//! must fail, output checks, waits and source files.

use super::scene::{Scene, StepError};
use crate::scenario::model::{
    ConnectionsStep, DatabaseState, DatabaseStep, FileStep, OutputStep, RedisState, RedisStep,
    RestartStep, StartFailsStep,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long output must stay quiet before "does not contain" is decided.
const OUTPUT_SETTLE: Duration = Duration::from_millis(150);

/// Cuts or restores the database link.
pub async fn database(scene: &mut Scene, step: &DatabaseStep) -> Result<Vec<String>, StepError> {
    let subject = scene.own_subject()?;
    match step.state {
        DatabaseState::Down => subject.proxy().cut().await,
        DatabaseState::Slow => subject
            .proxy()
            .slow_down(Duration::from_millis(step.latency_ms.unwrap_or(0))),
        DatabaseState::Up => subject.proxy().restore(),
    }
    Ok(Vec::new())
}

/// Cuts or restores the Redis link.
pub async fn redis(scene: &mut Scene, step: &RedisStep) -> Result<Vec<String>, StepError> {
    let subject = scene.own_subject()?;
    match step.state {
        RedisState::Down => subject.redis_proxy().cut().await,
        RedisState::Up => subject.redis_proxy().restore(),
    }
    Ok(Vec::new())
}

fn expand_env(
    scene: &Scene,
    env: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, StepError> {
    env.iter()
        .map(|(k, v)| Ok((k.clone(), scene.expand(v)?)))
        .collect()
}

/// Restarts the subject.
pub async fn restart(scene: &mut Scene, step: &RestartStep) -> Result<Vec<String>, StepError> {
    let changes = expand_env(scene, &step.env)?;
    if let Some(secret) = changes.get("JWT_SECRET") {
        scene.secret = Some(secret.clone());
    }
    let subject = scene.own_subject()?;
    Ok(match subject.restart(&changes).await {
        Ok(()) => Vec::new(),
        Err(e) => vec![format!(
            "the subject did not come back after the restart: {e}"
        )],
    })
}

/// Starts a subject that must refuse to start.
pub async fn start_fails(
    scene: &mut Scene,
    step: &StartFailsStep,
) -> Result<Vec<String>, StepError> {
    let changes = expand_env(scene, &step.env)?;
    let expected = match &step.output_contains {
        Some(text) => Some(scene.expand(text)?),
        None => None,
    };
    let subject = scene.own_subject()?;
    let env = subject.env().with(&changes).without(&step.unset);
    let within = Duration::from_millis(step.within_ms);
    let run = subject
        .start_expecting_failure(&env, within)
        .await
        .map_err(|e| StepError::Unsupported(e.to_string()))?;
    let mut problems = Vec::new();
    let shown: String = run
        .output
        .lines()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    match run.exit {
        None => problems.push(format!(
            "expected the subject to exit within {} ms, it was still running; its output:\n{shown}",
            step.within_ms
        )),
        Some(status) if status.success() => {
            problems.push("expected a non-zero exit status, it exited with 0".into())
        }
        Some(_) => {}
    }
    if let Some(text) = expected
        && !run.output.contains(&text)
    {
        problems.push(format!(
            "expected its output to contain {text:?}; its output:\n{shown}"
        ));
    }
    if step.never_listens && run.listened {
        problems.push("expected it never to accept a connection, but its port answered".into());
    }
    Ok(problems)
}

/// Checks the subject's output so far.
pub async fn output(scene: &mut Scene, step: &OutputStep) -> Result<Vec<String>, StepError> {
    let contains: Vec<String> = step
        .contains
        .iter()
        .map(|t| scene.expand(t))
        .collect::<Result<_, _>>()?;
    let absent: Vec<String> = step
        .not_contains
        .iter()
        .map(|t| scene.expand(t))
        .collect::<Result<_, _>>()?;
    let subject = scene.own_subject()?;
    // Let lines already on their way arrive: wait until the output is quiet.
    let mut last = subject.output_text().len();
    for _ in 0..10 {
        tokio::time::sleep(OUTPUT_SETTLE).await;
        let now = subject.output_text().len();
        if now == last {
            break;
        }
        last = now;
    }
    let text = subject.output_text();
    let mut problems = Vec::new();
    for t in contains {
        if !text.contains(&t) {
            problems.push(format!(
                "expected the subject's output to contain {t:?}; it ends with:\n{}",
                subject.output_tail(8)
            ));
        }
    }
    for t in absent {
        if let Some(line) = text.lines().find(|l| l.contains(&t)) {
            problems.push(format!(
                "expected the subject's output not to contain {t:?}, but this line does:\n{line}"
            ));
        }
    }
    Ok(problems)
}

/// Checks a file of the subject's sources.
pub fn file(scene: &Scene, step: &FileStep) -> Result<Vec<String>, StepError> {
    let tree = scene.sources.as_ref().ok_or_else(|| {
        StepError::Unsupported("the subject's source directory is not known".into())
    })?;
    let text = match tree.read(&step.path) {
        Ok(t) => t,
        Err(problem) => return Ok(vec![problem]),
    };
    Ok(step
        .contains
        .iter()
        .filter(|c| !text.contains(c.as_str()))
        .map(|c| format!("{}: expected to contain {c:?}", step.path))
        .collect())
}

/// Checks that the subject's current process connected to the database and
/// Redis the harness handed it (through the harness's proxies, on ports of
/// this run: a hard-coded address never reaches them).
pub fn connections(scene: &mut Scene, step: &ConnectionsStep) -> Result<Vec<String>, StepError> {
    let subject = scene.own_subject()?;
    let (database, redis) = subject.connections_since_start();
    let env = subject.env();
    let shown = |name: &str| env.set.get(name).cloned().unwrap_or_default();
    let mut problems = Vec::new();
    if step.database && database == 0 {
        problems.push(format!(
            "expected the subject to connect to the database of DATABASE_URL (port {}), it never did",
            reqwest::Url::parse(&shown("DATABASE_URL"))
                .ok()
                .and_then(|u| u.port())
                .map_or_else(|| "?".to_owned(), |p| p.to_string())
        ));
    }
    if step.redis && redis == 0 {
        problems.push(format!(
            "expected the subject to connect to Redis at REDIS_HOST={} REDIS_PORT={}, it never did",
            shown("REDIS_HOST"),
            shown("REDIS_PORT")
        ));
    }
    Ok(problems)
}
