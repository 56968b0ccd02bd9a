//! A team's own scenarios and rules beside the suite's: `--scenarios` given
//! more than once, `builtin` for the shipped set, `--catalogue` for the
//! team's rule IDs, and their verdicts in the report like the contract's.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const CATALOGUE: &str = r#"
[[rule]]
id = "ACME-1"
level = "MUST"
summary = "GET /health answers JSON."

[[rule]]
id = "ACME-2"
level = "MUST"
summary = "GET /health names the build in X-Acme-Build."
"#;

const ACME_1: &str = r#"
title = "GET /health answers JSON"
rules = ["ACME-1"]

[[steps]]
[steps.request]
path = "/health"
expect = { status = 200, headers = [{ name = "content-type", contains = "application/json" }] }
"#;

const ACME_2: &str = r#"
title = "GET /health names the build"
rules = ["ACME-2"]

[[steps]]
[steps.request]
path = "/health"
expect = { status = 200, headers = [{ name = "x-acme-build", present = true }] }
"#;

fn conformance(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("conformance runs")
}

fn team_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("acme")).expect("scenario dir");
    std::fs::write(dir.path().join("acme-rules.toml"), CATALOGUE).expect("catalogue");
    std::fs::write(dir.path().join("acme/acme-1-health-json.toml"), ACME_1).expect("scenario");
    std::fs::write(dir.path().join("acme/acme-2-build-header.toml"), ACME_2).expect("scenario");
    dir
}

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn team_scenarios_load_beside_the_builtin_ones_with_their_own_catalogue() {
    let dir = team_dir();
    let both = [
        "--scenarios",
        "builtin",
        "--scenarios",
        "acme",
        "--catalogue",
        "acme-rules.toml",
    ];
    let check = conformance(dir.path(), &[&["check"][..], &both[..]].concat());
    assert!(check.status.success(), "{}", text(&check));
    let builtin = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios"))
        .expect("the repository's scenarios")
        .count();
    assert!(
        text(&check).contains(&format!("{} scenario files", builtin + 2)),
        "{}",
        text(&check)
    );

    let rules = conformance(dir.path(), &[&["rules"][..], &both[..]].concat());
    assert!(rules.status.success(), "{}", text(&rules));
    let listed = text(&rules);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("ACME-1") && l.contains("acme-1-health-json")),
        "{listed}"
    );
    assert!(listed.lines().any(|l| l.starts_with("TOK-2")), "{listed}");

    // Their rules are unknown without their catalogue: a positioned error.
    let unknown = conformance(dir.path(), &["check", "--scenarios", "acme"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(
        text(&unknown).contains("acme-1-health-json.toml:3:"),
        "{}",
        text(&unknown)
    );
}

#[test]
fn team_rules_get_verdicts_and_decide_the_exit_code_like_the_contracts() {
    let dir = team_dir();
    let output = conformance(
        dir.path(),
        &[
            "run",
            "--scenarios",
            "acme",
            "--catalogue",
            "acme-rules.toml",
            "--report-dir",
            "reports",
            "--quiet",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("reports/report.json")).expect("report.json"),
    )
    .expect("report.json is JSON");
    let status = |id: &str| {
        report["rules"]
            .as_array()
            .and_then(|rules| rules.iter().find(|r| r["id"] == id))
            .map(|r| r["status"].clone())
    };
    assert_eq!(status("ACME-1"), Some(Value::from("pass")), "{report:#}");
    assert_eq!(status("ACME-2"), Some(Value::from("fail")), "{report:#}");
    assert_eq!(status("TOK-2"), Some(Value::from("not_run")), "{report:#}");
}
