//! REG-3 catches a check-then-insert however narrow its window: the
//! reference's `register-narrow-race` fault hashes the password first and
//! then looks the email up and inserts back to back, a window of a fraction
//! of a millisecond. This runs REG-3's scenario against it several times,
//! prints how many runs and how many bursts showed the race, and requires
//! every run to catch it (the kill matrix relies on one run).

use super::support::{reference, run, scenarios_named};
use conformance::outcome::Verdict;
use conformance::report::console::failure_text;

const RUNS: usize = 4;

/// How many bursts of a REG-3 result showed the race (the burst step's
/// "N of M bursts of C broke the expectation").
fn bursts_that_broke(result: &conformance::outcome::ScenarioResult) -> usize {
    result
        .steps
        .iter()
        .flat_map(|step| step.problems.iter())
        .find_map(|p| p.split_once(" of ")?.0.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reg_3_catches_a_narrow_check_then_insert_in_every_run() {
    let scenarios = scenarios_named(&["reg-3-concurrent-registrations"]);
    let Some(conformance::scenario::model::Step::Burst(burst)) =
        scenarios[0].steps().next().cloned()
    else {
        panic!("REG-3's scenario is one burst step");
    };
    let mut caught = 0;
    let mut broke = 0;
    let mut misses = Vec::new();
    for _ in 0..RUNS {
        let outcome = run(&scenarios, reference(&["register-narrow-race"])).await;
        let result = &outcome.scenarios[0];
        match result.verdict {
            Verdict::Fail => {
                caught += 1;
                broke += bursts_that_broke(result);
            }
            _ => misses.push(failure_text(result)),
        }
    }
    let sent = RUNS * burst.rounds;
    println!(
        "REG-3 caught register-narrow-race in {caught} of {RUNS} runs; {broke} of {sent} \
         bursts of {} showed the race ({:.0}% of bursts)",
        burst.count,
        100.0 * broke as f64 / sent as f64
    );
    assert_eq!(caught, RUNS, "runs that missed the race: {misses:?}");
}
