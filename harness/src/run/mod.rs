//! Running scenarios: one module per step kind, the per-scenario runner and
//! the suite runner that provisions services and subjects.

pub mod blame;
pub mod browser;
pub mod control;
pub mod frontend;
pub mod http;
pub mod jwt;
pub mod scenario;
pub mod scene;
pub mod sse;
pub mod steps;
pub mod suite;
