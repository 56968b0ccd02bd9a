//! The cryptography behind `jsonwebtoken`: HS256 with the `hmac` and `sha2`
//! crates, and no other algorithm.
//!
//! `jsonwebtoken` asks the process for one [`CryptoProvider`] and panics at
//! the first encode or decode when there is none. Its own `rust_crypto`
//! provider brings RSA (the `rsa` crate, RUSTSEC-2023-0071), ECDSA and EdDSA
//! for algorithms the contract never uses (TOK-3: HS256 only), and its
//! `aws_lc_rs` provider a C build. This one signs and verifies HS256 and
//! refuses every other algorithm with `UnsupportedAlgorithm`.
//!
//! [`install`] puts it in place once per process; whatever signs or
//! verifies calls it first ([`super::token::TokenKeys::new`], the
//! harness's token steps), so no code path can reach `jsonwebtoken`
//! without a provider.

use std::sync::Once;

use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::signature::{self, Signer, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HS256 and nothing else; JWKs are not supported (the contract has none).
static HS256_ONLY: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    key_utils: KeyUtils {
        rsa_pub_components_from_private_key: |_| Err(no_jwk()),
        rsa_pub_components_from_public_key: |_| Err(no_jwk()),
        ec_pub_components_from_private_key: |_, _| Err(no_jwk()),
        ed_pub_components_from_private_key: |_, _| Err(no_jwk()),
        compute_digest: |_, _| Err(no_jwk()),
    },
};

/// Installs the HS256-only provider as the process's `jsonwebtoken`
/// provider. Cheap after the first call; call it before any encode or
/// decode. When another provider was installed first (`jsonwebtoken`
/// allows one per process) that one stays, and a warning says so.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if HS256_ONLY.install_default().is_err() {
            tracing::warn!(
                "another jsonwebtoken CryptoProvider was installed first; tokens are signed with it"
            );
        }
    });
}

fn no_jwk() -> Error {
    ErrorKind::Provider("JWKs are not supported: this provider does HS256 only".to_owned()).into()
}

fn new_signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, Error> {
    if *algorithm != Algorithm::HS256 {
        return Err(ErrorKind::UnsupportedAlgorithm.into());
    }
    if key.family() != AlgorithmFamily::Hmac {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    Ok(Box::new(Hs256(mac(key.as_bytes())?)))
}

fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, Error> {
    if *algorithm != Algorithm::HS256 {
        return Err(ErrorKind::UnsupportedAlgorithm.into());
    }
    if key.family() != AlgorithmFamily::Hmac {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    Ok(Box::new(Hs256(mac(key.try_get_as_bytes()?)?)))
}

fn mac(secret: &[u8]) -> Result<HmacSha256, Error> {
    HmacSha256::new_from_slice(secret).map_err(|_| ErrorKind::InvalidKeyFormat.into())
}

/// An HMAC-SHA256 keyed with the secret, cloned for each message.
struct Hs256(HmacSha256);

impl Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, message: &[u8], tag: &Vec<u8>) -> Result<(), signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        // Constant-time comparison.
        mac.verify_slice(tag).map_err(signature::Error::from_source)
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Header, Validation, decode, encode};
    use serde_json::{Value, json};

    fn key() -> (EncodingKey, DecodingKey) {
        (
            EncodingKey::from_secret(b"provider-test-secret").unwrap(),
            DecodingKey::from_secret(b"provider-test-secret").unwrap(),
        )
    }

    #[test]
    fn hs256_round_trips_and_matches_the_rfc_7515_example() {
        install();
        let (encoding, decoding) = key();
        let claims = json!({"sub": "s", "exp": u64::MAX / 2});
        let token = encode(&Header::new(Algorithm::HS256), &claims, &encoding).unwrap();
        let back = decode::<Value>(&token, &decoding, &Validation::new(Algorithm::HS256)).unwrap();
        assert_eq!(back.claims, claims);

        // RFC 7515 appendix A.1: the HS256 example's signature.
        let jwk_key = [
            3, 35, 53, 75, 43, 15, 165, 188, 131, 126, 6, 101, 119, 123, 166, 143, 90, 179, 40,
            230, 240, 84, 201, 40, 169, 15, 132, 178, 210, 80, 46, 191, 211, 251, 90, 146, 210, 6,
            71, 239, 150, 138, 180, 195, 119, 98, 61, 34, 61, 46, 33, 114, 5, 46, 79, 8, 192, 205,
            154, 245, 103, 208, 128, 163,
        ];
        let message = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\
                       eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let signature = jsonwebtoken::crypto::sign(
            message.as_bytes(),
            &EncodingKey::from_secret(&jwk_key).unwrap(),
            Algorithm::HS256,
        )
        .unwrap();
        assert_eq!(signature, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    }

    #[test]
    fn every_other_algorithm_is_unsupported() {
        install();
        let (encoding, decoding) = key();
        for algorithm in [Algorithm::HS384, Algorithm::HS512] {
            let err = encode(&Header::new(algorithm), &json!({}), &encoding).unwrap_err();
            assert_eq!(
                *err.kind(),
                ErrorKind::UnsupportedAlgorithm,
                "{algorithm:?}"
            );
        }
        for algorithm in [
            Algorithm::HS384,
            Algorithm::HS512,
            Algorithm::RS256,
            Algorithm::PS256,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ] {
            let err =
                jsonwebtoken::crypto::verify("c2ln", b"a.b", &decoding, algorithm).unwrap_err();
            assert_eq!(
                *err.kind(),
                ErrorKind::UnsupportedAlgorithm,
                "{algorithm:?}"
            );
        }
    }

    #[test]
    fn installing_twice_keeps_the_first() {
        install();
        install();
        let installed = CryptoProvider::try_get_default().unwrap();
        assert!(std::ptr::eq(installed, &HS256_ONLY));
    }
}
