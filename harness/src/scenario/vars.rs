//! Variables in scenario files: `${name}` in any string is replaced by the
//! variable's value when the step runs. Built-in variables are set per run
//! and per scenario; captures and forged tokens add more as steps run.

use std::collections::BTreeMap;

/// The variables every scenario can use without defining them.
pub const BUILTIN: &[(&str, &str)] = &[
    ("email", "a unique email for this scenario"),
    ("password", "a strong password for this scenario"),
    ("other_email", "a second unique email for this scenario"),
    ("unique", "a short unique string for this scenario"),
    ("backend_url", "the subject's base URL"),
    (
        "origin",
        "the browser origin the subject allows (CORS_ORIGIN)",
    ),
    ("other_origin", "an origin the subject does not allow"),
    (
        "jwt_secret",
        "the subject's JWT_SECRET (managed subjects, or --jwt-secret)",
    ),
    ("other_secret", "a second valid secret, not the subject's"),
    ("default_secret", "the known insecure default secret"),
    ("port", "the subject's PORT"),
    ("closed_port", "a local port where nothing listens"),
    ("frontend_url", "the subject's frontend (browser scenarios)"),
    (
        "sel_email",
        "the email field of the login and register forms",
    ),
    (
        "sel_password",
        "the password field of the login and register forms",
    ),
    (
        "sel_submit",
        "the submit button of the login and register forms",
    ),
    ("sel_message", "the message field of the chat page"),
    ("sel_send", "the send button of the chat page"),
    ("route_login", "the frontend's login page (default /login)"),
    ("route_app", "the frontend's document list (default /app)"),
    (
        "route_chat",
        "the frontend's chat page, followed by a document id (default /chat/)",
    ),
];

/// Whether `name` is a built-in variable.
pub fn is_builtin(name: &str) -> bool {
    BUILTIN.iter().any(|(n, _)| *n == name)
}

/// A `${name}` reference in a string: its byte range and the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<'a> {
    /// Byte offset of `$` in the string.
    pub start: usize,
    /// The variable's name.
    pub name: &'a str,
}

/// Every `${name}` reference in `text`, in order.
pub fn references(text: &str) -> Vec<Reference<'_>> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(pos) = text[rest..].find("${") {
        let start = rest + pos;
        let Some(len) = text[start + 2..].find('}') else {
            break;
        };
        found.push(Reference {
            start,
            name: &text[start + 2..start + 2 + len],
        });
        rest = start + 2 + len + 1;
    }
    found
}

/// The variables of one running scenario.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, String>,
}

/// A step used a variable that has no value (yet).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "variable ${{{0}}} has no value here (it is set by a later step, or only for managed subjects)"
)]
pub struct UndefinedVar(pub String);

impl Vars {
    /// Sets a variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Every variable's value, to redact secrets from reports.
    pub fn values(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Replaces every `${name}` in `text`.
    pub fn expand(&self, text: &str) -> Result<String, UndefinedVar> {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for r in references(text) {
            let value = self
                .get(r.name)
                .ok_or_else(|| UndefinedVar(r.name.to_owned()))?;
            out.push_str(&text[last..r.start]);
            out.push_str(value);
            last = r.start + r.name.len() + 3;
        }
        out.push_str(&text[last..]);
        Ok(out)
    }

    /// Turns a TOML value into JSON, expanding variables in every string.
    pub fn expand_toml(&self, value: &toml::Value) -> Result<serde_json::Value, UndefinedVar> {
        use serde_json::Value as J;
        Ok(match value {
            toml::Value::String(s) => J::String(self.expand(s)?),
            toml::Value::Integer(i) => J::from(*i),
            toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            toml::Value::Boolean(b) => J::Bool(*b),
            toml::Value::Datetime(d) => J::String(d.to_string()),
            toml::Value::Array(items) => J::Array(
                items
                    .iter()
                    .map(|v| self.expand_toml(v))
                    .collect::<Result<_, _>>()?,
            ),
            toml::Value::Table(table) => J::Object(
                table
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.expand_toml(v)?)))
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_every_reference_and_keeps_the_rest() {
        let mut vars = Vars::default();
        vars.set("a", "1");
        vars.set("bb", "two");
        assert_eq!(vars.expand("x${a}y${bb}z${a}").as_deref(), Ok("x1ytwoz1"));
        assert_eq!(vars.expand("no refs $ { }").as_deref(), Ok("no refs $ { }"));
    }

    #[test]
    fn an_undefined_variable_is_an_error_naming_it() {
        let vars = Vars::default();
        assert_eq!(vars.expand("${nope}"), Err(UndefinedVar("nope".into())));
    }

    #[test]
    fn finds_references_with_their_offsets() {
        let refs = references("ab${x}c${yy}");
        assert_eq!(
            refs,
            vec![
                Reference {
                    start: 2,
                    name: "x"
                },
                Reference {
                    start: 7,
                    name: "yy"
                }
            ]
        );
    }

    #[test]
    fn toml_values_become_json_with_variables_expanded() {
        let mut vars = Vars::default();
        vars.set("e", "a@b.c");
        let value: toml::Value = toml::from_str("email = \"${e}\"\nn = [1, true]").expect("toml");
        let json = vars.expand_toml(&value).expect("expands");
        assert_eq!(json, serde_json::json!({"email": "a@b.c", "n": [1, true]}));
    }
}
