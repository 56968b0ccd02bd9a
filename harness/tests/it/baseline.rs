//! `run --baseline` end to end: the CLI against the reference, with and
//! without a fault, judged against the report.json of an earlier run.

use std::path::Path;
use std::process::{Command, Output};

/// `conformance run` on TOK-5's scenario, with the fault on or off, writing
/// its reports into `dir`, against `baseline` when given.
fn run(fault: bool, dir: &Path, baseline: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_conformance"));
    command
        .args([
            "run",
            "-q",
            "--filter",
            "tok-5-header-first",
            "--report-dir",
        ])
        .arg(dir)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("REFERENCE_FAULTS")
        .env_remove("GITHUB_STEP_SUMMARY");
    if fault {
        command.args(["--reference-fault", "query-token-first"]);
    }
    if let Some(file) = baseline {
        command.arg("--baseline").arg(file);
    }
    command.output().expect("conformance runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A clean run is the baseline of a run with a fault: TOK-5 regressed,
/// exit 1. The faulted run is the baseline of a clean one: TOK-5
/// improved, exit 0 (the failing baseline does not fail it). The faulted
/// run's index.html shows the failure.
#[test]
fn a_regression_exits_1_and_a_fix_exits_0() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (clean, faulted, fixed) = (
        tmp.path().join("clean"),
        tmp.path().join("faulted"),
        tmp.path().join("fixed"),
    );
    let first = run(false, &clean, None);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));

    let worse = run(true, &faulted, Some(&clean.join("report.json")));
    let out = text(&worse);
    assert_eq!(worse.status.code(), Some(1), "{out}");
    assert!(out.contains("REGRESSED  rule TOK-5: pass -> fail"), "{out}");
    assert!(out.contains("baseline: 2 fatal regressions"), "{out}");
    let summary = std::fs::read_to_string(faulted.join("summary.md")).expect("summary.md");
    assert!(
        summary.contains("❌ regressed against the baseline")
            && summary.contains("| rule `TOK-5` | pass | fail | yes |"),
        "{summary}"
    );

    let page = std::fs::read_to_string(faulted.join("index.html")).expect("index.html");
    assert!(
        page.contains(r#"<tr class="r-fail"><td class="id">TOK-5</td>"#)
            && page.contains(r#"id="s-tok-5-header-first""#)
            && page.contains("<pre class=\"curl\">curl -i ")
            && page.contains(">regressed against the baseline</span>"),
        "{page}"
    );

    let better = run(false, &fixed, Some(&faulted.join("report.json")));
    let out = text(&better);
    assert_eq!(better.status.code(), Some(0), "{out}");
    assert!(out.contains("IMPROVED   rule TOK-5: fail -> pass"), "{out}");
    assert!(out.contains("baseline: no regression (exit 0)"), "{out}");
}

/// A baseline that is not a report stops the run before it starts, exit 2.
#[test]
fn a_broken_baseline_is_an_error_with_exit_code_2() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("report.json");
    std::fs::write(&file, "{ not json").expect("write");
    let output = run(false, &tmp.path().join("out"), Some(&file));
    let out = text(&output);
    assert_eq!(output.status.code(), Some(2), "{out}");
    assert!(out.contains("is not a report.json"), "{out}");
    assert!(!tmp.path().join("out").exists(), "no run happened: {out}");
}
