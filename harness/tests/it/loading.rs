//! Scenario files that are broken in every way a person can break them are
//! each rejected before anything runs, with file:line:column and what was
//! expected; the repository's own scenarios all load.

use super::support::all_scenarios;
use conformance::rules::Catalogue;
use conformance::scenario::load::load_bytes;
use rstest::rstest;
use std::path::PathBuf;

#[test]
fn the_repository_scenarios_all_load() {
    assert!(all_scenarios().len() >= 30);
}

#[rstest]
#[case::unknown_field("unknown-field.toml", 6, 1, "unknown field `methdo`")]
#[case::unknown_rule("unknown-rule.toml", 2, 19, "unknown rule \"REG-99\"")]
#[case::undefined_variable("undefined-variable.toml", 5, 12, "undefined variable ${nope}")]
#[case::bad_syntax("bad-syntax.toml", 3, 1, "missing comma")]
#[case::wrong_type("wrong-type.toml", 6, 21, "invalid type")]
#[case::empty("empty.toml", 1, 1, "missing field `title`")]
#[case::binary_junk("binary-junk.toml", 1, 13, "not UTF-8")]
#[case::unknown_step("unknown-step.toml", 4, 8, "unknown variant `teleport`")]
#[case::bad_sequence("bad-sequence.toml", 6, 23, "invalid event sequence")]
#[case::header_check_asserts_nothing("check-asserts-nothing.toml", 6, 23, "asserts nothing")]
#[case::json_check_asserts_nothing("json-check-asserts-nothing.toml", 6, 56, "asserts nothing")]
#[case::used_before_capture(
    "used-before-capture.toml",
    5,
    20,
    "used before it is set: step 2 sets it"
)]
#[case::setup_names_own_rule("setup-names-own-rule.toml", 4, 9, "a rule this scenario checks")]
#[case::caret_on_the_right_value("same-text-twice.toml", 11, 18, "\"id\" is not a JSON pointer")]
#[case::two_kinds_in_one_step("two-kinds.toml", 5, 1, "exactly one kind")]
#[case::every_step_setup("all-setup.toml", 3, 1, "at least one step that checks")]
fn a_broken_file_is_rejected_with_its_position(
    #[case] file: &str,
    #[case] line: usize,
    #[case] column: usize,
    #[case] message: &str,
) {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/broken"
    ))
    .join(file);
    let bytes = std::fs::read(&path).expect("fixture exists");
    let catalogue = Catalogue::builtin().expect("catalogue");
    let errors = load_bytes(&path, &bytes, &catalogue).expect_err("the file is rejected");
    let first = &errors[0];
    assert!(
        first.message.contains(message),
        "{file}: message {:?} lacks {message:?}",
        first.message
    );
    assert_eq!(
        (first.line, first.column),
        (line, column),
        "{file}: {first}"
    );
    let shown = first.to_string();
    assert!(
        shown.starts_with(&format!("{}:{line}:{column}: ", path.display())),
        "{shown}"
    );
}
