//! The run's one chromedriver, started on first use and shared; the lanes
//! that bound how many browsers run at once; and the browsers themselves,
//! kept open between scenarios (and between the runs of a test binary,
//! whose [`crate::libtest::Harness`] lends its pool to each).
//!
//! Starting Chromium costs about a CPU-second, more than most browser
//! scenarios spend on their pages, so a browser that finished a scenario,
//! whatever the scenario's verdict on the subject, is wiped (storage,
//! cookies, page) and handed to the next one; only one that was part of the
//! harness's own breakdown, or that cannot be wiped, is closed.
//! Scenarios stay apart because each serves its frontend on a port of its
//! own: a different origin, with its own storage. A chromedriver that died
//! (and the browsers it took along) is replaced when a scenario next asks
//! for a browser, rather than leaving every later browser scenario of the
//! run (or of the test binary) without one.

use super::driver::Driver;
use super::session::Session;
use std::sync::Arc;
use tokio::sync::{Mutex, OnceCell, Semaphore, SemaphorePermit};

/// The shared driver, the browser lanes and the browsers not in use.
pub(crate) struct BrowserPool {
    /// The driver once started, or why it did not start (said again to
    /// every caller: the machine lacks it).
    driver: Mutex<Option<Result<Arc<Driver>, String>>>,
    lanes: Semaphore,
    idle: Mutex<Vec<Session>>,
    /// Set once the browsers started ahead of the scenarios are up (or
    /// when a scenario asked first and none were started).
    warmed: OnceCell<()>,
}

impl Default for BrowserPool {
    fn default() -> Self {
        BrowserPool::new(crate::run::DEFAULT_BROWSER_LANES)
    }
}

impl BrowserPool {
    /// A pool that lets `lanes` browsers (at least one) run at once.
    pub(crate) fn new(lanes: usize) -> BrowserPool {
        BrowserPool {
            driver: Mutex::new(None),
            lanes: Semaphore::new(lanes.max(1)),
            idle: Mutex::new(Vec::new()),
            warmed: OnceCell::new(),
        }
    }

    /// The driver, started on the first call and again when it has died
    /// (the browsers kept for reuse died with it and are dropped); an error
    /// to start it repeats for every caller.
    pub(crate) async fn driver(&self) -> Result<Arc<Driver>, String> {
        let mut slot = self.driver.lock().await;
        match slot.as_ref() {
            Some(Ok(driver)) => {
                let Some(status) = driver.exited() else {
                    return Ok(Arc::clone(driver));
                };
                tracing::warn!("chromedriver exited ({status}); starting a new one");
                // Its browsers are in its process group: dropping it kills
                // them, then their profiles are removed.
                *slot = None;
                self.idle.lock().await.clear();
            }
            Some(Err(why)) => return Err(why.clone()),
            None => {}
        }
        let started = Driver::start()
            .await
            .map(Arc::new)
            .map_err(|e| e.to_string());
        *slot = Some(started.clone());
        started
    }

    /// Waits for a free browser lane; the lane is held until the permit drops.
    pub(crate) async fn turn(&self) -> Option<SemaphorePermit<'_>> {
        // `None` only if the semaphore were closed, which this pool never does.
        self.lanes.acquire().await.ok()
    }

    /// A browser for a scenario: one left by an earlier scenario (`true`),
    /// else a new one (`false`).
    pub(crate) async fn session(&self) -> Result<(Session, bool), String> {
        // Browsers being started ahead are waited for, not doubled.
        self.warmed.get_or_init(|| async {}).await;
        // First: a driver that died is replaced, and its browsers dropped.
        let driver = self.driver().await?;
        if let Some(session) = self.idle.lock().await.pop() {
            return Ok((session, true));
        }
        let session = Session::open(&driver).await.map_err(|e| e.to_string())?;
        Ok((session, false))
    }

    /// Starts the driver and `count` browsers (at most one per lane) and
    /// keeps them for the scenarios: called while the services start, so
    /// that no scenario waits for Chromium. A browser that does not start
    /// is left for the scenario that asks, which then says why.
    pub(crate) async fn warm(&self, count: usize) {
        self.warmed
            .get_or_init(|| async {
                let Ok(driver) = self.driver().await else {
                    return;
                };
                let count = count.min(self.lanes.available_permits());
                let opened =
                    futures::future::join_all((0..count).map(|_| Session::open(&driver))).await;
                self.idle.lock().await.extend(opened.into_iter().flatten());
            })
            .await;
    }

    /// Takes a browser back after a scenario. It is kept for the next one
    /// only if `reusable` and wiping it works; otherwise it is closed.
    pub(crate) async fn give_back(&self, session: Session, reusable: bool) {
        if reusable && session.wipe().await.is_ok() {
            self.idle.lock().await.push(session);
        } else {
            session.close().await;
        }
    }

    /// Closes every browser kept for reuse (end of the run).
    pub(crate) async fn close_all(&self) {
        let sessions = std::mem::take(&mut *self.idle.lock().await);
        futures::future::join_all(sessions.into_iter().map(Session::close)).await;
    }
}
