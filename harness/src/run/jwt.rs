//! Token steps: forging tokens of every broken shape (TOK-3, SSE-4) and
//! checking the shape of tokens the subject issued (LOG-4, CFG-4).

use super::scene::{Scene, StepError};
use crate::scenario::model::{ForgeStep, ForgedKind, TokenStep};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};

/// A secret that is certainly not the subject's.
const FOREIGN_SECRET: &str = "a-secret-that-is-not-the-subjects-0123456789";

/// Forges a token and stores it in the step's variable.
pub fn forge(scene: &mut Scene, step: &ForgeStep) -> Result<Vec<String>, StepError> {
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
    Ok(Vec::new())
}

fn sign(claims: &Value, secret: &str) -> Result<String, StepError> {
    reference_server::auth::hs256::install();
    EncodingKey::from_secret(secret.as_bytes())
        .and_then(|key| jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key))
        .map_err(|e| StepError::Unsupported(format!("could not sign a token: {e}")))
}

/// Checks a token's header, claims, signature and lifetime.
pub fn check_token(scene: &Scene, step: &TokenStep) -> Result<Vec<String>, StepError> {
    let token = scene.expand(&step.value)?;
    let mut problems = Vec::new();
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        problems.push(format!(
            "token: expected three dot-separated parts, got {}",
            parts.len()
        ));
        return Ok(problems);
    }
    let decode = |part: &str| -> Option<Value> {
        URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    };
    let (Some(header), Some(claims)) = (decode(parts[0]), decode(parts[1])) else {
        problems.push("token: header or payload is not base64url JSON".into());
        return Ok(problems);
    };
    if let Some(alg) = &step.alg
        && header.get("alg").and_then(Value::as_str) != Some(alg.as_str())
    {
        problems.push(format!(
            "token header alg: expected {alg:?}, got {}",
            header["alg"]
        ));
    }
    for claim in &step.claims {
        if claims.get(claim).is_none() {
            problems.push(format!("token claims: expected {claim:?}, got {claims}"));
        }
    }
    if step.signed_with_secret {
        let secret = scene.secret.as_deref().ok_or_else(|| {
            StepError::Unsupported("checking the signature needs the subject's JWT_SECRET".into())
        })?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        reference_server::auth::hs256::install();
        if let Err(e) = DecodingKey::from_secret(secret.as_bytes())
            .and_then(|key| jsonwebtoken::decode::<Value>(&token, &key, &validation))
        {
            problems.push(format!(
                "token signature: expected HS256 with JWT_SECRET to verify it, got: {e}"
            ));
        }
    }
    if let Some(want) = step.lifetime_secs {
        let iat = claims.get("iat").and_then(Value::as_i64);
        let exp = claims.get("exp").and_then(Value::as_i64);
        match (iat, exp) {
            (Some(iat), Some(exp)) if exp - iat != want => problems.push(format!(
                "token lifetime: expected exp - iat = {want}, got {}",
                exp - iat
            )),
            (Some(_), Some(_)) => {}
            _ => problems.push(format!(
                "token lifetime: expected iat and exp claims, got {claims}"
            )),
        }
    }
    Ok(problems)
}
