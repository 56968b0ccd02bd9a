//! The `stream` step: send the request, then read server-sent events with
//! their arrival times under a total deadline, and check the sequence, the
//! data, the time to the first event and that events were flushed as
//! produced.

use super::exchange::{
    Missing, NoAnswer, Resolution, answer_failed, build, capture, excerpt, missing,
    record_response, send_head,
};
use super::scene::{Ran, Scene, StepError};
use crate::check::{FailedCheck, What};
use crate::expect;
use crate::outcome::EventRecord;
use crate::scenario::model::StreamStep;
use crate::scenario::sequence::SequencePattern;
use eventsource_stream::Eventsource;
use futures::StreamExt;
use std::time::{Duration, Instant};

/// What a browser sends with a stream request unless the scenario says
/// otherwise: compression middleware that buffers a stream only shows with
/// these (SSE-6), and the answer is decoded as a browser decodes it.
pub(crate) const BROWSER_STREAM_HEADERS: &[(&str, &str)] = &[
    ("accept", "text/event-stream"),
    ("accept-encoding", "gzip, deflate, br"),
];

/// Runs a stream step.
pub(crate) async fn run(scene: &mut Scene, step: &StreamStep) -> Result<Ran, StepError> {
    let e = &step.expect;
    let (mut builder, mut transcript) = build(scene, step)?;
    for (name, value) in BROWSER_STREAM_HEADERS {
        if !step.headers.keys().any(|k| k.eq_ignore_ascii_case(name)) {
            builder = builder.header(*name, *value);
            transcript
                .request_headers
                .push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    let deadline = Duration::from_millis(e.deadline_ms);
    let started = Instant::now();
    let mut problems = Vec::new();
    let (response, flight) = match send_head(scene, builder, deadline).await {
        Ok(answered) => answered,
        Err(Missing::Check(failed)) => {
            return Ok(Ran {
                failed: vec![failed],
                transcripts: vec![transcript],
            });
        }
        Err(Missing::Step(e)) => return Err(e),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    if let Some(want) = e.status
        && status != want
    {
        problems.push(FailedCheck::new(
            What::Status,
            want.to_string(),
            status.to_string(),
        ));
    }
    expect::check_headers(&e.headers, &headers, &scene.vars, &mut problems)?;
    if e.cors_granted {
        expect::check_cors(&transcript.request_headers, status, &headers, &mut problems);
    }
    let is_stream = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    if !is_stream {
        let body = tokio::time::timeout(deadline, response.bytes()).await;
        let body = match body {
            Ok(Ok(b)) => String::from_utf8_lossy(&b).into_owned(),
            _ => String::new(),
        };
        record_response(&mut transcript, status, &headers, &body);
        super::exchange::observe(&scene.watch, &transcript, status, Some(&body));
        let json = serde_json::from_str(&body).ok();
        expect::check_json(&e.json, json.as_ref(), "body", &scene.vars, &mut problems)?;
        if e.sequence.is_some() && e.status.is_none_or(|want| want == status) {
            problems.push(FailedCheck::new(
                What::Events,
                "an event stream",
                "a response that is not text/event-stream",
            ));
        }
        return Ok(Ran {
            failed: problems,
            transcripts: vec![transcript],
        });
    }
    record_response(&mut transcript, status, &headers, "");
    super::exchange::observe(&scene.watch, &transcript, status, None);
    let mut events: Vec<EventRecord> = Vec::new();
    let mut stream = response.bytes_stream().eventsource();
    let ended = loop {
        let left = deadline.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.next()).await {
            Err(_) => {
                break Err(FailedCheck::new(
                    What::Timing,
                    format!("the stream to end within {} ms", e.deadline_ms),
                    "it was still open",
                ));
            }
            Ok(None) => break Ok(()),
            Ok(Some(Err(err))) => {
                // A stream that broke because the subject went down for
                // another request blocks this scenario; else it is the
                // subject's doing.
                let no = NoAnswer::Dropped(format!("the stream broke: {err}"));
                match missing(scene, flight.id(), no.clone(), Some(true)).await {
                    Resolution::Missing(Missing::Step(blocked)) => return Err(blocked),
                    Resolution::Missing(Missing::Check(failed)) => break Err(failed),
                    Resolution::SendAgain(_) => break Err(answer_failed(&no)),
                }
            }
            Ok(Some(Ok(event))) => events.push(EventRecord {
                event: if event.event.is_empty() {
                    "message".into()
                } else {
                    event.event
                },
                data: excerpt(&event.data),
                at_ms: started.elapsed().as_millis() as u64,
            }),
        }
    };
    drop(flight);
    let open_ms = started.elapsed().as_millis() as u64;
    if let Err(problem) = ended {
        problems.push(problem);
    }
    if let Some(min) = e.ends_after_ms
        && open_ms < min
    {
        problems.push(FailedCheck::new(
            What::Timing,
            format!("the stream to stay open at least {min} ms"),
            format!("it ended after {open_ms} ms"),
        ));
    }
    check_events(step, &events, &mut problems);
    let last = events
        .last()
        .and_then(|ev| serde_json::from_str(&ev.data).ok());
    capture(
        scene,
        &step.capture,
        last.as_ref(),
        "last event",
        &mut problems,
    );
    transcript.response_body = format!("{} event(s)", events.len());
    transcript.events = events;
    Ok(Ran {
        failed: problems,
        transcripts: vec![transcript],
    })
}

fn check_events(step: &StreamStep, events: &[EventRecord], problems: &mut Vec<FailedCheck>) {
    let e = &step.expect;
    let names: Vec<&str> = events.iter().map(|ev| ev.event.as_str()).collect();
    if let Some(pattern) = &e.sequence {
        match SequencePattern::parse(pattern) {
            Ok(p) if !p.matches(names.iter().copied()) => problems.push(FailedCheck::new(
                What::Events,
                format!("the sequence \"{}\"", p.as_str()),
                format!("[{}]", names.join(", ")),
            )),
            Ok(_) => {}
            // The loader refuses a pattern that does not parse.
            Err(err) => problems.push(FailedCheck::new(
                What::Events,
                format!("the sequence {pattern:?}"),
                err.to_string(),
            )),
        }
    }
    for (name, fields) in &e.fields {
        let what = || What::Event { name: name.clone() };
        if !events.iter().any(|ev| &ev.event == name) {
            problems.push(FailedCheck::new(
                what(),
                format!("at least one to check its fields {fields:?}"),
                "none arrived",
            ));
        }
        for ev in events.iter().filter(|ev| &ev.event == name) {
            let data: Option<serde_json::Value> = serde_json::from_str(&ev.data).ok();
            for field in fields {
                if data.as_ref().and_then(|d| d.get(field)).is_none() {
                    problems.push(FailedCheck::new(
                        what(),
                        format!("JSON data with {field:?}"),
                        format!("{:?}", ev.data),
                    ));
                }
            }
        }
    }
    if let Some(limit) = e.first_event_within_ms {
        match events.first() {
            Some(first) if first.at_ms > limit => problems.push(FailedCheck::new(
                What::FirstEvent,
                format!("within {limit} ms"),
                format!("after {} ms", first.at_ms),
            )),
            None => problems.push(FailedCheck::new(
                What::FirstEvent,
                "one",
                "the stream had none",
            )),
            _ => {}
        }
    }
    if e.flushed {
        match (events.first(), events.last()) {
            (Some(first), Some(last)) if events.len() >= 2 => {
                if first.at_ms * 2 > last.at_ms {
                    problems.push(FailedCheck::new(
                        What::Timing,
                        "the first event early (flushed as produced)",
                        format!(
                            "the first after {} ms and the last after {} ms: they came together, \
                             as a buffered stream's do",
                            first.at_ms, last.at_ms
                        ),
                    ));
                }
            }
            _ => problems.push(FailedCheck::new(
                What::Timing,
                "at least two events to tell whether they are flushed as produced",
                events.len().to_string(),
            )),
        }
    }
    if let Some(spread) = e.spread_at_least_ms {
        let got = match (events.first(), events.last()) {
            (Some(a), Some(b)) => b.at_ms.saturating_sub(a.at_ms),
            _ => 0,
        };
        if got < spread {
            problems.push(FailedCheck::new(
                What::Timing,
                format!(
                    "the first and last events at least {spread} ms apart (flushed as produced)"
                ),
                format!("{got} ms apart"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(expect: &str) -> StreamStep {
        toml::from_str(&format!("path = \"/s\"\n[expect]\n{expect}")).expect("a stream step")
    }

    fn event(name: &str, data: &str) -> EventRecord {
        EventRecord {
            event: name.into(),
            data: data.into(),
            at_ms: 0,
        }
    }

    fn at(name: &str, at_ms: u64) -> EventRecord {
        EventRecord {
            at_ms,
            ..event(name, "{}")
        }
    }

    #[test]
    fn a_stream_is_flushed_when_its_first_event_comes_early() {
        let s = step("flushed = true");
        let judge = |events: &[EventRecord]| {
            let mut problems = Vec::new();
            check_events(&s, events, &mut problems);
            problems
        };
        assert!(judge(&[at("delta", 20), at("delta", 45), at("done", 250)]).is_empty());
        // Buffered, read by a starved reader: spread out, but late.
        let buffered = judge(&[at("delta", 240), at("delta", 275), at("done", 300)]);
        assert_eq!(buffered.len(), 1, "{buffered:?}");
        assert_eq!(judge(&[at("done", 10)]).len(), 1, "one event tells nothing");
    }

    #[test]
    fn a_fields_check_fails_when_no_event_of_that_name_arrived() {
        let s = step("fields = { done = [\"messageId\"] }");
        let mut problems = Vec::new();
        check_events(&s, &[event("delta", r#"{"content":"a"}"#)], &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].actual.as_deref(), Some("none arrived"));
        let mut problems = Vec::new();
        check_events(&s, &[event("done", r#"{"messageId":"1"}"#)], &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
    }
}
