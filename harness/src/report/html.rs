//! What the HTML reports share: the doctype, the marks of statuses and
//! their style sheet. Escaping is the template engine's: `maud` escapes
//! every value spliced into a page, and only the harness's own constants
//! (these) are put in raw, with `PreEscaped`.

use crate::status::Status;

/// The first line of every page.
pub(crate) const DOCTYPE: &str = "<!doctype html>\n";

/// The CSS class and the text of a status's mark, distinct for each status
/// (shape and word as well as colour, for readers who do not see colours).
pub(crate) fn mark(status: Option<Status>) -> (&'static str, &'static str) {
    match status {
        Some(s) => (s.spelling().class, s.spelling().mark),
        None => ("absent", "(absent)"),
    }
}

/// The inline style sheet of the status marks.
pub(crate) const STATUS_CSS: &str = "\
.pass{background:#d8f5dd;color:#0b5d1e}\
.fail{background:#fbd5d5;color:#8a1111;font-weight:bold}\
.warn{background:#fff1c2;color:#6b4e00}\
.na{background:#ececec;color:#555}\
.blocked{background:#e4d7f7;color:#4b1f8a;font-weight:bold}\
.error{background:#1f1f1f;color:#ffb3b3;font-weight:bold}\
.notrun,.absent{background:#fff;color:#999}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_mark() {
        let all: Vec<Option<Status>> = Status::ALL
            .iter()
            .copied()
            .map(Some)
            .chain([None])
            .collect();
        let mut classes: Vec<&str> = all.iter().map(|s| mark(*s).0).collect();
        let mut texts: Vec<&str> = all.iter().map(|s| mark(*s).1).collect();
        classes.sort_unstable();
        classes.dedup();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!((classes.len(), texts.len()), (all.len(), all.len()));
    }
}
