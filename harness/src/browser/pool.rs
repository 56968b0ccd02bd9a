//! The run's one chromedriver, started on first use and shared; the lanes
//! that bound how many browsers run at once; and the browsers themselves,
//! kept open between scenarios.
//!
//! Starting Chromium costs about a CPU-second, more than most browser
//! scenarios spend on their pages, so a browser that finished a scenario
//! cleanly is wiped (storage, cookies, page) and handed to the next one.
//! Scenarios stay apart because each serves its frontend on a port of its
//! own: a different origin, with its own storage.

use super::driver::Driver;
use super::session::Session;
use tokio::sync::{Mutex, OnceCell, Semaphore, SemaphorePermit};

/// The shared driver, the browser lanes and the browsers not in use.
pub(crate) struct BrowserPool {
    driver: OnceCell<Result<Driver, String>>,
    lanes: Semaphore,
    idle: Mutex<Vec<Session>>,
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
            driver: OnceCell::new(),
            lanes: Semaphore::new(lanes.max(1)),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// The driver, started on the first call; the error repeats for every caller.
    pub(crate) async fn driver(&self) -> Result<&Driver, String> {
        self.driver
            .get_or_init(|| async { Driver::start().await.map_err(|e| e.to_string()) })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Waits for a free browser lane; the lane is held until the permit drops.
    pub(crate) async fn turn(&self) -> Option<SemaphorePermit<'_>> {
        // `None` only if the semaphore were closed, which this pool never does.
        self.lanes.acquire().await.ok()
    }

    /// A browser for a scenario: one left by an earlier scenario, else a new one.
    pub(crate) async fn session(&self) -> Result<Session, String> {
        if let Some(session) = self.idle.lock().await.pop() {
            return Ok(session);
        }
        let driver = self.driver().await?;
        Session::open(driver).await.map_err(|e| e.to_string())
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
