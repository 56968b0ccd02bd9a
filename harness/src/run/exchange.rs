//! What the steps that talk HTTP share (`request`, `burst`, `stream`):
//! build the request a step describes, send it, record the exchange,
//! capture variables from the answer.

use super::scene::{Scene, StepError};
use crate::check::{FailedCheck, What};
use crate::outcome::Transcript;
use crate::scenario::model::Exchange;
use crate::subject::managed::ManagedSubject;
use reqwest::header::HeaderMap;
use std::collections::BTreeMap;
use std::time::Duration;

/// How much of a body a transcript keeps.
const BODY_EXCERPT: usize = 2048;
/// How long a plain request may take.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A response as received.
pub(crate) struct Received {
    /// Status code.
    pub(crate) status: u16,
    /// Headers.
    pub(crate) headers: HeaderMap,
    /// The body as text (lossy).
    pub(crate) body: String,
    /// The body as JSON, when it parses.
    pub(crate) json: Option<serde_json::Value>,
}

/// Builds a reqwest request from an exchange, expanding variables, and its transcript head.
pub(crate) fn build<E>(
    scene: &Scene,
    x: &Exchange<E>,
) -> Result<(reqwest::RequestBuilder, Transcript), StepError> {
    let method_text = scene.expand(&x.method)?;
    let method = reqwest::Method::from_bytes(method_text.as_bytes())
        .map_err(|_| StepError::Harness(format!("{method_text:?} is not an HTTP method")))?;
    let url = format!("{}{}", scene.base_url, scene.expand(&x.path)?);
    let mut transcript = Transcript {
        request: format!("{method} {url}"),
        ..Transcript::default()
    };
    let mut builder = scene.client().request(method, &url);
    // A part whose value is exactly a matrix field the case does not give
    // is left out (a token sent by header in one case, by query in another).
    let optional = |text: &str| scene.vars.expand_optional(text);
    let mut query: Vec<(String, String)> = Vec::new();
    for (k, v) in &x.query {
        if let Some(v) = optional(v)? {
            query.push((k.clone(), v));
        }
    }
    if !query.is_empty() {
        builder = builder.query(&query);
        let shown: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        transcript
            .request
            .push_str(&format!("?{}", shown.join("&")));
    }
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    if let Some(origin) = &x.origin
        && let Some(origin) = optional(origin)?
    {
        headers.insert("origin".into(), origin);
    }
    if let Some(token) = &x.bearer
        && let Some(token) = optional(token)?
    {
        headers.insert("authorization".into(), format!("Bearer {token}"));
    }
    let body = if let Some(json) = &x.json {
        headers.insert("content-type".into(), "application/json".into());
        Some(scene.vars.expand_toml(json)?.to_string())
    } else if let Some(raw) = &x.body {
        optional(raw)?
    } else {
        x.json_padded_to_bytes.map(|n| {
            headers.insert("content-type".into(), "application/json".into());
            padded_json(n)
        })
    };
    for (k, v) in &x.headers {
        match optional(v)? {
            Some(v) => {
                headers.insert(k.to_ascii_lowercase(), v);
            }
            None => {
                headers.remove(&k.to_ascii_lowercase());
            }
        }
    }
    for (k, v) in &headers {
        builder = builder.header(k, v);
        transcript.request_headers.push((k.clone(), v.clone()));
    }
    if let Some(body) = body {
        transcript.request_body = Some(excerpt(&body));
        builder = builder.body(body);
    }
    Ok((builder, transcript))
}

/// A JSON object of exactly `n` bytes (at least its fixed part).
fn padded_json(n: usize) -> String {
    let head = r#"{"email":"padding@example.com","password":"padding-password","name":""#;
    let tail = r#""}"#;
    let fill = n.saturating_sub(head.len() + tail.len());
    format!("{head}{}{tail}", "a".repeat(fill))
}

/// Why an exchange got no (whole) answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoAnswer {
    /// The harness could not build or send the request: its own breakdown.
    Harness(String),
    /// No connection could be made.
    Refused(String),
    /// The connection was reset or closed before the whole answer came.
    Dropped(String),
    /// No answer within the deadline.
    Timeout(Duration),
}

