//! The figures of a run as text: one block per measurement, then the goals
//! with their verdicts. Rendering is pure so the layout can be tested.

use std::fmt::Write;

use super::goals::{self, StreamsPhase};
use super::limits::FileLimit;
use super::load::{LoadResult, LoginResult};
use super::rss::{SAMPLE_EVERY, mib};
use super::stats::{grouped, millis};

/// The command that gives figures worth comparing.
pub(crate) const RELEASE_COMMAND: &str = "cargo run --release -p conformance -- bench";

/// Everything a run measured, and about what.
#[derive(Debug, Clone)]
pub(crate) struct BenchReport {
    /// What was measured, in one line.
    pub(crate) subject: String,
    /// Where Postgres and Redis came from, when the bench started them.
    pub(crate) services: Option<String>,
    /// Whether this binary was built with optimizations.
    pub(crate) release_build: bool,
    /// Whether to print the note about debug builds even in a release build.
    pub(crate) release_hint: bool,
    /// The open-file limit.
    pub(crate) file_limit: FileLimit,
    /// Warnings gathered on the way (a limit too low, …).
    pub(crate) notes: Vec<String>,
    /// `GET /auth/me` under closed-loop load.
    pub(crate) me: LoadResult,
    /// `POST /auth/login`.
    pub(crate) login: LoginResult,
    /// One round of concurrent streams per `--streams` value.
    pub(crate) streams: Vec<StreamsPhase>,
    /// The subject's highest sampled `VmRSS` and its `VmHWM`, when local.
    pub(crate) memory: Option<(u64, Option<u64>)>,
}

/// The report as printed.
pub(crate) fn render(report: &BenchReport) -> String {
    let mut out = String::new();
    header(&mut out, report);
    auth_me(&mut out, &report.me);
    login(&mut out, &report.login);
    streams(&mut out, &report.streams);
    if let Some((peak, hwm)) = report.memory {
        let hwm = hwm.map_or_else(String::new, |h| {
            format!(" (kernel high-water mark {})", mib(h))
        });
        let _ = writeln!(
            out,
            "subject memory: peak RSS {} sampled every {} ms{hwm}\n",
            mib(peak),
            SAMPLE_EVERY.as_millis()
        );
    } else {
        let _ = writeln!(out, "subject memory: not measured (not a local process)\n");
    }
    let _ = writeln!(
        out,
        "goals for the reference on 2 cores (a missed goal does not fail this command)"
    );
    let judged = goals::evaluate(Some(&report.me), &report.streams);
    for goal in judged {
        let _ = writeln!(
            out,
            "  {:<13} {:<45} {}",
            goal.verdict.label(),
            goal.goal,
            goal.measured
        );
    }
    out
}

