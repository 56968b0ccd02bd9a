//! Event sequence patterns such as `delta+ done`: event names separated by
//! spaces, each optionally followed by `+` (one or more), `*` (zero or more)
//! or `?` (at most one). A pattern matches the whole list of event names.

use regex::Regex;

/// A compiled sequence pattern.
#[derive(Debug, Clone)]
pub(crate) struct SequencePattern {
    source: String,
    regex: Regex,
}

/// A pattern that is not made of event names and quantifiers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid event sequence {pattern:?}: {reason} (expected names such as \"delta+ done\")")]
pub(crate) struct SequenceError {
    /// The pattern as written.
    pub(crate) pattern: String,
    /// What is wrong with it.
    pub(crate) reason: String,
}

impl SequencePattern {
    /// Compiles a pattern.
    pub(crate) fn parse(pattern: &str) -> Result<SequencePattern, SequenceError> {
        let error = |reason: String| SequenceError {
            pattern: pattern.to_owned(),
            reason,
        };
        let mut regex = String::from("^");
        let mut any = false;
        for token in pattern.split_whitespace() {
            any = true;
            let (name, quantifier) = match token.char_indices().last() {
                Some((i, c @ ('+' | '*' | '?'))) => (&token[..i], c.to_string()),
                _ => (token, String::new()),
            };
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid {
                return Err(error(format!("{token:?} is not an event name")));
            }
            regex.push_str(&format!("(?:{name};){quantifier}"));
        }
        if !any {
            return Err(error("it is empty".into()));
        }
        regex.push('$');
        let regex = Regex::new(&regex).map_err(|e| error(e.to_string()))?;
        Ok(SequencePattern {
            source: pattern.to_owned(),
            regex,
        })
    }

    /// Whether the event names match the pattern exactly.
    pub(crate) fn matches<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> bool {
        let mut joined = String::new();
        for name in names {
            joined.push_str(name);
            joined.push(';');
        }
        self.regex.is_match(&joined)
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_plus_done_needs_deltas_then_exactly_one_done_last() {
        let p = SequencePattern::parse("delta+ done").expect("valid");
        assert!(p.matches(["delta", "done"]));
        assert!(p.matches(["delta", "delta", "delta", "done"]));
        assert!(!p.matches(["done"]));
        assert!(!p.matches(["delta", "done", "done"]));
        assert!(!p.matches(["delta", "done", "delta"]));
        assert!(!p.matches(["delta", "error"]));
        assert!(!p.matches([]));
    }

    #[test]
    fn star_and_question_mark_quantify() {
        let p = SequencePattern::parse("ping* delta? done").expect("valid");
        assert!(p.matches(["done"]));
        assert!(p.matches(["ping", "ping", "delta", "done"]));
        assert!(!p.matches(["delta", "delta", "done"]));
    }

    #[test]
    fn rejects_what_is_not_a_name() {
        assert!(SequencePattern::parse("").is_err());
        assert!(SequencePattern::parse("delta++").is_err());
        assert!(SequencePattern::parse("de(lta").is_err());
    }
}