impl NoAnswer {
    /// Sorts a client error.
    pub(crate) fn of(e: &reqwest::Error, timeout: Duration) -> NoAnswer {
        let chain = error_chain(e);
        if e.is_timeout() {
            NoAnswer::Timeout(timeout)
        } else if e.is_builder() {
            NoAnswer::Harness(format!("the request could not be built: {chain}"))
        } else if e.is_connect() {
            NoAnswer::Refused(chain)
        } else {
            NoAnswer::Dropped(chain)
        }
    }
}

/// A missing answer, sorted: a failed check of the step (the subject's
/// doing), or a step that could not be carried out (the harness's, or a
/// scenario blocked by another one that brought the subject down).
#[derive(Debug)]
pub(crate) enum Missing {
    /// The step's failed check.
    Check(FailedCheck),
    /// The step could not be carried out.
    Step(StepError),
}

impl From<StepError> for Missing {
    fn from(e: StepError) -> Missing {
        Missing::Step(e)
    }
}

/// Sends a request once and reads its whole answer within `timeout`.
pub(crate) async fn once(
    builder: reqwest::RequestBuilder,
    transcript: &mut Transcript,
    timeout: Duration,
) -> Result<Received, NoAnswer> {
    let response = builder
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| NoAnswer::of(&e, timeout))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| NoAnswer::of(&e, timeout))?;
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_slice(&bytes).ok();
    record_response(transcript, status, &headers, &body);
    Ok(Received {
        status,
        headers,
        body,
        json,
    })
}

/// Sends a request of the scene's current step and reads its whole answer
/// within `timeout`; a missing answer is sorted out ([`missing`]).
pub(crate) async fn send_within(
    scene: &Scene,
    builder: reqwest::RequestBuilder,
    transcript: &mut Transcript,
    timeout: Duration,
) -> Result<Received, Missing> {
    let flight = scene.take_off();
    let again = resend(scene, &builder);
    let result = match once(builder, transcript, timeout).await {
        Ok(received) => Ok(received),
        Err(no) => match missing(scene, flight.id(), no, None).await {
            Resolution::Missing(m) => Err(m),
            Resolution::SendAgain(first) => match again {
                Some(again) => match once(again, transcript, timeout).await {
                    Ok(received) => Ok(received),
                    Err(no) => Err(missing_again(scene, flight.id(), no, first).await),
                },
                None => Err(Missing::Check(answer_failed(&first))),
            },
        },
    };
    drop(flight);
    result
}

/// Sends a request of the scene's current step and returns as soon as the
/// answer's head came, within `deadline`; a missing answer is sorted out as
/// [`send_within`] does. The caller reads the body, still in flight (a
/// stream the subject broke is sorted out with [`missing`]), and lands the
/// flight when done.
pub(crate) async fn send_head(
    scene: &Scene,
    builder: reqwest::RequestBuilder,
    deadline: Duration,
) -> Result<(reqwest::Response, super::scene::Flight), Missing> {
    let head = |builder: reqwest::RequestBuilder| async move {
        match tokio::time::timeout(deadline, builder.send()).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => Err(NoAnswer::of(&e, deadline)),
            Err(_) => Err(NoAnswer::Timeout(deadline)),
        }
    };
    let flight = scene.take_off();
    let again = resend(scene, &builder);
    let result = match head(builder).await {
        Ok(response) => return Ok((response, flight)),
        Err(no) => match missing(scene, flight.id(), no, None).await {
            Resolution::Missing(m) => Err(m),
            Resolution::SendAgain(first) => match again {
                Some(again) => match head(again).await {
                    Ok(response) => return Ok((response, flight)),
                    Err(no) => Err(missing_again(scene, flight.id(), no, first).await),
                },
                None => Err(Missing::Check(answer_failed(&first))),
            },
        },
    };
    drop(flight);
    result
}

