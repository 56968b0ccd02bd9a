//! The open-file limit: every stream is a socket on both ends, and the
//! usual soft limit (1,024) stops a few hundred short of 1,000 streams. The
//! benchmark raises its own soft limit to the hard one before starting
//! anything, so a subject it starts inherits the raised limit too.

use nix::sys::resource::{Resource, getrlimit, setrlimit};

/// Descriptors kept apart from the streams: the load connections, the
/// database and Redis connections, files, the runtime's own.
pub(crate) const HEADROOM: u64 = 256;

/// The open-file limit before and after raising it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileLimit {
    /// The soft limit found at start.
    pub(crate) before: u64,
    /// The soft limit now.
    pub(crate) now: u64,
    /// The hard limit (the most an unprivileged process may raise to).
    pub(crate) hard: u64,
}

impl FileLimit {
    /// Whether `streams` concurrent streams fit, with [`HEADROOM`].
    pub(crate) fn fits(&self, streams: usize) -> bool {
        streams as u64 + HEADROOM <= self.now
    }

    /// One line for the report.
    pub(crate) fn describe(&self) -> String {
        if self.now > self.before {
            format!(
                "open-file limit: {} (raised from {}; hard limit {})",
                self.now, self.before, self.hard
            )
        } else {
            format!("open-file limit: {} (hard limit {})", self.now, self.hard)
        }
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit. A failure leaves the
/// limit as it was: the figures then show the streams that did not fit.
pub(crate) fn raise_open_files() -> FileLimit {
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return FileLimit {
            before: 0,
            now: 0,
            hard: 0,
        };
    };
    // An unlimited hard limit still stops at the kernel's `nr_open`.
    let target = if hard == nix::libc::RLIM_INFINITY {
        std::fs::read_to_string("/proc/sys/fs/nr_open")
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(1 << 20)
    } else {
        hard
    };
    let now = if target > soft && setrlimit(Resource::RLIMIT_NOFILE, target, hard).is_ok() {
        target
    } else {
        soft
    };
    FileLimit {
        before: soft,
        now,
        hard,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_fit_only_with_headroom() {
        let limit = FileLimit {
            before: 1024,
            now: 20_000,
            hard: 20_000,
        };
        assert!(limit.fits(10_000));
        assert!(!limit.fits(19_900));
        assert!(limit.describe().contains("raised from 1024"));
    }
}
