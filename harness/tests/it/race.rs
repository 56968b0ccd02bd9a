//! REG-3 catches a check-then-insert however narrow its window: the
//! reference's `register-narrow-race` fault hashes the password first and
//! then looks the email up and inserts back to back, a window of a fraction
//! of a millisecond. This runs REG-3's scenarios against it several times
//! and prints, for each, how many runs and bursts showed the race. Bursts at
//! full speed catch it only now and then; with the database's answers held
//! back (the window is then at least one round trip wide) every run must.

use super::support::{reference, run, scenarios_named};
use conformance::check::What;
use conformance::outcome::{ScenarioResult, Verdict};
use conformance::report::console::failure_text;
use conformance::scenario::model::Step;

const RUNS: usize = 4;
const FULL_SPEED: &str = "reg-3-concurrent-registrations";
const SLOW_DATABASE: &str = "reg-3-slow-database";

/// How many bursts of a REG-3 result showed the race (the burst step's
/// count of rounds that broke its expectation).
fn bursts_that_broke(result: &ScenarioResult) -> usize {
    result
        .steps
        .iter()
        .flat_map(|step| step.failed.iter())
        .find_map(|c| match c.what {
            What::Bursts { broke, .. } => Some(broke),
            _ => None,
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reg_3_catches_a_narrow_check_then_insert_in_every_run() {
    let scenarios = scenarios_named(&[FULL_SPEED, SLOW_DATABASE]);
    let mut caught = [0_usize; 2];
    let mut broke = [0_usize; 2];
    let mut sent = [0_usize; 2];
    let mut misses = Vec::new();
    for _ in 0..RUNS {
        let outcome = run(&scenarios, reference(&["register-narrow-race"])).await;
        for (i, name) in [FULL_SPEED, SLOW_DATABASE].into_iter().enumerate() {
            let s = scenarios.iter().find(|s| s.name == name).expect("loaded");
            // The registrations' burst: the last (the slow database's
            // scenario opens its connections with another first).
            let Some(Step::Burst(burst)) = s.steps().filter(|st| st.kind() == "burst").last()
            else {
                panic!("{name} has a burst step");
            };
            sent[i] += burst.rounds;
            let result = outcome
                .scenarios
                .iter()
                .find(|r| r.name == name)
                .expect("it ran");
            if result.verdict == Verdict::Fail {
                caught[i] += 1;
                broke[i] += bursts_that_broke(result);
            } else if name == SLOW_DATABASE {
                misses.push(failure_text(result));
            }
        }
    }
    for (i, name) in [FULL_SPEED, SLOW_DATABASE].into_iter().enumerate() {
        println!(
            "{name}: caught register-narrow-race in {} of {RUNS} runs; {} of {} bursts showed it ({:.0}%)",
            caught[i],
            broke[i],
            sent[i],
            100.0 * broke[i] as f64 / sent[i].max(1) as f64
        );
    }
    assert_eq!(caught[1], RUNS, "runs that missed the race: {misses:?}");
}
