//! The browser steps of the scenario format: actions in the page and
//! checks on what the recording proxy saw.

use super::model::JsonCheck;
use schemars::JsonSchema;
use serde::Deserialize;

/// One browser action: `browser = { goto = "/login" }`, `browser = "reload"`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BrowserAction {
    /// Opens a path of the frontend.
    Goto(String),
    /// Types a value into the field a CSS selector finds.
    Fill(FillAction),
    /// Clicks what a CSS selector finds.
    Click(String),
    /// Reloads the page, as a person pressing F5.
    Reload,
    /// Waits until the page shows a text.
    WaitText(WaitText),
    /// Checks that a text does not show during a whole window.
    AbsentText(AbsentText),
    /// Reads a `localStorage` key and checks its JSON.
    Storage(StorageCheck),
    /// Logs in without the login form, leaving the browser as the contract
    /// says a login through it does (WEB-1): the persisted auth state in
    /// `localStorage`, written on the frontend's origin (opening the login
    /// page first when the browser is elsewhere). The next `goto` loads
    /// the app logged in, as Playwright's `storageState` does.
    SignIn(SignIn),
    /// Saves a screenshot into the report directory under this name.
    Screenshot(String),
    /// Forgets the requests recorded so far.
    ClearNetwork,
}

/// Types into a field.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FillAction {
    /// CSS selector.
    pub selector: String,
    /// The text to type.
    pub value: String,
}

/// Waits for a text.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitText {
    /// The text.
    pub text: String,
    /// The deadline.
    #[serde(default = "default_wait")]
    pub within_ms: u64,
    /// When the text shows, this other text must not show with it.
    pub without: Option<String>,
}

fn default_wait() -> u64 {
    5_000
}

/// A text that must not show for a while.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsentText {
    /// The text.
    pub text: String,
    /// How long to watch.
    pub for_ms: u64,
    /// Stop watching early once none of the browser's requests to the API
    /// has been in flight, come or been answered for this long: what
    /// would make the text show (an answer) can then no longer come.
    pub quiet_ms: Option<u64>,
}

/// Checks on a `localStorage` value holding JSON.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StorageCheck {
    /// The key.
    pub key: String,
    /// Checks on the parsed value.
    #[serde(default)]
    pub json: Vec<JsonCheck>,
}

/// The persisted auth state to write: Zustand's persist format,
/// `{"state": {"isAuthenticated": true, "user", "accessToken"}, "version"}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The access token (`state.accessToken`).
    pub token: String,
    /// The user (`state.user`), field by field, as the API returned it.
    pub user: std::collections::BTreeMap<String, String>,
    /// The `localStorage` key (the contract's `insight-garden-auth`).
    #[serde(default = "default_auth_key")]
    pub key: String,
    /// The persist format's version: an integer, by default the
    /// subject's (`${auth_version}`: the profile's `[storage] version`, else
    /// Zustand's default 0).
    #[serde(default = "default_auth_version")]
    pub version: String,
}

fn default_auth_version() -> String {
    "${auth_version}".into()
}

fn default_auth_key() -> String {
    "insight-garden-auth".into()
}

/// Checks on the requests the browser made through the recording proxy.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkStep {
    /// No response had one of these statuses.
    #[serde(default)]
    pub no_status: Vec<u16>,
    /// Every request (preflights and `public_paths` aside) carried a token.
    #[serde(default)]
    pub api_requests_authenticated: bool,
    /// Paths that need no token (default: login, register, health).
    pub public_paths: Option<Vec<String>>,
    /// Some request whose path contains this carried `Authorization: Bearer`.
    pub bearer_on: Option<String>,
    /// Every answer to a request with an `Origin` granted that origin with
    /// credentials (nothing failed for CORS).
    #[serde(default)]
    pub cors_granted: bool,
    /// Every request got an answer from the API.
    #[serde(default)]
    pub all_answered: bool,
}
