//! `conformance bench`: load figures for any subject URL (`GET /auth/me`
//! throughput and latency, login cost, thousands of concurrent chat streams,
//! the subject's memory), printed next to the goals of issue 6. Figures are
//! reported, never asserted: a missed goal does not fail the command.

pub(crate) mod entry;
pub(crate) mod goals;
pub(crate) mod limits;
pub(crate) mod load;
pub(crate) mod report;
pub(crate) mod rss;
pub(crate) mod session;
pub(crate) mod stats;
pub(crate) mod streams;
pub(crate) mod suite;
