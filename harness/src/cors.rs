//! The one CORS judge of the harness: would a browser accept this answer
//! for this origin? It follows the Fetch standard's CORS check and
//! CORS-preflight fetch (<https://fetch.spec.whatwg.org/#cors-check>,
//! <https://fetch.spec.whatwg.org/#cors-preflight-fetch>), so that the
//! request checks of CORS-1/CORS-2 and the recording proxy's view of the
//! browser's traffic (WEB-5) always agree.
//!
//! What a browser does, and so what this does:
//! - `Access-Control-Allow-Origin` must be the request's origin, byte for
//!   byte; `*` is accepted only without credentials; two values are refused.
//! - With credentials, `Access-Control-Allow-Credentials` must be exactly `true`.
//! - A preflight needs an ok status (200–299). The asked method is covered
//!   if it is safelisted (`GET`, `HEAD`, `POST`) or listed (method names are
//!   case-sensitive); each asked header must be listed, case-insensitively.
//!   `*` stands for any method or header only without credentials, and it
//!   never covers `Authorization`.
//! - A list value that is not a comma-separated list of tokens is refused.

use std::fmt;

/// An answer to a cross-origin request, as far as CORS is concerned.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answer<'a> {
    /// The response status.
    pub(crate) status: u16,
    /// Every `Access-Control-Allow-Origin` value, in order.
    pub(crate) allow_origin: Vec<&'a str>,
    /// `Access-Control-Allow-Credentials`, when present.
    pub(crate) allow_credentials: Option<&'a str>,
    /// `Access-Control-Allow-Methods` values.
    pub(crate) allow_methods: Vec<&'a str>,
    /// `Access-Control-Allow-Headers` values.
    pub(crate) allow_headers: Vec<&'a str>,
}

/// What a preflight asked for (`Access-Control-Request-Method` and `-Headers`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Asked<'a> {
    /// The method of the request the preflight is for.
    pub(crate) method: &'a str,
    /// The raw `Access-Control-Request-Headers` value, if any.
    pub(crate) headers: Option<&'a str>,
}

/// Why a browser refuses an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No `Access-Control-Allow-Origin`.
    NoAllowOrigin,
    /// More than one `Access-Control-Allow-Origin` value.
    SeveralAllowOrigins(String),
    /// `*` on a request with credentials.
    WildcardWithCredentials,
    /// Another origin than the request's.
    OtherOrigin {
        /// What the answer allowed.
        allowed: String,
        /// The request's origin.
        origin: String,
    },
    /// Credentials not allowed (`Access-Control-Allow-Credentials` not `true`).
    NoCredentials(Option<String>),
    /// A preflight answered with a status that is not ok.
    PreflightStatus(u16),
    /// An allow-list header that does not parse as a list of tokens.
    BadList {
        /// The header.
        header: &'static str,
        /// Its value.
        value: String,
    },
    /// The asked method is not covered.
    Method(String),
    /// An asked header is not covered.
    Header {
        /// The header name, lowercase.
        name: String,
        /// Why not, when `*` was given.
        wildcard: Option<&'static str>,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoAllowOrigin => f.write_str("Access-Control-Allow-Origin is absent"),
            Refusal::SeveralAllowOrigins(v) => write!(
                f,
                "Access-Control-Allow-Origin has several values ({v:?}); a browser accepts one"
            ),
            Refusal::WildcardWithCredentials => f.write_str(
                "Access-Control-Allow-Origin is \"*\", which a browser refuses on a request with credentials",
            ),
            Refusal::OtherOrigin { allowed, origin } => write!(
                f,
                "Access-Control-Allow-Origin is {allowed:?}, not the page's origin {origin:?}"
            ),
            Refusal::NoCredentials(None) => f.write_str(
                "Access-Control-Allow-Credentials is absent; a request with credentials needs \"true\"",
            ),
            Refusal::NoCredentials(Some(v)) => write!(
                f,
                "Access-Control-Allow-Credentials is {v:?}; a request with credentials needs exactly \"true\""
            ),
            Refusal::PreflightStatus(s) => {
                write!(f, "the preflight answered {s}; a browser needs 200-299")
            }
            Refusal::BadList { header, value } => write!(
                f,
                "{header} is {value:?}, not a comma-separated list of names"
            ),
            Refusal::Method(m) => write!(
                f,
                "the preflight does not allow the method {m} (Access-Control-Allow-Methods)"
            ),
            Refusal::Header {
                name,
                wildcard: None,
            } => write!(
                f,
                "the preflight does not allow the header {name:?} (Access-Control-Allow-Headers)"
            ),
            Refusal::Header {
                name,
                wildcard: Some(why),
            } => write!(
                f,
                "the preflight does not allow the header {name:?}: Access-Control-Allow-Headers is \"*\", {why}"
            ),
        }
    }
}

