//! The scenario file format as plain types. A scenario file is TOML: a title,
//! the rule IDs it checks, tags, what it needs, and its steps. Every table
//! denies unknown fields so a typo is an error with a position, not a check
//! that silently does nothing.

use schemars::JsonSchema;
use serde::Deserialize;

pub use super::browser_model::{
    AbsentText, BrowserAction, FillAction, NetworkStep, SignIn, StorageCheck, WaitText,
};
pub use super::step_entry::StepEntry;
use std::collections::BTreeMap;

/// One scenario file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
// Steps, or a matrix's `each` steps, or both: a file with neither checks
// nothing (the loader says so too).
#[schemars(extend("anyOf" = [{ "required": ["steps"] }, { "required": ["each"] }]))]
pub struct Scenario {
    /// A sentence saying what the scenario proves.
    pub title: String,
    /// The contract rule IDs this scenario checks (its verdict counts for each).
    pub rules: Vec<String>,
    /// Free-form tags for `--filter`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the scenario needs from the harness beyond a shared subject.
    #[serde(default)]
    pub needs: Needs,
    /// The steps, run in order; the first failing step ends the scenario.
    /// Steps marked `setup` prepare the check (their failure blocks the
    /// scenario); the others are its checks (their failure fails it).
    #[serde(default)]
    pub steps: Vec<StepEntry>,
    /// Axes of named values; every combination of one value per axis is a
    /// case, and the `each` steps run once per case (see `[[each]]`).
    #[serde(default)]
    pub matrix: Option<super::matrix::Matrix>,
    /// Steps run once per case of the matrix, after `steps` (which run
    /// once, before the cases: the shared preparation). Each case has the
    /// variables of `steps` and its own `${axis}` and `${axis.field}`;
    /// cases run concurrently, so these steps only talk HTTP: `request`,
    /// `stream`, `forge`, `token`, `sleep`.
    #[serde(default)]
    pub each: Vec<StepEntry>,
}

/// What a scenario needs: its own subject, special environment, a browser.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Needs {
    /// A fresh subject with a fresh database, for this scenario alone.
    #[serde(default)]
    pub own_subject: bool,
    /// Extra environment for the scenario's own subject (implies `own_subject`).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Contract variables left out of the own subject's environment, so
    /// that it takes its default (implies `own_subject`).
    #[serde(default)]
    pub unset: Vec<String>,
    /// A `.env` file in the own subject's working directory (implies
    /// `own_subject`; not applicable when the subject runs in a directory
    /// of its own, which the harness does not write into).
    #[serde(default)]
    pub dotenv: BTreeMap<String, String>,
    /// Only meaningful against the reference implementation of this workspace.
    #[serde(default)]
    pub reference_only: bool,
    /// A browser (and the subject's frontend, behind the recording proxy).
    #[serde(default)]
    pub browser: bool,
}

/// Defines [`Step`] from one table: each kind's variant, its type, the
/// word a scenario file names it by (also the name of its file under
/// `run/`), and its documentation. Every list of step kinds (the keys a
/// step table may hold, the schema, `kind()`) comes from here.
macro_rules! step_kinds {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) = $key:literal, )+) => {
        /// One step. In TOML each step is a table with exactly one key naming
        /// its kind: `[[steps]]` then `[steps.request]`, `[steps.stream]` and
        /// so on (read by [`StepEntry`], which also takes the step's `setup`
        /// key).
        #[derive(Debug, Clone, JsonSchema)]
        #[serde(rename_all = "snake_case", deny_unknown_fields)]
        pub enum Step {
            $( $(#[$doc])* $variant($ty), )+
        }

        impl Step {
            /// Every step kind, as scenario files name them.
            pub const KINDS: &'static [&'static str] = &[$($key),+];

            /// The step kind as written in the file, for reports.
            pub fn kind(&self) -> &'static str {
                match self {
                    $( Step::$variant(_) => $key, )+
                }
            }

            /// Reads the value of a step table's `kind` key; `None` for a
            /// word that names no kind.
            pub(crate) fn deserialize_kind<'de, D: serde::Deserializer<'de>>(
                kind: &str,
                value: D,
            ) -> Result<Option<Step>, D::Error> {
                Ok(Some(match kind {
                    $( $key => Step::$variant(Deserialize::deserialize(value)?), )+
                    _ => return Ok(None),
                }))
            }
        }
    };
}

