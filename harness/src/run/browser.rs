//! The `browser` step: one action in the page (go to, fill, click,
//! reload, wait for a text, a text absent for a window, a `localStorage`
//! check, a screenshot, forgetting the requests recorded so far).

use super::scene::{Ran, Scene, StepError};
use crate::browser::page::{Found, POLL, excerpt, find, history_len, page_problem, texts_shown};
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
            match find(b, &selector).await? {
                Found::Element(field) => {
                    let _ = field.clear().await;
                    if let Err(e) = field.send_keys(&vars.expand(&f.value)?).await {
                        failed.push(page(page_problem(e)?));
                    }
                }
                Found::Nothing { page } => failed.push(nothing_matches(&selector, page)),
            }
        }
        BrowserAction::Click(selector) => {
            let selector = vars.expand(selector)?;
            b.history_from = history_len(b).await?;
            match find(b, &selector).await? {
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
            loop {
                let shown = texts_shown(b).await?;
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
                        format!(
                            "the page said:\n{}",
                            excerpt(shown.last().map_or("", String::as_str))
                        ),
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

/// A selector that matched nothing in time.
fn nothing_matches(selector: &str, page: String) -> FailedCheck {
    FailedCheck::new(
        What::Page,
        format!(
            "something matching the selector {selector:?} within 5 s (set the selector in the subject profile)"
        ),
        format!("nothing; the page said:\n{page}"),
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
        BrowserAction::AbsentText(a) => format!("{:?} stays absent for {} ms", a.text, a.for_ms),
        BrowserAction::Storage(st) => format!("check localStorage[{}]", st.key),
        BrowserAction::Screenshot(name) => format!("screenshot {name}"),
        BrowserAction::ClearNetwork => "forget the requests recorded so far".into(),
    }
}
