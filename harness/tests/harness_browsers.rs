//! A test binary's [`Harness`] keeps its browsers between the suites it
//! runs (a Chromium start costs about a CPU-second, and the kill matrix
//! runs some 60 suites with browser scenarios) and closes them when it
//! drops. A binary of its own, so that no other test's browsers are
//! running in this process.

use conformance::Suite;
use conformance::libtest::Harness;
use conformance::services::{DockerOptions, ServicesMode};
use conformance::subject::spec::{Launch, SubjectSpec};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The parent of process `pid`.
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`, where comm may hold spaces and parentheses.
    let after = &stat[stat.rfind(')')? + 2..];
    after.split(' ').nth(1)?.parse().ok()
}

/// The main process of each Chromium this process started through
/// chromedriver (Chromium's helpers have `--type=`).
fn browsers() -> Vec<u32> {
    let me = std::process::id();
    // Without /proc none is found, and the test fails on its first check.
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            let main_browser = std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|raw| {
                let args = String::from_utf8_lossy(&raw);
                args.contains("--user-data-dir=") && !args.contains("--type=")
            });
            main_browser && parent(pid).and_then(parent) == Some(me)
        })
        .collect();
    pids.sort_unstable();
    pids
}

#[test]
fn a_harness_keeps_its_browsers_between_suites_and_closes_them_when_it_drops() {
    let reference = SubjectSpec::Managed(Launch::reference(
        PathBuf::from(env!("CARGO_BIN_EXE_conformance")),
        &[],
    ));
    let suite = Suite::builtin()
        .subject(reference)
        .require_browser(true)
        .only(&["web-1-login-persists-auth".to_owned()]);
    let harness = Harness::new(ServicesMode::Auto, DockerOptions::default()).expect("a harness");
    assert!(browsers().is_empty(), "browsers before any suite ran");

    let first = harness.run(&suite).expect("the first suite runs");
    assert_eq!(first.scenarios.len(), 1);
    assert_eq!(
        first.scenarios[0].verdict,
        conformance::outcome::Verdict::Pass,
        "{first:?}"
    );
    let kept = browsers();
    assert!(!kept.is_empty(), "no browser kept after the first suite");

    let second = harness.run(&suite).expect("the second suite runs");
    assert_eq!(
        second.scenarios[0].verdict,
        conformance::outcome::Verdict::Pass,
        "{second:?}"
    );
    assert_eq!(
        browsers(),
        kept,
        "the second suite did not use the kept browsers"
    );

    drop(harness);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !browsers().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        browsers(),
        Vec::<u32>::new(),
        "browsers outlived the harness"
    );
}