step_kinds! {
    /// One HTTP request and what its response must look like.
    Request(RequestStep) = "request",
    /// The same request sent many times at once, with counts per status.
    Burst(BurstStep) = "burst",
    /// A request answered by a server-sent event stream.
    Stream(StreamStep) = "stream",
    /// Makes a JWT of a given shape and stores it in a variable.
    Forge(ForgeStep) = "forge",
    /// Decodes a JWT the subject issued and checks its header and claims.
    Token(TokenStep) = "token",
    /// Cuts or restores the subject's connection to Postgres.
    Database(DatabaseStep) = "database",
    /// Cuts or restores the subject's connection to Redis.
    Redis(RedisStep) = "redis",
    /// Stops the subject and starts it again, possibly with other env.
    Restart(RestartStep) = "restart",
    /// Starts a subject that is expected to refuse to start.
    StartFails(StartFailsStep) = "start_fails",
    /// Waits a fixed time (only where time itself is the subject, such as expiry).
    Sleep(SleepStep) = "sleep",
    /// Checks what the subject has printed so far.
    Output(OutputStep) = "output",
    /// Checks a file of the subject's source tree (reference only).
    File(FileStep) = "file",
    /// Checks that the subject connected to the database and Redis it was given.
    Connections(ConnectionsStep) = "connections",
    /// One action in the browser.
    Browser(BrowserAction) = "browser",
    /// Checks on the requests the browser made to the API.
    Network(NetworkStep) = "network",
}

impl Step {
    /// The rule a request's or stream's status belongs to, when it is not
    /// the scenario's own (`status_of`).
    pub fn status_of(&self) -> Option<&str> {
        match self {
            Step::Request(x) => x.expect.status_of.as_deref(),
            Step::Stream(x) => x.expect.status_of.as_deref(),
            _ => None,
        }
    }

    /// Whether the step needs a subject the harness starts and controls.
    pub fn needs_control(&self) -> bool {
        matches!(
            self,
            Step::Database(_)
                | Step::Redis(_)
                | Step::Restart(_)
                | Step::StartFails(_)
                | Step::Output(_)
                | Step::Connections(_)
        )
    }
}

/// A request to send and the checks on its answer: the body of `request`
/// and `stream` steps (`E` is the kind of checks) and of a burst's request.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(bound = "E: JsonSchema + Default", rename = "Exchange_for_{E}")]
pub struct Exchange<E> {
    /// A label for reports.
    pub name: Option<String>,
    /// HTTP method; `GET` when absent.
    #[serde(default = "default_method")]
    pub method: String,
    /// Path on the backend, such as `/auth/register`.
    pub path: String,
    /// Query parameters (values are percent-encoded by the harness).
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Sends `Origin: <value>`.
    pub origin: Option<String>,
    /// Sends `Authorization: Bearer <value>`.
    pub bearer: Option<String>,
    /// A JSON body (sent with `Content-Type: application/json`).
    #[schemars(with = "Option<serde_json::Value>")]
    pub json: Option<toml::Value>,
    /// A raw body, sent as is (set `Content-Type` in `headers` if needed).
    pub body: Option<String>,
    /// A JSON body padded to this many bytes (for body-size limits).
    pub json_padded_to_bytes: Option<usize>,
    /// What the answer must look like.
    #[serde(default)]
    pub expect: E,
    /// Variables to set from the answer's JSON: name -> JSON pointer.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// How long the whole answer may take, in milliseconds (default 15000;
    /// a stream's `deadline_ms` bounds a stream): no answer by then fails
    /// the step, and holds up nothing else.
    pub timeout_ms: Option<u64>,
    /// Sends the request again, every 100 ms, until its checks hold or
    /// this many milliseconds have passed (for a subject still connecting
    /// to a dependency after its start); only the last answer is judged.
    pub eventually_ms: Option<u64>,
}

fn default_method() -> String {
    "GET".to_owned()
}

/// A plain request step.
pub type RequestStep = Exchange<Expect>;

