//! The statuses a rule or a scenario can have, and every way a report
//! spells them: one table ([`Status::spelling`]), so that `report.json`,
//! the console, Markdown and HTML never disagree, and one count
//! ([`Counts`]) that every report's totals line is made from.

use serde::{Deserialize, Serialize};

/// A rule's status after a run; a scenario's verdict is one of the first
/// six (see [`crate::outcome::Verdict::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every applicable check passed.
    Pass,
    /// A SHOULD rule failed: reported, not fatal unless strict.
    Warn,
    /// A check failed: the subject broke the rule (a MUST, or a SHOULD
    /// under `--strict`).
    Fail,
    /// A setup step failed before the rule's check: not checked, never passed.
    Blocked,
    /// The rule cannot be checked against this subject.
    NotApplicable,
    /// The harness itself broke while checking the rule (exit code 2).
    Error,
    /// No scenario of this run names the rule (filtered out or uncovered).
    NotRun,
}

/// How one status is written in each report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spelling {
    /// The key in `report.json` (also serde's spelling).
    pub key: &'static str,
    /// The word in tables and sentences.
    pub word: &'static str,
    /// The console's column: failures in capitals.
    pub label: &'static str,
    /// Markdown: an icon and the word.
    pub icon: &'static str,
    /// HTML: the CSS class of its mark.
    pub class: &'static str,
    /// HTML: the mark, a shape as well as a word (for readers who do not
    /// see colours).
    pub mark: &'static str,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 7] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::Blocked,
        Status::NotApplicable,
        Status::Error,
        Status::NotRun,
    ];

    /// The one table of spellings.
    pub const fn spelling(self) -> Spelling {
        let (key, word, label, icon, class, mark) = match self {
            Status::Pass => ("pass", "pass", "pass", "✅ pass", "pass", "✔ pass"),
            Status::Fail => ("fail", "fail", "FAIL", "❌ fail", "fail", "✘ FAIL"),
            Status::Warn => ("warn", "warn", "warn", "⚠️ warn", "warn", "⚠ warn"),
            Status::Blocked => (
                "blocked",
                "blocked",
                "BLOCKED",
                "🚧 blocked",
                "blocked",
                "⊘ blocked",
            ),
            Status::NotApplicable => ("not_applicable", "n/a", "n/a", "➖ n/a", "na", "– n/a"),
            Status::Error => ("error", "error", "ERROR", "💥 error", "error", "‼ error"),
            Status::NotRun => (
                "not_run",
                "not run",
                "not run",
                "· not run",
                "notrun",
                "· not run",
            ),
        };
        Spelling {
            key,
            word,
            label,
            icon,
            class,
            mark,
        }
    }

    /// The word in tables and sentences (`pass`, `n/a`, `not run`).
    pub const fn word(self) -> &'static str {
        self.spelling().word
    }

    /// Whether the status says the rule was not shown to hold and someone
    /// must look (fail, warn, blocked, error).
    pub const fn is_failing(self) -> bool {
        matches!(
            self,
            Status::Fail | Status::Warn | Status::Blocked | Status::Error
        )
    }
}

/// How many of a list have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([usize; Status::ALL.len()]);

impl Counts {
    /// Counts the statuses.
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Counts {
        let mut counts = Counts::default();
        for status in statuses {
            if let Some(i) = Status::ALL.iter().position(|s| *s == status) {
                counts.0[i] += 1;
            }
        }
        counts
    }

    /// How many have `status`.
    pub fn get(&self, status: Status) -> usize {
        Status::ALL
            .iter()
            .position(|s| *s == status)
            .map_or(0, |i| self.0[i])
    }

    /// The totals in one line: `3 pass, 1 fail, …`, with `not run` only
    /// when `with_not_run`.
    pub fn line(&self, with_not_run: bool) -> String {
        Status::ALL
            .iter()
            .filter(|s| with_not_run || **s != Status::NotRun)
            .map(|s| format!("{} {}", self.get(*s), s.word()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_spelled_apart_in_every_report() {
        type Field = fn(Spelling) -> &'static str;
        let fields: [Field; 6] = [
            |s| s.key,
            |s| s.word,
            |s| s.label,
            |s| s.icon,
            |s| s.class,
            |s| s.mark,
        ];
        for field in fields {
            let mut seen: Vec<&str> = Status::ALL.iter().map(|s| field(s.spelling())).collect();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), Status::ALL.len(), "{seen:?}");
        }
    }

    #[test]
    fn the_json_key_is_serde_s_spelling() {
        for status in Status::ALL {
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::Value::from(status.spelling().key))
            );
        }
    }

    #[test]
    fn totals_read_in_the_reports_order() {
        let counts = Counts::of([Status::Pass, Status::Pass, Status::NotRun, Status::Blocked]);
        assert_eq!(
            counts.line(false),
            "2 pass, 0 fail, 0 warn, 1 blocked, 0 n/a, 0 error"
        );
        assert!(counts.line(true).ends_with(", 1 not run"));
    }
}
