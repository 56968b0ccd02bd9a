//! Closed-loop HTTP load: `GET /auth/me` from N workers that each send the
//! next request as soon as the last one answered, for a fixed time; and
//! `POST /auth/login`, sequential then concurrent, whose cost is Argon2's.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::json;
use tokio::sync::Barrier;

use super::session::{BenchUser, PASSWORD};
use super::stats::Latencies;
use crate::run::exchange::error_chain;

/// What a closed-loop run measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoadResult {
    /// Concurrent workers (one connection each).
    pub(crate) connections: usize,
    /// How long the measurement really ran.
    pub(crate) elapsed: Duration,
    /// Answers with status 200.
    pub(crate) ok: u64,
    /// Other answers, by status.
    pub(crate) other_statuses: BTreeMap<u16, u64>,
    /// Requests that got no answer.
    pub(crate) errors: u64,
    /// The first error, for the report.
    pub(crate) first_error: Option<String>,
    /// Latency of every answered request.
    pub(crate) latencies: Latencies,
}

impl LoadResult {
    /// Answered requests per second (any status).
    pub(crate) fn per_second(&self) -> f64 {
        let answered = self.ok + self.other_statuses.values().sum::<u64>();
        answered as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// `200` answers per second: the figure the throughput goal is about.
    pub(crate) fn ok_per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// What one worker saw.
#[derive(Default)]
struct Tally {
    ok: u64,
    other_statuses: BTreeMap<u16, u64>,
    errors: u64,
    first_error: Option<String>,
    latencies: Vec<Duration>,
}

impl Tally {
    fn record(&mut self, outcome: Result<u16, String>, latency: Duration) {
        match outcome {
            Ok(200) => self.ok += 1,
            Ok(status) => *self.other_statuses.entry(status).or_default() += 1,
            Err(error) => {
                self.errors += 1;
                self.first_error.get_or_insert(error);
                return;
            }
        }
        self.latencies.push(latency);
    }
}

/// Runs `GET /auth/me` with `user`'s token from `connections` workers for
/// `duration`. Every worker first sends one request that is not counted,
/// so connecting is not measured, then all start together.
pub(crate) async fn auth_me(
    client: &Client,
    user: &BenchUser,
    connections: usize,
    duration: Duration,
) -> LoadResult {
    let url = user.url("/auth/me");
    let bearer = HeaderValue::from_str(&format!("Bearer {}", user.token)).ok();
    let start = Arc::new(Barrier::new(connections + 1));
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (client, url, bearer, start) = (
            client.clone(),
            url.clone(),
            bearer.clone(),
            Arc::clone(&start),
        );
        workers.push(tokio::spawn(async move {
            let send = || {
                let mut request = client.get(url.clone());
                if let Some(bearer) = &bearer {
                    request = request.header(AUTHORIZATION, bearer.clone());
                }
                async move {
                    let response = request.send().await.map_err(|e| error_chain(&e))?;
                    let status = response.status().as_u16();
                    response.bytes().await.map_err(|e| error_chain(&e))?;
                    Ok::<u16, String>(status)
                }
            };
            let _ = send().await;
            start.wait().await;
            let deadline = Instant::now() + duration;
            let mut tally = Tally::default();
            loop {
                let sent = Instant::now();
                if sent >= deadline {
                    break;
                }
                let outcome = send().await;
                tally.record(outcome, sent.elapsed());
            }
            tally
        }));
    }
    start.wait().await;
    let began = Instant::now();
    let mut total = Tally::default();
    let mut latencies = Vec::new();
    for worker in workers {
        let tally = match worker.await {
            Ok(tally) => tally,
            Err(e) => Tally {
                errors: 1,
                first_error: Some(format!("a load worker failed: {e}")),
                ..Tally::default()
            },
        };
        total.ok += tally.ok;
        total.errors += tally.errors;
        for (status, count) in tally.other_statuses {
            *total.other_statuses.entry(status).or_default() += count;
        }
        if total.first_error.is_none() {
            total.first_error = tally.first_error;
        }
        latencies.extend(tally.latencies);
    }
    LoadResult {
        connections,
        elapsed: began.elapsed(),
        ok: total.ok,
        other_statuses: total.other_statuses,
        errors: total.errors,
        first_error: total.first_error,
        latencies: Latencies::of(latencies),
    }
}

/// What the logins measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoginResult {
    /// One login after the other.
    pub(crate) sequential: Latencies,
    /// How many logins ran at once in the concurrent part.
    pub(crate) concurrency: usize,
    /// Latency of each login when `concurrency` run at once.
    pub(crate) concurrent: Latencies,
    /// How long the concurrent part took.
    pub(crate) concurrent_elapsed: Duration,
    /// Logins that did not answer `200`, and the first of them.
    pub(crate) failures: u64,
    /// The first failure, for the report.
    pub(crate) first_failure: Option<String>,
}

impl LoginResult {
    /// Successful logins per second while `concurrency` ran at once.
    pub(crate) fn concurrent_per_second(&self) -> f64 {
        self.concurrent.count as f64 / self.concurrent_elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Logs `user` in `sequential` times one after the other, then
/// `concurrency` × `rounds` times with `concurrency` at once.
pub(crate) async fn logins(
    client: &Client,
    user: &BenchUser,
    sequential: usize,
    concurrency: usize,
    rounds: usize,
) -> LoginResult {
    let url = user.url("/auth/login");
    let body = json!({ "email": user.email, "password": PASSWORD });
    let login = || {
        let request = client.post(url.clone()).json(&body);
        async move {
            let sent = Instant::now();
            let response = request.send().await.map_err(|e| error_chain(&e))?;
            let status = response.status();
            let text = response.text().await.map_err(|e| error_chain(&e))?;
            if status.as_u16() == 200 {
                Ok(sent.elapsed())
            } else {
                Err(format!(
                    "{status}: {}",
                    text.chars().take(200).collect::<String>()
                ))
            }
        }
    };
    let mut result = LoginResult {
        concurrency,
        ..LoginResult::default()
    };
    let mut note = |outcome: Result<Duration, String>, into: &mut Vec<Duration>| match outcome {
        Ok(latency) => into.push(latency),
        Err(failure) => {
            result.failures += 1;
            result.first_failure.get_or_insert(failure);
        }
    };
    let mut one_by_one = Vec::with_capacity(sequential);
    for _ in 0..sequential {
        note(login().await, &mut one_by_one);
    }
    let began = Instant::now();
    let mut at_once = Vec::with_capacity(concurrency * rounds);
    let workers: Vec<_> = (0..concurrency)
        .map(|_| async {
            let mut outcomes = Vec::with_capacity(rounds);
            for _ in 0..rounds {
                outcomes.push(login().await);
            }
            outcomes
        })
        .collect();
    let outcomes = futures::future::join_all(workers).await;
    let concurrent_elapsed = began.elapsed();
    for outcome in outcomes.into_iter().flatten() {
        note(outcome, &mut at_once);
    }
    result.sequential = Latencies::of(one_by_one);
    result.concurrent = Latencies::of(at_once);
    result.concurrent_elapsed = concurrent_elapsed;
    result
}
