//! Access tokens: HS256 JWTs with `sub`, `email`, `iat` and `exp` (LOG-4),
//! verified with no leeway and no other algorithm (TOK-3).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::{Error as JwtError, ErrorKind};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode, get_current_timestamp,
};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::config::{JwtSecret, KNOWN_DEFAULT_SECRET};
use crate::faults::{Fault, FaultSet};

/// Why a token was refused or could not be made; callers answer `401` for
/// every refusal, the kind is only for logs and tests.
pub type TokenError = JwtError;

/// The claims the server signs.
#[derive(Serialize)]
struct IssuedClaims<'a> {
    sub: Uuid,
    email: &'a str,
    iat: u64,
    exp: u64,
}

/// The claims the server needs back. `sub` and `iat` are required by being
/// plain fields; `email` is ignored, the database is the truth about users.
#[derive(Deserialize)]
struct CheckedClaims {
    sub: Subject,
    #[expect(dead_code, reason = "required for a token to be accepted, never read")]
    iat: u64,
    exp: u64,
}

/// What a signed token's `sub` names. Only a UUID can name an account; any
/// other value (`"not-an-id"`, `""`, a number) is kept apart rather than
/// failing the decoding, so that the one place that decides about accounts
/// (`extract.rs`) decides about it too, and never hands it to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A UUID: the id of the account the token was issued to, if it exists.
    Id(Uuid),
    /// Anything that is not a UUID string.
    NotAnId,
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SubjectVisitor)
    }
}

/// Reads a JSON scalar as a [`Subject`] without allocating (an object or
/// an array fails the decoding, as jsonwebtoken's own claim checks do).
struct SubjectVisitor;

impl<'de> Visitor<'de> for SubjectVisitor {
    type Value = Subject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a subject")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Subject, E> {
        Ok(Uuid::parse_str(value).map_or(Subject::NotAnId, Subject::Id))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Subject, E> {
        Ok(Subject::NotAnId)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Subject, E> {
        Ok(Subject::NotAnId)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Subject, E> {
        Ok(Subject::NotAnId)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Subject, E> {
        Ok(Subject::NotAnId)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Subject, E> {
        Ok(Subject::NotAnId)
    }

    fn visit_none<E: de::Error>(self) -> Result<Subject, E> {
        Ok(Subject::NotAnId)
    }
}

/// What a valid token proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedToken {
    /// Whom the token was issued to (`sub`); whether that account exists is
    /// for the caller to check.
    pub subject: Subject,
    /// When it expires, in seconds since the epoch (`exp`).
    pub expires_at: u64,
}

/// Whether verification checks `exp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// The contract: a token is refused from the second of its `exp`.
    Checked,
    /// The `stream-ignores-expiry` fault's chat stream: `exp` is not looked
    /// at (the signature still is).
    Ignored,
}

/// Signs and verifies tokens with the configured secret. Built once at
/// start; verification allocates nothing beyond the claims.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// The same without the expiry, for [`Expiry::Ignored`].
    validation_ignoring_expiry: Validation,
    expires_in_secs: u64,
    accept_alg_none: bool,
}

impl TokenKeys {
    /// Keys for `secret`, issuing tokens that live `expires_in_secs`.
    /// Installs the HS256 provider (see [`super::hs256`]) first. Fails
    /// only for an empty secret, which [`crate::Config`] never holds.
    pub fn new(
        secret: &JwtSecret,
        expires_in_secs: u64,
        faults: FaultSet,
    ) -> Result<Self, TokenError> {
        super::hs256::install();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        // RFC 7519 §4.1.4: the current time must be *before* `exp`.
        // jsonwebtoken refuses only when `exp < now`; asking it to refuse
        // tokens expiring in less than a second makes that `exp <= now`.
        validation.reject_tokens_expiring_in_less_than = 1;
        // `sub` is required by `CheckedClaims`, whatever its type: a `sub`
        // that is not a string must reach the account check, not vanish as
        // a "missing" claim here.
        validation.set_required_spec_claims(&["exp"]);
        let mut validation_ignoring_expiry = validation.clone();
        validation_ignoring_expiry.validate_exp = false;
        validation_ignoring_expiry.reject_tokens_expiring_in_less_than = 0;
        let verifying_secret = if faults.contains(Fault::VerifyWithDefaultSecret) {
            KNOWN_DEFAULT_SECRET.as_bytes()
        } else {
            secret.as_bytes()
        };
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes())?,
            decoding: DecodingKey::from_secret(verifying_secret)?,
            validation,
            validation_ignoring_expiry,
            expires_in_secs,
            accept_alg_none: faults.contains(Fault::AlgNoneAccepted),
        })
    }

    /// A fresh token for this user: `exp - iat` is exactly the configured
    /// lifetime (CFG-4).
    pub fn issue(&self, user_id: Uuid, email: &str) -> Result<String, TokenError> {
        let iat = get_current_timestamp();
        let claims = IssuedClaims {
            sub: user_id,
            email,
            iat,
            exp: iat + self.expires_in_secs,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Checks signature, algorithm and expiry.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.verify_with(token, Expiry::Checked)
    }

    /// Checks signature and algorithm, and the expiry as `expiry` says.
    pub fn verify_with(&self, token: &str, expiry: Expiry) -> Result<VerifiedToken, TokenError> {
        let validation = match expiry {
            Expiry::Checked => &self.validation,
            Expiry::Ignored => &self.validation_ignoring_expiry,
        };
        match decode::<CheckedClaims>(token, &self.decoding, validation) {
            Ok(data) => Ok(VerifiedToken {
                subject: data.claims.sub,
                expires_at: data.claims.exp,
            }),
            Err(_) if self.accept_alg_none && declares_alg_none(token) => verify_unsigned(token),
            Err(err) => Err(err),
        }
    }
}

