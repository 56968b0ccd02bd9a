//! A scenario's matrix: axes of named values (`route`, `token`, `via`…),
//! each value a name and fields; every combination of one value per axis
//! is a *case*, and the scenario's `[[each]]` steps run once per case with
//! `${axis}` (the value's name) and `${axis.field}` set.
//!
//! ```toml
//! [matrix]
//! via = ["header", "query"]
//! token = [
//!   { name = "none" },
//!   { name = "expired", header = "Bearer ${expired}", query = "${expired}" },
//! ]
//! ```
//!
//! Axes keep the order they are written in, and so do a case's values; a
//! field a value does not give is *absent* in its cases: a header or query
//! parameter whose value is exactly that field is not sent.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

/// The axes, in the order of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matrix {
    /// Each axis with its values.
    pub axes: Vec<Axis>,
}

/// One axis of a matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// Its name, as in `${name}`.
    pub name: String,
    /// Its values, in order.
    pub values: Vec<AxisValue>,
}

/// One value of an axis: a name (`"query"`) or a table with a `name` and
/// string fields (`{ name = "expired", header = "Bearer ${expired}" }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxisValue {
    /// The value's name, shown in the case's label and set as `${axis}`.
    pub name: String,
    /// Its fields, set as `${axis.field}`; they may use variables.
    pub fields: Vec<(String, String)>,
}

impl AxisValue {
    /// A field's template, when the value gives it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One case: one value of every axis, in the axes' order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case<'m> {
    /// Each axis with the value this case takes.
    pub values: Vec<(&'m str, &'m AxisValue)>,
}

impl Case<'_> {
    /// The case's label in reports and test names: `route=GET /auth/me,
    /// token=expired, via=query`.
    pub fn label(&self) -> String {
        self.values
            .iter()
            .map(|(axis, value)| format!("{axis}={}", value.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Matrix {
    /// Every case, the last axis varying fastest.
    pub fn cases(&self) -> Vec<Case<'_>> {
        let mut cases = vec![Case { values: Vec::new() }];
        for axis in &self.axes {
            cases = cases
                .into_iter()
                .flat_map(|case| {
                    axis.values.iter().map(move |value| {
                        let mut values = case.values.clone();
                        values.push((axis.name.as_str(), value));
                        Case { values }
                    })
                })
                .collect();
        }
        if self.axes.is_empty() {
            Vec::new()
        } else {
            cases
        }
    }

    /// Every variable the matrix sets: each axis, and each field some
    /// value of it gives (`route`, `route.path`…).
    pub fn variables(&self) -> Vec<String> {
        let mut names = Vec::new();
        for axis in &self.axes {
            names.push(axis.name.clone());
            for value in &axis.values {
                for (field, _) in &value.fields {
                    let name = format!("{}.{field}", axis.name);
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
        names
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = AxisValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value's name, or a table with `name` and string fields")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<AxisValue, E> {
        Ok(AxisValue {
            name: name.to_owned(),
            fields: Vec::new(),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AxisValue, A::Error> {
        let mut name = None;
        let mut fields: Vec<(String, String)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value: String = map.next_value()?;
            if key == "name" {
                name = Some(value);
            } else if fields.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("duplicate field `{key}`")));
            } else {
                fields.push((key, value));
            }
        }
        let name = name.ok_or_else(|| de::Error::missing_field("name"))?;
        Ok(AxisValue { name, fields })
    }
}

impl<'de> Deserialize<'de> for AxisValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct MatrixVisitor;

impl<'de> Visitor<'de> for MatrixVisitor {
    type Value = Matrix;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table of axes, each a list of values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Matrix, A::Error> {
        let mut axes: Vec<Axis> = Vec::new();
        while let Some((name, values)) = map.next_entry::<String, Vec<AxisValue>>()? {
            axes.push(Axis { name, values });
        }
        Ok(Matrix { axes })
    }
}

impl<'de> Deserialize<'de> for Matrix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MatrixVisitor)
    }
}

impl JsonSchema for Matrix {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Matrix".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Axes of named values: every combination of one value per axis is a case, and the `each` steps run once per case with ${axis} (the value's name) and ${axis.field} set. A value is its name, or a table with `name` and string fields.",
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "anyOf": [
                        { "type": "string" },
                        {
                            "type": "object",
                            "required": ["name"],
                            "properties": { "name": { "type": "string" } },
                            "additionalProperties": { "type": "string" }
                        }
                    ]
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        matrix: Matrix,
    }

    #[test]
    fn axes_keep_their_order_and_cases_combine_them() {
        let f: File = toml::from_str(
            "[matrix]\nvia = [\"header\", \"query\"]\ntoken = [{ name = \"none\" }, { name = \"expired\", header = \"Bearer x\" }]\n",
        )
        .expect("parses");
        let labels: Vec<String> = f.matrix.cases().iter().map(Case::label).collect();
        assert_eq!(
            labels,
            vec![
                "via=header, token=none",
                "via=header, token=expired",
                "via=query, token=none",
                "via=query, token=expired",
            ]
        );
        assert_eq!(f.matrix.variables(), vec!["via", "token", "token.header"]);
        assert_eq!(f.matrix.axes[1].values[1].field("header"), Some("Bearer x"));
    }

    #[test]
    fn a_value_without_a_name_or_with_a_number_is_refused() {
        assert!(toml::from_str::<File>("[matrix]\na = [{ path = \"/x\" }]\n").is_err());
        assert!(toml::from_str::<File>("[matrix]\na = [{ name = \"x\", n = 1 }]\n").is_err());
    }
}
