//! The browser side: chromedriver and Chromium (`driver`), one fresh session
//! per scenario (`session`) and the recording proxy between the browser and
//! the API (`recorder`), which shows what DevTools' network tab would.

pub mod driver;
pub mod pool;
pub mod recorder;
pub mod session;
