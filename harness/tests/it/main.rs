//! One integration test binary for the harness; a module per area.

mod bench;
mod docker;
mod hostile;
mod interrupt;
mod kill_matrix;
mod loading;
mod nestjs;
mod outage;
mod process;
mod profiles;
mod race;
mod scenarios;
mod schema;
mod services;
mod snapshots;
mod support;
mod team;
mod verdicts;