fn header(out: &mut String, report: &BenchReport) {
    let _ = writeln!(out, "subject: {}", report.subject);
    if let Some(services) = &report.services {
        let _ = writeln!(out, "{services}");
    }
    let _ = writeln!(out, "{}", report.file_limit.describe());
    if !report.release_build || report.release_hint {
        let build = if report.release_build {
            "release"
        } else {
            "debug"
        };
        let _ = writeln!(
            out,
            "note: this is a {build} build of the bench; a debug build understates throughput \
             (of the load and of a reference it starts). For figures worth comparing: {RELEASE_COMMAND}"
        );
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out.push('\n');
}

fn auth_me(out: &mut String, me: &LoadResult) {
    let _ = writeln!(
        out,
        "GET /auth/me: {} connections, closed loop, {:.1} s",
        me.connections,
        me.elapsed.as_secs_f64()
    );
    let others: u64 = me.other_statuses.values().sum();
    let _ = writeln!(
        out,
        "  throughput  {} answers per second ({} x 200, {} other, {} errors)",
        grouped(me.per_second().round() as u64),
        grouped(me.ok),
        grouped(others),
        grouped(me.errors)
    );
    let l = &me.latencies;
    let _ = writeln!(
        out,
        "  latency     p50 {}   p99 {}   max {}",
        millis(l.p50),
        millis(l.p99),
        millis(l.max)
    );
    if !me.other_statuses.is_empty() {
        let statuses: Vec<String> = me
            .other_statuses
            .iter()
            .map(|(status, count)| format!("{status} x {}", grouped(*count)))
            .collect();
        let _ = writeln!(out, "  other statuses: {}", statuses.join(", "));
    }
    if let Some(error) = &me.first_error {
        let _ = writeln!(out, "  first error: {error}");
    }
    out.push('\n');
}

fn login(out: &mut String, login: &LoginResult) {
    let _ = writeln!(
        out,
        "POST /auth/login: every login verifies an Argon2id hash (19 MiB, 2 passes)"
    );
    let s = &login.sequential;
    let _ = writeln!(
        out,
        "  one at a time  {:>4} logins   p50 {}   p99 {}",
        s.count,
        millis(s.p50),
        millis(s.p99)
    );
    let c = &login.concurrent;
    let _ = writeln!(
        out,
        "  {:>2} at once     {:>4} logins   p50 {}   p99 {}   ({:.1} logins per second)",
        login.concurrency,
        c.count,
        millis(c.p50),
        millis(c.p99),
        login.concurrent_per_second()
    );
    if login.failures > 0 {
        let _ = writeln!(
            out,
            "  {} logins failed, the first: {}",
            login.failures,
            login.first_failure.as_deref().unwrap_or("?")
        );
    }
    out.push('\n');
}

fn streams(out: &mut String, phases: &[StreamsPhase]) {
    let _ = writeln!(
        out,
        "POST /documents/:id/chat/stream: N opened at once, each read to its end"
    );
    let _ = writeln!(
        out,
        "  {:>7} {:>7} {:>6} {:>6} {:>7} {:>10} {:>12} {:>12} {:>9} {:>8} {:>11}",
        "streams",
        "done",
        "401",
        "other",
        "failed",
        "incomplete",
        "1st delta50",
        "1st delta99",
        "total",
        "open max",
        "peak RSS"
    );
    for phase in phases {
        let r = &phase.result;
        let other: usize = r.other_statuses.values().sum();
        let _ = writeln!(
            out,
            "  {:>7} {:>7} {:>6} {:>6} {:>7} {:>10} {:>12} {:>12} {:>9} {:>8} {:>11}",
            grouped(r.count as u64),
            grouped(r.done as u64),
            grouped(r.unauthorized as u64),
            grouped(other as u64),
            grouped(r.failed as u64),
            grouped(r.incomplete as u64),
            millis(r.first_delta.p50),
            millis(r.first_delta.p99),
            format!("{:.2} s", r.total.as_secs_f64()),
            grouped(r.peak_open as u64),
            phase.peak_rss_kib.map_or_else(|| "-".to_owned(), mib)
        );
    }
    for phase in phases {
        let r = &phase.result;
        if !r.other_statuses.is_empty() {
            let statuses: Vec<String> = r
                .other_statuses
                .iter()
                .map(|(status, count)| format!("{status} x {}", grouped(*count as u64)))
                .collect();
            let _ = writeln!(
                out,
                "  at {}: other statuses {}",
                grouped(r.count as u64),
                statuses.join(", ")
            );
        }
        for problem in &r.problems {
            let _ = writeln!(out, "  at {}: {problem}", grouped(r.count as u64));
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::stats::Latencies;
    use crate::bench::streams::StreamsResult;
    use std::time::Duration;

    fn report(release_build: bool) -> BenchReport {
        BenchReport {
            subject: "reference server".to_owned(),
            services: None,
            release_build,
            release_hint: false,
            file_limit: FileLimit {
                before: 1024,
                now: 20_000,
                hard: 20_000,
            },
            notes: Vec::new(),
            me: LoadResult {
                connections: 64,
                elapsed: Duration::from_secs(10),
                ok: 250_000,
                ..LoadResult::default()
            },
            login: LoginResult::default(),
            streams: vec![StreamsPhase {
                result: StreamsResult {
                    count: 1_000,
                    done: 1_000,
                    first_delta: Latencies {
                        count: 1_000,
                        p99: Duration::from_millis(80),
                        ..Latencies::default()
                    },
                    ..StreamsResult::default()
                },
                peak_rss_kib: Some(40 * 1024),
            }],
            memory: Some((50 * 1024, Some(51 * 1024))),
        }
    }

    #[test]
    fn goals_are_printed_with_their_verdicts() {
        let text = render(&report(true));
        assert!(text.contains("met           GET /auth/me >= 20,000 per second"));
        assert!(text.contains("NOT MET       first delta p99 < 50 ms at 1,000 streams"));
        assert!(text.contains("not measured  10,000 concurrent streams"));
        assert!(!text.contains(RELEASE_COMMAND));
    }

    #[test]
    fn a_debug_build_says_how_to_get_real_figures() {
        assert!(render(&report(false)).contains(RELEASE_COMMAND));
        let hinted = BenchReport {
            release_hint: true,
            ..report(true)
        };
        assert!(render(&hinted).contains(RELEASE_COMMAND));
    }
}