/// A request answered by a server-sent event stream; captures read the
/// JSON data of the last event.
pub type StreamStep = Exchange<StreamExpect>;

/// The request of a burst: its checks are the burst's counts.
pub type BurstRequest = Exchange<NoChecks>;

/// No checks: a burst's request carries none of its own.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoChecks {}

/// Checks on a plain HTTP response.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The exact status.
    pub status: Option<u16>,
    /// One of these statuses.
    pub status_in: Option<Vec<u16>>,
    /// A status class: `2xx`, `4xx`...
    pub status_class: Option<String>,
    /// The status is this rule's, not the scenario's (`"REG-2"` for a
    /// `409`): another status blocks the scenario naming that rule, before
    /// the step's own checks count.
    pub status_of: Option<String>,
    /// Header checks.
    #[serde(default)]
    pub headers: Vec<HeaderCheck>,
    /// JSON body checks.
    #[serde(default)]
    pub json: Vec<JsonCheck>,
    /// Substrings the body must contain.
    #[serde(default)]
    pub body_contains: Vec<String>,
    /// Substrings the body must not contain.
    #[serde(default)]
    pub body_not_contains: Vec<String>,
    /// A regex the body must match somewhere.
    pub body_matches: Option<String>,
    /// The body holds no password and no password hash: not the scenario's
    /// `${password}`, no value in a known hash format (Argon2, bcrypt,
    /// scrypt, PBKDF2, SHA-crypt) and no JSON key that names one
    /// (`password`, `passwordHash`, `hash`...), at any depth.
    #[serde(default)]
    pub no_password: bool,
    /// A browser would accept this answer for the request's `Origin` with
    /// credentials, as the Fetch standard judges it: the origin granted
    /// exactly, credentials allowed, and for a preflight an ok status and
    /// the asked method and headers covered (a `*` never covers
    /// `Authorization`, and with credentials it is only a literal name).
    #[serde(default)]
    pub cors_granted: bool,
}

/// One check on a response header (names are case-insensitive).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderCheck {
    /// The header name.
    pub name: String,
    /// The value equals this exactly.
    pub equals: Option<String>,
    /// The value differs from this (an absent header passes).
    pub not_equals: Option<String>,
    /// The value contains this, case-insensitively.
    pub contains: Option<String>,
    /// The value does not contain this, case-insensitively (an absent header passes).
    pub not_contains: Option<String>,
    /// The header is absent.
    #[serde(default)]
    pub absent: bool,
    /// The header is present.
    #[serde(default)]
    pub present: bool,
    /// The comma-separated value lists each of these, case-insensitively
    /// (`*` in the header covers anything).
    #[serde(default)]
    pub lists: Vec<String>,
}

/// One check on a JSON document at a JSON pointer (RFC 6901).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonCheck {
    /// Where in the document: `""` is the whole document, `/user/id` a field.
    pub pointer: String,
    /// The value equals this.
    #[schemars(with = "Option<serde_json::Value>")]
    pub equals: Option<toml::Value>,
    /// The value is present.
    #[serde(default)]
    pub exists: bool,
    /// Nothing is at the pointer.
    #[serde(default)]
    pub absent: bool,
    /// The value has this JSON type.
    #[serde(rename = "type")]
    pub json_type: Option<JsonType>,
    /// The value (a string, or a number's text) matches this regex.
    pub matches: Option<String>,
    /// The value differs from this.
    #[schemars(with = "Option<serde_json::Value>")]
    pub not_equals: Option<toml::Value>,
}

/// JSON value types for `type` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    /// A string.
    String,
    /// A number.
    Number,
    /// An integer.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// An object.
    Object,
    /// An array.
    Array,
    /// `null`.
    Null,
}

impl JsonType {
    /// The type with its article, as a report says it (`an integer`).
    pub fn word(self) -> &'static str {
        match self {
            JsonType::String => "a string",
            JsonType::Number => "a number",
            JsonType::Integer => "an integer",
            JsonType::Boolean => "a boolean",
            JsonType::Object => "an object",
            JsonType::Array => "an array",
            JsonType::Null => "null",
        }
    }
}

