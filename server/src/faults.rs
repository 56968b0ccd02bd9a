//! Fault switches: each one brings back one incident of the post-mortem on
//! purpose, so the conformance suite can prove that its scenarios catch it.
//!
//! A fault is switched on with `REFERENCE_FAULTS=name,name` or with
//! `--fault name`. Every variant is checked at exactly one place in the code
//! (search for `Fault::TheVariant`), and its doc comment names the contract
//! rules it breaks: the harness's kill matrix expects exactly those to fail.

use std::fmt;
use std::str::FromStr;

/// Defines [`Fault`] from one table: each variant with its doc comment,
/// its kebab-case name and the contract rules it breaks. `Fault::ALL`,
/// `name()`, `rules()`, the variant's rustdoc line naming its rules, and
/// (through tests) the kill matrix and this crate's README follow it.
macro_rules! faults {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal breaks [$($rule:literal),+ $(,)?], )+) => {
        /// One deliberate defect of the reference server.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Fault {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!("Breaks ", $($rule, " "),+)]
                $variant,
            )+
        }

        impl Fault {
            /// Every fault, in the order of the table.
            pub const ALL: [Fault; [$(Fault::$variant),+].len()] = [$(Fault::$variant),+];

            /// The kebab-case name used in `REFERENCE_FAULTS` and `--fault`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Fault::$variant => $name, )+
                }
            }

            /// The contract rules this fault breaks: the data a kill matrix
            /// compares a failing run against.
            pub const fn rules(self) -> &'static [&'static str] {
                match self {
                    $( Fault::$variant => &[$($rule),+], )+
                }
            }
        }
    };
}

