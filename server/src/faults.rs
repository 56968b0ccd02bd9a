//! Fault switches: each one brings back one incident of the post-mortem on
//! purpose, so the conformance suite can prove that its scenarios catch it.
//!
//! A fault is switched on with `REFERENCE_FAULTS=name,name` or with
//! `--fault name`. Every variant is checked at exactly one place in the code
//! (search for `Fault::TheVariant`), and its doc comment names the contract
//! rules it breaks: the harness's kill matrix expects exactly those to fail.

use std::fmt;
use std::str::FromStr;

/// One deliberate defect of the reference server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Breaks REG-2, REG-3 and REG-4: registration maps no database error,
    /// so a duplicate email and an unreachable database both answer `500`
    /// (CORS-2's check on a `503` is then blocked by REG-4).
    RegisterUnmappedErrors,
    /// Breaks REG-3: registration looks the email up, hashes the password and
    /// only then inserts, leaving the insert's unique violation unmapped. Two
    /// concurrent registrations both pass the check and the loser gets `500`.
    RegisterCheckThenInsert,
    /// Breaks TOK-4, SSE-2: `?token=` is ignored, only the header counts.
    NoQueryToken,
    /// Breaks TOK-5: `?token=` is read before the `Authorization` header and,
    /// when present, decides alone.
    QueryTokenFirst,
    /// Breaks CORS-1, CORS-2, CORS-3, CORS-4, CORS-5 and WEB-5: answers
    /// `Access-Control-Allow-Origin: *` to every origin, without credentials
    /// and without `Vary: Origin`, so the browser refuses the app's
    /// credentialed requests.
    CorsWildcard,
    /// Breaks CORS-1 and CORS-4: mirrors whatever `Origin` the request
    /// names, with credentials, so every site is granted (the contract's
    /// default origin too, while `CORS_ORIGIN` names another).
    CorsReflectOrigin,
    /// Breaks CORS-2: error responses (`4xx`, `5xx`) lose their CORS headers,
    /// so a browser reports "Failed to fetch" instead of the real error.
    CorsMissingOnErrors,
    /// Breaks CFG-3: starts with `JWT_SECRET` equal to the known default.
    AcceptDefaultSecret,
    /// Breaks CFG-2: starts without `JWT_SECRET` (unset or empty) and signs
    /// with the known default secret instead.
    AcceptMissingSecret,
    /// Breaks CFG-4: ignores `JWT_EXPIRES_IN`; every token lives 604800 s.
    IgnoreExpiresIn,
    /// Breaks SSE-4: re-checks the token's `exp` between two deltas and ends
    /// the stream with `event: error` once it has expired.
    StreamRecheckToken,
    /// Breaks SSE-6: collects every event of the answer and sends them all at
    /// the end instead of flushing each as it is produced.
    StreamBuffered,
    /// Breaks TOK-7: the request log prints the raw `token` query value.
    LogQueryToken,
    /// Breaks TOK-6 and LOG-4: ignores `JWT_SECRET` and signs with a random
    /// secret drawn at each start, so tokens die with the process and are
    /// not signed with the configured secret (SSE-4, whose short-lived
    /// token is signed with `JWT_SECRET`, is then blocked by LOG-4).
    RandomSecretPerStart,
    /// Breaks LOG-5: failed logins are not counted, nothing is ever throttled.
    NoLoginThrottle,
    /// Breaks REG-1 and DOC-3: the user JSON carries `passwordHash`.
    LeakPasswordHash,
    /// Breaks TOK-3: a token whose header says `alg: none` is accepted
    /// without a signature (its `exp` is still checked).
    AlgNoneAccepted,
    /// Breaks CFG-1: prints `Server listening on port <PORT>` instead of the
    /// contract's banner (the port still answers).
    WrongBanner,
    /// Breaks CFG-5, LOG-5 and INF-1: ignores `REDIS_HOST` and `REDIS_PORT`
    /// and connects to a hard-coded address where no Redis runs, so health
    /// reports Redis down and login throttling is skipped.
    HardcodedRedisAddress,
    /// Breaks INF-1: `/health` answers `200` without asking Postgres or
    /// Redis, so it cannot tell that a dependency is down.
    HealthAlwaysOk,
    /// Breaks REG-5: a body the JSON extractor refuses (a syntax error, a
    /// missing or mistyped field, an array) answers `500` instead of `4xx`.
    MalformedInput500,
    /// Breaks LOG-2 and LOG-3: an unknown email at login answers
    /// `404 "User not found"` instead of the `401` a wrong password gets.
    LoginUnknownEmail404,
    /// Breaks LOG-3: a wrong password and an unknown email both answer `401`,
    /// but with different messages, so anyone can tell which emails have
    /// accounts.
    LoginEnumeratesAccounts,
    /// Breaks TOK-2: `GET /documents` runs without a valid token and answers
    /// `200` with an empty list; with a valid token it behaves as usual.
    DocumentsUnguarded,
    /// Breaks TOK-1, TOK-4, TOK-5, TOK-6 and DOC-1: signs tokens with
    /// `JWT_SECRET` but verifies them with the known default secret (the
    /// post-mortem's secondary cause), so every token the server issues is
    /// refused and nothing behind a token can be reached; the scenarios that
    /// need a document first are blocked by DOC-1.
    VerifyWithDefaultSecret,
    /// Breaks SSE-1, SSE-2 and SSE-4: the chat stream ends after the deltas
    /// without the `done` event, so every check that waits for a complete
    /// stream fails (SSE-6, which needs one first, is blocked by SSE-1).
    StreamNoDone,
    /// Breaks SSE-3: the chat route checks the token inside the stream, so a
    /// request without a valid token gets `200 text/event-stream` carrying an
    /// `event: error`.
    StreamStartsBeforeAuth,
    /// Breaks SSE-5: the chat stream skips the document check and streams a
    /// canned answer for a document that is absent or someone else's instead
    /// of answering `404`.
    StreamAnyDocument,
    /// Breaks WEB-2 and WEB-3: the web app renders and fetches before the
    /// stored session is rehydrated, so the first requests after a page load
    /// go out without a token, get `401` and the app says the session
    /// expired (the original bug of the post-mortem); WEB-4 and WEB-5, which
    /// open the chat page first, are blocked.
    NoHydrationGate,
    /// Breaks WEB-1 and WEB-2: the web app keeps the session in memory only;
    /// nothing is written to `localStorage`, so any page load logs out
    /// (WEB-4 and WEB-5, which load the chat page, are blocked).
    TokenNotPersisted,
    /// Breaks WEB-4: the web app sends the chat stream request without
    /// `Authorization`, so the stream gets `401` and the answer never shows
    /// (WEB-5, which needs the answer, is blocked by WEB-4).
    StreamWithoutAuthHeader,
    /// Breaks WEB-5: the web app adds an `X-Client` header that CORS does
    /// not allow, so the browser refuses every API call ("Failed to
    /// fetch"); the other browser rules are blocked by it.
    WebExtraHeader,
    /// Breaks REG-3: registration hashes the password first, then looks
    /// the email up and inserts back to back, leaving the insert's unique
    /// violation unmapped. The window between look-up and insert is a
    /// fraction of a millisecond: only concurrent bursts show it.
    RegisterNarrowRace,
    /// Breaks SSE-6: when the request accepts gzip (as browsers do), the
    /// whole stream is compressed at the end, as a compression middleware
    /// that buffers does; without `Accept-Encoding` it streams as usual.
    StreamCompressedBuffered,
    /// Breaks CFG-4: without `JWT_EXPIRES_IN` the default `604800` is read
    /// as milliseconds (as jsonwebtoken reads a unitless string), so tokens
    /// live 604 s; an explicit value still works.
    DefaultExpiresInMillis,
    /// Breaks CORS-1, CORS-2 and WEB-5: ignores `CORS_ORIGIN` and allows the
    /// contract's default origin `http://localhost:5173` only.
    CorsOriginHardcoded,
    /// Breaks CORS-1 and WEB-5: preflights answer
    /// `Access-Control-Allow-Headers: *` with credentials, which a browser
    /// reads as a header named `*` (and never as `Authorization`).
    CorsAllowHeadersWildcard,
    /// Breaks DOC-3: `GET /auth/me` returns the user with `passwordHash`.
    MePasswordHash,
    /// Breaks DOC-1: `GET /documents` lists every user's documents.
    DocumentsListEveryone,
    /// Breaks DOC-2: `GET /documents/{id}` of another user's document
    /// answers `403 Forbidden`, which confirms that it exists.
    ForeignDocument403,
    /// Breaks LOG-1: a successful login answers `201`, as a NestJS `@Post`
    /// handler does without `@HttpCode(200)`.
    LoginAnswers201,
    /// Breaks TOK-3 and SSE-3: the chat stream verifies its token without
    /// the expiry (signature and account still checked), as a second
    /// passport strategy with `ignoreExpiration: true` does: an expired
    /// token opens a stream, by header and by `?token=`. The other routes
    /// refuse it.
    StreamIgnoresExpiry,
    /// Breaks TOK-3: a verified token whose `sub` names no account (one
    /// issued before a database reset) makes `GET /auth/me` answer `500`,
    /// as a handler that dereferences the missing row; the other routes
    /// refuse it with `401`.
    DeletedAccount500,
    /// Breaks TOK-3: a verified token whose `sub` is not a UUID (`"not-an-id"`,
    /// `""`, a number) answers `500` on every protected route, each of which
    /// looks the account up, as the database's refusal to cast the value to
    /// a UUID would.
    NonIdSub500,
    /// Breaks CORS-4: an origin that starts with an allowed origin is
    /// granted (mirrored, with credentials), as `origin.startsWith(allowed)`
    /// does: `http://localhost:5173.evil.example` and
    /// `http://localhost:51730` pass for `http://localhost:5173`.
    CorsOriginPrefix,
    /// Breaks CORS-4: `Origin: null` (sandboxed frames, `file:` pages,
    /// redirects across origins) is granted, `Access-Control-Allow-Origin:
    /// null` with credentials, as an allow list that also holds `"null"`.
    CorsNullOrigin,
    /// Breaks CORS-4: an origin with an allowed origin's scheme and host is
    /// granted whatever its port, as a check that compares host names only.
    CorsAnyPort,
}

