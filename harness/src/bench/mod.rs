//! `conformance bench`: load figures for any subject URL (`GET /auth/me`
//! throughput and latency, login cost, thousands of concurrent chat streams,
//! the subject's memory), printed next to the goals of issue 6. Figures are
//! reported, never asserted: a missed goal does not fail the command.

pub mod entry;
pub mod goals;
pub mod limits;
pub mod load;
pub mod report;
pub mod rss;
pub mod session;
pub mod stats;
pub mod streams;
