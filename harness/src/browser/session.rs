//! One browser session: Chromium with a fresh profile, driven through
//! WebDriver (fantoccini over plain HTTP to the local chromedriver), and
//! wiped clean between the scenarios that share it.

use super::driver::{BrowserError, CHROME_FLAGS, Driver};
use crate::process::GuardedTempDir;
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// A browser with its own profile directory; closed by [`Session::close`]
/// (and its profile removed when the value drops).
pub struct Session {
    /// The WebDriver client.
    pub client: Client,
    _profile: GuardedTempDir,
}

impl Session {
    /// Opens a new browser with a fresh profile.
    pub async fn open(driver: &Driver) -> Result<Session, BrowserError> {
        let profile = GuardedTempDir::new("conformance-chrome-")
            .map_err(|e| BrowserError::WebDriver(format!("no profile directory: {e}")))?;
        let mut args: Vec<String> = CHROME_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": driver.chrome.display().to_string(),
                "args": args,
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            return Err(BrowserError::WebDriver(
                "capabilities are not an object".into(),
            ));
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .map_err(|e| BrowserError::WebDriver(format!("cannot open a browser session: {e}")))?;
        Ok(Session {
            client,
            _profile: profile,
        })
    }

    /// Clears what the current page's origin stored (local and session
    /// storage, cookies) and leaves the page, so that nothing of one
    /// scenario is running or stored when the next one starts.
    pub async fn wipe(&self) -> Result<(), BrowserError> {
        let failed = |e: fantoccini::error::CmdError| BrowserError::WebDriver(e.to_string());
        self.client
            .execute(
                "try { window.localStorage.clear(); window.sessionStorage.clear(); } catch (e) {} return true;",
                vec![],
            )
            .await
            .map_err(failed)?;
        self.client.delete_all_cookies().await.map_err(failed)?;
        self.client.goto("about:blank").await.map_err(failed)?;
        Ok(())
    }

    /// Ends the session (the browser exits).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
