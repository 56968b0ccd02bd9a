//! The browser side: chromedriver and Chromium (`driver`), the browsers a
//! run keeps (`pool`), one session each (`session`), reading the page
//! (`page`), the recording proxy between the browser and the API
//! (`recorder`, which shows what DevTools' network tab would), and a
//! running scenario's browser (`scene`).

pub mod driver;
pub mod page;
pub mod pool;
pub mod recorder;
pub mod scene;
pub mod session;
