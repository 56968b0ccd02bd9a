//! The run's one chromedriver, started on first use and shared; browser
//! scenarios take turns, since two browsers at once on two cores are slower
//! than one after the other.

use super::driver::Driver;
use tokio::sync::{Mutex, MutexGuard, OnceCell};

/// The shared driver and the turn lock.
#[derive(Default)]
pub struct BrowserPool {
    driver: OnceCell<Result<Driver, String>>,
    turn: Mutex<()>,
}

impl BrowserPool {
    /// The driver, started on the first call; the error repeats for every caller.
    pub async fn driver(&self) -> Result<&Driver, String> {
        self.driver
            .get_or_init(|| async { Driver::start().await.map_err(|e| e.to_string()) })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Waits for this scenario's turn with the browser.
    pub async fn turn(&self) -> MutexGuard<'_, ()> {
        self.turn.lock().await
    }
}
