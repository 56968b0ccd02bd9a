//! The Insight Garden conformance harness: reads declarative scenario files,
//! provisions Postgres and Redis, starts or reaches the subject under test,
//! runs the scenarios and reports a verdict per contract rule.

pub mod expect;
pub mod rules;
pub mod scenario;
