//! `conformance bench` end to end, at a tiny scale: it starts its own
//! services and reference, and every figure it prints comes from real
//! answers (the figures themselves are for `cargo run --release`).

use std::process::Command;

#[test]
fn the_bench_measures_the_reference_and_prints_every_section() {
    let output = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args([
            "bench",
            "--connections",
            "4",
            "--duration-secs",
            "1",
            "--streams",
            "20,40",
            "--warmup-streams",
            "5",
        ])
        .output()
        .expect("the bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    let throughput = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("throughput"))
        .unwrap_or_else(|| panic!("no throughput line:\n{stdout}"));
    assert!(
        throughput.contains("0 other, 0 errors") && !throughput.contains("(0 x 200"),
        "every /auth/me answered 200, and some were made: {throughput}"
    );
    for (count, label) in [(20, "20"), (40, "40")] {
        let row = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(label))
            .unwrap_or_else(|| panic!("no row for {count} streams:\n{stdout}"));
        let done: usize = row
            .split_whitespace()
            .nth(1)
            .and_then(|d| d.parse().ok())
            .unwrap_or_default();
        assert_eq!(done, count, "every stream ended with done: {row}");
    }
    assert!(
        stdout.contains("warm-up round of 5 streams") && stdout.contains("(5 done"),
        "the warm-up is reported apart:\n{stdout}"
    );
    assert!(
        stdout.contains("peak RSS") && stdout.contains("MiB"),
        "the subject's memory is reported:\n{stdout}"
    );
    assert!(
        stdout.contains("goals for the reference"),
        "the goals are listed:\n{stdout}"
    );
}

#[test]
fn suite_options_out_of_place_are_usage_errors_before_anything_starts() {
    for args in [
        &["bench", "--suite", "--backend-url", "http://127.0.0.1:9"][..],
        &["bench", "--runs", "3"][..],
        &["bench", "--browsers", "2"][..],
        &["bench", "--suite", "--runs", "0"][..],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_conformance"))
            .args(args)
            .output()
            .expect("conformance runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("Usage: conformance bench"),
            "{args:?}: {stderr}"
        );
    }
}
