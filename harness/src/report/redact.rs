//! Redaction: JWTs and the harness's secrets never appear in a report.

use regex::Regex;
use std::sync::LazyLock;

/// A JWT: three base64url parts, the first one a JSON header (`eyJ`).
static JWT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*").ok());

/// The harness's own secrets (`conformance-<hex>`, `another-secret-…`).
static SECRET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(conformance-[0-9a-f]{32}|another-secret-[0-9a-f]{12}-0123456789abcdef)").ok()
});

/// Replaces tokens and secrets in `text`.
pub(crate) fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(re) = JWT.as_ref() {
        out = re.replace_all(&out, "[token]").into_owned();
    }
    if let Some(re) = SECRET.as_ref() {
        out = re.replace_all(&out, "[secret]").into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_secrets_are_replaced() {
        let text = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_x and conformance-0123456789abcdef0123456789abcdef";
        assert_eq!(redact(text), "Bearer [token] and [secret]");
        assert_eq!(redact("nothing here"), "nothing here");
    }
}

/// Text for a terminal or a CI log: every control character but a newline
/// and a tab is shown as an escape (`\u{1b}`), so that what a subject sent
/// cannot move the cursor, clear the screen or rewrite a line; and a line
/// that starts with `::` (a GitHub Actions workflow command, such as
/// `::error::` or `::add-mask::`) gets its first colon escaped, so that a
/// subject cannot make annotations or change the job.
pub(crate) fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = line.trim_start();
        let lead = &line[..line.len() - body.len()];
        let (lead, body) = if body.starts_with("::") {
            (format!("{lead}\\u{{3a}}"), &body[1..])
        } else {
            (lead.to_owned(), body)
        };
        for c in lead.chars().chain(body.chars()) {
            if c.is_control() && c != '\t' {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            } else {
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod printable_tests {
    use super::printable;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(
            printable("a\u{1b}[2Jb\rc\u{7}\td\ne"),
            "a\\u{1b}[2Jb\\u{d}c\\u{7}\td\ne"
        );
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
    }

    #[test]
    fn a_workflow_command_is_no_longer_one() {
        assert_eq!(
            printable("ok\n  ::error::injected\n::add-mask::x"),
            "ok\n  \\u{3a}:error::injected\n\\u{3a}:add-mask::x"
        );
        assert_eq!(printable("a :: b"), "a :: b");
    }
}
