//! The conformance suite as this crate's test: one test per scenario (and
//! per case of a matrix scenario), named after its rule.
//!
//! ```sh
//! cargo test --test conformance              # every scenario
//! cargo test --test conformance -- SSE       # the stream rules
//! cargo test --test conformance -- --list    # what there is
//! ```
//!
//! The harness starts Postgres and Redis once for the whole binary (Docker,
//! or local `postgres` and `redis-server`), starts this crate's backend with
//! the contract's environment, and shares it where the plan allows.

fn main() -> std::process::ExitCode {
    let backend = conformance::Subject::command(env!("CARGO_BIN_EXE_insight-garden-rs"))
        // This backend also serves a web app unless told not to.
        .env("WEB_PORT", "off");
    conformance::Suite::builtin().subject(backend).libtest()
}
