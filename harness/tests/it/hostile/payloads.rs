//! The payloads of the hostile corpus: `Authorization` values of every
//! broken shape and request bodies that are broken, mistyped, oversized or
//! only almost right.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use super::corpus::{Known, Piece, json_body, oversized, piece, typed};

/// Signs `claims` with HS256 (or HS512) and `key`. HS512 is signed by hand:
/// the process's jsonwebtoken provider signs HS256 only.
fn signed(claims: &Value, algorithm: Algorithm, key: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    if algorithm == Algorithm::HS512 {
        let unsigned = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"HS512"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut mac = Hmac::<sha2::Sha512>::new_from_slice(key.as_bytes()).expect("any key length");
        mac.update(unsigned.as_bytes());
        return format!(
            "{unsigned}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        );
    }
    reference_server::auth::hs256::install();
    let key = EncodingKey::from_secret(key.as_bytes()).expect("a non-empty key");
    jsonwebtoken::encode(&Header::new(algorithm), claims, &key).expect("a token can be signed")
}

/// `Authorization` values of every broken shape, and a few good ones.
pub fn authorizations(known: &Known) -> Vec<Piece> {
    let now = chrono::Utc::now().timestamp();
    let valid = &known.token;
    let parts: Vec<&str> = valid.split('.').collect();
    let (head, signature) = (parts[0], parts[2]);
    let claims =
        |sub: Value| json!({ "sub": sub, "email": known.email, "iat": now, "exp": now + 3600 });
    let mine = claims(json!(known.user_id));
    let stranger = claims(json!("0b6d5a8e-3f7c-4d2a-8e1b-9c4f7a2d6e3b"));
    let bearer = |name: &str, token: String| piece(name, format!("Bearer {token}"));
    let with_secret = |claims: &Value| signed(claims, Algorithm::HS256, &known.secret);
    let mut list = vec![
        piece("empty", ""),
        piece("`Bearer`", "Bearer"),
        piece("`Bearer `", "Bearer "),
        piece("`Bearer x.y`", "Bearer x.y"),
        piece("`Bearer x.y.z`", "Bearer x.y.z"),
        bearer(
            "alg none",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
                URL_SAFE_NO_PAD.encode(mine.to_string())
            ),
        ),
        piece("garbage base64", "Bearer !!!.@@@.###"),
        bearer("8 KiB token", "A".repeat(8 * 1024)),
        oversized(bearer("60 KiB token", "A".repeat(60 * 1024))),
        bearer(
            "tampered payload",
            format!(
                "{head}.{}.{signature}",
                URL_SAFE_NO_PAD.encode(stranger.to_string())
            ),
        ),
        bearer(
            "another secret",
            signed(&mine, Algorithm::HS256, "not-the-secret-0123456789"),
        ),
        bearer(
            "expired",
            with_secret(&json!({ "sub": known.user_id, "iat": now - 7200, "exp": now - 3600 })),
        ),
        bearer(
            "exp as text",
            with_secret(&json!({ "sub": known.user_id, "exp": "tomorrow" })),
        ),
        bearer("no exp", with_secret(&json!({ "sub": known.user_id }))),
        bearer("HS512", signed(&mine, Algorithm::HS512, &known.secret)),
        bearer("unknown user", with_secret(&stranger)),
        piece("Basic", "Basic dXNlcjpwYXNzd29yZA=="),
        piece("lower-case bearer", format!("bearer {valid}")),
        piece("two spaces", format!("Bearer  {valid}")),
        piece("trailing junk", format!("Bearer {valid}.extra")),
        piece("valid", format!("Bearer {valid}")),
        piece("not UTF-8", b"Bearer \xff\xfe\x80.\xc3.\xa9".to_vec()),
    ];
    for sub in [
        json!("not-a-uuid"),
        json!(12),
        json!(null),
        json!("../../etc"),
        json!({}),
    ] {
        list.push(bearer(&format!("sub {sub}"), with_secret(&claims(sub))));
    }
    list
}

