//! One integration test binary for the harness; a module per area.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test's helpers panic with their message when what they set up fails"
)]

mod baseline;
mod bench;
mod browser_time;
mod compare;
mod docker;
mod har;
mod hostile;
mod interrupt;
mod loading;
mod outage;
mod process;
mod profiles;
mod race;
mod schema;
mod services;
mod snapshots;
mod support;
mod team;
mod unreliable;
mod verdicts;
