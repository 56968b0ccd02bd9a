//! The goals issue 6 sets for the reference on 2 cores, and whether the
//! figures of a run meet them. A missed goal is information for the reader,
//! never a failure of the command: these machines are shared and noisy.

use std::time::Duration;

use super::load::LoadResult;
use super::rss::mib;
use super::stats::{grouped, millis};
use super::streams::StreamsResult;

/// `GET /auth/me` answered per second.
pub(crate) const ME_PER_SECOND: f64 = 20_000.0;
/// How many streams the memory goal is about.
pub(crate) const HELD_STREAMS: usize = 10_000;
/// The most resident memory while they are held, in KiB (200 MiB).
pub(crate) const HELD_STREAMS_MAX_KIB: u64 = 200 * 1024;
/// How many streams the first-delta goal is about.
pub(crate) const LATENCY_STREAMS: usize = 1_000;
/// The 99th percentile of the first `delta` must be under this.
pub(crate) const FIRST_DELTA_P99: Duration = Duration::from_millis(50);

/// One round of concurrent streams with the subject's memory meanwhile.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamsPhase {
    /// What the streams measured.
    pub(crate) result: StreamsResult,
    /// The subject's highest `VmRSS` during the round, when it is local.
    pub(crate) peak_rss_kib: Option<u64>,
}

/// Whether a goal was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The figure is within the goal.
    Met,
    /// The figure misses the goal.
    NotMet,
    /// This run did not measure it (another N, or not a local process).
    NotMeasured,
}

impl Verdict {
    /// The word shown in the report.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "NOT MET",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// A goal, the figure it is judged on, and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Goal {
    /// The goal, as the issue states it.
    pub(crate) goal: &'static str,
    /// What this run measured, in words.
    pub(crate) measured: String,
    /// Whether the figure meets the goal.
    pub(crate) verdict: Verdict,
}

/// Judges the figures of a run against the three goals.
pub(crate) fn evaluate(me: Option<&LoadResult>, streams: &[StreamsPhase]) -> Vec<Goal> {
    vec![throughput(me), held_streams(streams), first_delta(streams)]
}

fn throughput(me: Option<&LoadResult>) -> Goal {
    let goal = "GET /auth/me >= 20,000 per second (2 cores)";
    let Some(me) = me else {
        return Goal {
            goal,
            measured: "not run".to_owned(),
            verdict: Verdict::NotMeasured,
        };
    };
    let rate = me.ok_per_second();
    Goal {
        goal,
        measured: format!(
            "{} per second at {} connections",
            grouped(rate.round() as u64),
            me.connections
        ),
        verdict: if rate >= ME_PER_SECOND {
            Verdict::Met
        } else {
            Verdict::NotMet
        },
    }
}

fn held_streams(streams: &[StreamsPhase]) -> Goal {
    let goal = "10,000 concurrent streams under 200 MiB RSS";
    let Some(phase) = streams.iter().find(|p| p.result.count == HELD_STREAMS) else {
        return Goal {
            goal,
            measured: "no round of 10,000 streams (--streams)".to_owned(),
            verdict: Verdict::NotMeasured,
        };
    };
    let r = &phase.result;
    let Some(peak) = phase.peak_rss_kib else {
        return Goal {
            goal,
            measured: format!(
                "{}/{} done; RSS unknown (not a local process)",
                grouped(r.done as u64),
                grouped(r.count as u64)
            ),
            verdict: Verdict::NotMeasured,
        };
    };
    let all_done = r.done == r.count;
    Goal {
        goal,
        measured: format!(
            "peak RSS {}, {}/{} done, {} open at once",
            mib(peak),
            grouped(r.done as u64),
            grouped(r.count as u64),
            grouped(r.peak_open as u64)
        ),
        verdict: if all_done && peak < HELD_STREAMS_MAX_KIB {
            Verdict::Met
        } else {
            Verdict::NotMet
        },
    }
}

fn first_delta(streams: &[StreamsPhase]) -> Goal {
    let goal = "first delta p99 < 50 ms at 1,000 streams";
    let Some(phase) = streams.iter().find(|p| p.result.count == LATENCY_STREAMS) else {
        return Goal {
            goal,
            measured: "no round of 1,000 streams (--streams)".to_owned(),
            verdict: Verdict::NotMeasured,
        };
    };
    let r = &phase.result;
    let every_stream_started = r.first_delta.count == r.count;
    let mut measured = format!("p99 {}", millis(r.first_delta.p99));
    if !every_stream_started {
        measured.push_str(&format!(
            ", only {}/{} streams got a delta",
            grouped(r.first_delta.count as u64),
            grouped(r.count as u64)
        ));
    }
    Goal {
        goal,
        measured,
        verdict: if every_stream_started && r.first_delta.p99 < FIRST_DELTA_P99 {
            Verdict::Met
        } else {
            Verdict::NotMet
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::stats::Latencies;

    fn phase(count: usize, done: usize, p99_ms: u64, rss_kib: Option<u64>) -> StreamsPhase {
        StreamsPhase {
            result: StreamsResult {
                count,
                done,
                first_delta: Latencies {
                    count: done,
                    p50: Duration::from_millis(1),
                    p99: Duration::from_millis(p99_ms),
                    max: Duration::from_millis(p99_ms),
                },
                ..StreamsResult::default()
            },
            peak_rss_kib: rss_kib,
        }
    }

    fn me(ok: u64, secs: u64) -> LoadResult {
        LoadResult {
            connections: 64,
            elapsed: Duration::from_secs(secs),
            ok,
            ..LoadResult::default()
        }
    }

    #[test]
    fn throughput_is_judged_on_ok_answers_per_second() {
        assert_eq!(throughput(Some(&me(200_000, 10))).verdict, Verdict::Met);
        assert_eq!(throughput(Some(&me(199_000, 10))).verdict, Verdict::NotMet);
        assert_eq!(throughput(None).verdict, Verdict::NotMeasured);
    }

    #[test]
    fn held_streams_need_every_stream_done_and_little_memory() {
        let within = phase(10_000, 10_000, 5, Some(150 * 1024));
        assert_eq!(held_streams(&[within]).verdict, Verdict::Met);
        let heavy = phase(10_000, 10_000, 5, Some(250 * 1024));
        assert_eq!(held_streams(&[heavy]).verdict, Verdict::NotMet);
        let lost = phase(10_000, 9_999, 5, Some(150 * 1024));
        assert_eq!(held_streams(&[lost]).verdict, Verdict::NotMet);
        let remote = phase(10_000, 10_000, 5, None);
        assert_eq!(held_streams(&[remote]).verdict, Verdict::NotMeasured);
        let other_n = phase(5_000, 5_000, 5, Some(1));
        assert_eq!(held_streams(&[other_n]).verdict, Verdict::NotMeasured);
    }

    #[test]
    fn first_delta_needs_a_delta_on_every_stream_within_the_tail() {
        assert_eq!(
            first_delta(&[phase(1_000, 1_000, 49, None)]).verdict,
            Verdict::Met
        );
        assert_eq!(
            first_delta(&[phase(1_000, 1_000, 50, None)]).verdict,
            Verdict::NotMet
        );
        let partial = first_delta(&[phase(1_000, 900, 10, None)]);
        assert_eq!(partial.verdict, Verdict::NotMet);
        assert!(partial.measured.contains("900/1,000"));
        assert_eq!(first_delta(&[]).verdict, Verdict::NotMeasured);
    }
}