/// Judges an answer to a request from `origin`. `preflight` is what a
/// preflight asked for (`None` for an actual request); `credentials` is the
/// request's credentials mode (`include`, as the contract's app sends).
pub(crate) fn judge(
    origin: &str,
    answer: &Answer<'_>,
    preflight: Option<&Asked<'_>>,
    credentials: bool,
) -> Result<(), Refusal> {
    if preflight.is_some() && !(200..300).contains(&answer.status) {
        return Err(Refusal::PreflightStatus(answer.status));
    }
    cors_check(origin, answer, credentials)?;
    let Some(asked) = preflight else {
        return Ok(());
    };
    let methods = list("Access-Control-Allow-Methods", &answer.allow_methods)?;
    let headers = list("Access-Control-Allow-Headers", &answer.allow_headers)?;
    let safelisted = matches!(asked.method, "GET" | "HEAD" | "POST");
    let method_wildcard = !credentials && methods.iter().any(|m| m == "*");
    if !safelisted && !method_wildcard && !methods.iter().any(|m| m == asked.method) {
        return Err(Refusal::Method(asked.method.to_owned()));
    }
    let header_wildcard = headers.iter().any(|h| h == "*");
    for name in asked
        .headers
        .unwrap_or_default()
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
    {
        if headers.iter().any(|h| h.eq_ignore_ascii_case(&name)) {
            continue;
        }
        let wildcard = if !header_wildcard {
            None
        } else if name == "authorization" {
            Some("which never covers Authorization")
        } else if credentials {
            Some("which on a request with credentials is only a header named \"*\"")
        } else {
            continue;
        };
        return Err(Refusal::Header { name, wildcard });
    }
    Ok(())
}

/// The Fetch standard's CORS check on `Access-Control-Allow-Origin` and
/// `Access-Control-Allow-Credentials`.
fn cors_check(origin: &str, answer: &Answer<'_>, credentials: bool) -> Result<(), Refusal> {
    let allowed = match answer.allow_origin.as_slice() {
        [] => return Err(Refusal::NoAllowOrigin),
        [one] if !one.contains(',') => one.trim_matches([' ', '\t']),
        several => return Err(Refusal::SeveralAllowOrigins(several.join(", "))),
    };
    if allowed == "*" {
        return if credentials {
            Err(Refusal::WildcardWithCredentials)
        } else {
            Ok(())
        };
    }
    if allowed != origin {
        return Err(Refusal::OtherOrigin {
            allowed: allowed.to_owned(),
            origin: origin.to_owned(),
        });
    }
    if credentials && answer.allow_credentials != Some("true") {
        return Err(Refusal::NoCredentials(
            answer.allow_credentials.map(str::to_owned),
        ));
    }
    Ok(())
}

/// A comma-separated list of tokens, from every value of a header.
fn list(header: &'static str, values: &[&str]) -> Result<Vec<String>, Refusal> {
    let mut items = Vec::new();
    for value in values {
        for item in value.split(',').map(|i| i.trim_matches([' ', '\t'])) {
            if item.is_empty() {
                continue;
            }
            if !item.chars().all(is_token_char) {
                return Err(Refusal::BadList {
                    header,
                    value: (*value).to_owned(),
                });
            }
            items.push(item.to_owned());
        }
    }
    Ok(items)
}

