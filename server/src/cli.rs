//! The command line: `reference-server [--fault NAME]... [migrate]`.

use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

use crate::config::{self, Config};
use crate::faults::{Fault, FaultSet};

const USAGE: &str = "usage: reference-server [--fault NAME]... [migrate]";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Serve { faults: FaultSet },
    Migrate,
    Help,
}

/// The whole program, for `main.rs` and for a harness that re-executes
/// itself: `args[0]` is a program name and is ignored, whatever it is.
/// Exit codes: 0 after a clean shutdown, 1 when the server cannot start or
/// fails, 2 for a bad command line.
pub fn main_entry(args: Vec<String>) -> ExitCode {
    let command = match parse(args.iter().skip(1).map(String::as_str)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}\nrun with --help for more");
            return ExitCode::from(2);
        }
    };
    if command == Command::Help {
        println!("{}", help());
        return ExitCode::SUCCESS;
    }
    init_tracing();
    crate::memory::return_large_blocks_to_the_system();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match command {
        Command::Serve { faults } => match Config::from_env_with(faults) {
            Ok(config) => runtime
                .block_on(crate::run(config))
                .map_err(|err| err.to_string()),
            Err(err) => Err(err.to_string()),
        },
        Command::Migrate => match config::database_from_env() {
            Ok(database) => runtime
                .block_on(crate::migrate(database))
                .map_err(|err| err.to_string()),
            Err(err) => Err(err.to_string()),
        },
        Command::Help => Ok(()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse<'a>(mut args: impl Iterator<Item = &'a str>) -> Result<Command, String> {
    let mut faults = FaultSet::empty();
    let mut migrate = false;
    while let Some(arg) = args.next() {
        match arg {
            "-h" | "--help" => return Ok(Command::Help),
            "--fault" => {
                let name = args.next().ok_or("--fault needs a fault name")?;
                faults = faults.with(name.parse::<Fault>().map_err(|err| err.to_string())?);
            }
            "migrate" if !migrate => migrate = true,
            _ => match arg.strip_prefix("--fault=") {
                Some(name) => {
                    faults = faults.with(name.parse::<Fault>().map_err(|err| err.to_string())?);
                }
                None => return Err(format!("unexpected argument `{arg}`")),
            },
        }
    }
    match (migrate, faults.is_empty()) {
        (false, _) => Ok(Command::Serve { faults }),
        (true, true) => Ok(Command::Migrate),
        (true, false) => Err("`migrate` takes no --fault".to_owned()),
    }
}

fn help() -> String {
    let mut text = format!(
        "{USAGE}\n\n\
         The reference server of the Insight Garden contract.\n\n\
         Commands:\n  (none)     serve the API (applies migrations first)\n  \
         migrate    apply the database migrations and exit\n\n\
         Configuration comes from the environment and .env in the working directory:\n  \
         DATABASE_URL, JWT_SECRET (required); JWT_EXPIRES_IN, PORT, HOST, REDIS_HOST,\n  \
         REDIS_PORT, CORS_ORIGIN, STREAM_DELAY_MS, LOGIN_THROTTLE_MAX,\n  \
         LOGIN_THROTTLE_WINDOW_SECS, REFERENCE_FAULTS, RUST_LOG.\n\n\
         Faults (--fault NAME or REFERENCE_FAULTS=NAME,NAME), each breaking the rules named:\n"
    );
    for fault in Fault::ALL {
        text.push_str(&format!(
            "  {:<28}{}\n",
            fault.name(),
            fault.rules().join(", ")
        ));
    }
    text
}

/// Logs go to stderr; stdout carries only the banner. `RUST_LOG` overrides
/// the default level.
fn init_tracing() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // `try_init` fails only when a subscriber is already set, for instance
    // by a test harness running this in-process: that one is kept.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().copied())
    }

    #[test]
    fn no_argument_serves_without_faults() {
        assert_eq!(
            parse_all(&[]),
            Ok(Command::Serve {
                faults: FaultSet::empty()
            })
        );
    }

    #[test]
    fn faults_are_repeatable_in_both_spellings() {
        let expected = FaultSet::empty()
            .with(Fault::CorsWildcard)
            .with(Fault::StreamBuffered);
        assert_eq!(
            parse_all(&["--fault", "cors-wildcard", "--fault=stream-buffered"]),
            Ok(Command::Serve { faults: expected })
        );
    }

    #[test]
    fn an_unknown_fault_names_the_known_ones() {
        let err = parse_all(&["--fault", "nope"]).unwrap_err();
        assert!(
            err.contains("`nope`") && err.contains("no-query-token"),
            "{err}"
        );
        assert!(parse_all(&["--fault"]).is_err());
    }

    #[test]
    fn migrate_and_help_are_recognised() {
        assert_eq!(parse_all(&["migrate"]), Ok(Command::Migrate));
        assert_eq!(parse_all(&["--help"]), Ok(Command::Help));
        assert_eq!(parse_all(&["migrate", "-h"]), Ok(Command::Help));
    }

    #[test]
    fn anything_else_is_a_usage_error() {
        for args in [&["serve"][..], &["--port", "3000"], &["migrate", "migrate"]] {
            assert!(parse_all(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn help_lists_every_fault_with_its_rules() {
        let text = help();
        for fault in Fault::ALL {
            assert!(text.contains(fault.name()), "{}", fault.name());
        }
        assert!(text.contains("REG-2, REG-3, REG-4"));
    }
}
