//! A JSON Schema of the scenario file format, generated from the types in
//! [`model`](super::model). It is checked in as `schemas/scenario.schema.json`
//! so editors that read JSON Schema for TOML (Taplo, Even Better TOML) can
//! complete and validate scenario files; a test fails when it is stale.
//!
//! The schema follows draft 7, the draft TOML tooling supports best. TOML has
//! no `null`, so the `null` that optional fields would allow in JSON is left
//! out.

use super::model::Scenario;
use crate::subject::profile::Profile;
use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The schema's file name, in the directory given to `conformance schema --out`.
pub const SCENARIO_SCHEMA_FILE: &str = "scenario.schema.json";

/// The schema's `$id`: where the checked-in file is published.
pub const SCENARIO_SCHEMA_ID: &str = "https://raw.githubusercontent.com/insight-garden/insight-garden-conformance/main/schemas/scenario.schema.json";

/// The profile schema's file name.
pub const PROFILE_SCHEMA_FILE: &str = "profile.schema.json";

/// The profile schema's `$id`.
pub const PROFILE_SCHEMA_ID: &str = "https://raw.githubusercontent.com/insight-garden/insight-garden-conformance/main/schemas/profile.schema.json";

fn schema_for<T: schemars::JsonSchema>(id: &str, title: &str, description: &str) -> Value {
    let settings = SchemaSettings::draft07().with_transform(RecursiveTransform(drop_null));
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    schema.insert("$id".to_owned(), id.into());
    schema.insert("title".to_owned(), title.into());
    schema.insert("description".to_owned(), description.into());
    schema.into()
}

/// The JSON Schema of a scenario file, with `$id`, title and description.
pub fn scenario_schema() -> Value {
    schema_for::<Scenario>(
        SCENARIO_SCHEMA_ID,
        "Insight Garden conformance scenario",
        "One scenario file of the conformance suite (scenarios/*.toml): a title, \
         the rule IDs it checks, tags, what it needs, and its steps.",
    )
}

/// The JSON Schema of a subject profile (`--subject profile.toml`).
pub fn profile_schema() -> Value {
    schema_for::<Profile>(
        PROFILE_SCHEMA_ID,
        "Insight Garden conformance subject profile",
        "How the conformance harness starts and reaches an implementation: \
         backend command, readiness, frontend, selectors and supported knobs.",
    )
}

/// The profile schema as it is checked in.
pub fn profile_schema_text() -> String {
    // Serializing a `Value` cannot fail: its map keys are strings.
    let mut text = serde_json::to_string_pretty(&profile_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema as it is checked in: pretty JSON with a trailing newline.
pub fn scenario_schema_text() -> String {
    // Serializing a `Value` cannot fail: its map keys are strings.
    let mut text = serde_json::to_string_pretty(&scenario_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes [`scenario_schema_text`] to `dir/scenario.schema.json`, creating
/// `dir` if needed, and returns the file's path.
pub fn write_scenario_schema(dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(SCENARIO_SCHEMA_FILE);
    std::fs::write(&path, scenario_schema_text())?;
    Ok(path)
}

/// Writes [`profile_schema_text`] to `dir/profile.schema.json`.
pub fn write_profile_schema(dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(PROFILE_SCHEMA_FILE);
    std::fs::write(&path, profile_schema_text())?;
    Ok(path)
}

/// Removes `null` from the types a schema allows: `["string", "null"]`
/// becomes `"string"`, and `anyOf: [X, { type: null }]` becomes `X`
/// (`allOf: [X]` when `X` is a reference, as schemars writes it elsewhere).
fn drop_null(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            object.insert("type".to_owned(), only);
        }
    }
    let Some(Value::Array(any_of)) = object.get_mut("anyOf") else {
        return;
    };
    any_of.retain(|s| !is_null_schema(s));
    if any_of.len() != 1 {
        return;
    }
    let Some(Value::Object(only)) = any_of.pop() else {
        return;
    };
    object.remove("anyOf");
    if only.contains_key("$ref") {
        // Draft 7 ignores the siblings of `$ref`, such as a description.
        object.insert("allOf".to_owned(), Value::Array(vec![Value::Object(only)]));
    } else {
        merge_missing(object, only);
    }
    // The merged schema may itself be `["string", "null"]`.
    drop_null(schema);
}

fn is_null_schema(schema: &Value) -> bool {
    schema
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.get("type").and_then(Value::as_str) == Some("null"))
}

/// Adds the keys of `from` that `into` lacks (the outer schema's own
/// description wins over the inner one's).
fn merge_missing(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        into.entry(key).or_insert(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows_null(schema: &Value) -> bool {
        match schema {
            Value::Object(o) => {
                let null = Value::from("null");
                let types = o.get("type");
                types == Some(&null)
                    || types
                        .and_then(Value::as_array)
                        .is_some_and(|t| t.contains(&null))
                    || o.values().any(allows_null)
            }
            Value::Array(items) => items.iter().any(allows_null),
            _ => false,
        }
    }

    #[test]
    fn optional_fields_allow_no_null() {
        let schema = scenario_schema();
        assert!(!allows_null(&schema), "{schema:#}");
        let check = &schema["definitions"]["JsonCheck"]["properties"];
        assert_eq!(check["matches"]["type"], "string");
        assert!(check["type"]["allOf"].is_array(), "{check:#}");
    }

    #[test]
    fn steps_deny_unknown_fields() {
        let schema = scenario_schema();
        assert_eq!(schema["additionalProperties"], Value::Bool(false));
        let sleep = &schema["definitions"]["SleepStep"];
        assert_eq!(sleep["additionalProperties"], Value::Bool(false));
        assert_eq!(sleep["required"], serde_json::json!(["ms"]));
    }

    #[test]
    fn serde_defaults_are_shown() {
        let schema = scenario_schema();
        let method = &schema["definitions"]["Exchange_for_Expect"]["properties"]["method"];
        assert_eq!(method["default"], "GET");
    }
}
