//! Browser steps (go to, fill, click, reload, wait for text, text absent
//! for a window, localStorage checks, screenshots) and network checks on
//! what the recording proxy saw.

use super::scene::{Scene, StepError};
use crate::browser::recorder::Recorder;
use crate::browser::session::Session;
use crate::expect;
use crate::scenario::model::{BrowserAction, NetworkStep};
use fantoccini::Locator;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How often the page is polled while waiting.
const POLL: Duration = Duration::from_millis(25);

/// The browser side of a scene.
pub struct BrowserScene {
    /// The browser.
    pub session: Session,
    /// The proxy between the browser and the API.
    pub recorder: Recorder,
    /// The frontend's base URL.
    pub frontend_url: String,
    /// Where screenshots go.
    pub artifacts: PathBuf,
    /// The scenario's name, for file names.
    pub scenario: String,
    /// The frontend process, when the harness started one.
    pub frontend: Option<crate::process::ChildProcess>,
    /// Where the texts the current document showed since the last action
    /// begin in its text history (0 after a page load).
    pub history_from: usize,
}

fn browser(scene: &mut Scene) -> Result<&mut BrowserScene, StepError> {
    scene.browser.as_mut().ok_or_else(|| {
        StepError::Unsupported("this step needs a browser (set needs.browser = true)".into())
    })
}

/// Sorts a WebDriver error: what the page did (an element that is not
/// there, covered or gone, a page that did not load, a script error) is a
/// problem of the step, reported as `Ok`; anything else (the browser or
/// chromedriver died, the session is gone, an answer that is not
/// WebDriver's) is the harness's own breakdown.
fn page_problem(e: fantoccini::error::CmdError) -> Result<String, StepError> {
    use fantoccini::error::{CmdError, ErrorStatus};
    match &e {
        CmdError::Standard(w)
            if matches!(
                w.error,
                ErrorStatus::NoSuchElement
                    | ErrorStatus::StaleElementReference
                    | ErrorStatus::ElementNotInteractable
                    | ErrorStatus::ElementClickIntercepted
                    | ErrorStatus::InvalidElementState
                    | ErrorStatus::ElementNotSelectable
                    | ErrorStatus::JavascriptError
                    | ErrorStatus::UnexpectedAlertOpen
                    | ErrorStatus::Timeout
                    | ErrorStatus::MoveTargetOutOfBounds
            ) =>
        {
            Ok(format!("page: {e}"))
        }
        _ => Err(StepError::Harness(format!(
            "the browser broke (webdriver: {e})"
        ))),
    }
}

/// The page's visible text.
pub async fn page_text(b: &BrowserScene) -> Result<String, StepError> {
    match b
        .session
        .client
        .execute(
            "return document.body ? document.body.innerText : ''",
            vec![],
        )
        .await
    {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(_) => Ok(String::new()),
        // A page that is navigating has no body to read yet.
        Err(e) => page_problem(e).map(|_| String::new()),
    }
}

