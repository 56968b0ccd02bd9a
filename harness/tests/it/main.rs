//! One integration test binary for the harness; a module per area.

mod kill_matrix;
mod loading;
mod process;
mod profiles;
mod scenarios;
mod schema;
mod services;
mod snapshots;
mod support;
