//! The Insight Garden conformance harness: reads declarative scenario
//! files, plans a run, provisions Postgres and Redis, starts or reaches the
//! subject under test, runs the scenarios and reports a verdict per
//! contract rule.
//!
//! The library's surface is its four stages, over plain data:
//!
//! - **load**: [`scenario`] files (the format in [`scenario::model`],
//!   [`scenario::sources::load_sources`]) and the [`rules`] catalogue;
//! - **plan**: [`plan::plan`], which scenario runs where, and what is not
//!   applicable and why, decided before anything starts;
//! - **run**: [`run::run_suite`] against a [`subject`] with [`services`],
//!   giving a [`outcome::RunOutcome`] of [`check`]s and [`status`]es;
//! - **report**: [`report`]'s console, JUnit, JSON, Markdown and HTML.
//!
//! [`Suite`] puts the four behind one value for other crates' tests, and
//! [`libtest`] makes each scenario a test of `cargo test`: a test target
//! with `harness = false` whose `main` is
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     let backend = conformance::Subject::command("./target/debug/my-backend");
//!     conformance::Suite::builtin().subject(backend).libtest()
//! }
//! ```
//!
//! runs every scenario (and every case of a matrix scenario) as its own
//! test (`cargo test --test conformance -- SSE` filters, `-- --list`
//! lists). What a run would check can be seen without starting anything:
//!
//! ```
//! let (catalogue, scenarios) = conformance::Suite::builtin().filter("SSE-3").load()?;
//! assert!(catalogue.get("SSE-3").is_some());
//! assert!(scenarios.iter().all(|s| s.scenario.rules.contains(&"SSE-3".to_owned())));
//! # Ok::<(), conformance::Error>(())
//! ```
//!
//! [`process`] holds the guards that leave no process or directory behind;
//! [`command`] is the `conformance` command line itself.
#![warn(unreachable_pub, missing_docs)]

pub(crate) mod bench;
pub(crate) mod browser;
pub mod check;
pub(crate) mod cli;
pub(crate) mod client;
pub mod command;
pub(crate) mod cors;
pub(crate) mod deadline;
pub(crate) mod expect;
pub mod libtest;
pub(crate) mod origins;
pub mod outcome;
pub mod plan;
pub mod process;
pub(crate) mod repeat;
pub mod report;
pub mod rules;
pub mod run;
pub mod scenario;
pub(crate) mod secrets;
pub mod services;
pub mod status;
pub mod subject;
pub mod suite;
pub(crate) mod traffic;

pub use client::{ClientError, Tls, Unreachable};
pub use suite::{Error, Subject, Suite};

#[cfg(test)]
mod readme_tests;
