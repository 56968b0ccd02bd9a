//! The `conformance` command: each subcommand in a file of its own under
//! `command/`, over the library's stages (load, plan, run, report). Exit
//! codes: 0 every applicable MUST passed, 1 a MUST failed or is blocked
//! (with `--baseline`: something regressed or newly fails), 2 usage,
//! scenario-file or environment error, or the harness broke.

mod catalogue;
mod compare;
mod load;
mod plan;
mod progress;
mod run;

use crate::cli::{Cli, Command};
use anyhow::Context;
use clap::Parser;
use std::process::ExitCode;

/// Parses the command line and runs the subcommand; the process's exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return refused(&e),
    };
    if let Command::ReferenceServer { args } = cli.command {
        let mut argv = vec!["reference-server".to_owned()];
        argv.extend(args);
        return reference_server::main_entry(argv);
    }
    match dispatch(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// A command line clap refused: its message, then the usage line of the
/// subcommand it was for, and exit code 2 (help and version exit 0).
fn refused(e: &clap::Error) -> ExitCode {
    use clap::CommandFactory;
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(if e.exit_code() == 0 { 0 } else { 2 });
    }
    let mut command = Cli::command();
    command.build();
    let name = std::env::args().nth(1).unwrap_or_default();
    let usage = match command.find_subcommand_mut(&name) {
        Some(sub) => sub.render_usage(),
        None => command.render_usage(),
    };
    let message = e.render().to_string();
    let message = message.trim_end();
    if message.contains("Usage:") {
        eprintln!("{message}");
    } else {
        eprintln!("{message}\n\n{usage}");
    }
    ExitCode::from(2)
}

fn dispatch(command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Check(args) => catalogue::check(&args),
        Command::List(args) => catalogue::list(&args),
        Command::Rules(args) => catalogue::rules(&args),
        Command::Schema { out } => catalogue::schema(out),
        Command::Plan(args) => plan::show(&args),
        Command::Run(args) if args.dry_run => plan::show(&args),
        Command::Run(args) => run::run(*args),
        Command::Compare(args) => compare::compare(&args),
        Command::Bench(args) if args.suite => crate::bench::suite::run(&args),
        Command::Bench(args) => tokio::runtime::Runtime::new()
            .context("cannot start the async runtime")?
            .block_on(crate::bench::entry::run_bench(&args)),
        Command::ReferenceServer { .. } => Ok(0),
    }
}
