//! Variables in scenario files: `${name}` in any string is replaced by the
//! variable's value when the step runs. Built-in variables are set per run
//! and per scenario; captures and forged tokens add more as steps run.

use std::collections::BTreeMap;

/// Where a built-in variable's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Made afresh for each scenario (unique data, so scenarios sharing a
    /// subject never meet).
    Scenario,
    /// The subject or the run (its URL, port, secret, the origins).
    Subject,
    /// A browser scenario's frontend.
    Frontend,
    /// Made from the allowed origin: one class of the CORS
    /// misconfiguration catalogue (`origins.rs`); absent where the allowed
    /// origin has no such neighbour.
    Neighbour,
    /// A selector, route or persisted-state detail of the frontend: the
    /// contract's default, or the subject profile's value under `[table] key`.
    Profile {
        /// `selectors`, `routes` or `storage`.
        table: &'static str,
        /// The key in that table.
        key: &'static str,
        /// The contract's default.
        default: &'static str,
    },
}

/// One variable every scenario can use without defining it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// Its name, as in `${name}`.
    pub name: &'static str,
    /// What it holds.
    pub meaning: &'static str,
    /// Where its value comes from.
    pub source: Source,
}

const fn builtin(name: &'static str, meaning: &'static str, source: Source) -> Builtin {
    Builtin {
        name,
        meaning,
        source,
    }
}

const fn selector(
    name: &'static str,
    meaning: &'static str,
    key: &'static str,
    default: &'static str,
) -> Builtin {
    builtin(
        name,
        meaning,
        Source::Profile {
            table: "selectors",
            key,
            default,
        },
    )
}

const fn route(
    name: &'static str,
    meaning: &'static str,
    key: &'static str,
    default: &'static str,
) -> Builtin {
    builtin(
        name,
        meaning,
        Source::Profile {
            table: "routes",
            key,
            default,
        },
    )
}

/// The variables every scenario can use without defining them: the one
/// list, which the loader, the runner, subject profiles, the JSON Schema
/// and the harness README follow (a test holds the README to it).
pub const BUILTIN: &[Builtin] = &[
    builtin(
        "email",
        "a unique email for this scenario",
        Source::Scenario,
    ),
    builtin(
        "password",
        "a strong password for this scenario",
        Source::Scenario,
    ),
    builtin(
        "other_email",
        "a second unique email for this scenario",
        Source::Scenario,
    ),
    builtin(
        "unique",
        "a short unique string for this scenario",
        Source::Scenario,
    ),
    builtin(
        "other_secret",
        "a second valid secret, not the subject's",
        Source::Scenario,
    ),
    builtin("backend_url", "the subject's base URL", Source::Subject),
    builtin("port", "the subject's PORT", Source::Subject),
    builtin(
        "closed_port",
        "a local port where nothing listens",
        Source::Subject,
    ),
    builtin(
        "origin",
        "the browser origin the subject allows (CORS_ORIGIN; the frontend's in browser scenarios)",
        Source::Subject,
    ),
    builtin(
        "other_origin",
        "an origin the subject does not allow",
        Source::Subject,
    ),
    builtin(
        "origin_prefix_match",
        "the allowed origin followed by more (granted by a prefix match)",
        Source::Neighbour,
    ),
    builtin(
        "origin_suffix_match",
        "a host that ends with the allowed host (granted by a suffix match)",
        Source::Neighbour,
    ),
    builtin(
        "origin_include_match",
        "a host inside the allowed host (granted by a substring match)",
        Source::Neighbour,
    ),
    builtin(
        "origin_other_port",
        "the allowed host on another port (granted by comparing hosts only)",
        Source::Neighbour,
    ),
    builtin(
        "origin_other_scheme",
        "the allowed host over the other scheme (granted by ignoring the scheme)",
        Source::Neighbour,
    ),
    builtin(
        "origin_subdomain",
        "a subdomain of the allowed host (granted by trusting any subdomain)",
        Source::Neighbour,
    ),
    builtin(
        "origin_unescaped_dot",
        "the allowed host with a dot replaced by a letter (granted by a regex with an unescaped dot); none when the host has no dot",
        Source::Neighbour,
    ),
    builtin(
        "origin_special_characters",
        "the allowed host followed by `_` and another domain (granted by a match that stops at a special character)",
        Source::Neighbour,
    ),
    builtin(
        "origin_trailing_slash",
        "the allowed origin with a trailing slash (granted by a comparison that is not exact)",
        Source::Neighbour,
    ),
    builtin(
        "origin_with_path",
        "the allowed origin with a path (granted by a comparison that is not exact)",
        Source::Neighbour,
    ),
    builtin(
        "jwt_secret",
        "the subject's JWT_SECRET (managed subjects, or --jwt-secret)",
        Source::Subject,
    ),
    builtin(
        "default_secret",
        "the known insecure default secret",
        Source::Subject,
    ),
    builtin(
        "frontend_url",
        "the subject's frontend (browser scenarios)",
        Source::Frontend,
    ),
    selector(
        "sel_email",
        "the email field of the login and register forms",
        "email",
        "input[name=email]",
    ),
    selector(
        "sel_password",
        "the password field of the login and register forms",
        "password",
        "input[name=password]",
    ),
    selector(
        "sel_submit",
        "the submit button of the login and register forms",
        "submit",
        "button[type=submit]",
    ),
    selector(
        "sel_message",
        "the message field of the chat page",
        "message",
        "[name=message]",
    ),
    selector(
        "sel_send",
        "the send button of the chat page",
        "send",
        "button[type=submit]",
    ),
    route(
        "route_login",
        "the frontend's login page",
        "login",
        "/login",
    ),
    route("route_app", "the frontend's document list", "app", "/app"),
    route(
        "route_chat",
        "the frontend's chat page, followed by a document id",
        "chat",
        "/chat/",
    ),
    builtin(
        "auth_version",
        "the `version` of the frontend's persisted auth state (Zustand's persist format; `sign_in` writes it)",
        Source::Profile {
            table: "storage",
            key: "version",
            default: "0",
        },
    ),
];

