//! The browser side of a running scenario: the session, the recording
//! proxy in front of the API, the frontend it serves, and what a failure
//! leaves of them (a screenshot, the requests, the HAR file).

use super::recorder::{Recorded, Recorder};
use super::session::Session;
use std::path::PathBuf;

/// The browser side of a scene.
pub(crate) struct BrowserScene {
    /// The browser.
    pub(crate) session: Session,
    /// The proxy between the browser and the API.
    pub(crate) recorder: Recorder,
    /// The frontend's base URL.
    pub(crate) frontend_url: String,
    /// Where screenshots go.
    pub(crate) artifacts: PathBuf,
    /// The scenario's name, for file names.
    pub(crate) scenario: String,
    /// The frontend process, when the harness started one: it stops when
    /// the scene drops.
    pub(crate) _frontend: Option<crate::process::ChildProcess>,
    /// Where the texts the current document showed since the last action
    /// begin in its text history (0 after a page load).
    pub(crate) history_from: usize,
    /// Milliseconds spent in holds that prove a text stays away.
    pub(crate) held_ms: u64,
}

impl BrowserScene {
    /// Saves a screenshot as `<scenario>-<name>.png`; returns where it went.
    pub(crate) async fn screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let png = self
            .session
            .client
            .screenshot()
            .await
            .map_err(|e| format!("the browser took none: {e}"))?;
        let path = self.artifacts.join(format!("{}-{name}.png", self.scenario));
        std::fs::create_dir_all(&self.artifacts)
            .and_then(|()| std::fs::write(&path, png))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// Writes the scenario's HAR file (`<scenario>.har`, every request the
    /// recording proxy saw) beside its screenshots; returns its file name.
    pub(crate) fn write_har(&self) -> std::io::Result<String> {
        let har = crate::report::har::from_recorded(
            &self.recorder.url(),
            self.recorder.started_at(),
            &self.recorder.all_entries(),
        );
        let text = crate::report::har::render(&har).map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&self.artifacts)?;
        let name = format!("{}.har", self.scenario);
        std::fs::write(self.artifacts.join(&name), text)?;
        Ok(name)
    }

    /// The first answer the browser refused for CORS so far, as a report line.
    pub(crate) fn first_cors_refusal(&self) -> Option<String> {
        self.recorder.entries().iter().find_map(|e| {
            e.cors_refusal()
                .map(|why| format!("{why}: {}", request_line(e)))
        })
    }

    /// One line per request the browser made to the API so far.
    pub(crate) fn request_lines(&self) -> Vec<String> {
        self.recorder.entries().iter().map(request_line).collect()
    }
}

/// One request the browser made, in one line for reports.
pub(crate) fn request_line(e: &Recorded) -> String {
    format!(
        "+{} ms {} {} auth={} query_token={} origin={} -> {}",
        e.at_ms,
        e.method,
        e.path,
        e.authorization.as_deref().unwrap_or("none"),
        e.query_token.as_deref().unwrap_or("none"),
        e.origin.as_deref().unwrap_or("none"),
        e.status.map_or("no answer".into(), |s| s.to_string())
    )
}
