//! Running scenarios: one file per step kind, named as scenario files name
//! the kind (`request.rs`, `stream.rs`, `browser.rs`…), what they share
//! (`exchange.rs`: building and sending requests; `scene.rs`: a running
//! scenario's state), the per-scenario runner, whose verdict a failure is
//! (`blame.rs`), and the suite runner that provisions services and subjects.

pub mod blame;
pub mod browser;
pub mod burst;
pub mod connections;
pub mod database;
pub mod exchange;
pub mod file;
pub mod forge;
pub mod frontend;
pub mod network;
pub mod output;
pub mod redis;
pub mod request;
pub mod restart;
pub mod scenario;
pub mod scene;
pub mod sleep;
pub mod start_fails;
pub mod steps;
pub mod stream;
pub mod suite;
pub mod token;
