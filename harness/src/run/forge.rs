//! The `forge` step: makes a token of a given shape (valid, expired,
//! signed with another secret, `alg: none`, malformed) and stores it in a
//! variable, for the checks that send it (TOK-3, SSE-4).

use super::scene::{Ran, Scene, StepError};
use crate::scenario::model::{ForgeStep, ForgedKind};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// A secret that is certainly not the subject's.
const FOREIGN_SECRET: &str = "a-secret-that-is-not-the-subjects-0123456789";

/// Forges a token and stores it in the step's variable.
pub(crate) fn run(scene: &mut Scene, step: &ForgeStep) -> Result<Ran, StepError> {
    let sub = match (&step.sub, &step.sub_like) {
        (_, Some(like)) => random_like(&scene.expand(like)?),
        (Some(s), None) => scene.expand(s)?,
        (None, None) => "00000000-0000-4000-8000-000000000000".to_owned(),
    };
    let extra = match &step.claims {
        Some(table) => scene.vars.expand_toml(&toml::Value::Table(table.clone()))?,
        None => Value::Null,
    };
    let now = chrono::Utc::now().timestamp();
    let ttl = step.ttl_secs.unwrap_or(3600) as i64;
    // Claims are whole seconds and `now` is rounded down: `exp = now + ttl`
    // could leave as little as `ttl - 1` seconds (a 1 s token forged at
    // x.99 s would be dead 10 ms later). One second more makes the token
    // live at least `ttl` seconds and at most `ttl + 1`.
    let valid_until = now + ttl + 1;
    let claims = |iat: i64, exp: i64| {
        let mut claims = json!({ "sub": sub, "iat": iat, "exp": exp });
        if let (Value::Object(c), Value::Object(extra)) = (&mut claims, &extra) {
            c.extend(extra.clone());
        }
        claims
    };
    let token = match step.kind {
        ForgedKind::Malformed => "not-a.jwt".to_owned(),
        ForgedKind::AlgNone => {
            let alg = step.alg.as_deref().unwrap_or("none");
            let header = URL_SAFE_NO_PAD.encode(json!({ "alg": alg, "typ": "JWT" }).to_string());
            let payload = URL_SAFE_NO_PAD.encode(claims(now, now + 3600).to_string());
            format!("{header}.{payload}.")
        }
        ForgedKind::EmptySignature => {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
            let payload = URL_SAFE_NO_PAD.encode(claims(now, now + 3600).to_string());
            format!("{header}.{payload}.")
        }
        ForgedKind::OtherSecret => sign(&claims(now, now + 3600), FOREIGN_SECRET)?,
        ForgedKind::Valid | ForgedKind::Expired => {
            let secret = scene.secret.clone().ok_or_else(|| {
                StepError::Unsupported("forging this token needs the subject's JWT_SECRET".into())
            })?;
            let c = if step.kind == ForgedKind::Valid {
                claims(now, valid_until)
            } else {
                claims(now - 7200, now - 3600)
            };
            sign(&c, &secret)?
        }
    };
    scene.vars.set(&step.into, token);
    Ok(Ran::default())
}

/// A random id of the shape of `sample`: a UUID for a UUID, a number of as
/// many digits (not starting with 0) for a number, else as many lowercase
/// letters and digits.
fn random_like(sample: &str) -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    if uuid::Uuid::parse_str(sample).is_ok() {
        return uuid::Uuid::new_v4().to_string();
    }
    let len = sample.chars().count().max(1);
    if sample.chars().all(|c| c.is_ascii_digit()) {
        let first = char::from(b'1' + rng.random_range(0..9u8));
        let rest: String = (1..len)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect();
        return format!("{first}{rest}");
    }
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

fn sign(claims: &Value, secret: &str) -> Result<String, StepError> {
    reference_server::auth::hs256::install();
    EncodingKey::from_secret(secret.as_bytes())
        .and_then(|key| jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key))
        .map_err(|e| StepError::Harness(format!("could not sign a token: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_id_has_the_shape_of_its_sample() {
        let uuid = random_like("5eed0000-0000-4000-8000-000000000001");
        assert!(uuid::Uuid::parse_str(&uuid).is_ok());
        assert_ne!(uuid, "5eed0000-0000-4000-8000-000000000001");
        let number = random_like("4711");
        assert_eq!(number.len(), 4);
        assert!(number.chars().all(|c| c.is_ascii_digit()) && !number.starts_with('0'));
        let other = random_like("ck9x2a");
        assert_eq!(other.len(), 6);
    }
}