impl Fault {
    /// Every fault, in the order of the documentation.
    pub const ALL: [Fault; 47] = [
        Fault::RegisterUnmappedErrors,
        Fault::RegisterCheckThenInsert,
        Fault::NoQueryToken,
        Fault::QueryTokenFirst,
        Fault::CorsWildcard,
        Fault::CorsReflectOrigin,
        Fault::CorsMissingOnErrors,
        Fault::AcceptDefaultSecret,
        Fault::AcceptMissingSecret,
        Fault::IgnoreExpiresIn,
        Fault::StreamRecheckToken,
        Fault::StreamBuffered,
        Fault::LogQueryToken,
        Fault::RandomSecretPerStart,
        Fault::NoLoginThrottle,
        Fault::LeakPasswordHash,
        Fault::AlgNoneAccepted,
        Fault::WrongBanner,
        Fault::HardcodedRedisAddress,
        Fault::HealthAlwaysOk,
        Fault::MalformedInput500,
        Fault::LoginUnknownEmail404,
        Fault::LoginEnumeratesAccounts,
        Fault::DocumentsUnguarded,
        Fault::VerifyWithDefaultSecret,
        Fault::StreamNoDone,
        Fault::StreamStartsBeforeAuth,
        Fault::StreamAnyDocument,
        Fault::NoHydrationGate,
        Fault::TokenNotPersisted,
        Fault::StreamWithoutAuthHeader,
        Fault::WebExtraHeader,
        Fault::RegisterNarrowRace,
        Fault::StreamCompressedBuffered,
        Fault::DefaultExpiresInMillis,
        Fault::CorsOriginHardcoded,
        Fault::CorsAllowHeadersWildcard,
        Fault::MePasswordHash,
        Fault::DocumentsListEveryone,
        Fault::ForeignDocument403,
        Fault::LoginAnswers201,
        Fault::StreamIgnoresExpiry,
        Fault::DeletedAccount500,
        Fault::NonIdSub500,
        Fault::CorsOriginPrefix,
        Fault::CorsNullOrigin,
        Fault::CorsAnyPort,
    ];

