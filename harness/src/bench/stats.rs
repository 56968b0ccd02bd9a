//! Latency percentiles: a benchmark reports the median and the tail, not a
//! mean that hides the slow requests.

use std::time::Duration;

/// The distribution of a set of measured durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Latencies {
    /// How many durations were measured.
    pub(crate) count: usize,
    /// The median.
    pub(crate) p50: Duration,
    /// The 99th percentile.
    pub(crate) p99: Duration,
    /// The slowest.
    pub(crate) max: Duration,
}

impl Latencies {
    /// Summarizes `samples` (in any order); all zero when there are none.
    pub(crate) fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Latencies {
            count: samples.len(),
            p50: percentile(&samples, 50.0),
            p99: percentile(&samples, 99.0),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

/// The `p`-th percentile (0 < p <= 100) of `sorted` by the nearest-rank
/// method: the smallest sample that at least `p` percent of the samples do
/// not exceed. Zero for no samples.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A duration in milliseconds with one decimal, for tables: `12.3 ms`.
pub(crate) fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// A count with thousands separators: `20,000`.
pub(crate) fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn percentiles_of_one_to_a_hundred_are_their_rank() {
        let samples: Vec<u64> = (1..=100).rev().collect();
        let summary = Latencies::of(ms(&samples));
        assert_eq!(summary.count, 100);
        assert_eq!(summary.p50, Duration::from_millis(50));
        assert_eq!(summary.p99, Duration::from_millis(99));
        assert_eq!(summary.max, Duration::from_millis(100));
    }

    #[test]
    fn the_tail_of_a_small_set_is_its_slowest_sample() {
        let summary = Latencies::of(ms(&[3, 1, 2]));
        assert_eq!(summary.p50, Duration::from_millis(2));
        assert_eq!(summary.p99, Duration::from_millis(3));
    }

    #[test]
    fn one_sample_is_every_percentile() {
        let sorted = ms(&[7]);
        assert_eq!(percentile(&sorted, 1.0), Duration::from_millis(7));
        assert_eq!(percentile(&sorted, 100.0), Duration::from_millis(7));
    }

    #[test]
    fn no_samples_summarize_to_zero() {
        assert_eq!(Latencies::of(Vec::new()), Latencies::default());
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(20_000), "20,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn milliseconds_have_one_decimal() {
        assert_eq!(millis(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(millis(Duration::ZERO), "0.0 ms");
    }
}
