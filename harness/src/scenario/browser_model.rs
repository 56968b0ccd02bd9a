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
