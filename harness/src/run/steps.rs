//! One step of a scenario: run it by its kind (each kind has a module of
//! its own: `request` and `burst` in `http`, `stream` in `sse`...), and
//! describe it in a few words for reports.

use super::scene::{Scene, StepError};
use super::{browser, control, http, jwt, sse};
use crate::outcome::Transcript;
use crate::scenario::model::Step;

/// Runs one step: the problems it found (empty: it passed) and the
/// exchanges it made; an error means the step could not be carried out.
pub async fn run_step(
    scene: &mut Scene,
    step: &Step,
) -> Result<(Vec<String>, Vec<Transcript>), StepError> {
    let none = |p: Vec<String>| (p, Vec::new());
    Ok(match step {
        Step::Request(x) => http::run_request(scene, x).await?,
        Step::Burst(b) => http::run_burst(scene, b).await?,
        Step::Stream(x) => sse::run_stream(scene, x).await?,
        Step::Forge(f) => none(jwt::forge(scene, f)?),
        Step::Token(t) => none(jwt::check_token(scene, t)?),
        Step::Database(d) => none(control::database(scene, d).await?),
        Step::Redis(r) => none(control::redis(scene, r).await?),
        Step::Restart(r) => none(control::restart(scene, r).await?),
        Step::StartFails(f) => none(control::start_fails(scene, f).await?),
        Step::Output(o) => none(control::output(scene, o).await?),
        Step::File(f) => none(control::file(scene, f)?),
        Step::Connections(c) => none(control::connections(scene, c)?),
        Step::Browser(a) => none(browser::run_action(scene, a).await?),
        Step::Network(n) => none(browser::check_network(scene, n)?),
        Step::Sleep(sl) => {
            tokio::time::sleep(std::time::Duration::from_millis(sl.ms)).await;
            none(Vec::new())
        }
    })
}

/// A short description of a step for reports.
pub fn label(step: &Step) -> String {
    let exchange = |name: &Option<String>, method: &str, path: &str| {
        name.clone().unwrap_or_else(|| format!("{method} {path}"))
    };
    match step {
        Step::Request(x) => exchange(&x.name, &x.method, &x.path),
        Step::Stream(x) => exchange(&x.name, &x.method, &x.path),
        Step::Burst(b) => format!("{} × {} {}", b.count, b.request.method, b.request.path),
        Step::Forge(f) => format!("forge a {:?} token into ${{{}}}", f.kind, f.into),
        Step::Token(t) => format!("check the token {}", t.value),
        Step::Database(d) => format!("database {:?}", d.state).to_lowercase(),
        Step::Redis(r) => format!("redis {:?}", r.state).to_lowercase(),
        Step::Restart(r) if r.env.is_empty() => "restart the subject".into(),
        Step::Restart(r) => format!(
            "restart the subject with {:?}",
            r.env.keys().collect::<Vec<_>>()
        ),
        Step::StartFails(f) => format!(
            "start with {:?} set and {:?} unset: must fail",
            f.env.keys().collect::<Vec<_>>(),
            f.unset
        ),
        Step::Output(_) => "check the subject's output".into(),
        Step::File(f) => format!("check {}", f.path),
        Step::Connections(c) => format!(
            "check the subject connected to{}{}",
            if c.database { " the database" } else { "" },
            if c.redis { " Redis" } else { "" }
        ),
        Step::Sleep(s) => format!("wait {} ms", s.ms),
        Step::Browser(a) => browser::action_label(a),
        Step::Network(_) => "check the browser's requests to the API".into(),
    }
}
