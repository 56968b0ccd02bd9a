//! Every scenario against the clean reference server, one test per
//! scenario through the suite's own `cargo test` adapter (`libtest`): the
//! reference must pass every rule it checks, SHOULD rules included.
//! `cargo test --test scenarios -- SSE` runs the stream scenarios.

fn main() -> std::process::ExitCode {
    conformance::Suite::builtin()
        .subject(conformance::Subject::reference(
            env!("CARGO_BIN_EXE_conformance"),
            &[],
        ))
        .strict(true)
        .require_browser(true)
        .libtest()
}