/// The request of `builder` once more, to be sent if the first attempt
/// gets no answer: through the scene's client that keeps no connection, so
/// that it goes out on a new one. A browser sends a request again when a
/// kept connection fails; if this one rode another kept connection, a
/// subject that had closed several of them (a keep-alive timeout, a close
/// after an error answer) would fail it twice, and the step would fail
/// for the harness's connection reuse. `None` when the request cannot be
/// copied (a streamed body).
fn resend(scene: &Scene, builder: &reqwest::RequestBuilder) -> Option<reqwest::RequestBuilder> {
    let request = builder.try_clone()?.build().ok()?;
    Some(reqwest::RequestBuilder::from_parts(
        scene.fresh_client.clone(),
        request,
    ))
}

/// The second attempt got no answer either: sorted out as the first was,
/// without a third attempt; a drop names the first one too.
async fn missing_again(
    scene: &Scene,
    flight: Option<u64>,
    no: NoAnswer,
    first: NoAnswer,
) -> Missing {
    let reached = !matches!(first, NoAnswer::Refused(_));
    // A running URL that dropped the request twice and now refuses
    // connections did not drop it: it was going away, and has stopped
    // answering (a process accepts connections for a moment as it exits).
    let url_subject =
        scene.own.is_none() && scene.supervisor.as_ref().is_some_and(|s| s.watches_a_url());
    let no = match no {
        NoAnswer::Dropped(why) if url_subject && refuses_connections(&scene.base_url).await => {
            NoAnswer::Refused(format!("{why}; then it refused connections"))
        }
        no => no,
    };
    let no = match (no, first) {
        (NoAnswer::Dropped(second), NoAnswer::Dropped(first)) => NoAnswer::Dropped(format!(
            "{second} (it was sent twice, as a browser does; the first time: {first})"
        )),
        (no, _) => no,
    };
    match missing(scene, flight, no.clone(), Some(reached)).await {
        Resolution::Missing(m) => m,
        Resolution::SendAgain(_) => Missing::Check(answer_failed(&no)),
    }
}

