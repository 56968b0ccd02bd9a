//! The browser side: chromedriver and Chromium (`driver`), the browsers a
//! run keeps (`pool`), one session each (`session`), reading the page
//! (`page`), the recording proxy between the browser and the API
//! (`recorder`, which shows what DevTools' network tab would), and a
//! running scenario's browser (`scene`).

pub(crate) mod driver;
pub(crate) mod page;
pub(crate) mod pool;
pub(crate) mod recorder;
pub(crate) mod scene;
pub(crate) mod session;

#[cfg(test)]
#[path = "recorder_tests.rs"]
mod fidelity_tests;

#[cfg(test)]
mod page_tests;

#[cfg(test)]
#[path = "pool_tests.rs"]
mod pool_tests;

#[cfg(test)]
mod test_site;
