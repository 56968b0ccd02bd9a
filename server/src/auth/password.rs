//! Password hashing with Argon2id at OWASP's parameters (19 MiB, two
//! passes, one lane), always on tokio's blocking pool so that a hash never
//! stalls the threads that serve other requests. A test run may ask for
//! the minimal cost (`PASSWORD_HASH_COST=minimal`: 1 MiB, one pass), which
//! the conformance harness does: no rule depends on the cost, and hashing
//! is most of the reference's work in a run.

use std::sync::{LazyLock, OnceLock};

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

/// OWASP's recommended Argon2id parameters: m = 19456 KiB, t = 2, p = 1.
const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// The minimal cost (`PASSWORD_HASH_COST=minimal`), for test runs only.
const MINIMAL_M_COST_KIB: u32 = 1024;
const MINIMAL_T_COST: u32 = 1;

/// A hash of a password nobody knows, made with OWASP's parameters, so
/// that a login for an unknown email costs the same time as a wrong
/// password (no account enumeration through timing, LOG-3).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2VydmVyLWR1bW15LXNhbHQ$3uHkcDnpUNntP7QgEUrQWr2Nm+pJVgBhAVHhGy30iWw";

/// How much a hash costs (`PASSWORD_HASH_COST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cost {
    /// OWASP's parameters: what a deployment uses.
    #[default]
    Owasp,
    /// 1 MiB and one pass: for test runs, where hashing would be most of
    /// the work.
    Minimal,
}

/// The cost of this process's hashes, set once at start ([`use_cost`]).
static COST: OnceLock<Cost> = OnceLock::new();

/// Sets the cost of every hash this process makes; the first call wins.
pub fn use_cost(cost: Cost) {
    let _ = COST.set(cost);
}

fn cost() -> Cost {
    COST.get().copied().unwrap_or_default()
}

/// The unknown-email hash at this process's cost: OWASP's constant, or one
/// made once at the minimal cost.
fn dummy_hash() -> &'static str {
    static MINIMAL: LazyLock<String> = LazyLock::new(|| {
        argon2()
            .hash_password(b"a password nobody knows")
            .map(|hash| hash.to_string())
            .unwrap_or_else(|_| DUMMY_HASH.to_owned())
    });
    match cost() {
        Cost::Owasp => DUMMY_HASH,
        Cost::Minimal => &MINIMAL,
    }
}

/// At most this many hashes run at once: each holds 19 MiB, and a burst of
/// logins must queue rather than exhaust memory or the blocking pool.
static HASHING_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Semaphore::new(cores * 2)
});

/// Why hashing or verifying could not run (not a wrong password: that is
/// `Ok(false)`).
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Argon2 refused its input (a password over its maximum length).
    #[error("argon2 failed: {0}")]
    Argon2(String),
    /// The stored hash is not a PHC string.
    #[error("stored password hash is corrupt: {0}")]
    CorruptHash(String),
    /// The blocking task panicked or was cancelled.
    #[error("password task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

fn argon2() -> Argon2<'static> {
    // `Params::new` only fails for values outside Argon2's limits; these
    // are OWASP's and the minimal ones, and the unit tests below build them.
    let (m, t) = match cost() {
        Cost::Owasp => (M_COST_KIB, T_COST),
        Cost::Minimal => (MINIMAL_M_COST_KIB, MINIMAL_T_COST),
    };
    let params = Params::new(m, t, P_COST, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` with a fresh random salt into a PHC string.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    run_blocking(move || {
        argon2()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|err| PasswordError::Argon2(err.to_string()))
    })
    .await
}

/// Checks `password` against a stored PHC string.
pub async fn verify(password: String, stored_hash: String) -> Result<bool, PasswordError> {
    run_blocking(move || verify_now(&password, &stored_hash)).await
}

/// Spends the time of one verification and answers `false`: what a login
/// for an unknown email does.
pub async fn verify_against_nothing(password: String) -> Result<bool, PasswordError> {
    run_blocking(move || verify_now(&password, dummy_hash()).map(|_| false)).await
}

fn verify_now(password: &str, stored_hash: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(stored_hash)
        .map_err(|err| PasswordError::CorruptHash(err.to_string()))?;
    match argon2().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(err) => Err(PasswordError::Argon2(err.to_string())),
    }
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PasswordError> + Send + 'static,
) -> Result<T, PasswordError> {
    // The semaphore is never closed, so `acquire` cannot fail; if it ever
    // did, hashing without a slot is still correct, only less throttled.
    let _slot = HASHING_SLOTS.acquire().await.ok();
    tokio::task::spawn_blocking(work).await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimal_parameters_are_valid() {
        let params = Params::new(MINIMAL_M_COST_KIB, MINIMAL_T_COST, P_COST, None).unwrap();
        assert_eq!((params.m_cost(), params.t_cost()), (1024, 1));
    }

    #[test]
    fn the_parameters_are_owasps() {
        let params = Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19456, 2, 1)
        );
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash("correct horse".to_owned()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            verify("correct horse".to_owned(), hash.clone())
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse".to_owned(), hash).await.unwrap());
    }

    #[tokio::test]
    async fn the_dummy_hash_has_the_same_parameters_and_never_matches() {
        assert!(DUMMY_HASH.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!verify_against_nothing(String::new()).await.unwrap());
    }

    #[tokio::test]
    async fn a_corrupt_hash_is_an_error_not_a_mismatch() {
        let err = verify("x".to_owned(), "not a hash".to_owned())
            .await
            .unwrap_err();
        assert!(matches!(err, PasswordError::CorruptHash(_)));
    }
}