/// Bodies: broken JSON, wrong types and encodings, huge values, and a few
/// well-formed ones (a registration, a login with a wrong password).
pub fn bodies(known: &Known) -> Vec<Piece> {
    let email = &known.email;
    let password = &known.password;
    let fresh = "hostile-new@example.com";
    let padding = "x".repeat(1024 * 1024 + 1);
    vec![
        typed("application/json", "`{`", "{"),
        typed("application/json", "`{\"email\":`", r#"{"email":"#),
        typed("application/json", "`[]`", "[]"),
        typed("application/json", "`null`", "null"),
        typed("application/json", "a string", r#""just a string""#),
        json_body(
            "wrong types",
            json!({ "email": 1, "password": true, "name": [] }),
        ),
        json_body("no password", json!({ "email": fresh })),
        typed(
            "application/json",
            "not UTF-8",
            [b"{\"email\":\"".as_slice(), b"\xff\xfe\xc3", b"\"}"].concat(),
        ),
        json_body(
            "NUL bytes",
            json!({ "email": "a\0b@example.com", "password": "\0".repeat(9) }),
        ),
        typed(
            "application/json",
            "nested 10,000 deep",
            ["[".repeat(10_000), "]".repeat(10_000)].concat(),
        ),
        json_body(
            "10,000-char email",
            json!({ "email": format!("{}@example.com", "e".repeat(10_000)), "password": password }),
        ),
        json_body(
            "100,000-char password",
            json!({ "email": fresh, "password": "p".repeat(100_000) }),
        ),
        json_body(
            "1,000-char name",
            json!({ "email": fresh, "password": password, "name": "n".repeat(1_000) }),
        ),
        json_body(
            "odd email",
            json!({ "email": " Ünï cödé @ exämple .com ", "password": password }),
        ),
        json_body(
            "a registration",
            json!({ "email": fresh, "password": password }),
        ),
        json_body(
            "wrong password",
            json!({ "email": email, "password": "wrong-password-1" }),
        ),
        json_body(
            "upper-case email",
            json!({ "email": email.to_uppercase(), "password": password }),
        ),
        json_body("chat message", json!({ "message": "What must not hurt?" })),
        json_body(
            "NUL in a name",
            json!({ "email": "hostile-nul@example.com", "password": password, "name": "a\0b" }),
        ),
        json_body(
            "NUL in a document",
            json!({ "title": "a\0b", "content": "c\0d." }),
        ),
        json_body("NUL in a chat message", json!({ "message": "what\0now" })),
        typed(
            "application/json",
            "lone surrogate",
            r#"{"email":"\ud800@example.com","password":"\udfff\udfff\udfff\udfff","message":"\ud800"}"#,
        ),
        json_body(
            "chat message not a string",
            json!({ "message": { "$ne": null } }),
        ),
        json_body(
            "big document",
            json!({ "title": "t".repeat(5_000), "content": "c. ".repeat(1_000) }),
        ),
        typed(
            "application/json",
            "duplicate keys",
            r#"{"email":"a@example.com","email":"b@example.com","password":"x","password":12}"#,
        ),
        typed(
            "text/plain",
            "JSON as text/plain",
            json!({ "email": fresh, "password": password }).to_string(),
        ),
        typed(
            "application/x-www-form-urlencoded",
            "form-encoded",
            "email=a%40example.com&password=Hostile-password-1",
        ),
        typed(
            "multipart/form-data",
            "multipart without boundary",
            "--x\r\n\r\n",
        ),
        typed(
            "application/json; charset=utf-16",
            "UTF-16",
            b"\xff\xfe{\0}\0".to_vec(),
        ),
        typed(
            ";;;/;;",
            "garbage content type",
            r#"{"email":"a@example.com"}"#,
        ),
        piece(
            "JSON without a content type",
            json!({ "email": fresh, "password": password }).to_string(),
        ),
        oversized(json_body(
            "JSON over 1 MiB",
            json!({ "email": fresh, "password": password, "name": padding }),
        )),
        oversized(typed(
            "application/octet-stream",
            "2 MiB of zeros",
            vec![0; 2 << 20],
        )),
        typed(
            "application/json",
            "random bytes",
            (0..4096_u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect::<Vec<u8>>(),
        ),
    ]
}
