//! `conformance bench --suite`: the whole suite against the reference,
//! `--runs` times with its browser scenarios and as many times without
//! (turn about, so that both see the same machine), each run as
//! `conformance run` does it (its own services, its subject, its
//! browsers). Prints min, median and max of each, the browser's share of
//! the median, where the browser scenarios' time went, and whether any
//! verdict differed between runs. Figures are reported, never asserted.

use super::stats::percentile;
use crate::cli::BenchArgs;
use crate::outcome::{BrowserTiming, RunOutcome};
use crate::suite::{Subject, Suite};
use anyhow::Context;
use std::collections::BTreeMap;
use std::time::Duration;

/// One kind of run's durations and verdicts.
#[derive(Default)]
struct Series {
    millis: Vec<u64>,
    /// Per scenario, every verdict it got.
    verdicts: BTreeMap<String, Vec<String>>,
    /// The browser scenarios' time, summed per run.
    browser: Vec<BrowserTiming>,
    /// How long starting the browsers took, per run.
    browsers_start: Vec<u64>,
}

impl Series {
    fn add(&mut self, outcome: &RunOutcome) {
        self.millis.push(outcome.millis);
        for s in &outcome.scenarios {
            self.verdicts
                .entry(s.name.clone())
                .or_default()
                .push(s.verdict.status().word().to_owned());
        }
        self.browser.push(
            outcome
                .scenarios
                .iter()
                .filter_map(|s| s.browser.as_ref())
                .sum(),
        );
        if let Some((_, ms)) = outcome.phases.iter().find(|(p, _)| p == "browsers start") {
            self.browsers_start.push(*ms);
        }
    }

    /// Min, median and max, in milliseconds.
    fn spread(&self) -> (u64, u64, u64) {
        spread(&self.millis)
    }

    /// Scenarios whose verdict was not the same in every run.
    fn unsteady(&self) -> Vec<String> {
        self.verdicts
            .iter()
            .filter(|(_, v)| v.windows(2).any(|w| w[0] != w[1]))
            .map(|(name, v)| format!("{name} ({})", v.join(", ")))
            .collect()
    }
}

/// Min, median and max of `values` (milliseconds).
fn spread(values: &[u64]) -> (u64, u64, u64) {
    let mut sorted: Vec<Duration> = values.iter().map(|ms| Duration::from_millis(*ms)).collect();
    sorted.sort_unstable();
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    (
        sorted.first().map_or(0, |d| ms(*d)),
        ms(percentile(&sorted, 50.0)),
        sorted.last().map_or(0, |d| ms(*d)),
    )
}

/// Seconds with two decimals.
fn seconds(ms: u64) -> String {
    format!("{:.2} s", ms as f64 / 1000.0)
}

/// Runs the suite bench as `args` say and prints its figures; the exit
/// code (0 when every run ran, whatever the figures).
pub(crate) fn run(args: &BenchArgs) -> anyhow::Result<u8> {
    let conformance =
        std::env::current_exe().context("cannot find this program to start the reference")?;
    let suite = Suite::builtin()
        .subject(Subject::reference(conformance, &[]))
        .browsers(args.browsers)
        .require_browser(true);
    let (_, scenarios) = suite.load().context("cannot load the scenarios")?;
    let without: Vec<String> = scenarios
        .iter()
        .filter(|s| !s.scenario.needs.browser)
        .map(|s| s.name.clone())
        .collect();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let (mut with_browser, mut without_browser) = (Series::default(), Series::default());
    for round in 1..=args.runs {
        let outcome = runtime
            .block_on(suite.run_on(None))
            .with_context(|| format!("run {round} with the browser"))?;
        eprintln!(
            "run {round} with the browser: {} ms, {}",
            outcome.millis,
            outcome.counts().line(true)
        );
        with_browser.add(&outcome);
        let outcome = runtime
            .block_on(suite.clone().only(&without).run_on(None))
            .with_context(|| format!("run {round} without the browser"))?;
        eprintln!(
            "run {round} without the browser: {} ms, {}",
            outcome.millis,
            outcome.counts().line(true)
        );
        without_browser.add(&outcome);
    }
    print!("{}", render(args, &with_browser, &without_browser));
    Ok(0)
}

/// The report.
fn render(args: &BenchArgs, with: &Series, without: &Series) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "suite bench: the reference, {} runs of each kind, --browsers {}, services started for each run",
        args.runs, args.browsers
    );
    let _ = writeln!(out, "{:<22}{:>9}{:>9}{:>9}", "", "min", "median", "max");
    for (label, series) in [("with the browser", with), ("without the browser", without)] {
        let (min, median, max) = series.spread();
        let _ = writeln!(
            out,
            "{label:<22}{:>9}{:>9}{:>9}",
            seconds(min),
            seconds(median),
            seconds(max)
        );
    }
    let (_, with_median, _) = with.spread();
    let (_, without_median, _) = without.spread();
    let share = with_median.saturating_sub(without_median);
    let _ = writeln!(
        out,
        "the browser's share: {} of the median with it ({:.0}%)",
        seconds(share),
        if with_median == 0 {
            0.0
        } else {
            share as f64 * 100.0 / with_median as f64
        }
    );
    let part = |f: fn(&BrowserTiming) -> u64| {
        let values: Vec<u64> = with.browser.iter().map(f).collect();
        seconds(spread(&values).1)
    };
    let _ = writeln!(
        out,
        "browser scenarios, summed per run (median): browsers start {} (beside the services), waiting {}, sessions {}, frontends {}, steps {} (holds {}), clearing {}",
        seconds(spread(&with.browsers_start).1),
        part(|t| t.wait_ms),
        part(|t| t.session_ms),
        part(|t| t.frontend_ms),
        part(|t| t.steps_ms),
        part(|t| t.holds_ms),
        part(|t| t.release_ms),
    );
    let unsteady: Vec<String> = with
        .unsteady()
        .into_iter()
        .chain(without.unsteady())
        .collect();
    if unsteady.is_empty() {
        let _ = writeln!(
            out,
            "verdicts: every scenario had the same verdict in every run"
        );
    } else {
        let _ = writeln!(
            out,
            "verdicts that changed between runs: {}",
            unsteady.join("; ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_of_five_runs_is_their_min_median_and_max() {
        assert_eq!(spread(&[900, 700, 800, 1200, 750]), (700, 800, 1200));
        assert_eq!(spread(&[]), (0, 0, 0));
    }

    #[test]
    fn a_verdict_that_differs_between_runs_is_named() {
        let mut series = Series::default();
        series
            .verdicts
            .insert("steady".into(), vec!["pass".into(), "pass".into()]);
        series
            .verdicts
            .insert("flaky".into(), vec!["pass".into(), "fail".into()]);
        assert_eq!(series.unsteady(), vec!["flaky (pass, fail)".to_owned()]);
    }
}
