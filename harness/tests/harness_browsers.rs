//! A test binary's [`Harness`] keeps its browsers between the suites it
//! runs (a Chromium start costs about a CPU-second, and the kill matrix
//! runs some 60 suites with browser scenarios) and closes them when it
//! drops; a browser that breaks under a scenario is replaced, and the
//! scenario runs again; a chromedriver that died is started again. A binary of its own, so that no other test's
//! browsers are running in this process; its tests take turns.

#![expect(
    clippy::expect_used,
    reason = "a test's helpers panic with their message when what they set up fails"
)]

use conformance::Suite;
use conformance::libtest::Harness;
use conformance::outcome::{RunOutcome, Verdict};
use conformance::services::{DockerOptions, ServicesMode};
use conformance::subject::spec::{Launch, SubjectSpec};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Held by each test: each counts the browsers of the whole process.
static ALONE: Mutex<()> = Mutex::new(());

/// A suite of WEB-1 on the reference, with a browser required.
fn web_1_on_the_reference() -> Suite {
    let reference = SubjectSpec::Managed(Launch::reference(
        PathBuf::from(env!("CARGO_BIN_EXE_conformance")),
        &[],
    ));
    Suite::builtin()
        .subject(reference)
        .require_browser(true)
        .only(&["web-1-login-persists-auth".to_owned()])
}

/// This test's turn, WEB-1's suite and a harness for it.
fn alone_with_a_harness() -> (std::sync::MutexGuard<'static, ()>, Suite, Harness) {
    let alone = ALONE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let harness = Harness::new(ServicesMode::Auto, DockerOptions::default()).expect("a harness");
    (alone, web_1_on_the_reference(), harness)
}

/// The directories Chromium leaves in the system's temp directory when it
/// is killed rather than closed.
fn chromium_leftovers() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(std::env::temp_dir())
        .expect("the temp directory")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.starts_with("org.chromium.Chromium."))
        .collect();
    names.sort();
    names
}

