//! `reference-server`: see the crate documentation and README.md.

use std::process::ExitCode;

fn main() -> ExitCode {
    reference_server::main_entry(std::env::args().collect())
}
