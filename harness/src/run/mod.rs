//! Running scenarios: one file per step kind, named as scenario files name
//! the kind (`request.rs`, `stream.rs`, `browser.rs`…), what they share
//! (`exchange.rs`: building and sending requests; `scene.rs`: a running
//! scenario's state), the per-scenario runner, whose verdict a failure is
//! (`blame.rs`), and the suite runner that provisions services and subjects.

pub(crate) mod blame;
pub(crate) mod browser;
pub(crate) mod burst;
pub(crate) mod cases;
pub(crate) mod connections;
pub(crate) mod database;
pub(crate) mod exchange;
pub(crate) mod file;
pub(crate) mod forge;
pub(crate) mod frontend;
pub(crate) mod network;
pub(crate) mod output;
pub(crate) mod redis;
pub(crate) mod request;
pub(crate) mod restart;
pub(crate) mod scenario;
pub(crate) mod scene;
pub(crate) mod sleep;
pub(crate) mod start_fails;
pub(crate) mod step_list;
pub(crate) mod steps;
pub(crate) mod stream;
pub(crate) mod suite;
pub(crate) mod supervisor;

pub use suite::{
    DEFAULT_BROWSER_LANES, Progress, Silent, SuiteError, SuiteOptions, plan_and_run, run_suite,
    run_suite_on,
};
pub(crate) mod token;