/// Waits up to 5 s for `done`.
fn wait_until(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `suite` once on `harness`, which must pass; the browsers it kept.
fn kept_after_a_first_suite(harness: &Harness, suite: &Suite) -> Vec<u32> {
    let first = harness.run(suite).expect("the first suite runs");
    assert_eq!(first.scenarios[0].verdict, Verdict::Pass, "{first:?}");
    assert_eq!(first.scenarios[0].first_attempt, None, "{first:?}");
    let kept = browsers();
    assert!(!kept.is_empty(), "no browser kept after the first suite");
    kept
}

/// Runs `suite` again on `harness`: its one scenario must pass.
fn passing_second_suite(harness: &Harness, suite: &Suite) -> RunOutcome {
    let second = harness.run(suite).expect("the second suite runs");
    assert_eq!(
        second.scenarios[0].verdict,
        Verdict::Pass,
        "{}",
        conformance::report::console::render(&second)
    );
    second
}

/// Drops `harness`: no browser of this process may outlive it, nor what
/// its browsers left in the temp directory (beside `before`).
fn dropped_without_browsers(harness: Harness, before: &[String]) {
    drop(harness);
    wait_until(|| browsers().is_empty());
    assert_eq!(
        browsers(),
        Vec::<u32>::new(),
        "browsers outlived the harness"
    );
    let left: Vec<String> = chromium_leftovers()
        .into_iter()
        .filter(|name| !before.contains(name))
        .collect();
    assert!(
        left.is_empty(),
        "the browsers left {left:?} in the temp directory"
    );
}

/// The parent of process `pid`.
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`, where comm may hold spaces and parentheses.
    let after = &stat[stat.rfind(')')? + 2..];
    after.split(' ').nth(1)?.parse().ok()
}

/// This process's chromedriver.
fn chromedriver() -> Option<u32> {
    let me = std::process::id();
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .find(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "chromedriver")
                && parent(pid) == Some(me)
        })
}

/// Whether process `pid` is alive (not gone, not a zombie).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rfind(')')
            .and_then(|end| stat[end + 2..].chars().next())
            .is_some_and(|state| state != 'Z')
    })
}

/// Kills process `pid` with SIGKILL.
fn kill(pid: u32) {
    let killed = i32::try_from(pid).map(|pid| {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        )
    });
    assert!(
        matches!(killed, Ok(Ok(()))),
        "could not kill {pid}: {killed:?}"
    );
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
    let (_alone, suite, harness) = alone_with_a_harness();
    let before = chromium_leftovers();
    assert!(browsers().is_empty(), "browsers before any suite ran");
    let kept = kept_after_a_first_suite(&harness, &suite);
    passing_second_suite(&harness, &suite);
    assert_eq!(
        browsers(),
        kept,
        "the second suite did not use the kept browsers"
    );
    dropped_without_browsers(harness, &before);
}

/// The browsers a harness kept are killed between two suites: the second
/// suite's scenario gets a dead one, its first browser step finds
/// WebDriver broken, and the scenario runs again on a new browser and
/// passes; the reports say it ran twice and why. (Before, the scenario's
/// verdict was the harness's error, and a team's CI run failed on one
/// breakdown of Chromium.)
#[test]
fn a_scenario_whose_browser_breaks_runs_again_on_a_new_one() {
    let (_alone, suite, harness) = alone_with_a_harness();
    let before = chromium_leftovers();
    let kept = kept_after_a_first_suite(&harness, &suite);
    kept.iter().copied().for_each(kill);
    wait_until(|| browsers().is_empty());
    assert!(browsers().is_empty(), "the kept browsers did not die");

    let second = passing_second_suite(&harness, &suite);
    let first_attempt = second.scenarios[0]
        .first_attempt
        .as_deref()
        .expect("the scenario says it ran twice");
    assert!(
        first_attempt.contains("the browser broke (webdriver:"),
        "{first_attempt}"
    );
    let console = conformance::report::console::render(&second);
    assert!(
        console.contains("web-1-login-persists-auth ran a second time, on a new browser"),
        "{console}"
    );
    let now = browsers();
    assert!(
        !now.is_empty() && now.iter().all(|pid| !kept.contains(pid)),
        "the scenario did not get a new browser: {kept:?} then {now:?}"
    );
    dropped_without_browsers(harness, &before);
}

/// chromedriver is killed between two suites (its browsers, orphaned,
/// live on): the second suite's browser scenario gets a new chromedriver
/// and a new browser and passes at its first attempt, and the orphaned
/// browsers are killed. (Before, the pool kept the dead driver for the
/// rest of the binary: every later browser scenario was an error.)
#[test]
fn a_chromedriver_that_died_is_started_again_and_its_browsers_are_killed() {
    let (_alone, suite, harness) = alone_with_a_harness();
    let before = chromium_leftovers();
    let kept = kept_after_a_first_suite(&harness, &suite);
    let driver = chromedriver().expect("a chromedriver of this process");
    kill(driver);
    wait_until(|| !alive(driver));
    assert!(!alive(driver), "chromedriver did not die");
    assert!(
        kept.iter().all(|&pid| alive(pid)),
        "the browsers died with chromedriver: nothing left to check"
    );

    let second = passing_second_suite(&harness, &suite);
    assert_eq!(second.scenarios[0].first_attempt, None, "{second:?}");
    let new_driver = chromedriver().expect("a new chromedriver");
    assert_ne!(new_driver, driver);
    wait_until(|| kept.iter().all(|&pid| !alive(pid)));
    let survivors: Vec<u32> = kept.iter().copied().filter(|&pid| alive(pid)).collect();
    assert!(
        survivors.is_empty(),
        "the dead chromedriver's browsers outlived it: {survivors:?}"
    );
    dropped_without_browsers(harness, &before);
}
