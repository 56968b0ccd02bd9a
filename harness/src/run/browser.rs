//! The `browser` step: one action in the page (go to, fill, click,
//! reload, wait for a text, a text absent for a window, a `localStorage`
//! check, a screenshot, forgetting the requests recorded so far).

use super::scene::{Ran, Scene, StepError};
use crate::browser::page::{
    Found, POLL, excerpt, find, history_len, page_errors, page_problem, page_said, texts_shown,
};
use crate::check::{FailedCheck, What};
use crate::expect;
use crate::scenario::model::BrowserAction;
use std::time::{Duration, Instant};

/// Runs one browser action.
pub(crate) async fn run(scene: &mut Scene, action: &BrowserAction) -> Result<Ran, StepError> {
    let vars = scene.vars.clone();
    let b = scene.browser()?;
    let client = &b.session.client;
    let mut failed = Vec::new();
    let page = |problem: String| FailedCheck::new(What::Page, "the action to succeed", problem);
    match action {
        BrowserAction::Goto(path) => {
            let url = format!("{}{}", b.frontend_url, vars.expand(path)?);
            b.history_from = 0;
            if let Err(e) = client.goto(&url).await {
                failed.push(page(page_problem(e)?));
            }
        }
        BrowserAction::Reload => {
            b.history_from = 0;
            if let Err(e) = client.refresh().await {
                failed.push(page(page_problem(e)?));
            }
        }
        BrowserAction::Fill(f) => {
            let selector = vars.expand(&f.selector)?;
            match find(client, &selector).await? {
                Found::Element(field) => {
                    let value = vars.expand(&f.value)?;
                    if let Err(e) = fill(client, &field, &value).await {
                        failed.push(page(page_problem(e)?));
                    }
                }
                Found::Nothing { page } => failed.push(nothing_matches(&selector, page)),
            }
        }
        BrowserAction::Click(selector) => {
            let selector = vars.expand(selector)?;
            b.history_from = history_len(b).await?;
            match find(client, &selector).await? {
                Found::Element(element) => {
                    if let Err(e) = element.click().await {
                        failed.push(page(page_problem(e)?));
                    }
                }
                Found::Nothing { page } => failed.push(nothing_matches(&selector, page)),
            }
        }
        BrowserAction::WaitText(w) => {
            let text = vars.expand(&w.text)?;
            let without = w.without.as_deref().map(|t| vars.expand(t)).transpose()?;
            let deadline = crate::deadline::after(Duration::from_millis(w.within_ms));
            let started = Instant::now();
            let mut seen: Option<Vec<String>> = None;
            loop {
                let wait = deadline.saturating_duration_since(Instant::now());
                let shown = texts_shown(client, b.history_from, seen.as_deref(), wait).await?;
                if let Some(page) = shown.iter().find(|t| t.contains(&text)) {
                    if let Some(other) = &without
                        && page.contains(other.as_str())
                    {
                        failed.push(FailedCheck::new(
                            What::Page,
                            format!("{text:?} without {other:?}"),
                            format!(
                                "both after {} ms; the page said:\n{}",
                                started.elapsed().as_millis(),
                                excerpt(page)
                            ),
                        ));
                    }
                    break;
                }
                if Instant::now() >= deadline {
                    failed.push(FailedCheck::new(
                        What::Page,
                        format!("{text:?} within {} ms", w.within_ms),
                        page_said(
                            shown.last().map_or("", String::as_str),
                            &page_errors(client).await?,
                        ),
                    ));
                    break;
                }
                seen = Some(shown);
            }
        }
        BrowserAction::AbsentText(a) => {
            let text = vars.expand(&a.text)?;
            let started = Instant::now();
            let held = Duration::from_millis(a.for_ms);
            let recorder = &b.recorder;
            // How long until the hold may end early (`quiet_ms`): the
            // browser's API traffic quiet that long, and the hold at least
            // as long. Zero: it may end now; a request in flight: a poll
            // later.
            let quiet_left = || {
                a.quiet_ms.map(Duration::from_millis).map(|quiet| {
                    let traffic = recorder
                        .quiet_for()
                        .map_or(POLL, |q| quiet.saturating_sub(q));
                    traffic.max(quiet.saturating_sub(started.elapsed()))
                })
            };
            let mut seen: Option<Vec<String>> = None;
            loop {
                let wait = held
                    .saturating_sub(started.elapsed())
                    .min(quiet_left().unwrap_or(Duration::MAX));
                let shown = texts_shown(client, b.history_from, seen.as_deref(), wait).await?;
                if let Some(page) = shown.iter().find(|t| t.contains(&text)) {
                    failed.push(FailedCheck::new(
                        What::Page,
                        format!("{text:?} absent for {} ms", a.for_ms),
                        format!(
                            "it showed within {} ms; the page said:\n{}",
                            started.elapsed().as_millis(),
                            excerpt(page)
                        ),
                    ));
                    break;
                }
                if started.elapsed() >= held || quiet_left() == Some(Duration::ZERO) {
                    break;
                }
                seen = Some(shown);
            }
            b.held_ms += u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
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
                Err(e) => failed.push(page(page_problem(e)?)),
                Ok(serde_json::Value::String(text)) => {
                    let doc = serde_json::from_str(&text).ok();
                    expect::check_json(
                        &s.json,
                        doc.as_ref(),
                        &format!("localStorage[{key}]"),
                        &vars,
                        &mut failed,
                    )?;
                }
                _ => failed.push(FailedCheck::new(What::Storage { key }, "a value", "none")),
            }
        }
        BrowserAction::SignIn(sign_in) => {
            let version = vars.expand(&sign_in.version)?;
            let Ok(version) = version.trim().parse::<u64>() else {
                return Err(StepError::Harness(format!(
                    "the persisted state's version must be an integer, not {version:?} \
                     (set `[storage] version` in the subject profile)"
                )));
            };
            let state = serde_json::json!({
                "state": {
                    "isAuthenticated": true,
                    "user": sign_in
                        .user
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), serde_json::Value::String(vars.expand(v)?))))
                        .collect::<Result<serde_json::Map<_, _>, StepError>>()?,
                    "accessToken": vars.expand(&sign_in.token)?,
                },
                "version": version,
            });
            let key = vars.expand(&sign_in.key)?;
            let origin = b.frontend_url.clone();
            let here = client
                .current_url()
                .await
                .map(|u| u.origin().ascii_serialization());
            if here.as_deref().ok() != Some(origin.as_str()) {
                let login = vars.expand("${route_login}")?;
                b.history_from = 0;
                if let Err(e) = client.goto(&format!("{origin}{login}")).await {
                    failed.push(page(page_problem(e)?));
                }
            }
            if failed.is_empty() {
                let state = state.to_string();
                let written = client
                    .execute(
                        "window.localStorage.setItem(arguments[0], arguments[1]); return window.localStorage.getItem(arguments[0]);",
                        vec![key.clone().into(), state.clone().into()],
                    )
                    .await;
                match written {
                    Err(e) => failed.push(page(page_problem(e)?)),
                    Ok(serde_json::Value::String(text)) if text == state => {}
                    Ok(other) => failed.push(FailedCheck::new(
                        What::Storage { key },
                        "the persisted auth state, as written",
                        format!("{other}"),
                    )),
                }
            }
        }
        BrowserAction::Screenshot(name) => {
            if let Err(why) = b.screenshot(name).await {
                failed.push(FailedCheck::new(
                    What::Screenshot { name: name.clone() },
                    "a saved screenshot",
                    why,
                ));
            }
        }
        BrowserAction::ClearNetwork => b.recorder.clear(),
    }
    Ok(Ran::checks(failed))
}