/// The same request sent `count` times at once.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BurstStep {
    /// How many copies to send concurrently.
    pub count: usize,
    /// The request.
    pub request: BurstRequest,
    /// Exact number of responses per status, such as `{ "201" = 1, "409" = 9 }`.
    #[serde(default)]
    pub expect_counts: BTreeMap<String, usize>,
    /// No response may be a 5xx.
    #[serde(default)]
    pub no_5xx: bool,
    /// How many bursts to send, one after another, each checked on its own
    /// (a race whose window is narrow shows in some bursts only). Inside the
    /// request `${round}` is the burst's number, from 1, so that each burst
    /// can use data of its own.
    #[serde(default = "one")]
    pub rounds: usize,
}

fn one() -> usize {
    1
}

/// Checks on an event stream.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamExpect {
    /// The status; any status when absent (a check about headers or
    /// events only does not also demand what another rule says).
    pub status: Option<u16>,
    /// The status is this rule's, not the scenario's: another status
    /// blocks the scenario naming that rule.
    pub status_of: Option<String>,
    /// Header checks on the response head.
    #[serde(default)]
    pub headers: Vec<HeaderCheck>,
    /// The event names, as a pattern of names with `+` (one or more), `*`
    /// (zero or more) and `?`: `"delta+ done"`.
    pub sequence: Option<String>,
    /// Every event's data is JSON and each event of a name has these fields:
    /// `{ delta = ["content"], done = ["messageId"] }`.
    #[serde(default)]
    pub fields: BTreeMap<String, Vec<String>>,
    /// The first event arrives within this many milliseconds.
    pub first_event_within_ms: Option<u64>,
    /// The first and the last event arrive at least this far apart
    /// (they are flushed as produced, not buffered).
    pub spread_at_least_ms: Option<u64>,
    /// Events are flushed as they are produced, not buffered to the end:
    /// there are at least two, and the first arrives in the first half of
    /// the time from the request to the last one. (A buffered stream's first
    /// event arrives with the last, however the reader is scheduled.)
    #[serde(default)]
    pub flushed: bool,
    /// The stream stays open at least this long after the request (it
    /// outlives a short-lived token, for example).
    pub ends_after_ms: Option<u64>,
    /// The whole stream ends within this many milliseconds.
    #[serde(default = "default_stream_deadline")]
    pub deadline_ms: u64,
    /// For a non-stream answer (such as 401), checks on its JSON body.
    #[serde(default)]
    pub json: Vec<JsonCheck>,
    /// A browser would accept the answer for the request's `Origin` with
    /// credentials (see the request step's `cors_granted`).
    #[serde(default)]
    pub cors_granted: bool,
}

impl Default for StreamExpect {
    fn default() -> Self {
        StreamExpect {
            status: None,
            status_of: None,
            headers: Vec::new(),
            sequence: None,
            fields: BTreeMap::new(),
            first_event_within_ms: None,
            spread_at_least_ms: None,
            flushed: false,
            ends_after_ms: None,
            deadline_ms: default_stream_deadline(),
            json: Vec::new(),
            cors_granted: false,
        }
    }
}

fn default_stream_deadline() -> u64 {
    15_000
}

/// Makes a JWT and stores it in a variable.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgeStep {
    /// The variable that receives the token.
    pub into: String,
    /// What kind of token.
    pub kind: ForgedKind,
    /// The `sub` claim (usually a captured user id).
    pub sub: Option<String>,
    /// A `sub` made up at random in the shape of this one (a captured id):
    /// a UUID for a UUID, a number of as many digits for a number, else as
    /// many letters and digits. It names no account.
    pub sub_like: Option<String>,
    /// Claims that replace or add to the forged ones (`{ sub = 12345 }` for
    /// a `sub` that is a number).
    #[schemars(with = "Option<serde_json::Value>")]
    pub claims: Option<toml::Table>,
    /// For `alg_none`: how `none` is spelled in the header (`None`,
    /// `NONE`, `nOnE`…; default `none`).
    pub alg: Option<String>,
    /// Lifetime in seconds for `valid` tokens (default one hour): the token
    /// lives at least this long and at most one second more (claims are
    /// whole seconds).
    pub ttl_secs: Option<u64>,
}

