//! Every scenario against the clean reference server, one test per
//! scenario through the suite's own `cargo test` adapter (`libtest`): the
//! reference must pass every rule it checks, SHOULD rules included.
//! `cargo test --test scenarios -- SSE` runs the stream scenarios.

fn main() -> std::process::ExitCode {
    let suite = conformance::Suite::builtin()
        .subject(conformance::Subject::reference(
            env!("CARGO_BIN_EXE_conformance"),
            &[],
        ))
        .strict(true)
        .require_browser(true);
    // CI compares this run with the NestJS implementation's (`kill_matrix.rs`).
    let suite = match std::env::var_os("CONFORMANCE_CI_REPORTS") {
        Some(dir) => suite.report_dir(std::path::PathBuf::from(dir).join("reference")),
        None => suite,
    };
    suite.libtest()
}
