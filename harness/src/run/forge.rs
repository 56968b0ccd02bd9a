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
    let sub = match &step.sub {
        Some(s) => scene.expand(s)?,
        None => "00000000-0000-4000-8000-000000000000".to_owned(),
    };
    let now = chrono::Utc::now().timestamp();
    let ttl = step.ttl_secs.unwrap_or(3600) as i64;
    // Claims are whole seconds and `now` is rounded down: `exp = now + ttl`
    // could leave as little as `ttl - 1` seconds (a 1 s token forged at
    // x.99 s would be dead 10 ms later). One second more makes the token
    // live at least `ttl` seconds and at most `ttl + 1`.
    let valid_until = now + ttl + 1;
    let claims = |iat: i64, exp: i64| json!({ "sub": sub, "iat": iat, "exp": exp });
    let token = match step.kind {
        ForgedKind::Malformed => "not-a.jwt".to_owned(),
        ForgedKind::AlgNone => {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
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

fn sign(claims: &Value, secret: &str) -> Result<String, StepError> {
    reference_server::auth::hs256::install();
    EncodingKey::from_secret(secret.as_bytes())
        .and_then(|key| jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key))
        .map_err(|e| StepError::Harness(format!("could not sign a token: {e}")))
}
