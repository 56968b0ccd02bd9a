//! Login throttling (LOG-5): after `max_failures` failed logins for one
//! email within the window, further attempts get `429` with `Retry-After`,
//! even with the right password, until the window ends.
//!
//! The counter lives in Redis under `login-failures:<email>` and expires by
//! itself. When Redis fails, login goes on unthrottled and a warning is
//! logged: an outage of the throttle must not lock everybody out.

use std::time::Duration;

use crate::faults::{Fault, FaultSet};
use crate::redis_client::RedisClient;

/// What the throttle says about a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go on and check the password.
    Allowed,
    /// Refuse without checking; the window ends in this many seconds.
    Blocked {
        /// Value of `Retry-After`.
        retry_after_secs: u64,
    },
}

/// The per-email failure counter.
#[derive(Clone)]
pub struct LoginThrottle {
    redis: RedisClient,
    max_failures: u32,
    window_secs: u64,
    enabled: bool,
}

impl LoginThrottle {
    /// A throttle allowing `max_failures` failures per `window`.
    pub fn new(redis: RedisClient, max_failures: u32, window: Duration, faults: FaultSet) -> Self {
        LoginThrottle {
            redis,
            max_failures,
            window_secs: window.as_secs().max(1),
            enabled: !faults.contains(Fault::NoLoginThrottle),
        }
    }

    /// Whether `email` may try to log in now.
    pub async fn check(&self, email: &str) -> Verdict {
        if !self.enabled {
            return Verdict::Allowed;
        }
        let key = key(email);
        let mut pipeline = redis::pipe();
        pipeline.get(&key).ttl(&key);
        match self.redis.query::<(Option<u32>, i64)>(&pipeline).await {
            Ok((Some(failures), ttl)) if failures >= self.max_failures => Verdict::Blocked {
                // TTL is -1 for a key without expiry and -2 once it is gone;
                // neither should happen here, but never answer 0.
                retry_after_secs: u64::try_from(ttl).unwrap_or(1).max(1),
            },
            Ok(_) => Verdict::Allowed,
            Err(err) => {
                tracing::warn!(error = %err, "login throttle unavailable, allowing the attempt");
                Verdict::Allowed
            }
        }
    }

    /// Counts one failed login. The first failure starts the window; later
    /// ones do not extend it.
    pub async fn record_failure(&self, email: &str) {
        if !self.enabled {
            return;
        }
        let key = key(email);
        let mut pipeline = redis::pipe();
        // Atomic: create the counter with its expiry if absent, then count.
        // INCR keeps the expiry set by SET ... EX.
        pipeline
            .atomic()
            .cmd("SET")
            .arg(&key)
            .arg(0)
            .arg("EX")
            .arg(self.window_secs)
            .arg("NX")
            .ignore()
            .incr(&key, 1)
            .ignore();
        if let Err(err) = self.redis.query::<()>(&pipeline).await {
            tracing::warn!(error = %err, "login throttle unavailable, failure not counted");
        }
    }

    /// Forgets the failures of `email` after a successful login.
    pub async fn clear(&self, email: &str) {
        if !self.enabled {
            return;
        }
        let mut pipeline = redis::pipe();
        pipeline.del(key(email)).ignore();
        if let Err(err) = self.redis.query::<()>(&pipeline).await {
            tracing::warn!(error = %err, "login throttle unavailable, failures not cleared");
        }
    }
}

fn key(email: &str) -> String {
    format!("login-failures:{email}")
}
