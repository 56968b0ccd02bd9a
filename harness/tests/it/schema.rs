//! The checked-in JSON Schema of the scenario format (`schemas/`) is the one
//! the Rust types generate, the repository's scenario files all validate
//! against it, and the broken fixtures a person could write are rejected.

use super::support::scenarios_dir;
use conformance::scenario::schema::{SCENARIO_SCHEMA_FILE, scenario_schema};
use rstest::rstest;
use serde_json::Value;
use std::path::{Path, PathBuf};

const REGENERATE: &str = "regenerate it: cargo run -p conformance -- schema --out schemas";

fn checked_in_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")).join(SCENARIO_SCHEMA_FILE)
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&scenario_schema()).expect("the generated schema compiles")
}

/// A TOML file as the JSON value the schema describes.
fn toml_as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("the file is readable");
    let document: toml::Value = toml::from_str(&text).expect("the file is TOML");
    serde_json::to_value(document).expect("TOML converts to JSON")
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("at `{}`: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_checked_in_schema_is_the_one_the_types_generate() {
    let path = checked_in_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}\n{REGENERATE}", path.display()));
    let checked_in: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}\n{REGENERATE}", path.display()));
    let generated = scenario_schema();
    let stale: Vec<&String> = generated["definitions"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, schema)| checked_in["definitions"].get(name.as_str()) != Some(schema))
        .map(|(name, _)| name)
        .collect();
    assert!(
        checked_in == generated,
        "{} is stale: the scenario types in harness/src/scenario/model.rs changed \
         (definitions that differ: {stale:?}).\n{REGENERATE}",
        path.display()
    );
    assert!(
        text.ends_with("}\n"),
        "{} lacks its trailing newline.\n{REGENERATE}",
        path.display()
    );
}

#[test]
fn the_schema_is_valid_draft_7() {
    let schema = scenario_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(jsonschema::meta::is_valid(&schema));
}

#[test]
fn every_repository_scenario_validates_against_the_schema() {
    let validator = validator();
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .expect("the scenario directory is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "only {} scenario files", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let errors = schema_errors(&validator, &toml_as_json(path));
            (!errors.is_empty()).then(|| format!("{}:\n  {}", path.display(), errors.join("\n  ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "scenario files the schema rejects:\n{}",
        failures.join("\n")
    );
}

#[rstest]
#[case::unknown_field("unknown-field.toml", "methdo")]
#[case::unknown_step("unknown-step.toml", "teleport")]
#[case::wrong_type("wrong-type.toml", "two hundred")]
fn the_schema_rejects_a_broken_file(#[case] file: &str, #[case] culprit: &str) {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/broken"
    ))
    .join(file);
    let errors = schema_errors(&validator(), &toml_as_json(&path));
    assert!(
        errors.iter().any(|e| e.contains(culprit)),
        "{file}: expected an error naming {culprit:?}, got {errors:#?}"
    );
}

#[test]
fn the_schema_rejects_a_file_without_title_or_steps() {
    let validator = validator();
    let errors = schema_errors(&validator, &serde_json::json!({ "rules": ["REG-1"] }));
    assert!(
        errors.iter().any(|e| e.contains("\"title\"")),
        "{errors:#?}"
    );
    // Neither `steps` nor a matrix's `each`.
    assert!(errors.iter().any(|e| e.contains("anyOf")), "{errors:#?}");
    // A matrix scenario may have `each` steps alone.
    let each_only = serde_json::json!({
        "title": "x",
        "rules": ["REG-1"],
        "each": [{ "sleep": { "ms": 1 } }],
    });
    let errors = schema_errors(&validator, &each_only);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_checked_in_profile_schema_is_current_and_the_repository_profiles_validate() {
    use conformance::scenario::schema::{PROFILE_SCHEMA_FILE, profile_schema, profile_schema_text};
    let path =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")).join(PROFILE_SCHEMA_FILE);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}\n{REGENERATE}", path.display()));
    assert!(
        text == profile_schema_text(),
        "{} is stale: the profile types in harness/src/subject/profile.rs changed.\n{REGENERATE}",
        path.display()
    );
    let validator =
        jsonschema::draft7::new(&profile_schema()).expect("the profile schema compiles");
    let profiles = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../profiles"));
    let mut checked = 0;
    for entry in std::fs::read_dir(&profiles).expect("profiles/ exists") {
        let file = entry.expect("a directory entry").path();
        if file.extension().is_some_and(|e| e == "toml") {
            let errors = schema_errors(&validator, &toml_as_json(&file));
            assert!(errors.is_empty(), "{}: {errors:?}", file.display());
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "expected the repository's profiles, found {checked}"
    );
    let typo = toml_as_json(&PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/profiles/typo.toml"
    )));
    assert!(
        !schema_errors(&validator, &typo).is_empty(),
        "the typo passes the schema"
    );
}
