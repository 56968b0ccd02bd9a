//! A subject profile's `[selectors]` and `[routes]`: values that override
//! the contract's defaults for the browser steps. Their keys, meanings and
//! defaults are the built-in variables' table ([`crate::scenario::vars::BUILTIN`]):
//! a key that names none is an error at its position, and the JSON Schema
//! lists exactly the table's keys.

use crate::scenario::vars::profile_keys;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// Which table of a profile.
pub trait Table {
    /// Its name in the profile (`selectors`, `routes`, `storage`).
    const NAME: &'static str;

    /// Why `value` cannot be the value of `variable`, if it cannot.
    fn refuse(_variable: &str, _value: &str) -> Option<String> {
        None
    }
}

/// `[selectors]`: CSS selectors of the frontend's forms.
#[derive(Debug, Clone, Copy, Default)]
pub struct SelectorTable;

impl Table for SelectorTable {
    const NAME: &'static str = "selectors";
}

/// `[routes]`: paths of the frontend's pages.
#[derive(Debug, Clone, Copy, Default)]
pub struct RouteTable;

impl Table for RouteTable {
    const NAME: &'static str = "routes";
}

/// `[storage]`: the frontend's persisted auth state, where it differs from
/// the contract's defaults (`version`).
#[derive(Debug, Clone, Copy, Default)]
pub struct StorageTable;

impl Table for StorageTable {
    const NAME: &'static str = "storage";

    fn refuse(variable: &str, value: &str) -> Option<String> {
        (variable == "auth_version" && value.trim().parse::<u64>().is_err()).then(|| {
            format!("[storage] version is an integer (Zustand's persist `version`), not {value:?}")
        })
    }
}

/// The values a profile gives in one table, by built-in variable name
/// (`sel_email` for `[selectors] email`).
#[derive(Debug, Clone)]
pub struct Overrides<T> {
    /// Variable name → value.
    pub by_variable: BTreeMap<String, String>,
    table: PhantomData<T>,
}

impl<T> Default for Overrides<T> {
    fn default() -> Self {
        Overrides {
            by_variable: BTreeMap::new(),
            table: PhantomData,
        }
    }
}

/// A key of the table, checked against the built-ins' table.
struct KeySeed<T>(PhantomData<T>);

impl<'de, T: Table> DeserializeSeed<'de> for KeySeed<T> {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        let key = String::deserialize(d)?;
        profile_keys(T::NAME)
            .find(|(k, _)| *k == key)
            .map(|(_, b)| b.name)
            .ok_or_else(|| {
                let known: Vec<&str> = profile_keys(T::NAME).map(|(k, _)| k).collect();
                de::Error::custom(format!(
                    "unknown key `{key}` in [{}], expected one of {}",
                    T::NAME,
                    known.join(", ")
                ))
            })
    }
}

struct TableVisitor<T>(PhantomData<T>);

impl<'de, T: Table> Visitor<'de> for TableVisitor<T> {
    type Value = Overrides<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the [{}] table", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Overrides<T>, A::Error> {
        let mut out = Overrides::default();
        while let Some(variable) = map.next_key_seed(KeySeed::<T>(PhantomData))? {
            let value: String = map.next_value()?;
            if let Some(why) = T::refuse(variable, &value) {
                return Err(de::Error::custom(why));
            }
            out.by_variable.insert(variable.to_owned(), value);
        }
        Ok(out)
    }
}

impl<'de, T: Table> Deserialize<'de> for Overrides<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TableVisitor(PhantomData))
    }
}

impl<T: Table> schemars::JsonSchema for Overrides<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Profile_{}", T::NAME).into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let properties: serde_json::Map<String, serde_json::Value> = profile_keys(T::NAME)
            .map(|(key, b)| {
                let default = match b.source {
                    crate::scenario::vars::Source::Profile { default, .. } => default,
                    _ => "",
                };
                (
                    key.to_owned(),
                    serde_json::json!({
                        "description": format!("{} (`${{{}}}`; default `{default}`)", b.meaning, b.name),
                        "type": "string",
                    }),
                )
            })
            .collect();
        schemars::json_schema!({
            "description": format!("[{}]: overrides of the contract's defaults for the browser steps", T::NAME),
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Profile {
        #[serde(default)]
        selectors: Overrides<SelectorTable>,
        #[serde(default)]
        routes: Overrides<RouteTable>,
        #[serde(default)]
        storage: Overrides<StorageTable>,
    }

    #[test]
    fn keys_become_the_variables_they_set() {
        let p: Profile = toml::from_str("[selectors]\nemail = \"#e\"\n[routes]\nchat = \"/c/\"\n")
            .expect("parses");
        assert_eq!(
            p.selectors.by_variable.get("sel_email").map(String::as_str),
            Some("#e")
        );
        assert_eq!(
            p.routes.by_variable.get("route_chat").map(String::as_str),
            Some("/c/")
        );
    }

    #[test]
    fn an_unknown_key_is_an_error_at_its_position() {
        let text = "[selectors]\nemial = \"#e\"\n";
        let e = toml::from_str::<Profile>(text).err().expect("an error");
        assert!(
            e.message().contains("unknown key `emial` in [selectors]"),
            "{e}"
        );
        assert!(
            e.message()
                .contains("email, password, submit, message, send"),
            "{e}"
        );
        assert_eq!(e.span().map(|s| s.start), Some(12));
    }

    #[test]
    fn the_persisted_state_s_version_is_an_integer_with_its_position() {
        let p: Profile = toml::from_str("[storage]\nversion = \"2\"\n").expect("parses");
        assert_eq!(
            p.storage
                .by_variable
                .get("auth_version")
                .map(String::as_str),
            Some("2")
        );
        let text = "[storage]\nversion = \"two\"\n";
        let e = toml::from_str::<Profile>(text).err().expect("an error");
        assert!(
            e.message().contains("[storage] version is an integer"),
            "{e}"
        );
        assert!(e.span().is_some(), "{e}");
    }
}
