//! The READMEs' tables are copies of lists that live in the code: each is
//! held here to its one source, so a copy cannot drift.

use crate::scenario::model::Step;
use crate::scenario::vars::{BUILTIN, Source};
use crate::status::Status;

fn read(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of the Markdown table that follows `heading`, cells trimmed,
/// without its head and separator.
fn table_after(text: &str, heading: &str) -> Vec<Vec<String>> {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?}"));
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_harness_readme_lists_exactly_the_built_in_variables() {
    let rows = table_after(&read("README.md"), "## Built-in variables");
    let want: Vec<Vec<String>> = BUILTIN
        .iter()
        .map(|b| {
            let profile = match b.source {
                Source::Profile {
                    table,
                    key,
                    default,
                } => format!("`[{table}] {key}` (`{default}`)"),
                _ => String::new(),
            };
            vec![format!("`${{{}}}`", b.name), b.meaning.to_owned(), profile]
        })
        .collect();
    assert_eq!(rows, want);
}

#[test]
fn the_harness_readme_lists_exactly_the_step_kinds() {
    let rows = table_after(&read("README.md"), "## Step kinds");
    let kinds: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    let want: Vec<String> = Step::KINDS.iter().map(|k| format!("`{k}`")).collect();
    assert_eq!(kinds, want);
}

#[test]
fn the_readme_explains_exactly_the_statuses() {
    let rows = table_after(&read("../README.md"), "## Reports and exit codes");
    let labels: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    let want: Vec<String> = Status::ALL
        .iter()
        .map(|s| format!("`{}`", s.spelling().label))
        .collect();
    assert_eq!(labels, want);
}
