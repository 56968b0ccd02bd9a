//! Errors that point into a file: path, line, column, the line itself and a
//! caret, so a person can fix a scenario or profile file without guessing.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
    /// The text of the line, for the caret display.
    pub line_text: String,
}

impl SourceError {
    /// An error at byte `offset` of `text` (clamped to the text).
    pub fn at(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> SourceError {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        let line_text = text[line_start..]
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        SourceError {
            path: path.to_owned(),
            line,
            column,
            message: message.into(),
            line_text,
        }
    }

    /// An error about `needle`'s first occurrence in `text` (or the start).
    pub fn at_text(
        path: &Path,
        text: &str,
        needle: &str,
        message: impl Into<String>,
    ) -> SourceError {
        let offset = text.find(needle).unwrap_or(0);
        SourceError::at(path, text, offset, message)
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )?;
        let gutter = self.line.to_string().len();
        writeln!(f, "{:gutter$} |", "")?;
        writeln!(f, "{} | {}", self.line, self.line_text)?;
        write!(f, "{:gutter$} | {:>col$}", "", "^", col = self.column)
    }
}

impl std::error::Error for SourceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_character_columns() {
        let text = "a = 1\nbé = ?\n";
        let offset = text.find('?').expect("present");
        let e = SourceError::at(Path::new("f.toml"), text, offset, "bad value");
        assert_eq!((e.line, e.column), (2, 6));
        assert_eq!(e.line_text, "bé = ?");
        assert_eq!(
            e.to_string(),
            "f.toml:2:6: bad value\n  |\n2 | bé = ?\n  |      ^"
        );
    }

    #[test]
    fn an_offset_past_the_end_points_at_the_end() {
        let e = SourceError::at(Path::new("f"), "", 99, "empty");
        assert_eq!((e.line, e.column), (1, 1));
    }
}