    /// The kebab-case name used in `REFERENCE_FAULTS` and `--fault`.
    pub const fn name(self) -> &'static str {
        match self {
            Fault::RegisterUnmappedErrors => "register-unmapped-errors",
            Fault::RegisterCheckThenInsert => "register-check-then-insert",
            Fault::NoQueryToken => "no-query-token",
            Fault::QueryTokenFirst => "query-token-first",
            Fault::CorsWildcard => "cors-wildcard",
            Fault::CorsReflectOrigin => "cors-reflect-origin",
            Fault::CorsMissingOnErrors => "cors-missing-on-errors",
            Fault::AcceptDefaultSecret => "accept-default-secret",
            Fault::AcceptMissingSecret => "accept-missing-secret",
            Fault::IgnoreExpiresIn => "ignore-expires-in",
            Fault::StreamRecheckToken => "stream-recheck-token",
            Fault::StreamBuffered => "stream-buffered",
            Fault::LogQueryToken => "log-query-token",
            Fault::RandomSecretPerStart => "random-secret-per-start",
            Fault::NoLoginThrottle => "no-login-throttle",
            Fault::LeakPasswordHash => "leak-password-hash",
            Fault::AlgNoneAccepted => "alg-none-accepted",
            Fault::WrongBanner => "wrong-banner",
            Fault::HardcodedRedisAddress => "hardcoded-redis-address",
            Fault::HealthAlwaysOk => "health-always-ok",
            Fault::MalformedInput500 => "malformed-input-500",
            Fault::LoginUnknownEmail404 => "login-unknown-email-404",
            Fault::LoginEnumeratesAccounts => "login-enumerates-accounts",
            Fault::DocumentsUnguarded => "documents-unguarded",
            Fault::VerifyWithDefaultSecret => "verify-with-default-secret",
            Fault::StreamNoDone => "stream-no-done",
            Fault::StreamStartsBeforeAuth => "stream-starts-before-auth",
            Fault::StreamAnyDocument => "stream-any-document",
            Fault::NoHydrationGate => "no-hydration-gate",
            Fault::TokenNotPersisted => "token-not-persisted",
            Fault::StreamWithoutAuthHeader => "stream-without-auth-header",
            Fault::WebExtraHeader => "web-extra-header",
            Fault::RegisterNarrowRace => "register-narrow-race",
            Fault::StreamCompressedBuffered => "stream-compressed-buffered",
            Fault::DefaultExpiresInMillis => "default-expires-in-millis",
            Fault::CorsOriginHardcoded => "cors-origin-hardcoded",
            Fault::CorsAllowHeadersWildcard => "cors-allow-headers-wildcard",
            Fault::MePasswordHash => "me-password-hash",
            Fault::DocumentsListEveryone => "documents-list-everyone",
            Fault::ForeignDocument403 => "foreign-document-403",
            Fault::LoginAnswers201 => "login-answers-201",
            Fault::StreamIgnoresExpiry => "stream-ignores-expiry",
            Fault::DeletedAccount500 => "deleted-account-500",
            Fault::NonIdSub500 => "non-id-sub-500",
            Fault::CorsOriginPrefix => "cors-origin-prefix",
            Fault::CorsNullOrigin => "cors-null-origin",
            Fault::CorsAnyPort => "cors-any-port",
        }
    }

    /// The contract rules this fault breaks, as its doc comment names them:
    /// the data a kill matrix compares a failing run against.
    pub const fn rules(self) -> &'static [&'static str] {
        match self {
            Fault::RegisterUnmappedErrors => &["REG-2", "REG-3", "REG-4"],
            Fault::RegisterCheckThenInsert => &["REG-3"],
            Fault::NoQueryToken => &["TOK-4", "SSE-2"],
            Fault::QueryTokenFirst => &["TOK-5"],
            Fault::CorsWildcard => &["CORS-1", "CORS-2", "CORS-3", "CORS-4", "CORS-5", "WEB-5"],
            Fault::CorsReflectOrigin => &["CORS-1", "CORS-4"],
            Fault::CorsMissingOnErrors => &["CORS-2"],
            Fault::AcceptDefaultSecret => &["CFG-3"],
            Fault::AcceptMissingSecret => &["CFG-2"],
            Fault::IgnoreExpiresIn => &["CFG-4"],
            Fault::StreamRecheckToken => &["SSE-4"],
            Fault::StreamBuffered => &["SSE-6"],
            Fault::LogQueryToken => &["TOK-7"],
            Fault::RandomSecretPerStart => &["TOK-6", "LOG-4"],
            Fault::NoLoginThrottle => &["LOG-5"],
            Fault::LeakPasswordHash => &["REG-1", "DOC-3"],
            Fault::AlgNoneAccepted => &["TOK-3"],
            Fault::WrongBanner => &["CFG-1"],
            Fault::HardcodedRedisAddress => &["CFG-5", "LOG-5", "INF-1"],
            Fault::HealthAlwaysOk => &["INF-1"],
            Fault::MalformedInput500 => &["REG-5"],
            Fault::LoginUnknownEmail404 => &["LOG-2", "LOG-3"],
            Fault::LoginEnumeratesAccounts => &["LOG-3"],
            Fault::DocumentsUnguarded => &["TOK-2"],
            Fault::VerifyWithDefaultSecret => &["TOK-1", "TOK-4", "TOK-5", "TOK-6", "DOC-1"],
            Fault::StreamNoDone => &["SSE-1", "SSE-2", "SSE-4"],
            Fault::StreamStartsBeforeAuth => &["SSE-3"],
            Fault::StreamAnyDocument => &["SSE-5"],
            Fault::NoHydrationGate => &["WEB-2", "WEB-3"],
            Fault::TokenNotPersisted => &["WEB-1", "WEB-2"],
            Fault::StreamWithoutAuthHeader => &["WEB-4"],
            Fault::WebExtraHeader => &["WEB-5"],
            Fault::RegisterNarrowRace => &["REG-3"],
            Fault::StreamCompressedBuffered => &["SSE-6"],
            Fault::DefaultExpiresInMillis => &["CFG-4"],
            Fault::CorsOriginHardcoded => &["CORS-1", "CORS-2", "WEB-5"],
            Fault::CorsAllowHeadersWildcard => &["CORS-1", "WEB-5"],
            Fault::MePasswordHash => &["DOC-3"],
            Fault::DocumentsListEveryone => &["DOC-1"],
            Fault::ForeignDocument403 => &["DOC-2"],
            Fault::LoginAnswers201 => &["LOG-1"],
            Fault::StreamIgnoresExpiry => &["TOK-3", "SSE-3"],
            Fault::DeletedAccount500 => &["TOK-3"],
            Fault::NonIdSub500 => &["TOK-3"],
            Fault::CorsOriginPrefix => &["CORS-4"],
            Fault::CorsNullOrigin => &["CORS-4"],
            Fault::CorsAnyPort => &["CORS-4"],
        }
    }

    /// The names of all faults, comma-separated, for error and help messages.
    pub fn known_names() -> String {
        let names: Vec<&str> = Fault::ALL.iter().map(|fault| fault.name()).collect();
        names.join(", ")
    }

    const fn bit(self) -> u64 {
        1 << self as u64
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fault name that is not one of [`Fault::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault `{name}`; known faults: {}", Fault::known_names())]
pub struct UnknownFault {
    /// The name as it was given.
    pub name: String,
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let name = name.trim();
        Fault::ALL
            .into_iter()
            .find(|fault| fault.name() == name)
            .ok_or_else(|| UnknownFault {
                name: name.to_owned(),
            })
    }
}

/// The faults switched on for one process: a small bit set, `Copy`, so the
/// hot paths can ask it without locking or allocating.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultSet(u64);

// Every fault needs its own bit.
const _: () = assert!(Fault::ALL.len() <= u64::BITS as usize);

impl FaultSet {
    /// No fault: the correct reference server.
    pub const fn empty() -> Self {
        FaultSet(0)
    }

    /// Parses a comma-separated list such as `REFERENCE_FAULTS`; blanks
    /// between commas are ignored.
    pub fn parse_list(list: &str) -> Result<Self, UnknownFault> {
        list.split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .try_fold(FaultSet::empty(), |set, name| {
                Ok(set.with(name.parse::<Fault>()?))
            })
    }

    /// This set with `fault` switched on as well.
    #[must_use]
    pub const fn with(self, fault: Fault) -> Self {
        FaultSet(self.0 | fault.bit())
    }

    /// Both sets together.
    #[must_use]
    pub const fn union(self, other: FaultSet) -> Self {
        FaultSet(self.0 | other.0)
    }

    /// Whether `fault` is switched on.
    pub const fn contains(self, fault: Fault) -> bool {
        self.0 & fault.bit() != 0
    }

    /// Whether no fault is switched on.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The faults switched on, in the order of [`Fault::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Fault> {
        Fault::ALL
            .into_iter()
            .filter(move |fault| self.contains(*fault))
    }
}

impl FromIterator<Fault> for FaultSet {
    fn from_iter<I: IntoIterator<Item = Fault>>(faults: I) -> Self {
        faults.into_iter().fold(FaultSet::empty(), FaultSet::with)
    }
}

impl fmt::Debug for FaultSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Fault::name)).finish()
    }
}