/// Every text the current document showed since the last action (from its
/// text history, see [`crate::browser::session::TEXT_HISTORY_SCRIPT`]),
/// then what it shows now.
pub async fn texts_shown(b: &BrowserScene) -> Result<Vec<String>, StepError> {
    let history = b
        .session
        .client
        .execute(
            "const log = window.__igTexts; return log ? log.slice(arguments[0]).map(e => e[1]) : [];",
            vec![serde_json::Value::from(b.history_from)],
        )
        .await;
    let mut texts: Vec<String> = match history {
        Ok(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Ok(_) => Vec::new(),
        Err(e) => {
            page_problem(e)?;
            Vec::new()
        }
    };
    texts.push(page_text(b).await?);
    Ok(texts)
}

/// How many texts the current document's history holds: the next action's
/// texts start there.
async fn history_len(b: &BrowserScene) -> Result<usize, StepError> {
    match b
        .session
        .client
        .execute(
            "return window.__igTexts ? window.__igTexts.length : 0",
            vec![],
        )
        .await
    {
        Ok(v) => Ok(v.as_u64().map_or(0, |n| n as usize)),
        Err(e) => page_problem(e).map(|_| 0),
    }
}

/// Saves a screenshot; returns where it went.
pub async fn screenshot(b: &BrowserScene, name: &str) -> Option<PathBuf> {
    let png = b.session.client.screenshot().await.ok()?;
    std::fs::create_dir_all(&b.artifacts).ok()?;
    let path = b.artifacts.join(format!("{}-{name}.png", b.scenario));
    std::fs::write(&path, png).ok()?;
    Some(path)
}

/// Writes the scenario's HAR file (`<scenario>.har`, every request the
/// recording proxy saw) beside its screenshots; returns where it went.
pub fn write_har(b: &BrowserScene) -> std::io::Result<PathBuf> {
    let har = crate::report::har::from_recorded(
        &b.recorder.url(),
        b.recorder.started_at(),
        &b.recorder.all_entries(),
    );
    let text = crate::report::har::render(&har).map_err(std::io::Error::other)?;
    std::fs::create_dir_all(&b.artifacts)?;
    let path = b.artifacts.join(format!("{}.har", b.scenario));
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Runs one browser action.
pub async fn run_action(
    scene: &mut Scene,
    action: &BrowserAction,
) -> Result<Vec<String>, StepError> {
    let vars = scene.vars.clone();
    let b = browser(scene)?;
    let client = &b.session.client;
    let mut problems = Vec::new();
    match action {
        BrowserAction::Goto(path) => {
            let url = format!("{}{}", b.frontend_url, vars.expand(path)?);
            b.history_from = 0;
            if let Err(e) = client.goto(&url).await {
                problems.push(page_problem(e)?);
            }
        }
        BrowserAction::Reload => {
            b.history_from = 0;
            if let Err(e) = client.refresh().await {
                problems.push(page_problem(e)?);
            }
        }
        BrowserAction::Fill(f) => {
            let selector = vars.expand(&f.selector)?;
            match find(b, &selector).await? {
                Ok(field) => {
                    let _ = field.clear().await;
                    if let Err(e) = field.send_keys(&vars.expand(&f.value)?).await {
                        problems.push(page_problem(e)?);
                    }
                }
                Err(e) => problems.push(e),
            }
        }
        BrowserAction::Click(selector) => {
            let selector = vars.expand(selector)?;
            b.history_from = history_len(b).await?;
            match find(b, &selector).await? {
                Ok(element) => {
                    if let Err(e) = element.click().await {
                        problems.push(page_problem(e)?);
                    }
                }
                Err(e) => problems.push(e),
            }
        }
        BrowserAction::WaitText(w) => {
            let text = vars.expand(&w.text)?;
            let without = w.without.as_deref().map(|t| vars.expand(t)).transpose()?;
            let deadline = crate::deadline::after(Duration::from_millis(w.within_ms));
            let started = Instant::now();
            loop {
                let shown = texts_shown(b).await?;
                if let Some(page) = shown.iter().find(|t| t.contains(&text)) {
                    if let Some(other) = &without
                        && page.contains(other.as_str())
                    {
                        problems.push(format!(
                            "page: {text:?} showed together with {other:?} after {} ms; the page said:\n{}",
                            started.elapsed().as_millis(),
                            excerpt(page)
                        ));
                    }
                    break;
                }
                if Instant::now() >= deadline {
                    problems.push(format!(
                        "page: expected {text:?} within {} ms; the page said:\n{}",
                        w.within_ms,
                        excerpt(shown.last().map_or("", String::as_str))
                    ));
                    break;
                }
                tokio::time::sleep(POLL).await;
            }
        }
        BrowserAction::AbsentText(a) => {
            let text = vars.expand(&a.text)?;
            let started = Instant::now();
            loop {
                let shown = texts_shown(b).await?;
                if let Some(page) = shown.iter().find(|t| t.contains(&text)) {
                    problems.push(format!(
                        "page: {text:?} showed within {} ms (expected it absent for {} ms); the page said:\n{}",
                        started.elapsed().as_millis(),
                        a.for_ms,
                        excerpt(page)
                    ));
                    break;
                }
                if started.elapsed() >= Duration::from_millis(a.for_ms) {
                    break;
                }
                tokio::time::sleep(POLL).await;
            }
        }
        BrowserAction::Storage(s) => {
            let key = vars.expand(&s.key)?;
            let value = client
                .execute(
                    "return window.localStorage.getItem(arguments[0])",
                    vec![serde_json::Value::String(key.clone())],
                )
                .await;
            match value {
                Err(e) => problems.push(page_problem(e)?),
                Ok(serde_json::Value::String(text)) => {
                    let doc = serde_json::from_str(&text).ok();
                    expect::check_json(
                        &s.json,
                        doc.as_ref(),
                        &format!("localStorage[{key}]"),
                        &vars,
                        &mut problems,
                    )?;
                }
                _ => problems.push(format!(
                    "localStorage: expected a value under {key:?}, there is none"
                )),
            }
        }
        BrowserAction::Screenshot(name) => {
            if screenshot(b, name).await.is_none() {
                problems.push(format!("could not save the screenshot {name:?}"));
            }
        }
        BrowserAction::ClearNetwork => b.recorder.clear(),
    }
    Ok(problems)
}

/// Finds an element within 5 s: `Ok(Err(..))` when the page has none.
async fn find(
    b: &BrowserScene,
    selector: &str,
) -> Result<Result<fantoccini::elements::Element, String>, StepError> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match b.session.client.find(Locator::Css(selector)).await {
            Ok(element) => return Ok(Ok(element)),
            Err(e) if e.is_invalid_selector() => {
                return Err(StepError::Unsupported(format!(
                    "{selector:?} is not a valid CSS selector (check the subject profile's selectors): {e}"
                )));
            }
            Err(e) => {
                page_problem(e)?;
                if Instant::now() >= deadline {
                    return Ok(Err(format!(
                        "page: nothing matches the selector {selector:?} within 5 s (set the selector in the subject profile); the page said:\n{}",
                        excerpt(&page_text(b).await?)
                    )));
                }
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(600).collect();
    cut.lines()
        .map(|l| format!("  | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first answer the browser refused for CORS so far, as a report line.
pub fn first_cors_refusal(b: &BrowserScene) -> Option<String> {
    b.recorder.entries().iter().find_map(|e| {
        e.cors_refusal()
            .map(|why| format!("{why}: {}", describe(e)))
    })
}

/// One line per request the browser made, for failure reports.
pub fn network_lines(b: &BrowserScene) -> Vec<String> {
    b.recorder.entries().iter().map(describe).collect()
}

fn describe(e: &crate::browser::recorder::Recorded) -> String {
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

/// A short description of a browser action, for reports.
pub fn action_label(action: &BrowserAction) -> String {
    match action {
        BrowserAction::Goto(path) => format!("go to {path}"),
        BrowserAction::Fill(f) => format!("fill {} with {:?}", f.selector, f.value),
        BrowserAction::Click(selector) => format!("click {selector}"),
        BrowserAction::Reload => "reload the page".into(),
        BrowserAction::WaitText(w) => format!("wait up to {} ms for {:?}", w.within_ms, w.text),
        BrowserAction::AbsentText(a) => format!("{:?} stays absent for {} ms", a.text, a.for_ms),
        BrowserAction::Storage(st) => format!("check localStorage[{}]", st.key),
        BrowserAction::Screenshot(name) => format!("screenshot {name}"),
        BrowserAction::ClearNetwork => "forget the requests recorded so far".into(),
    }
}

/// Checks what the browser sent to the API.
pub fn check_network(scene: &mut Scene, step: &NetworkStep) -> Result<Vec<String>, StepError> {
    let b = browser(scene)?;
    let entries = b.recorder.entries();
    let mut problems = Vec::new();
    let line = describe;
    for e in &entries {
        if let Some(s) = e.status
            && step.no_status.contains(&s)
        {
            problems.push(format!("network: expected no {s}, got one: {}", line(e)));
        }
    }
    if step.api_requests_authenticated {
        let public = step.public_paths.clone().unwrap_or_else(|| {
            vec![
                "/auth/login".into(),
                "/auth/register".into(),
                "/health".into(),
            ]
        });
        for e in &entries {
            let exempt = e.method == "OPTIONS" || public.contains(&e.path);
            if !exempt && !e.authenticated() {
                problems.push(format!(
                    "network: an API request went out without a token: {}",
                    line(e)
                ));
            }
        }
    }
    if let Some(part) = &step.bearer_on {
        let found = entries
            .iter()
            .filter(|e| e.method != "OPTIONS" && e.path.contains(part.as_str()))
            .collect::<Vec<_>>();
        if !found.iter().any(|e| e.bearer_jwt()) {
            let seen: Vec<String> = found.iter().map(|e| line(e)).collect();
            problems.push(format!(
                "network: expected a request to {part:?} with Authorization: Bearer and a JWT; saw: {}",
                if seen.is_empty() {
                    "no such request".to_owned()
                } else {
                    seen.join("; ")
                }
            ));
        }
    }
    if step.cors_granted {
        for e in &entries {
            if let Some(why) = e.cors_refusal() {
                problems.push(format!(
                    "network: the browser refuses this answer for CORS ({why}): {}",
                    line(e)
                ));
            }
        }
    }
    if step.all_answered {
        for e in entries.iter().filter(|e| e.status.is_none()) {
            problems.push(format!("network: a request got no answer: {}", line(e)));
        }
    }
    if !problems.is_empty() {
        let all: Vec<String> = entries.iter().map(line).collect();
        problems.push(format!("all requests recorded:\n  {}", all.join("\n  ")));
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fantoccini::error::{CmdError, ErrorStatus, WebDriver};

    #[test]
    fn what_the_page_did_is_a_problem_and_a_dead_browser_is_the_harness_s() {
        for status in [
            ErrorStatus::NoSuchElement,
            ErrorStatus::ElementNotInteractable,
            ErrorStatus::ElementClickIntercepted,
            ErrorStatus::StaleElementReference,
        ] {
            let e = CmdError::Standard(WebDriver::new(status, "from the page"));
            assert!(page_problem(e).is_ok());
        }
        let gone = CmdError::Standard(WebDriver::new(ErrorStatus::InvalidSessionId, "gone"));
        assert!(matches!(page_problem(gone), Err(StepError::Harness(_))));
        let lost = CmdError::Lost(std::io::Error::other("chromedriver exited"));
        assert!(matches!(page_problem(lost), Err(StepError::Harness(_))));
        let crashed = CmdError::Standard(WebDriver::new(
            ErrorStatus::UnknownError,
            "unknown error: session deleted because of page crash",
        ));
        assert!(matches!(page_problem(crashed), Err(StepError::Harness(_))));
    }
}
