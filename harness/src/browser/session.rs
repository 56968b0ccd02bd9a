//! One browser session: Chromium with a fresh profile, driven through
//! WebDriver (fantoccini over plain HTTP to the local chromedriver), and
//! wiped clean between the scenarios that share it.

use super::driver::{BrowserError, CHROME_FLAGS, Driver};
use crate::process::GuardedTempDir;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// Runs in every document the browser opens, before the page's own
/// scripts: it records each text the page shows (after every change to
/// the DOM) in `window.__igTexts`, as `[milliseconds, innerText]`. A
/// state that shows for a moment (`Loading…` during rehydration, a
/// `Session expired` that flashes before a redirect) is then seen however
/// the harness's polling is scheduled. It also records, in
/// `window.__igErrors`, what went wrong in the document: a script, style
/// sheet or image that did not load, and errors no script caught (a page
/// that stays blank says why).
pub(crate) const TEXT_HISTORY_SCRIPT: &str = r#"(() => {
  const errors = [];
  window.__igErrors = errors;
  const note = (line) => { if (errors.length < 20) errors.push(String(line).slice(0, 300)); };
  window.addEventListener('error', (e) => {
    const t = e.target;
    if (!(e instanceof ErrorEvent) && t && t !== window) {
      note(`${String(t.tagName).toLowerCase()} ${t.src || t.href || ''} did not load`);
    } else {
      note(`${e.message}${e.filename ? ` (${e.filename}:${e.lineno})` : ''}`);
    }
  }, true);
  window.addEventListener('unhandledrejection', (e) => note(`unhandled rejection: ${e.reason}`));
  const log = [];
  window.__igTexts = log;
  let last = null;
  const record = () => {
    const text = document.body ? document.body.innerText : '';
    if (text !== last) {
      last = text;
      log.push([Math.round(performance.now()), text]);
      if (log.length > 2000) log.splice(0, 1000);
    }
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
  document.addEventListener('DOMContentLoaded', record);
})();"#;

/// A Chrome DevTools Protocol command, through chromedriver's
/// `goog/cdp/execute` endpoint: WebDriver itself has no way to run a script
/// before a page's own, or to clear a browser's cache.
#[derive(Debug)]
struct Cdp {
    /// The command, such as `Network.clearBrowserCache`.
    cmd: &'static str,
    /// Its parameters.
    params: serde_json::Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &reqwest::Url,
        session_id: Option<&str>,
    ) -> Result<reqwest::Url, url_parse::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// `url`'s parse error, as the WebDriver command trait names it.
mod url_parse {
    pub(super) use reqwest::Url;
    /// The error of [`Url::parse`] and [`Url::join`].
    pub(super) type ParseError = <Url as std::str::FromStr>::Err;
}

/// A browser with its own profile directory; closed by [`Session::close`]
/// (and its profile removed when the value drops).
pub(crate) struct Session {
    /// The WebDriver client.
    pub(crate) client: Client,
    _profile: GuardedTempDir,
}

impl Session {
    /// Opens a new browser with a fresh profile.
    pub(crate) async fn open(driver: &Driver) -> Result<Session, BrowserError> {
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
        let recorder = Cdp {
            cmd: "Page.addScriptToEvaluateOnNewDocument",
            params: json!({ "source": TEXT_HISTORY_SCRIPT }),
        };
        if let Err(e) = client.issue_cmd(recorder).await {
            let _ = client.close().await;
            return Err(BrowserError::WebDriver(format!(
                "cannot install the page text recorder: {e}"
            )));
        }
        Ok(Session {
            client,
            _profile: profile,
        })
    }

    /// Clears everything a scenario could leave for the next one and
    /// leaves the page: every cookie and the HTTP cache of the whole
    /// browser, and the current origin's storage of every kind (local and
    /// session storage, IndexedDB, service workers, Cache Storage).
    pub(crate) async fn wipe(&self) -> Result<(), BrowserError> {
        let failed = |e: fantoccini::error::CmdError| BrowserError::WebDriver(e.to_string());
        self.client
            .execute(
                "try { window.localStorage.clear(); window.sessionStorage.clear(); } catch (e) {} return true;",
                vec![],
            )
            .await
            .map_err(failed)?;
        let origin = self
            .client
            .current_url()
            .await
            .map_err(failed)?
            .origin()
            .ascii_serialization();
        let mut commands = vec![
            Cdp {
                cmd: "Network.clearBrowserCookies",
                params: json!({}),
            },
            Cdp {
                cmd: "Network.clearBrowserCache",
                params: json!({}),
            },
        ];
        // An opaque origin (`about:blank`) has nothing stored.
        if origin != "null" {
            commands.push(Cdp {
                cmd: "Storage.clearDataForOrigin",
                params: json!({ "origin": origin, "storageTypes": "all" }),
            });
        }
        for command in commands {
            self.client.issue_cmd(command).await.map_err(failed)?;
        }
        self.client.goto("about:blank").await.map_err(failed)?;
        Ok(())
    }

    /// Ends the session (the browser exits).
    pub(crate) async fn close(self) {
        let _ = self.client.close().await;
    }
}