impl fmt::Display for FaultSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (index, fault) in self.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            f.write_str(fault.name())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_fault() {
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse::<Fault>(), Ok(fault));
        }
    }

    #[test]
    fn names_are_unique_and_every_fault_names_a_rule() {
        let mut names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Fault::ALL.len());
        assert!(Fault::ALL.iter().all(|f| !f.rules().is_empty()));
    }

    #[test]
    fn an_unknown_name_is_rejected_with_the_known_ones() {
        let err = "cors-everything".parse::<Fault>().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("`cors-everything`"), "{message}");
        assert!(message.contains("cors-wildcard"), "{message}");
        assert!(message.contains("alg-none-accepted"), "{message}");
    }

    #[test]
    fn a_list_parses_with_blanks_and_spaces() {
        let set = FaultSet::parse_list(" cors-wildcard, ,no-query-token ,").unwrap();
        assert!(set.contains(Fault::CorsWildcard));
        assert!(set.contains(Fault::NoQueryToken));
        assert!(!set.contains(Fault::QueryTokenFirst));
        assert_eq!(set.to_string(), "no-query-token,cors-wildcard");
        assert_eq!(FaultSet::parse_list("").unwrap(), FaultSet::empty());
    }

    #[test]
    fn a_list_with_one_unknown_name_is_rejected() {
        let err = FaultSet::parse_list("cors-wildcard,nope").unwrap_err();
        assert_eq!(err.name, "nope");
    }

    #[test]
    fn sets_combine() {
        let a = FaultSet::empty().with(Fault::StreamBuffered);
        let b: FaultSet = [Fault::LogQueryToken].into_iter().collect();
        let both = a.union(b);
        assert_eq!(both.iter().count(), 2);
        assert_eq!(
            format!("{both:?}"),
            r#"{"stream-buffered", "log-query-token"}"#
        );
    }
}
