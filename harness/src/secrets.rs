//! What a response body must never hold (DOC-3, REG-1): the password a
//! scenario registered with, a password hash in any common format, or a
//! JSON field that by its name carries one.

use crate::check::{FailedCheck, What};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// Password hashes in the formats libraries write them: Argon2, bcrypt,
/// scrypt, PBKDF2 (passlib and Django), SHA-crypt.
static HASH: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"\$argon2(?:id|i|d)\$|\$2[abxy]\$\d\d\$|\$scrypt\$|\$pbkdf2(?:-sha\d+)?\$|pbkdf2_sha\d+\$|\$[56]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{8,}\$",
    )
    .ok()
});

/// Whether a JSON key names a password or its hash.
fn is_password_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    k.contains("password") || k.contains("passwd") || matches!(k.as_str(), "hash" | "pwd")
}

/// Every reason `body` holds a password or a hash, as failed checks;
/// empty when it holds none. `password` is the scenario's own (empty: none).
pub(crate) fn password_findings(body: &str, password: &str) -> Vec<FailedCheck> {
    let mut found = Vec::new();
    let failed = |pointer: Option<String>, actual: String| {
        FailedCheck::new(What::Password { pointer }, NO_PASSWORD, actual)
    };
    if !password.is_empty() && body.contains(password) {
        found.push(failed(
            None,
            "the password the scenario registered with".to_owned(),
        ));
    }
    if let Some(m) = HASH.as_ref().and_then(|re| re.find(body)) {
        let start = m.start();
        let shown: String = body[start..].chars().take(12).collect();
        found.push(failed(
            None,
            format!("a password hash ({shown}… at byte {start})"),
        ));
    }
    if let Ok(doc) = serde_json::from_str::<Value>(body) {
        let mut keys = Vec::new();
        password_keys(&doc, "", &mut keys);
        for pointer in keys {
            found.push(failed(
                Some(pointer),
                "a value in a field named for a password".to_owned(),
            ));
        }
    }
    found
}

/// What a body is expected to hold of passwords.
const NO_PASSWORD: &str = "no password and no password hash";

fn password_keys(value: &Value, at: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let pointer = format!("{at}/{key}");
                let holds = match v {
                    Value::String(s) => !s.is_empty(),
                    Value::Null => false,
                    _ => true,
                };
                if is_password_key(key) && holds {
                    found.push(pointer.clone());
                }
                password_keys(v, &pointer, found);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                password_keys(v, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_of_every_common_format_are_found() {
        for hash in [
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
            "$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA",
            "pbkdf2_sha256$600000$salt$hash",
            "$6$rounds=5000$saltsaltsalt$hash",
        ] {
            let body = format!(r#"{{"id":"1","secretish":"{hash}"}}"#);
            assert_eq!(password_findings(&body, "").len(), 1, "{hash}");
        }
    }

    #[test]
    fn password_fields_and_the_password_itself_are_found_at_any_depth() {
        let body =
            r#"{"user":{"id":"1","passwordHash":"x","name":"Ada"},"list":[{"password":"Pw-1"}]}"#;
        let found: Vec<(Option<String>, Option<String>)> = password_findings(body, "Pw-1")
            .into_iter()
            .map(|c| match c.what {
                What::Password { pointer } => (pointer, c.actual),
                other => panic!("not a password finding: {other:?}"),
            })
            .collect();
        let field = Some("a value in a field named for a password".to_owned());
        assert_eq!(
            found,
            vec![
                (
                    None,
                    Some("the password the scenario registered with".to_owned())
                ),
                (Some("/list/0/password".to_owned()), field.clone()),
                (Some("/user/passwordHash".to_owned()), field),
            ]
        );
    }

    #[test]
    fn a_clean_user_and_prices_in_dollars_hold_nothing() {
        let body =
            r#"{"user":{"id":"1","email":"a@b.c","name":"costs $2 and $5$ each"},"password":null}"#;
        assert!(password_findings(body, "Pw-1").is_empty());
    }
}
