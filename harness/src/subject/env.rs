//! The environment the contract hands a subject: database, Redis, secret,
//! port, CORS origin and the stream delay knob. A scenario may add, change
//! or remove variables for its own subject.

use std::collections::BTreeMap;

/// The contract's variables, removed from what the harness inherited so a
/// developer's own settings never leak into a subject.
pub const CONTRACT_VARS: &[&str] = &[
    "DATABASE_URL",
    "REDIS_HOST",
    "REDIS_PORT",
    "JWT_SECRET",
    "JWT_EXPIRES_IN",
    "PORT",
    "CORS_ORIGIN",
    "STREAM_DELAY_MS",
];

/// The known insecure default secret of the post-mortem.
pub const DEFAULT_SECRET: &str = "change-me-in-production-use-long-random-string";

/// The contract's default `CORS_ORIGIN`. A managed subject is never given
/// it: a backend that hard-codes this origin instead of reading
/// `CORS_ORIGIN` would pass every CORS check that used it.
pub const DEFAULT_ORIGIN: &str = "http://localhost:5173";

/// An origin no subject should allow.
pub const OTHER_ORIGIN: &str = "http://evil.example";

/// The pause between deltas the harness asks shared subjects for, so that
/// flushing (SSE-6) is observable without slowing the run.
pub const STREAM_DELAY_MS: &str = "25";

/// A subject's environment: the values to set and the names to remove.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectEnv {
    /// Variables to set.
    pub set: BTreeMap<String, String>,
    /// Variables to remove (also from the inherited environment).
    pub unset: Vec<String>,
}

impl SubjectEnv {
    /// The contract's environment for one subject.
    pub fn contract(
        database_url: &str,
        redis_host: &str,
        redis_port: u16,
        secret: &str,
        port: u16,
        origin: &str,
    ) -> SubjectEnv {
        let mut set = BTreeMap::new();
        set.insert("DATABASE_URL".to_owned(), database_url.to_owned());
        set.insert("REDIS_HOST".to_owned(), redis_host.to_owned());
        set.insert("REDIS_PORT".to_owned(), redis_port.to_string());
        set.insert("JWT_SECRET".to_owned(), secret.to_owned());
        set.insert("PORT".to_owned(), port.to_string());
        set.insert("CORS_ORIGIN".to_owned(), origin.to_owned());
        set.insert("STREAM_DELAY_MS".to_owned(), STREAM_DELAY_MS.to_owned());
        SubjectEnv {
            set,
            unset: Vec::new(),
        }
    }

    /// This environment with `changes` applied (a change wins over a removal).
    pub fn with(&self, changes: &BTreeMap<String, String>) -> SubjectEnv {
        let mut next = self.clone();
        for (k, v) in changes {
            next.unset.retain(|u| u != k);
            next.set.insert(k.clone(), v.clone());
        }
        next
    }

    /// This environment without `names`.
    pub fn without(&self, names: &[String]) -> SubjectEnv {
        let mut next = self.clone();
        for name in names {
            next.set.remove(name);
            next.unset.push(name.clone());
        }
        next
    }

    /// Applies the environment to a command: contract variables inherited
    /// from the harness are removed first.
    pub fn apply(&self, command: &mut std::process::Command) {
        for name in CONTRACT_VARS {
            command.env_remove(name);
        }
        for name in &self.unset {
            command.env_remove(name);
        }
        command.envs(&self.set);
    }

    /// The subject's port.
    pub fn port(&self) -> Option<u16> {
        self.set.get("PORT").and_then(|p| p.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_and_removals_compose() {
        let base = SubjectEnv::contract(
            "postgres://x",
            "127.0.0.1",
            7000,
            "s3cret",
            8000,
            "http://localhost:4000",
        );
        let gone = base.without(&["JWT_SECRET".to_owned()]);
        assert!(!gone.set.contains_key("JWT_SECRET"));
        assert_eq!(gone.unset, vec!["JWT_SECRET"]);
        let back = gone.with(&BTreeMap::from([("JWT_SECRET".to_owned(), String::new())]));
        assert_eq!(back.set.get("JWT_SECRET").map(String::as_str), Some(""));
        assert!(back.unset.is_empty());
        assert_eq!(base.port(), Some(8000));
    }
}
