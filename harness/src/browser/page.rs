//! Reading and finding things in the page through WebDriver, and sorting
//! WebDriver's errors: what the page did is a failed check of the step,
//! a browser that broke is the harness's.

use super::scene::BrowserScene;
use crate::run::scene::StepError;
use fantoccini::Locator;
use std::time::{Duration, Instant};

/// How often the page is polled while waiting.
pub(crate) const POLL: Duration = Duration::from_millis(25);

/// The longest one read of the page's texts waits in the page for a
/// change: well under WebDriver's script timeout (30 s by default).
const WAIT_SLICE: Duration = Duration::from_secs(1);

/// How long a selector may take to match something.
const FIND_WITHIN: Duration = Duration::from_secs(5);

/// Sorts a WebDriver error: what the page did (an element that is not
/// there, covered or gone, a page that did not load, a script error) is
/// the step's failed check, returned as `Ok` with the driver's words;
/// anything else (the browser or chromedriver died, the session is gone,
/// an answer that is not WebDriver's) is the harness's own breakdown:
/// [`StepError::BrowserBroke`], after which the scenario runs again.
pub(crate) fn page_problem(e: fantoccini::error::CmdError) -> Result<String, StepError> {
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
            Ok(e.to_string())
        }
        _ => Err(StepError::BrowserBroke(e.to_string())),
    }
}