/// Whether `name` is a built-in variable.
pub fn is_builtin(name: &str) -> bool {
    BUILTIN.iter().any(|b| b.name == name)
}

/// The built-ins a subject profile can set, in one of its tables
/// (`selectors`, `routes`, `storage`): the profile's key, the variable and the default.
pub fn profile_keys(table: &str) -> impl Iterator<Item = (&'static str, &'static Builtin)> + '_ {
    BUILTIN.iter().filter_map(move |b| match b.source {
        Source::Profile { table: t, key, .. } if t == table => Some((key, b)),
        _ => None,
    })
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
    /// Matrix fields this case's values do not give: a header, query
    /// parameter or body that is exactly one of them is left out.
    absent: std::collections::BTreeSet<String>,
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

    /// Marks a matrix field as absent in this case.
    pub fn set_absent(&mut self, name: impl Into<String>) {
        self.absent.insert(name.into());
    }

    /// Expands an optional part of a request (a header, a query parameter,
    /// a body): `None` when `text` is exactly one absent matrix field, so
    /// the part is left out.
    pub fn expand_optional(&self, text: &str) -> Result<Option<String>, UndefinedVar> {
        let refs = references(text);
        if let [only] = refs.as_slice()
            && only.start == 0
            && only.name.len() + 3 == text.len()
            && self.absent.contains(only.name)
        {
            return Ok(None);
        }
        self.expand(text).map(Some)
    }

    /// Whether `name` is a matrix field this case does not give.
    pub fn is_absent(&self, name: &str) -> bool {
        self.absent.contains(name)
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
    fn an_absent_field_alone_leaves_its_part_out_and_elsewhere_is_an_error() {
        let mut vars = Vars::default();
        vars.set_absent("token.header");
        vars.set("token", "none");
        assert_eq!(vars.expand_optional("${token.header}"), Ok(None));
        assert_eq!(
            vars.expand_optional("Bearer ${token.header}"),
            Err(UndefinedVar("token.header".into()))
        );
        assert_eq!(
            vars.expand_optional("${token}").ok(),
            Some(Some("none".into()))
        );
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
