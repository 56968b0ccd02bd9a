//! The `conformance` binary: everything it does is the library's
//! [`conformance::command`], so that unit tests reach all of it.

fn main() -> std::process::ExitCode {
    conformance::command::main()
}