/// Puts the whole value in the field in one WebDriver call, as
/// Playwright's `fill` does: the field's text is selected and replaced
/// with `insertText`, which fires the `beforeinput` and `input` events a
/// person's typing fires (frameworks' change handlers listen to these),
/// then `change`. Typing key by key costs a round trip per key (0.4 to
/// 1.2 s for an email address); it stays the fallback for a field the
/// script could not fill.
const FILL_SCRIPT: &str = r#"const [field, value] = arguments;
field.focus();
if (typeof field.select === 'function') field.select();
let done = false;
try {
  done = value === '' ? document.execCommand('delete') : document.execCommand('insertText', false, value);
} catch (e) {}
if (!done || field.value !== value) {
  const proto = Object.getPrototypeOf(field);
  const setter = Object.getOwnPropertyDescriptor(proto, 'value');
  if (setter && setter.set) {
    setter.set.call(field, value);
    field.dispatchEvent(new Event('input', { bubbles: true }));
  }
}
field.dispatchEvent(new Event('change', { bubbles: true }));
return field.value === value;"#;

/// Fills a field with `value` ([`FILL_SCRIPT`], else key by key).
async fn fill(
    client: &fantoccini::Client,
    field: &fantoccini::elements::Element,
    value: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let element = serde_json::to_value(field).map_err(fantoccini::error::CmdError::Json)?;
    let filled = client
        .execute(FILL_SCRIPT, vec![element, value.into()])
        .await?;
    if filled == serde_json::Value::Bool(true) {
        return Ok(());
    }
    let _ = field.clear().await;
    field.send_keys(value).await
}

/// A selector that matched nothing in time.
fn nothing_matches(selector: &str, page: String) -> FailedCheck {
    FailedCheck::new(
        What::Page,
        format!(
            "something matching the selector {selector:?} within 5 s (set the selector in the subject profile)"
        ),
        format!("nothing; {page}"),
    )
}

/// A short description of a browser action, for reports.
pub(crate) fn label(action: &BrowserAction) -> String {
    match action {
        BrowserAction::Goto(path) => format!("go to {path}"),
        BrowserAction::Fill(f) => format!("fill {} with {:?}", f.selector, f.value),
        BrowserAction::Click(selector) => format!("click {selector}"),
        BrowserAction::Reload => "reload the page".into(),
        BrowserAction::WaitText(w) => format!("wait up to {} ms for {:?}", w.within_ms, w.text),
        BrowserAction::AbsentText(a) => match a.quiet_ms {
            Some(quiet) => format!(
                "{:?} stays absent for {} ms, or until the API traffic is quiet for {quiet} ms",
                a.text, a.for_ms
            ),
            None => format!("{:?} stays absent for {} ms", a.text, a.for_ms),
        },
        BrowserAction::Storage(st) => format!("check localStorage[{}]", st.key),
        BrowserAction::SignIn(sign_in) => format!("sign in by localStorage[{}]", sign_in.key),
        BrowserAction::Screenshot(name) => format!("screenshot {name}"),
        BrowserAction::ClearNetwork => "forget the requests recorded so far".into(),
    }
}