/// Shapes of forged tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForgedKind {
    /// HS256 with the subject's secret: needs the secret.
    Valid,
    /// HS256 with the subject's secret, expired an hour ago: needs the secret.
    Expired,
    /// HS256 with a secret that is not the subject's.
    OtherSecret,
    /// `alg: none` and no signature.
    AlgNone,
    /// HS256 in the header, valid claims, and an empty signature.
    EmptySignature,
    /// Not a JWT at all.
    Malformed,
}

impl ForgedKind {
    /// Whether forging this kind needs the subject's secret.
    pub fn needs_secret(self) -> bool {
        matches!(self, ForgedKind::Valid | ForgedKind::Expired)
    }
}

/// Checks on a JWT the subject issued.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenStep {
    /// The token (usually `${token}`).
    pub value: String,
    /// The header's `alg`.
    pub alg: Option<String>,
    /// Claims that must be present.
    #[serde(default)]
    pub claims: Vec<String>,
    /// The signature verifies with the subject's `JWT_SECRET`.
    #[serde(default)]
    pub signed_with_secret: bool,
    /// `exp - iat` equals this.
    pub lifetime_secs: Option<i64>,
}

/// Cuts, slows down or restores the subject's database.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseStep {
    /// `down`, `slow` or `up`.
    pub state: DatabaseState,
    /// With `slow`: how long each answer of the database is held back.
    pub latency_ms: Option<u64>,
}

/// The states of the database link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseState {
    /// New connections refused, open ones dropped.
    Down,
    /// Every answer of the database held back by `latency_ms`: a window
    /// between a look-up and an insert is then at least that wide.
    Slow,
    /// Connections pass again, at full speed.
    Up,
}

/// Cuts or restores the subject's Redis.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedisStep {
    /// `down` or `up`.
    pub state: RedisState,
}

/// The states of the Redis link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RedisState {
    /// New connections refused, open ones dropped.
    Down,
    /// Connections pass again.
    Up,
}

/// Restarts the subject with the same data.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestartStep {
    /// Environment changes for the new process.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Variables left out of the new process's environment.
    #[serde(default)]
    pub unset: Vec<String>,
    /// The `.env` the harness writes for the new process, in place of the
    /// scenario's `needs.dotenv` (an empty table: no `.env`); only in a
    /// scenario that has `needs.dotenv`.
    pub dotenv: Option<BTreeMap<String, String>>,
    /// Empty the database while the subject is down (every table and row
    /// dropped, as a reset of the database leaves it); the new process
    /// applies its migrations to it.
    #[serde(default)]
    pub reset_database: bool,
}

/// Starts a subject that must refuse to start.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartFailsStep {
    /// Environment changes for this start.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Variables removed from the environment (and not read from `.env`).
    #[serde(default)]
    pub unset: Vec<String>,
    /// It must exit within this many milliseconds.
    #[serde(default = "default_start_fails_within")]
    pub within_ms: u64,
    /// Its output must contain this.
    pub output_contains: Option<String>,
    /// It must never accept a connection on its port.
    #[serde(default)]
    pub never_listens: bool,
}

fn default_start_fails_within() -> u64 {
    10_000
}

/// Waits a fixed time.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SleepStep {
    /// Milliseconds.
    pub ms: u64,
}

/// Checks on the subject's output so far.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputStep {
    /// The output contains each of these.
    #[serde(default)]
    pub contains: Vec<String>,
    /// The output contains none of these.
    #[serde(default)]
    pub not_contains: Vec<String>,
}

/// Checks a file in the subject's source tree.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileStep {
    /// Path relative to the subject's root directory.
    pub path: String,
    /// Lines or fragments the file must contain.
    #[serde(default)]
    pub contains: Vec<String>,
}

/// Checks that the subject used the services it was handed: the harness
/// gives it Postgres and Redis through proxies of its own, on ports chosen
/// for this run, and counts the connections each proxy accepted since the
/// subject's current process started (CFG-5).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionsStep {
    /// The subject connected to the database of `DATABASE_URL`.
    #[serde(default)]
    pub database: bool,
    /// The subject connected to the Redis of `REDIS_HOST` and `REDIS_PORT`.
    #[serde(default)]
    pub redis: bool,
}
