//! The console's progress bar while scenarios run (indicatif).

use crate::outcome::{ScenarioResult, Verdict};
use crate::run::suite::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// A progress bar on stderr, or nothing when quiet.
pub(super) struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar, hidden when `quiet`.
    pub(super) fn new(quiet: bool) -> Bar {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new_spinner()
        };
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar { bar }
    }

    /// Removes the bar before the report is printed.
    pub(super) fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn phase(&self, what: &str) {
        self.bar.set_message(what.to_owned());
    }

    fn start(&self, total: usize) {
        self.bar.set_length(total as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{elapsed}] {bar:30} {pos}/{len} {msg}")
        {
            self.bar.set_style(style);
        }
        self.bar.set_message("running scenarios");
    }

    fn finished(&self, result: &ScenarioResult) {
        self.bar.inc(1);
        if matches!(result.verdict, Verdict::Fail | Verdict::Error(_)) {
            self.bar
                .println(format!("✗ {} ({})", result.name, result.rules.join(", ")));
        }
    }
}
