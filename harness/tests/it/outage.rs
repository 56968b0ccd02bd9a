//! A Postgres outage in the middle of a burst of registrations: every `201`
//! ends up in the database, no registration gets anything but `201` or
//! `503`, and no refused registration is stored, except one whose insert
//! was already in flight when the database was cut (see below).
//!
//! The outage is driven by progress, not by time: the database proxy is cut
//! once a third of the registrations have been answered and restored once
//! two thirds have.
//!
//! An insert Postgres has committed but whose reply the cut swallowed is
//! stored, yet the server can only answer `503`: nobody can tell it whether
//! the commit happened. Such a row is accepted only when the evidence says
//! so: its request was answered after the cut began, and Postgres stamped
//! the row (`created_at`, the transaction's start) before the proxy was
//! restored. While the proxy is cut nothing new reaches Postgres, so a row
//! stamped then was sent before the cut was complete: on a loaded machine
//! Postgres stamped such inserts up to 209 ms after it, having received
//! them before. Postgres and the test read the same clock.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde_json::json;
use sqlx::{Connection, PgConnection};
use tokio::sync::watch;

use super::support::reference_with_services;

/// Registrations in the burst, each with its own email.
const REGISTRATIONS: usize = 200;
/// Registrations in flight at once.
const IN_FLIGHT: usize = 16;
/// Only to avoid hanging on a server that never answers.
const ANSWER_DEADLINE: Duration = Duration::from_secs(30);

/// One registration of the burst and how it went.
struct Registration {
    email: String,
    status: String,
    answered_at: DateTime<Utc>,
}

/// When the proxy was cut: from the call to the moment every open
/// connection was closed; and the moment just before it was restored.
#[derive(Clone, Copy)]
struct Cut {
    began: DateTime<Utc>,
    complete: DateTime<Utc>,
    restored: DateTime<Utc>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_mid_burst_loses_no_201_and_stores_no_refused_registration() {
    let secret = format!("outage-secret-{}", uuid::Uuid::new_v4().simple());
    let (_services, subject) = reference_with_services(&secret, &BTreeMap::new()).await;
    let base = subject.base_url().to_owned();
    let client = super::support::http_client_builder()
        .timeout(ANSWER_DEADLINE)
        .build()
        .expect("an HTTP client");
    let run = &uuid::Uuid::new_v4().simple().to_string()[..12];
    let emails: Vec<String> = (0..REGISTRATIONS)
        .map(|i| format!("outage-{run}-{i:03}@example.com"))
        .collect();

    let (answered, progress) = watch::channel(0_usize);
    let burst = futures::stream::iter(&emails)
        .map(|email| {
            let (client, base, answered) = (&client, &base, &answered);
            async move {
                let status = client
                    .post(format!("{base}/auth/register"))
                    .json(&json!({ "email": email, "password": "Outage-password-1" }))
                    .send()
                    .await
                    .map(|response| response.status().to_string())
                    .unwrap_or_else(|error| format!("no answer ({error})"));
                let answered_at = Utc::now();
                answered.send_modify(|n| *n += 1);
                Registration {
                    email: email.clone(),
                    status,
                    answered_at,
                }
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<_>>();
    let outage = async {
        let mut progress = progress;
        let _ = progress.wait_for(|n| *n >= REGISTRATIONS / 3).await;
        let began = Utc::now();
        subject.proxy().cut().await;
        let complete = Utc::now();
        let _ = progress.wait_for(|n| *n >= 2 * REGISTRATIONS / 3).await;
        let restored = Utc::now();
        subject.proxy().restore();
        Cut {
            began,
            complete,
            restored,
        }
    };
    let (registrations, cut) = tokio::join!(burst, outage);

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &registrations {
        *counts.entry(r.status.as_str()).or_default() += 1;
    }
    let counts = format!("{counts:?}");
    eprintln!("registrations by status: {counts}");
    let unexpected: Vec<String> = registrations
        .iter()
        .filter(|r| !r.status.starts_with("201") && !r.status.starts_with("503"))
        .map(|r| format!("{}: {}", r.email, r.status))
        .collect();
    assert!(
        unexpected.is_empty(),
        "registrations must get 201 or 503 ({counts}); these did not:\n{}",
        unexpected.join("\n")
    );
    for status in ["201", "503"] {
        assert!(
            registrations.iter().any(|r| r.status.starts_with(status)),
            "no registration got {status}: the outage did not happen as planned ({counts})"
        );
    }

    let stored = stored_users(&subject).await;
    let created: BTreeSet<&str> = registrations
        .iter()
        .filter(|r| r.status.starts_with("201"))
        .map(|r| r.email.as_str())
        .collect();
    let lost: Vec<&&str> = created
        .iter()
        .filter(|email| !stored.contains_key(**email))
        .collect();
    let mut in_flight = Vec::new();
    let mut refused_but_stored = Vec::new();
    for r in registrations
        .iter()
        .filter(|r| !created.contains(r.email.as_str()))
    {
        let Some(&stamped) = stored.get(&r.email) else {
            continue;
        };
        let line = format!(
            "{} ({}; answered {}, stored {}; cut from {} to {}, restored {})",
            r.email, r.status, r.answered_at, stamped, cut.began, cut.complete, cut.restored
        );
        if r.answered_at >= cut.began && stamped < cut.restored {
            in_flight.push(line);
        } else {
            refused_but_stored.push(line);
        }
    }
    let strangers: Vec<&String> = stored
        .keys()
        .filter(|email| !registrations.iter().any(|r| &r.email == *email))
        .collect();
    if !in_flight.is_empty() {
        eprintln!(
            "committed while the cut swallowed the reply (accepted):\n{}",
            in_flight.join("\n")
        );
    }
    assert!(
        lost.is_empty() && refused_but_stored.is_empty() && strangers.is_empty(),
        "the users table must hold exactly the registrations that got 201 ({counts}, {} stored)\n\
         got 201 but not stored: {lost:?}\n\
         refused but stored: {refused_but_stored:#?}\n\
         stored but never sent: {strangers:?}",
        stored.len()
    );
}

/// Every user in the subject's database, with the time Postgres stamped it.
async fn stored_users(
    subject: &conformance::subject::managed::ManagedSubject,
) -> BTreeMap<String, DateTime<Utc>> {
    let database_url = subject
        .env()
        .set
        .get("DATABASE_URL")
        .expect("the subject has a DATABASE_URL");
    let mut connection = PgConnection::connect(database_url)
        .await
        .expect("the subject's database answers after the outage");
    let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as("SELECT email, created_at FROM users")
        .fetch_all(&mut connection)
        .await
        .expect("users can be read");
    let _ = connection.close().await;
    rows.into_iter().collect()
}
