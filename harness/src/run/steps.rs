//! One step of a scenario: run it by its kind (each kind has a file of its
//! own under `run/`, named as scenario files name the kind: `stream` is
//! `run/stream.rs`), and describe it in a few words for reports.

use super::scene::{Ran, Scene, StepError};
use super::{
    browser, burst, connections, database, file, forge, network, output, redis, request, restart,
    sleep, start_fails, stream, token,
};
use crate::scenario::model::Step;

/// Runs one step: the checks that did not hold (none: it passed) and the
/// exchanges it made; an error means the step could not be carried out.
pub(crate) async fn run_step(scene: &mut Scene, step: &Step) -> Result<Ran, StepError> {
    match step {
        Step::Request(x) => request::run(scene, x).await,
        Step::Burst(b) => burst::run(scene, b).await,
        Step::Stream(x) => stream::run(scene, x).await,
        Step::Forge(f) => forge::run(scene, f),
        Step::Token(t) => token::run(scene, t),
        Step::Database(d) => database::run(scene, d).await,
        Step::Redis(r) => redis::run(scene, r).await,
        Step::Restart(r) => restart::run(scene, r).await,
        Step::StartFails(f) => start_fails::run(scene, f).await,
        Step::Output(o) => output::run(scene, o).await,
        Step::File(f) => file::run(scene, f),
        Step::Connections(c) => connections::run(scene, c),
        Step::Browser(a) => browser::run(scene, a).await,
        Step::Network(n) => network::run(scene, n),
        Step::Sleep(s) => sleep::run(s).await,
    }
}

/// A short description of a step for reports.
pub(crate) fn label(step: &Step) -> String {
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
        Step::Restart(r) if r.reset_database => "restart the subject on an empty database".into(),
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
        Step::Browser(a) => browser::label(a),
        Step::Network(_) => "check the browser's requests to the API".into(),
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::model::Step;

    #[test]
    fn every_step_kind_has_its_own_file_under_run() {
        let run = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/run");
        for kind in Step::KINDS {
            assert!(
                run.join(format!("{kind}.rs")).is_file(),
                "no src/run/{kind}.rs for the `{kind}` step"
            );
        }
    }
}
