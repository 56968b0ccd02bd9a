//! The `connections` step: checks that the subject's current process
//! connected to the database and Redis the harness handed it, through the
//! harness's proxies on ports of this run: a hard-coded address never
//! reaches them (CFG-5).

use super::scene::{Ran, Scene, StepError};
use crate::check::{FailedCheck, What};
use crate::scenario::model::ConnectionsStep;

/// Checks the connections since the subject's current process started.
pub(crate) fn run(scene: &mut Scene, step: &ConnectionsStep) -> Result<Ran, StepError> {
    let subject = scene.own_subject()?;
    let (database, redis) = subject.connections_since_start();
    let env = subject.env();
    let shown = |name: &str| env.set.get(name).cloned().unwrap_or_default();
    let mut failed = Vec::new();
    if step.database && database == 0 {
        failed.push(FailedCheck::new(
            What::Connection {
                service: "database".into(),
            },
            format!(
                "a connection to the database of DATABASE_URL (port {})",
                reqwest::Url::parse(&shown("DATABASE_URL"))
                    .ok()
                    .and_then(|u| u.port())
                    .map_or_else(|| "?".to_owned(), |p| p.to_string())
            ),
            "none",
        ));
    }
    if step.redis && redis == 0 {
        failed.push(FailedCheck::new(
            What::Connection {
                service: "redis".into(),
            },
            format!(
                "a connection to Redis at REDIS_HOST={} REDIS_PORT={}",
                shown("REDIS_HOST"),
                shown("REDIS_PORT")
            ),
            "none",
        ));
    }
    Ok(Ran::checks(failed))
}
