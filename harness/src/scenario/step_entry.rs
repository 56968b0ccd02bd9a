//! One `[[steps]]` table: exactly one step kind, and optionally `setup`,
//! the rule that covers what the step prepares.
//!
//! A setup step prepares the scenario's check (registering a user, opening
//! a page); when it fails, the scenario's own rules were not checked: the
//! scenario is *blocked*, and the report names the step and the rule given
//! here, which is where the real failure is. A step without `setup` is one
//! of the scenario's checks: when it fails, the scenario fails.
//!
//! The table is read by hand rather than derived so that both its keys stay
//! checked with their positions: an unknown key or a second step kind is an
//! error at that key, as a typo in a derived table would be.

use super::model::Step;
use schemars::JsonSchema;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// One step of a scenario with its role.
#[derive(Debug, Clone)]
pub struct StepEntry {
    /// For a setup step, the rule that covers what it prepares (such as
    /// `REG-1` for a registration the scenario needs); `None` for a check.
    pub setup: Option<String>,
    /// What the step does.
    pub step: Step,
}

impl StepEntry {
    /// Whether this step only prepares the scenario's check.
    pub fn is_setup(&self) -> bool {
        self.setup.is_some()
    }
}

/// The key of a step table that names its role.
const SETUP: &str = "setup";

/// A key of a step table, read with the key's position for errors.
enum Key {
    Setup,
    Kind(&'static str),
}

/// Reads one key; `seen` is the step kind already read from this table.
struct KeySeed(Option<&'static str>);

/// Every key a step table may hold, for "expected one of" messages.
static KEYS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| Step::KINDS.iter().copied().chain([SETUP]).collect());

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        let name = String::deserialize(deserializer)?;
        if name == SETUP {
            return Ok(Key::Setup);
        }
        let Some(kind) = Step::KINDS.iter().copied().find(|k| *k == name) else {
            return Err(de::Error::unknown_variant(&name, KEYS.as_slice()));
        };
        if let Some(first) = self.0 {
            return Err(de::Error::custom(format!(
                "a step holds exactly one kind, this one has `{first}` and `{kind}`: \
                 split it into two [[steps]] tables"
            )));
        }
        Ok(Key::Kind(kind))
    }
}

/// Reads the value of a step kind's key as that kind.
struct KindSeed(&'static str);

impl<'de> DeserializeSeed<'de> for KindSeed {
    type Value = Step;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Step, D::Error> {
        Step::deserialize_kind(self.0, d)?
            .ok_or_else(|| de::Error::unknown_variant(self.0, Step::KINDS))
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = StepEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a step table with one step kind (request, stream, browser...) and optionally `setup`",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StepEntry, A::Error> {
        let mut setup: Option<String> = None;
        let mut step: Option<(&'static str, Step)> = None;
        while let Some(key) = map.next_key_seed(KeySeed(step.as_ref().map(|(k, _)| *k)))? {
            match key {
                Key::Setup if setup.is_some() => return Err(de::Error::duplicate_field(SETUP)),
                Key::Setup => setup = Some(map.next_value()?),
                Key::Kind(kind) => step = Some((kind, map.next_value_seed(KindSeed(kind))?)),
            }
        }
        let Some((_, step)) = step else {
            return Err(de::Error::custom(format!(
                "the step names no kind: add one of {}",
                Step::KINDS.join(", ")
            )));
        };
        Ok(StepEntry { setup, step })
    }
}

impl<'de> Deserialize<'de> for StepEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntryVisitor)
    }
}

impl JsonSchema for StepEntry {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StepEntry".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // The step kinds' schema (one object per kind), each also allowed
        // the `setup` key.
        let mut schema = Step::json_schema(generator);
        let setup = serde_json::json!({
            "description": "Marks a setup step: it prepares the scenario's check, and if it fails the \
                            scenario is blocked (not checked). The value is the rule that covers what \
                            the step needs, such as \"REG-1\" for a registration.",
            "type": "string",
        });
        if let Some(serde_json::Value::Array(kinds)) = schema.get_mut("oneOf") {
            for kind in kinds {
                if let Some(serde_json::Value::Object(properties)) = kind.get_mut("properties") {
                    properties.insert(SETUP.to_owned(), setup.clone());
                }
            }
        }
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Steps {
        steps: Vec<StepEntry>,
    }

    fn parse(text: &str) -> Result<Vec<StepEntry>, toml::de::Error> {
        toml::from_str::<Steps>(text).map(|s| s.steps)
    }

    #[test]
    fn a_step_reads_its_kind_and_its_setup_rule() {
        let steps = parse(
            "[[steps]]\nsetup = \"REG-1\"\n[steps.request]\npath = \"/a\"\n\
             [[steps]]\n[steps.sleep]\nms = 5\n",
        )
        .expect("parses");
        assert_eq!(steps[0].setup.as_deref(), Some("REG-1"));
        assert_eq!(steps[0].step.kind(), "request");
        assert!(!steps[1].is_setup());
        assert_eq!(steps[1].step.kind(), "sleep");
    }

    #[test]
    fn an_unknown_key_or_a_second_kind_is_an_error_at_that_key() {
        let e = parse("[[steps]]\n[steps.teleport]\nto = 1\n").expect_err("unknown");
        assert!(e.message().contains("unknown variant `teleport`"), "{e}");
        assert_eq!(e.span().map(|s| s.start), Some(17));
        let e = parse("[[steps]]\nsleep = { ms = 1 }\noutput = {}\n").expect_err("two kinds");
        assert!(e.message().contains("exactly one kind"), "{e}");
        let e = parse("[[steps]]\nsetup = \"REG-1\"\n").expect_err("no kind");
        assert!(e.message().contains("names no kind"), "{e}");
    }
}