/// A character of an HTTP token (RFC 9110 `tchar`).
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "http://localhost:4173";

    fn answer<'a>(origin: &'a str, credentials: Option<&'a str>) -> Answer<'a> {
        Answer {
            status: 204,
            allow_origin: vec![origin],
            allow_credentials: credentials,
            allow_methods: vec!["GET,POST,OPTIONS"],
            allow_headers: vec!["authorization,content-type"],
        }
    }

    const ASKED: Asked<'static> = Asked {
        method: "POST",
        headers: Some("authorization,content-type"),
    };

    #[test]
    fn the_exact_origin_with_credentials_and_the_asked_headers_is_granted() {
        assert_eq!(
            judge(ORIGIN, &answer(ORIGIN, Some("true")), Some(&ASKED), true),
            Ok(())
        );
        let mut mixed_case = answer(ORIGIN, Some("true"));
        mixed_case.allow_headers = vec!["Authorization, Content-Type"];
        assert_eq!(judge(ORIGIN, &mixed_case, Some(&ASKED), true), Ok(()));
    }

    #[test]
    fn the_origin_must_be_the_pages_own_and_never_a_wildcard_with_credentials() {
        let cases = [
            (
                answer("http://localhost:5173", Some("true")),
                Refusal::OtherOrigin {
                    allowed: "http://localhost:5173".into(),
                    origin: ORIGIN.into(),
                },
            ),
            (answer("*", Some("true")), Refusal::WildcardWithCredentials),
            (answer(ORIGIN, None), Refusal::NoCredentials(None)),
            (
                answer(ORIGIN, Some("True")),
                Refusal::NoCredentials(Some("True".into())),
            ),
            (
                Answer {
                    allow_origin: vec![],
                    ..answer(ORIGIN, Some("true"))
                },
                Refusal::NoAllowOrigin,
            ),
            (
                Answer {
                    allow_origin: vec![ORIGIN, ORIGIN],
                    ..answer(ORIGIN, Some("true"))
                },
                Refusal::SeveralAllowOrigins(format!("{ORIGIN}, {ORIGIN}")),
            ),
        ];
        for (a, refusal) in cases {
            assert_eq!(judge(ORIGIN, &a, None, true), Err(refusal));
        }
        assert_eq!(judge(ORIGIN, &answer("*", None), None, false), Ok(()));
    }

    #[test]
    fn a_wildcard_never_covers_authorization_and_is_literal_with_credentials() {
        let mut star = answer(ORIGIN, Some("true"));
        star.allow_headers = vec!["*"];
        assert_eq!(
            judge(ORIGIN, &star, Some(&ASKED), true),
            Err(Refusal::Header {
                name: "authorization".into(),
                wildcard: Some("which never covers Authorization"),
            })
        );
        assert!(judge(ORIGIN, &star, Some(&ASKED), false).is_err());
        let content_type_only = Asked {
            method: "POST",
            headers: Some("content-type"),
        };
        assert!(judge(ORIGIN, &star, Some(&content_type_only), true).is_err());
        let mut anonymous = star.clone();
        anonymous.allow_origin = vec!["*"];
        assert_eq!(
            judge(ORIGIN, &anonymous, Some(&content_type_only), false),
            Ok(())
        );
        star.allow_headers = vec!["*, Authorization"];
        assert!(judge(ORIGIN, &star, Some(&ASKED), false).is_ok());
    }

    #[test]
    fn methods_are_covered_when_safelisted_or_listed_exactly() {
        let mut none = answer(ORIGIN, Some("true"));
        none.allow_methods = vec![];
        assert_eq!(judge(ORIGIN, &none, Some(&ASKED), true), Ok(()));
        let put = Asked {
            method: "PUT",
            headers: None,
        };
        assert_eq!(
            judge(ORIGIN, &none, Some(&put), true),
            Err(Refusal::Method("PUT".into()))
        );
        let mut lower = answer(ORIGIN, Some("true"));
        lower.allow_methods = vec!["put"];
        assert!(judge(ORIGIN, &lower, Some(&put), true).is_err());
        let mut star = answer(ORIGIN, Some("true"));
        star.allow_methods = vec!["*"];
        assert!(judge(ORIGIN, &star, Some(&put), true).is_err());
        assert!(judge(ORIGIN, &star, Some(&put), false).is_ok());
    }

    #[test]
    fn a_preflight_needs_an_ok_status_and_lists_that_parse() {
        let mut not_ok = answer(ORIGIN, Some("true"));
        not_ok.status = 404;
        assert_eq!(
            judge(ORIGIN, &not_ok, Some(&ASKED), true),
            Err(Refusal::PreflightStatus(404))
        );
        assert_eq!(judge(ORIGIN, &not_ok, None, true), Ok(()));
        let mut spaced = answer(ORIGIN, Some("true"));
        spaced.allow_headers = vec!["authorization content-type"];
        assert!(matches!(
            judge(ORIGIN, &spaced, Some(&ASKED), true),
            Err(Refusal::BadList { .. })
        ));
    }
}
