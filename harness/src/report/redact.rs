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