faults! {
    /// Registration maps no database error, so a duplicate email and an
    /// unreachable database both answer `500` (CORS-2's check on a `503` is
    /// then blocked by REG-4).
    RegisterUnmappedErrors = "register-unmapped-errors" breaks ["REG-2", "REG-3", "REG-4", "API-1"],
    /// Registration looks the email up, hashes the password and only then
    /// inserts, leaving the insert's unique violation unmapped. Two
    /// concurrent registrations both pass the check and the loser gets `500`.
    RegisterCheckThenInsert = "register-check-then-insert" breaks ["REG-3", "API-1"],
    /// `?token=` is ignored, only the header counts.
    NoQueryToken = "no-query-token" breaks ["TOK-4", "SSE-2"],
    /// `?token=` is read before the `Authorization` header and, when present,
    /// decides alone.
    QueryTokenFirst = "query-token-first" breaks ["TOK-5"],
    /// Answers `Access-Control-Allow-Origin: *` to every origin, without
    /// credentials and without `Vary: Origin`, so the browser refuses the
    /// app's credentialed requests.
    CorsWildcard = "cors-wildcard" breaks ["CORS-1", "CORS-2", "CORS-3", "CORS-4", "CORS-5", "WEB-5"],
    /// Mirrors whatever `Origin` the request names, with credentials, so
    /// every site is granted (the contract's default origin too, while
    /// `CORS_ORIGIN` names another).
    CorsReflectOrigin = "cors-reflect-origin" breaks ["CORS-1", "CORS-4"],
    /// Error responses (`4xx`, `5xx`) lose their CORS headers, so a browser
    /// reports "Failed to fetch" instead of the real error.
    CorsMissingOnErrors = "cors-missing-on-errors" breaks ["CORS-2"],
    /// Starts with `JWT_SECRET` equal to the known default.
    AcceptDefaultSecret = "accept-default-secret" breaks ["CFG-3"],
    /// Starts without `JWT_SECRET` (unset or empty) and signs with the known
    /// default secret instead.
    AcceptMissingSecret = "accept-missing-secret" breaks ["CFG-2"],
    /// Ignores `JWT_EXPIRES_IN`; every token lives 604800 s.
    IgnoreExpiresIn = "ignore-expires-in" breaks ["CFG-4"],
    /// Re-checks the token's `exp` between two deltas and ends the stream
    /// with `event: error` once it has expired.
    StreamRecheckToken = "stream-recheck-token" breaks ["SSE-4"],
    /// Collects every event of the answer and sends them all at the end
    /// instead of flushing each as it is produced.
    StreamBuffered = "stream-buffered" breaks ["SSE-6"],
    /// The request log prints the raw `token` query value.
    LogQueryToken = "log-query-token" breaks ["TOK-7"],
    /// Ignores `JWT_SECRET` and signs with a random secret drawn at each
    /// start, so tokens die with the process and are not signed with the
    /// configured secret (SSE-4, whose short-lived token is signed with
    /// `JWT_SECRET`, is then blocked by LOG-4).
    RandomSecretPerStart = "random-secret-per-start" breaks ["TOK-6", "LOG-4"],
    /// Failed logins are not counted, nothing is ever throttled.
    NoLoginThrottle = "no-login-throttle" breaks ["LOG-5"],
    /// The user JSON carries `passwordHash`.
    LeakPasswordHash = "leak-password-hash" breaks ["REG-1", "DOC-3"],
    /// A token whose header says `alg: none` is accepted without a signature
    /// (its `exp` is still checked).
    AlgNoneAccepted = "alg-none-accepted" breaks ["TOK-3"],
    /// Prints `Server listening on port <PORT>` instead of the contract's
    /// banner (the port still answers).
    WrongBanner = "wrong-banner" breaks ["CFG-1"],
    /// Ignores `REDIS_HOST` and `REDIS_PORT` and connects to a hard-coded
    /// address where no Redis runs, so health reports Redis down and login
    /// throttling is skipped.
    HardcodedRedisAddress = "hardcoded-redis-address" breaks ["CFG-5", "LOG-5", "INF-1"],
    /// `/health` answers `200` without asking Postgres or Redis, so it cannot
    /// tell that a dependency is down.
    HealthAlwaysOk = "health-always-ok" breaks ["INF-1"],
    /// A body the JSON extractor refuses (a syntax error, a missing or
    /// mistyped field, an array) answers `500` instead of `4xx`.
    MalformedInput500 = "malformed-input-500" breaks ["REG-5", "API-1"],
    /// An unknown email at login answers `404 "User not found"` instead of
    /// the `401` a wrong password gets.
    LoginUnknownEmail404 = "login-unknown-email-404" breaks ["LOG-2", "LOG-3"],
    /// A wrong password and an unknown email both answer `401`, but with
    /// different messages, so anyone can tell which emails have accounts.
    LoginEnumeratesAccounts = "login-enumerates-accounts" breaks ["LOG-3"],
    /// `GET /documents` runs without a valid token and answers `200` with an
    /// empty list; with a valid token it behaves as usual.
    DocumentsUnguarded = "documents-unguarded" breaks ["TOK-2", "TOK-3"],
    /// Signs tokens with `JWT_SECRET` but verifies them with the known
    /// default secret (the post-mortem's secondary cause), so every token the
    /// server issues is refused and nothing behind a token can be reached;
    /// the scenarios that need a document first are blocked by DOC-1.
    VerifyWithDefaultSecret = "verify-with-default-secret" breaks ["TOK-1", "TOK-4", "TOK-5", "TOK-6", "DOC-1"],
    /// The chat stream ends after the deltas without the `done` event, so
    /// every check that waits for a complete stream fails (SSE-6, which needs
    /// one first, is blocked by SSE-1).
    StreamNoDone = "stream-no-done" breaks ["SSE-1", "SSE-2", "SSE-4"],
    /// The chat route checks the token inside the stream, so a request
    /// without a valid token gets `200 text/event-stream` carrying an `event:
    /// error`.
    StreamStartsBeforeAuth = "stream-starts-before-auth" breaks ["SSE-3", "TOK-3"],
    /// The chat stream skips the document check and streams a canned answer
    /// for a document that is absent or someone else's instead of answering
    /// `404`.
    StreamAnyDocument = "stream-any-document" breaks ["SSE-5"],
    /// The web app renders and fetches before the stored session is
    /// rehydrated, so the first requests after a page load go out without a
    /// token, get `401` and the app says the session expired (the original
    /// bug of the post-mortem); WEB-4 and WEB-5, which open the app's pages
    /// first, are blocked by WEB-2.
    NoHydrationGate = "no-hydration-gate" breaks ["WEB-2", "WEB-3"],
    /// The web app keeps the session in memory only; nothing is written to
    /// `localStorage`, so any page load after a login through the form logs
    /// out. The other browser rules sign in by the persisted state, which
    /// the app still reads: only WEB-1 logs in through the form.
    TokenNotPersisted = "token-not-persisted" breaks ["WEB-1"],
    /// The web app sends the chat stream request without `Authorization`, so
    /// the stream gets `401` and the answer never shows (WEB-5, which needs
    /// the answer, is blocked by WEB-4).
    StreamWithoutAuthHeader = "stream-without-auth-header" breaks ["WEB-4"],
    /// The web app adds an `X-Client` header that CORS does not allow, so the
    /// browser refuses every API call ("Failed to fetch"); the other browser
    /// rules are blocked by it.
    WebExtraHeader = "web-extra-header" breaks ["WEB-5"],
    /// The web app's login form sends the email as `username`, so every
    /// login through the form gets `400`. Only WEB-1 logs in through the
    /// form: the other browser rules sign in by the persisted state and
    /// are not blocked.
    LoginFormWrongField = "login-form-wrong-field" breaks ["WEB-1"],
    /// Registration hashes the password first, then looks the email up and
    /// inserts back to back, leaving the insert's unique violation unmapped.
    /// The window between look-up and insert is a fraction of a millisecond:
    /// only concurrent bursts show it.
    RegisterNarrowRace = "register-narrow-race" breaks ["REG-3", "API-1"],
    /// When the request accepts gzip (as browsers do), the whole stream is
    /// compressed at the end, as a compression middleware that buffers does;
    /// without `Accept-Encoding` it streams as usual.
    StreamCompressedBuffered = "stream-compressed-buffered" breaks ["SSE-6"],
    /// Without `JWT_EXPIRES_IN` the default `604800` is read as milliseconds
    /// (as jsonwebtoken reads a unitless string), so tokens live 604 s; an
    /// explicit value still works.
    DefaultExpiresInMillis = "default-expires-in-millis" breaks ["CFG-4"],
    /// Ignores `CORS_ORIGIN` and allows the contract's default origin
    /// `http://localhost:5173` only.
    CorsOriginHardcoded = "cors-origin-hardcoded" breaks ["CORS-1", "CORS-2", "WEB-5"],
    /// Preflights answer `Access-Control-Allow-Headers: *` with credentials,
    /// which a browser reads as a header named `*` (and never as
    /// `Authorization`).
    CorsAllowHeadersWildcard = "cors-allow-headers-wildcard" breaks ["CORS-1", "WEB-5"],
    /// `GET /auth/me` returns the user with `passwordHash`.
    MePasswordHash = "me-password-hash" breaks ["DOC-3"],
    /// `GET /documents` lists every user's documents.
    DocumentsListEveryone = "documents-list-everyone" breaks ["DOC-1"],
    /// `GET /documents/{id}` of another user's document answers `403
    /// Forbidden`, which confirms that it exists.
    ForeignDocument403 = "foreign-document-403" breaks ["DOC-2"],
    /// A successful login answers `201`, as a NestJS `@Post` handler does
    /// without `@HttpCode(200)`.
    LoginAnswers201 = "login-answers-201" breaks ["LOG-1"],
    /// The chat stream verifies its token without the expiry (signature and
    /// account still checked), as a second passport strategy with
    /// `ignoreExpiration: true` does: an expired token opens a stream, by
    /// header and by `?token=`. The other routes refuse it.
    StreamIgnoresExpiry = "stream-ignores-expiry" breaks ["TOK-3", "SSE-3"],
    /// A verified token whose `sub` names no account (one issued before a
    /// database reset) makes `GET /auth/me` answer `500`, as a handler that
    /// dereferences the missing row; the other routes refuse it with `401`.
    DeletedAccount500 = "deleted-account-500" breaks ["TOK-3", "API-1"],
    /// A verified token whose `sub` is not a UUID (`"not-an-id"`, `""`, a
    /// number) answers `500` on every protected route, each of which looks
    /// the account up, as the database's refusal to cast the value to a UUID
    /// would.
    NonIdSub500 = "non-id-sub-500" breaks ["TOK-3", "API-1"],
    /// An origin that starts with an allowed origin is granted (mirrored,
    /// with credentials), as `origin.startsWith(allowed)` does:
    /// `http://localhost:5173.evil.example` and `http://localhost:51730` pass
    /// for `http://localhost:5173`.
    CorsOriginPrefix = "cors-origin-prefix" breaks ["CORS-4"],
    /// `Origin: null` (sandboxed frames, `file:` pages, redirects across
    /// origins) is granted, `Access-Control-Allow-Origin: null` with
    /// credentials, as an allow list that also holds `"null"`.
    CorsNullOrigin = "cors-null-origin" breaks ["CORS-4"],
    /// An origin with an allowed origin's scheme and host is granted whatever
    /// its port, as a check that compares host names only.
    CorsAnyPort = "cors-any-port" breaks ["CORS-4"],
    /// Every `401` answers `{"error": "Unauthorized"}`, as a guard that
    /// writes its own answer instead of throwing the framework's exception
    /// does: JSON, but without the error shape's `statusCode` and `message`.
    UnauthorizedWithoutShape = "unauthorized-without-shape" breaks ["API-2"],
    /// Never reads `.env`: only the process environment configures it.
    IgnoreDotenv = "ignore-dotenv" breaks ["CFG-6"],
    /// Reads `.env` over the process environment (as `dotenv`'s `override`
    /// does), so a stale `.env` beats what the deployment sets.
    DotenvOverridesEnvironment = "dotenv-overrides-environment" breaks ["CFG-6"],
}

impl Fault {
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

    /// The README's fault table names every fault, in the table's order,
    /// with exactly its rules.
    #[test]
    fn the_readme_lists_every_fault_with_its_rules() {
        let readme = include_str!("../README.md");
        let rows: Vec<(String, String)> = readme
            .lines()
            .skip_while(|l| !l.starts_with("| fault | breaks |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                (cells[0].trim_matches('`').to_owned(), cells[1].to_owned())
            })
            .collect();
        let want: Vec<(String, String)> = Fault::ALL
            .iter()
            .map(|f| (f.name().to_owned(), f.rules().join(", ")))
            .collect();
        assert_eq!(rows, want);
    }

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