/// Whether the host and port of `base_url` refuse a new connection, a
/// moment after a drop.
async fn refuses_connections(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return false;
    };
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return false;
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let connect = tokio::net::TcpStream::connect((host, port));
    matches!(
        tokio::time::timeout(Duration::from_secs(1), connect).await,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

/// What to do about a missing answer.
pub(crate) enum Resolution {
    /// Report it.
    Missing(Missing),
    /// Send the request once more (this was the first attempt's failure):
    /// the subject is up and dropped it before any answer, as a server does
    /// on a keep-alive connection it was closing, or it is back after
    /// going down.
    SendAgain(NoAnswer),
}

/// Sorts out a missing answer: the harness's own breakdown is the step's
/// error; no answer in time is the step's failed check; a refused or
/// dropped connection is the step's failed check only when the subject is
/// up (or when this step's request brought it down), and blocks a scenario
/// whose request was merely in the air when the subject went down.
///
/// `again` is `None` for a request's first attempt, and for its second
/// whether the first reached the subject.
pub(crate) async fn missing(
    scene: &Scene,
    flight: Option<u64>,
    no: NoAnswer,
    again: Option<bool>,
) -> Resolution {
    let first_attempt = again.is_none();
    use super::supervisor::Fate;
    let step = scene.watch.step();
    if let NoAnswer::Harness(why) = no {
        return Resolution::Missing(Missing::Step(StepError::Harness(why)));
    }
    if matches!(no, NoAnswer::Timeout(_)) {
        return Resolution::Missing(Missing::Check(answer_failed(&no)));
    }
    if let Some(status) = scene.own.as_ref().and_then(ManagedSubject::exited) {
        let own = scene
            .own
            .as_ref()
            .map(|o| o.output_tail(12))
            .unwrap_or_default();
        let tail = if own.trim().is_empty() {
            String::new()
        } else {
            format!("; its last output:\n{own}")
        };
        return Resolution::Missing(Missing::Check(FailedCheck::new(
            What::Answer,
            "an answer",
            format!(
                "none: the subject {} during step {step}{tail}",
                super::supervisor::ended(status)
            ),
        )));
    }
    let dropped = matches!(no, NoAnswer::Dropped(_));
    let (Some(supervisor), Some(id)) = (&scene.supervisor, flight) else {
        if dropped && first_attempt {
            return Resolution::SendAgain(no);
        }
        return Resolution::Missing(Missing::Check(answer_failed(&no)));
    };
    let refused = matches!(no, NoAnswer::Refused(_));
    Resolution::Missing(
        match supervisor.fate(id, refused, again.unwrap_or(false)).await {
            Fate::Culprit(death) => Missing::Check(FailedCheck::new(
                What::Answer,
                "an answer",
                death.during(step),
            )),
            Fate::Bystander(death) | Fate::After(death) => {
                Missing::Step(StepError::Blocked(death.blocked(step, scene.watch.label())))
            }
            Fate::Resend if first_attempt => return Resolution::SendAgain(no),
            Fate::Alive if dropped && first_attempt => return Resolution::SendAgain(no),
            Fate::Resend | Fate::Alive => Missing::Check(answer_failed(&no)),
        },
    )
}

/// The failed check of a request that got no (whole) answer.
pub(crate) fn answer_failed(no: &NoAnswer) -> FailedCheck {
    match no {
        NoAnswer::Timeout(within) => FailedCheck::new(
            What::Answer,
            format!("an answer within {} ms", within.as_millis()),
            "none",
        ),
        NoAnswer::Refused(why) => FailedCheck::new(
            What::Answer,
            "an answer",
            format!("none: the connection was refused: {why}"),
        ),
        NoAnswer::Dropped(why) => FailedCheck::new(
            What::Answer,
            "an answer",
            format!("none: the connection was dropped before the whole answer: {why}"),
        ),
        NoAnswer::Harness(why) => FailedCheck::new(What::Answer, "an answer", why.clone()),
    }
}

/// Gives an exchange that got an answer to the checks every exchange gets
/// (`traffic.rs`); `body` when it was read.
pub(crate) fn observe(
    watch: &crate::traffic::Watch,
    transcript: &Transcript,
    status: u16,
    body: Option<&str>,
) {
    let mut words = transcript.request.splitn(2, ' ');
    let method = words.next().unwrap_or_default();
    let path = words
        .next()
        .and_then(|url| reqwest::Url::parse(url).ok())
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    let origin = transcript
        .request_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("origin"))
        .map(|(_, v)| v.as_str());
    watch.observe(
        &crate::traffic::Observed {
            method,
            path: &path,
            origin,
            status,
            headers: &transcript.response_headers,
            body,
        },
        Some(transcript),
    );
}

/// Fills the response part of a transcript.
pub(crate) fn record_response(t: &mut Transcript, status: u16, headers: &HeaderMap, body: &str) {
    t.status = Some(status);
    t.response_headers = headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    t.response_body = excerpt(body);
}

/// The whole cause chain of an error, on one line.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The start of a long text.
pub(crate) fn excerpt(text: &str) -> String {
    if text.len() <= BODY_EXCERPT {
        return text.to_owned();
    }
    let mut end = BODY_EXCERPT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

/// Sets variables from a JSON document; a missing value is a failed check.
pub(crate) fn capture(
    scene: &mut Scene,
    captures: &BTreeMap<String, String>,
    doc: Option<&serde_json::Value>,
    what: &str,
    failed: &mut Vec<FailedCheck>,
) {
    for (name, pointer) in captures {
        match doc.and_then(|d| d.pointer(pointer)) {
            Some(serde_json::Value::String(s)) => scene.vars.set(name, s.clone()),
            Some(v) if !v.is_null() => scene.vars.set(name, v.to_string()),
            _ => failed.push(FailedCheck::new(
                What::Capture {
                    name: name.clone(),
                    doc: what.to_owned(),
                    pointer: pointer.clone(),
                },
                format!("a value at {what} {pointer}"),
                "nothing",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_json_has_the_requested_size_and_parses() {
        let body = padded_json(1_100_000);
        assert_eq!(body.len(), 1_100_000);
        assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok());
    }

    #[test]
    fn excerpts_cut_long_text_on_a_char_boundary() {
        let long = "é".repeat(2000);
        let cut = excerpt(&long);
        assert!(cut.ends_with("(4000 bytes in all)"));
        assert_eq!(excerpt("short"), "short");
    }
}
