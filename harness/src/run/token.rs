//! The `token` step: decodes a JWT the subject issued and checks its
//! header, claims, signature and lifetime (LOG-4, CFG-4).

use super::scene::{Ran, Scene, StepError};
use crate::check::{FailedCheck, What};
use crate::scenario::model::TokenStep;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// Checks a token's header, claims, signature and lifetime.
pub(crate) fn run(scene: &Scene, step: &TokenStep) -> Result<Ran, StepError> {
    let token = scene.expand(&step.value)?;
    let mut problems = Vec::new();
    let part = |name: &str| What::Token { part: name.into() };
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        problems.push(FailedCheck::new(
            part("shape"),
            "three dot-separated parts",
            parts.len().to_string(),
        ));
        return Ok(Ran::checks(problems));
    }
    let decode = |part: &str| -> Option<Value> {
        URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    };
    let (Some(header), Some(claims)) = (decode(parts[0]), decode(parts[1])) else {
        problems.push(FailedCheck::new(
            part("shape"),
            "a header and a payload of base64url JSON",
            "something else",
        ));
        return Ok(Ran::checks(problems));
    };
    if let Some(alg) = &step.alg
        && header.get("alg").and_then(Value::as_str) != Some(alg.as_str())
    {
        problems.push(FailedCheck::new(
            part("alg"),
            format!("{alg:?}"),
            header["alg"].to_string(),
        ));
    }
    for claim in &step.claims {
        if claims.get(claim).is_none() {
            problems.push(FailedCheck::new(
                part("claims"),
                format!("{claim:?}"),
                claims.to_string(),
            ));
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
            problems.push(FailedCheck::new(
                part("signature"),
                "HS256 with JWT_SECRET to verify it",
                e.to_string(),
            ));
        }
    }
    if let Some(want) = step.lifetime_secs {
        let iat = claims.get("iat").and_then(Value::as_i64);
        let exp = claims.get("exp").and_then(Value::as_i64);
        match (iat, exp) {
            (Some(iat), Some(exp)) if exp - iat != want => problems.push(FailedCheck::new(
                part("lifetime"),
                format!("exp - iat = {want}"),
                (exp - iat).to_string(),
            )),
            (Some(_), Some(_)) => {}
            _ => problems.push(FailedCheck::new(
                part("lifetime"),
                "iat and exp claims",
                claims.to_string(),
            )),
        }
    }
    Ok(Ran::checks(problems))
}
