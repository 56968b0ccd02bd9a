//! The resident memory of a local subject process, sampled from
//! `/proc/<pid>/status` while the load runs: the goal "10,000 streams under
//! 200 MiB" is about the peak, which a reading at the end would miss.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

/// How often the sampler reads the process's status.
pub(crate) const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// One reading of a process's memory, in KiB as the kernel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Memory {
    /// `VmRSS`: resident now.
    pub(crate) rss_kib: u64,
    /// `VmHWM`: the most ever resident (the kernel's own high-water mark).
    pub(crate) hwm_kib: u64,
}

/// Reads `VmRSS` and `VmHWM` from the text of `/proc/<pid>/status`.
pub(crate) fn parse_status(text: &str) -> Option<Memory> {
    let field = |name: &str| {
        text.lines().find_map(|line| {
            let value = line.strip_prefix(name)?.strip_prefix(':')?;
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
    };
    Some(Memory {
        rss_kib: field("VmRSS")?,
        hwm_kib: field("VmHWM")?,
    })
}

/// Reads the memory of process `pid` now; `None` once it has exited (or on
/// a system without `/proc`).
pub(crate) fn read(pid: u32) -> Option<Memory> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status(&text)
}

/// KiB as MiB with one decimal: `123.4 MiB`.
pub(crate) fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Peaks seen by the sampler, shared with its task.
#[derive(Debug, Default)]
struct Peaks {
    /// The highest `VmRSS` sampled since the start.
    overall_kib: AtomicU64,
    /// The highest `VmRSS` sampled since [`RssSampler::begin_phase`].
    phase_kib: AtomicU64,
}

impl Peaks {
    fn record(&self, rss_kib: u64) {
        self.overall_kib.fetch_max(rss_kib, Ordering::Relaxed);
        self.phase_kib.fetch_max(rss_kib, Ordering::Relaxed);
    }
}

/// Samples a process's `VmRSS` every [`SAMPLE_EVERY`] in a background task,
/// stopped on drop.
#[derive(Debug)]
pub(crate) struct RssSampler {
    pid: u32,
    peaks: Arc<Peaks>,
    task: JoinHandle<()>,
}

impl RssSampler {
    /// Starts sampling process `pid` (inside a tokio runtime).
    pub(crate) fn start(pid: u32) -> Self {
        let peaks = Arc::new(Peaks::default());
        let shared = Arc::clone(&peaks);
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(SAMPLE_EVERY);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
            loop {
                ticks.tick().await;
                match read(pid) {
                    Some(memory) => shared.record(memory.rss_kib),
                    None => break,
                }
            }
        });
        RssSampler { pid, peaks, task }
    }

    /// Starts a new phase: [`RssSampler::phase_peak_kib`] counts from now.
    pub(crate) fn begin_phase(&self) {
        let now = read(self.pid).map_or(0, |m| m.rss_kib);
        self.peaks.phase_kib.store(now, Ordering::Relaxed);
        self.peaks.overall_kib.fetch_max(now, Ordering::Relaxed);
    }

    /// The highest `VmRSS` since the phase began, this moment included.
    pub(crate) fn phase_peak_kib(&self) -> u64 {
        if let Some(now) = read(self.pid) {
            self.peaks.record(now.rss_kib);
        }
        self.peaks.phase_kib.load(Ordering::Relaxed)
    }

    /// The highest `VmRSS` sampled so far, and the kernel's `VmHWM` (which
    /// also covers moments between samples) while the process lives.
    pub(crate) fn overall(&self) -> (u64, Option<u64>) {
        let now = read(self.pid);
        if let Some(now) = now {
            self.peaks.record(now.rss_kib);
        }
        (
            self.peaks.overall_kib.load(Ordering::Relaxed),
            now.map(|m| m.hwm_kib),
        )
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tconformance\nVmPeak:\t  300000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\nThreads:\t3\n";

    #[test]
    fn rss_and_high_water_mark_are_read_from_the_status_text() {
        assert_eq!(
            parse_status(STATUS),
            Some(Memory {
                rss_kib: 40960,
                hwm_kib: 51200
            })
        );
    }

    #[test]
    fn a_status_without_memory_lines_reads_as_nothing() {
        assert_eq!(
            parse_status("Name:\tkthreadd\nState:\tS (sleeping)\n"),
            None
        );
    }

    #[test]
    fn kib_are_shown_as_mib() {
        assert_eq!(mib(204_800), "200.0 MiB");
        assert_eq!(mib(1536), "1.5 MiB");
    }

    #[test]
    fn this_process_can_be_read() {
        let me = read(std::process::id()).expect("/proc is mounted on Linux");
        assert!(me.rss_kib > 0 && me.hwm_kib >= me.rss_kib);
    }
}
