//! Every scenario file against the clean reference server, one test case
//! per file: the reference must pass every rule it checks.

use super::support::{all_scenarios, reference, run};
use conformance::outcome::Verdict;
use conformance::report::console::failure_text;
use rstest::rstest;
use std::path::PathBuf;

#[rstest]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_passes(#[files("../scenarios/*.toml")] path: PathBuf) {
    let name = path
        .file_stem()
        .expect("file name")
        .to_string_lossy()
        .into_owned();
    let scenarios: Vec<_> = all_scenarios()
        .into_iter()
        .filter(|s| s.name == name)
        .collect();
    assert_eq!(scenarios.len(), 1, "scenario {name} loads");
    let outcome = run(&scenarios, reference(&[])).await;
    let result = &outcome.scenarios[0];
    assert_eq!(result.verdict, Verdict::Pass, "{}", failure_text(result));
}
