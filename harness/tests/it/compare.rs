//! `conformance compare` end to end: two report.json files side by side on
//! stdout and in compare.md and compare.html; a usage error gets a usage line.

use conformance::outcome::{RunOutcome, ScenarioResult, Verdict};
use conformance::report::json;
use conformance::rules::{Catalogue, Level};
use std::path::Path;
use std::process::Command;

fn write_report(path: &Path, subject: &str, verdict: Verdict) {
    let scenario = ScenarioResult {
        name: "reg-1-register".into(),
        title: String::new(),
        file: String::new(),
        rules: vec!["REG-1".into()],
        level: Level::Must,
        verdict,
        steps: Vec::new(),
        cases: Vec::new(),
        subject_output: None,
        har: None,
        browser: None,
        first_attempt: None,
        millis: 0,
    };
    let catalogue = Catalogue::builtin().expect("catalogue");
    let outcome = RunOutcome::new(
        subject.into(),
        String::new(),
        vec![scenario],
        &catalogue,
        false,
    );
    std::fs::write(path, json::render(&outcome).expect("json")).expect("write");
}

fn compare(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_conformance"))
        .arg("compare")
        .args(args)
        .output()
        .expect("conformance runs")
}

#[test]
fn two_reports_side_by_side_in_markdown_and_html() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (a, b, out) = (
        tmp.path().join("nest.json"),
        tmp.path().join("fastapi.json"),
        tmp.path().join("out"),
    );
    write_report(&a, "nest <backend>", Verdict::Pass);
    write_report(&b, "fastapi", Verdict::Fail);
    let output = compare(&[
        a.as_os_str(),
        b.as_os_str(),
        "--name".as_ref(),
        "NestJS".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("| Rule | Level | NestJS | fastapi | Summary |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| REG-1 | MUST | ✅ pass | ❌ fail |"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("| REG-2 |"),
        "rules no run checked are left out: {stdout}"
    );
    let md = std::fs::read_to_string(out.join("compare.md")).expect("compare.md");
    assert_eq!(md, stdout);
    let html = std::fs::read_to_string(out.join("compare.html")).expect("compare.html");
    assert!(html.contains("<th>NestJS</th><th>fastapi</th>"), "{html}");
    assert!(
        html.contains(r#"<td class="status pass">✔ pass</td><td class="status fail">✘ FAIL</td>"#),
        "{html}"
    );
}

#[test]
fn one_report_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let a = tmp.path().join("a.json");
    write_report(&a, "x", Verdict::Pass);
    let output = compare(&[a.as_os_str()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Usage: conformance compare"), "{stderr}");
}

#[test]
fn a_file_that_is_not_a_report_is_named_with_exit_code_2() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (a, b) = (tmp.path().join("a.json"), tmp.path().join("b.json"));
    write_report(&a, "x", Verdict::Pass);
    std::fs::write(&b, "[]").expect("write");
    let output = compare(&[a.as_os_str(), b.as_os_str()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("b.json is not a report.json"), "{stderr}");
}
