//! The Insight Garden conformance harness: reads declarative scenario files,
//! provisions Postgres and Redis, starts or reaches the subject under test,
//! runs the scenarios and reports a verdict per contract rule.

pub mod bench;
pub mod browser;
pub mod check;
pub mod cli;
pub mod client;
pub mod command;
pub mod cors;
pub mod deadline;
pub mod expect;
pub mod outcome;
pub mod plan;
pub mod process;
pub mod repeat;
pub mod report;
pub mod rules;
pub mod run;
pub mod scenario;
pub mod secrets;
pub mod services;
pub mod status;
pub mod subject;