/// Whether the token's header says `"alg": "none"`. jsonwebtoken cannot
/// even parse such a header (its `Algorithm` has no `none`), so only the
/// `alg-none-accepted` fault looks.
fn declares_alg_none(token: &str) -> bool {
    #[derive(Deserialize)]
    struct AlgOnly {
        alg: String,
    }
    let Some((header, _)) = token.split_once('.') else {
        return false;
    };
    URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()
        .and_then(|json| serde_json::from_slice::<AlgOnly>(&json).ok())
        .is_some_and(|header| header.alg.eq_ignore_ascii_case("none"))
}

/// The `alg-none-accepted` fault: trusts the payload without a signature,
/// checking only its expiry.
fn verify_unsigned(token: &str) -> Result<VerifiedToken, TokenError> {
    let claims: CheckedClaims = jsonwebtoken::dangerous::insecure_decode_claims(token)?;
    if claims.exp <= get_current_timestamp() {
        return Err(ErrorKind::ExpiredSignature.into());
    }
    Ok(VerifiedToken {
        subject: claims.sub,
        expires_at: claims.exp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn secret(text: &str) -> JwtSecret {
        JwtSecret::new(text)
    }

    fn keys(faults: FaultSet) -> TokenKeys {
        TokenKeys::new(&secret("unit-test-secret"), 3600, faults).unwrap()
    }

    /// A token with this header and these claims, signed by hand with
    /// HMAC-SHA256 or HMAC-SHA512 as the header says (the provider signs
    /// HS256 only), or unsigned when `key` is empty.
    fn forge(header: Value, claims: Value, key: &str) -> String {
        use hmac::{Hmac, KeyInit, Mac};
        let b64 = |value: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap());
        let unsigned = format!("{}.{}", b64(&header), b64(&claims));
        if key.is_empty() {
            return format!("{unsigned}.");
        }
        let tag = match header["alg"].as_str() {
            Some("HS256") => {
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
                mac.update(unsigned.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            Some("HS512") => {
                let mut mac = Hmac::<sha2::Sha512>::new_from_slice(key.as_bytes()).unwrap();
                mac.update(unsigned.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            other => panic!("forge signs HS256 or HS512, not {other:?}"),
        };
        format!("{unsigned}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    fn claims(user: Uuid, exp_offset: i64) -> Value {
        let now = get_current_timestamp() as i64;
        json!({"sub": user, "email": "a@example.com", "iat": now, "exp": now + exp_offset})
    }

    #[test]
    fn an_issued_token_verifies_and_lives_exactly_expires_in() {
        let keys = keys(FaultSet::empty());
        let user = Uuid::new_v4();
        let token = keys.issue(user, "a@example.com").unwrap();
        let verified = keys.verify(&token).unwrap();
        assert_eq!(verified.subject, Subject::Id(user));
        let payload: Value = jsonwebtoken::dangerous::insecure_decode_claims(&token).unwrap();
        assert_eq!(
            payload["exp"].as_u64().unwrap() - payload["iat"].as_u64().unwrap(),
            3600
        );
        assert_eq!(payload["sub"], user.to_string());
        assert_eq!(payload["email"], "a@example.com");
        assert_eq!(
            jsonwebtoken::decode_header(&token).unwrap().alg,
            Algorithm::HS256
        );
    }

    #[test]
    fn an_expired_token_is_refused_without_leeway() {
        let token = forge(
            json!({"alg": "HS256"}),
            claims(Uuid::new_v4(), -1),
            "unit-test-secret",
        );
        let err = keys(FaultSet::empty()).verify(&token).unwrap_err();
        assert_eq!(*err.kind(), ErrorKind::ExpiredSignature);
    }

    #[test]
    fn a_token_is_refused_from_the_second_of_its_exp() {
        let token = forge(
            json!({"alg": "HS256"}),
            claims(Uuid::new_v4(), 0),
            "unit-test-secret",
        );
        let err = keys(FaultSet::empty()).verify(&token).unwrap_err();
        assert_eq!(*err.kind(), ErrorKind::ExpiredSignature);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let token = forge(
            json!({"alg": "HS256"}),
            claims(Uuid::new_v4(), 60),
            "another-secret",
        );
        let err = keys(FaultSet::empty()).verify(&token).unwrap_err();
        assert_eq!(*err.kind(), ErrorKind::InvalidSignature);
    }

    #[test]
    fn another_hmac_algorithm_is_refused() {
        let token = forge(
            json!({"alg": "HS512"}),
            claims(Uuid::new_v4(), 60),
            "unit-test-secret",
        );
        let err = keys(FaultSet::empty()).verify(&token).unwrap_err();
        assert_eq!(*err.kind(), ErrorKind::InvalidAlgorithm);
    }

    #[test]
    fn an_alg_none_token_is_refused() {
        let token = forge(
            json!({"alg": "none", "typ": "JWT"}),
            claims(Uuid::new_v4(), 60),
            "",
        );
        assert!(keys(FaultSet::empty()).verify(&token).is_err());
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let keys = keys(FaultSet::empty());
        for token in [
            "",
            "abc",
            "a.b",
            "a.b.c",
            "....",
            "eyJhbGciOiJIUzI1NiJ9.e30.x",
        ] {
            assert!(keys.verify(token).is_err(), "{token:?}");
        }
    }

    #[test]
    fn a_token_without_sub_or_iat_is_refused() {
        let now = get_current_timestamp();
        for payload in [
            json!({"iat": now, "exp": now + 60}),
            json!({"sub": Uuid::new_v4(), "exp": now + 60}),
        ] {
            let token = forge(json!({"alg": "HS256"}), payload, "unit-test-secret");
            assert!(keys(FaultSet::empty()).verify(&token).is_err());
        }
    }

    #[test]
    fn a_signed_sub_that_is_not_a_uuid_verifies_as_not_an_id() {
        let keys = keys(FaultSet::empty());
        let now = get_current_timestamp();
        for sub in [
            json!("not-an-id"),
            json!(""),
            json!(12345),
            json!(null),
            json!(true),
        ] {
            let payload = json!({"sub": sub, "iat": now, "exp": now + 60});
            let token = forge(json!({"alg": "HS256"}), payload, "unit-test-secret");
            assert_eq!(
                keys.verify(&token).map(|v| v.subject).ok(),
                Some(Subject::NotAnId),
                "{sub}"
            );
        }
        for sub in [json!({"id": "x"}), json!(["a"])] {
            let payload = json!({"sub": sub, "iat": now, "exp": now + 60});
            let token = forge(json!({"alg": "HS256"}), payload, "unit-test-secret");
            assert!(keys.verify(&token).is_err(), "{sub}");
        }
    }

    #[test]
    fn ignoring_the_expiry_still_checks_the_signature() {
        let keys = keys(FaultSet::empty());
        let user = Uuid::new_v4();
        let expired = forge(
            json!({"alg": "HS256"}),
            claims(user, -3600),
            "unit-test-secret",
        );
        assert!(keys.verify(&expired).is_err());
        let verified = keys.verify_with(&expired, Expiry::Ignored).unwrap();
        assert_eq!(verified.subject, Subject::Id(user));
        let forged = forge(
            json!({"alg": "HS256"}),
            claims(user, -3600),
            "another-secret",
        );
        assert!(keys.verify_with(&forged, Expiry::Ignored).is_err());
        let unsigned = forge(json!({"alg": "none"}), claims(user, 60), "");
        assert!(keys.verify_with(&unsigned, Expiry::Ignored).is_err());
    }

    #[test]
    fn the_alg_none_fault_accepts_unsigned_tokens_but_not_expired_ones() {
        let keys = keys(FaultSet::empty().with(Fault::AlgNoneAccepted));
        let user = Uuid::new_v4();
        let token = forge(json!({"alg": "none"}), claims(user, 60), "");
        assert_eq!(keys.verify(&token).unwrap().subject, Subject::Id(user));
        let expired = forge(json!({"alg": "none"}), claims(user, -5), "");
        assert!(keys.verify(&expired).is_err());
        let forged = forge(json!({"alg": "HS256"}), claims(user, 60), "another-secret");
        assert!(keys.verify(&forged).is_err());
    }

    #[test]
    fn the_default_secret_fault_refuses_its_own_tokens() {
        let keys = keys(FaultSet::empty().with(Fault::VerifyWithDefaultSecret));
        let user = Uuid::new_v4();
        let issued = keys.issue(user, "a@example.com").unwrap();
        assert!(keys.verify(&issued).is_err());
        let forged = forge(
            json!({"alg": "HS256"}),
            claims(user, 60),
            KNOWN_DEFAULT_SECRET,
        );
        assert_eq!(keys.verify(&forged).unwrap().subject, Subject::Id(user));
    }
}
