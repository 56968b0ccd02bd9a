//! Where a value sits in a scenario file, found by its path in the parsed
//! document (`steps`, 3, `request`, `expect`, `json`, 1, `pointer`) with the
//! parser's own spans, so that a validation error points at the value it is
//! about and never at another place where the same text happens to appear.

use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One segment of a path into the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seg<'a> {
    /// A table key.
    Key(&'a str),
    /// An array index.
    Index(usize),
}

/// A path into the document, such as `[Key("steps"), Index(0), Key("request")]`.
pub(crate) type Path<'a> = [Seg<'a>];

/// The parsed document with the span of every value.
pub(crate) struct SpanIndex<'i> {
    root: Spanned<DeTable<'i>>,
}

/// A string value somewhere in the document, with the span of its literal
/// (quotes included) and its path.
#[derive(Debug, Clone)]
pub(crate) struct StringAt {
    /// The string's value.
    pub(crate) value: String,
    /// The byte range of the literal in the file.
    pub(crate) span: Range<usize>,
}

impl<'i> SpanIndex<'i> {
    /// Parses `text`; `None` when it does not parse (the deserializer has
    /// already reported why, with its own position).
    pub(crate) fn parse(text: &'i str) -> Option<SpanIndex<'i>> {
        DeTable::parse(text).ok().map(|root| SpanIndex { root })
    }

    /// The span of the value at `path`; when the path goes further than the
    /// document (a key that is absent), the span of the deepest value on it.
    pub(crate) fn span(&self, path: &Path<'_>) -> Range<usize> {
        let mut span = self.root.span();
        let mut at: Option<&DeValue<'i>> = None;
        let mut table: Option<&DeTable<'i>> = Some(self.root.get_ref());
        for seg in path {
            let next = match (seg, table, at) {
                (Seg::Key(k), Some(t), _) => t.get(*k),
                (Seg::Index(i), None, Some(DeValue::Array(items))) => items.get(*i),
                _ => None,
            };
            let Some(next) = next else {
                break;
            };
            span = next.span();
            at = Some(next.get_ref());
            table = match next.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            };
        }
        span
    }

    /// Every string value under `path`, in document order, with its span.
    pub(crate) fn strings_under(&self, path: &Path<'_>) -> Vec<StringAt> {
        let mut found = Vec::new();
        let mut value: Option<&Spanned<DeValue<'i>>> = None;
        let mut table: Option<&DeTable<'i>> = Some(self.root.get_ref());
        for seg in path {
            let next = match (seg, table, value.map(Spanned::get_ref)) {
                (Seg::Key(k), Some(t), _) => t.get(*k),
                (Seg::Index(i), None, Some(DeValue::Array(items))) => items.get(*i),
                _ => None,
            };
            let Some(next) = next else {
                return found;
            };
            value = Some(next);
            table = match next.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            };
        }
        match value {
            Some(v) => collect_strings(v, &mut found),
            None => {
                for (_, v) in self.root.get_ref().iter() {
                    collect_strings(v, &mut found);
                }
            }
        }
        found.sort_by_key(|s| s.span.start);
        found
    }
}

fn collect_strings(value: &Spanned<DeValue<'_>>, found: &mut Vec<StringAt>) {
    match value.get_ref() {
        DeValue::String(s) => found.push(StringAt {
            value: s.to_string(),
            span: value.span(),
        }),
        DeValue::Array(items) => items.iter().for_each(|v| collect_strings(v, found)),
        DeValue::Table(t) => t.iter().for_each(|(_, v)| collect_strings(v, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "title = \"t\"\n[[steps]]\n[steps.request]\npath = \"/a\"\n\
                       expect = { json = [{ pointer = \"/x\" }, { pointer = \"/y\" }] }\n\
                       [[steps]]\n[steps.request]\npath = \"/a\"\n";

    #[test]
    fn a_path_finds_its_own_value_not_another_with_the_same_text() {
        let index = SpanIndex::parse(DOC).expect("parses");
        let second_path = index.span(&[
            Seg::Key("steps"),
            Seg::Index(1),
            Seg::Key("request"),
            Seg::Key("path"),
        ]);
        assert_eq!(&DOC[second_path.clone()], "\"/a\"");
        assert!(second_path.start > DOC.find("/a").unwrap_or(0) + 10);
        let pointer = index.span(&[
            Seg::Key("steps"),
            Seg::Index(0),
            Seg::Key("request"),
            Seg::Key("expect"),
            Seg::Key("json"),
            Seg::Index(1),
            Seg::Key("pointer"),
        ]);
        assert_eq!(&DOC[pointer], "\"/y\"");
    }

    #[test]
    fn a_missing_key_points_at_the_deepest_value_on_the_path() {
        let index = SpanIndex::parse(DOC).expect("parses");
        let span = index.span(&[Seg::Key("steps"), Seg::Index(0), Seg::Key("nope")]);
        let first_step = DOC.find("[[steps]]").unwrap_or(0);
        let second_step = DOC.rfind("[[steps]]").unwrap_or(0);
        assert!(
            (first_step..second_step).contains(&span.start),
            "{span:?}: {:?}",
            &DOC[span.clone()]
        );
    }

    #[test]
    fn strings_under_a_step_are_listed_in_order() {
        let index = SpanIndex::parse(DOC).expect("parses");
        let strings = index.strings_under(&[Seg::Key("steps"), Seg::Index(0)]);
        let values: Vec<&str> = strings.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(values, vec!["/a", "/x", "/y"]);
    }
}