/// The page's visible text.
pub(crate) async fn page_text(client: &fantoccini::Client) -> Result<String, StepError> {
    match client
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

/// Every text the current document showed from the `from`-th of its text
/// history on (see [`super::session::TEXT_HISTORY_SCRIPT`]), then what it
/// shows now: one script. Given what the last read returned (`seen`),
/// the script waits in the page, up to `wait`, for that to change (a new
/// text in the history, another text now), looking every [`POLL`]: a step
/// that waits then costs the browser and its driver one call a second
/// rather than one each [`POLL`], and still sees a change within one.
pub(crate) async fn texts_shown(
    client: &fantoccini::Client,
    from: usize,
    seen: Option<&[String]>,
    wait: Duration,
) -> Result<Vec<String>, StepError> {
    let (count, now) = match seen {
        Some(texts) => (
            serde_json::Value::from(texts.len()),
            serde_json::Value::from(texts.last().map_or("", String::as_str)),
        ),
        None => (serde_json::Value::from(-1), serde_json::Value::from("")),
    };
    let shown = wait_in_page(
        client,
        "const [from, count, now] = args; \
         const log = window.__igTexts; \
         const texts = log ? log.slice(from).map(e => e[1]) : []; \
         texts.push(document.body ? document.body.innerText : ''); \
         return texts.length !== count || texts[texts.length - 1] !== now || up \
           ? texts : undefined;",
        vec![serde_json::Value::from(from), count, now],
        wait,
    )
    .await?;
    match shown {
        Some(serde_json::Value::Array(items)) => Ok(strings(items)),
        // Not an array, or a page that is navigating (no body to read yet).
        _ => Ok(vec![String::new()]),
    }
}

/// How many texts the current document's history holds: the next action's
/// texts start there.
pub(crate) async fn history_len(b: &BrowserScene) -> Result<usize, StepError> {
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

/// What went wrong in the current document so far, a line each (from
/// [`super::session::TEXT_HISTORY_SCRIPT`]): what did not load, and the
/// errors no script caught.
pub(crate) async fn page_errors(client: &fantoccini::Client) -> Result<Vec<String>, StepError> {
    match client
        .execute("return window.__igErrors || []", vec![])
        .await
    {
        Ok(serde_json::Value::Array(items)) => Ok(strings(items)),
        Ok(_) => Ok(Vec::new()),
        Err(e) => page_problem(e).map(|_| Vec::new()),
    }
}

/// The strings of a script's array (the page's own values: anything else
/// in it is left out).
fn strings(items: Vec<serde_json::Value>) -> Vec<String> {
    items
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// What the page showed, as a failed check of it reports it: the start of
/// `text`, then the document's `errors` if it had any.
pub(crate) fn page_said(text: &str, errors: &[String]) -> String {
    let mut said = if text.trim().is_empty() {
        "the page showed no text".to_owned()
    } else {
        format!("the page said:\n{}", excerpt(text))
    };
    if !errors.is_empty() {
        said.push_str("\nthe page's errors:");
        for error in errors {
            said.push_str("\n  ! ");
            said.push_str(error);
        }
    }
    said
}

/// What a selector found, or why it found nothing.
pub(crate) enum Found {
    /// The element.
    Element(fantoccini::elements::Element),
    /// Nothing matched within the deadline; what the page said then.
    Nothing {
        /// The page's text and errors ([`page_said`]).
        page: String,
    },
}

/// Finds an element, waiting up to five seconds for it: between two
/// tries, [`until_matched`] waits in the page.
pub(crate) async fn find(client: &fantoccini::Client, selector: &str) -> Result<Found, StepError> {
    let deadline = Instant::now() + FIND_WITHIN;
    loop {
        match client.find(Locator::Css(selector)).await {
            Ok(element) => return Ok(Found::Element(element)),
            Err(e) if e.is_invalid_selector() => {
                return Err(StepError::Harness(format!(
                    "{selector:?} is not a valid CSS selector (check the subject profile's selectors): {e}"
                )));
            }
            Err(e) => {
                page_problem(e)?;
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(Found::Nothing {
                        page: page_said(&page_text(client).await?, &page_errors(client).await?),
                    });
                }
                until_matched(client, selector, left).await?;
            }
        }
    }
}

/// Waits in the page, up to `wait` (at most [`WAIT_SLICE`]), until
/// `selector` matches something, looking every [`POLL`]: whether it did.
/// A selector that does not match yet then costs the browser and its
/// driver one call a second rather than one each [`POLL`]. A page that is
/// navigating cannot run the script: that is a poll's wait and a no.
pub(crate) async fn until_matched(
    client: &fantoccini::Client,
    selector: &str,
    wait: Duration,
) -> Result<bool, StepError> {
    let matched = wait_in_page(
        client,
        "return document.querySelector(args[0]) ? true : up ? false : undefined;",
        vec![serde_json::Value::from(selector)],
        wait,
    )
    .await?;
    Ok(matched.and_then(|m| m.as_bool()).unwrap_or(false))
}

/// Runs `check` in the page every [`POLL`], up to `wait` (at most
/// [`WAIT_SLICE`]): the body of a function of `args` and `up` (whether the
/// wait is over) that returns what to give back, or `undefined` to keep
/// waiting. `None` when the page could not run it (one that is navigating):
/// the caller's next try is then a poll later.
async fn wait_in_page(
    client: &fantoccini::Client,
    check: &str,
    mut args: Vec<serde_json::Value>,
    wait: Duration,
) -> Result<Option<serde_json::Value>, StepError> {
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         const [waitMs, poll, ...args] = Array.from(arguments).slice(0, -1); \
         const check = (up) => {{ {check} }}; \
         const until = performance.now() + waitMs; \
         const look = () => {{ \
           const given = check(performance.now() >= until); \
           if (given !== undefined) done(given); else setTimeout(look, poll); }}; \
         look();"
    );
    args.splice(0..0, [millis(wait.min(WAIT_SLICE)), millis(POLL)]);
    match client.execute_async(&script, args).await {
        Ok(given) => Ok(Some(given)),
        Err(e) => {
            page_problem(e)?;
            tokio::time::sleep(POLL).await;
            Ok(None)
        }
    }
}

/// A duration as a script's number of milliseconds.
fn millis(d: Duration) -> serde_json::Value {
    serde_json::Value::from(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The start of a page's text, each line marked as the page's.
pub(crate) fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(600).collect();
    cut.lines()
        .map(|l| format!("  | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
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
        assert!(matches!(
            page_problem(gone),
            Err(StepError::BrowserBroke(_))
        ));
        let lost = CmdError::Lost(std::io::Error::other("chromedriver exited"));
        assert!(matches!(
            page_problem(lost),
            Err(StepError::BrowserBroke(_))
        ));
        let crashed = CmdError::Standard(WebDriver::new(
            ErrorStatus::UnknownError,
            "unknown error: session deleted because of page crash",
        ));
        assert!(matches!(
            page_problem(crashed),
            Err(StepError::BrowserBroke(_))
        ));
        // What chromedriver once answered mid-run: an error status whose
        // body is not a WebDriver error.
        let garbled = CmdError::NotW3C(serde_json::json!({ "value": "<unknown>" }));
        assert!(matches!(
            page_problem(garbled),
            Err(StepError::BrowserBroke(_))
        ));
    }
}
