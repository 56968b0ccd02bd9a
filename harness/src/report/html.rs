//! What the HTML reports share: escaping (every text from a run is
//! escaped, since a subject controls much of it) and the marks of statuses.

use crate::status::Status;

/// `text` made safe inside an HTML element or a quoted attribute.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

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
