//! The `conformance` command: parse the command line, load scenarios, run
//! them, print and write reports. Exit codes: 0 every applicable MUST
//! passed, 1 a MUST failed or is blocked (with `--baseline`: something
//! regressed or newly fails), 2 usage, scenario-file or environment error,
//! or the harness broke.

use anyhow::{Context, bail};
use clap::Parser;
use conformance::cli::{Cli, Command, CompareArgs, RunArgs, ScenarioArgs, SubjectKind};
use conformance::report;
use conformance::rules::Catalogue;
use conformance::run::suite::{SuiteOptions, run_suite};
use conformance::scenario::load::LoadedScenario;
use conformance::scenario::sources::{ScenarioSource, load_sources};
use conformance::services::ServicesMode;
use conformance::subject::profile;
use conformance::subject::spec::{Launch, SubjectSpec};
use std::path::PathBuf;
use std::process::ExitCode;

mod progress;

fn main() -> ExitCode {
    let cli = Cli::parse();
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

fn dispatch(command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Check(args) => {
            let (sources, scenarios, _) = load(&args)?;
            println!(
                "{} scenario files in {} are valid",
                scenarios.len(),
                sources
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(0)
        }
        Command::List(args) => {
            let (_, scenarios, _) = load(&args)?;
            for s in &scenarios {
                println!(
                    "{:<40} {:<6} {:<22} {}",
                    s.name,
                    s.level.to_string(),
                    s.scenario.rules.join(","),
                    s.scenario.tags.join(",")
                );
            }
            Ok(0)
        }
        Command::Rules(args) => {
            let (_, scenarios, catalogue) = load(&args)?;
            let mut uncovered = Vec::new();
            for rule in catalogue.rules() {
                let names: Vec<&str> = scenarios
                    .iter()
                    .filter(|s| s.scenario.rules.contains(&rule.id))
                    .map(|s| s.name.as_str())
                    .collect();
                if names.is_empty() {
                    uncovered.push(rule.id.as_str());
                }
                let shown = if names.is_empty() {
                    "(no scenario)".to_owned()
                } else {
                    names.join(", ")
                };
                println!("{:<7} {:<6} {}", rule.id, rule.level.to_string(), shown);
            }
            if uncovered.is_empty() {
                Ok(0)
            } else {
                eprintln!("error: rules without a scenario: {}", uncovered.join(", "));
                Ok(1)
            }
        }
        Command::Schema { out } => {
            use conformance::scenario::schema;
            match out {
                Some(dir) => {
                    for write in [schema::write_scenario_schema, schema::write_profile_schema] {
                        let path = write(&dir).with_context(|| {
                            format!("cannot write the schema to {}", dir.display())
                        })?;
                        println!("wrote {}", path.display());
                    }
                }
                None => print!("{}", schema::scenario_schema_text()),
            }
            Ok(0)
        }
        Command::Run(args) => run(*args),
        Command::Compare(args) => compare(&args),
        Command::Bench(args) => tokio::runtime::Runtime::new()
            .context("cannot start the async runtime")?
            .block_on(conformance::bench::entry::run_bench(&args)),
        Command::ReferenceServer { .. } => Ok(0),
    }
}

fn compare(args: &CompareArgs) -> anyhow::Result<u8> {
    let reports = args
        .reports
        .iter()
        .map(|p| report::stored::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let names = report::compare::names(&args.reports, &reports, &args.name)?;
    let matrix = report::compare::matrix(names, &reports);
    print!("{}", report::compare::markdown(&matrix));
    if let Some(dir) = &args.out {
        let written = report::compare::write_files(&matrix, dir)
            .with_context(|| format!("cannot write to {}", dir.display()))?;
        for path in written {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(0)
}

/// The sources, the scenarios and the catalogue (the contract's rules and
/// any team's own) that `args` name.
fn load(
    args: &ScenarioArgs,
) -> anyhow::Result<(Vec<ScenarioSource>, Vec<LoadedScenario>, Catalogue)> {
    let mut catalogue = Catalogue::builtin()?;
    for file in &args.catalogue {
        catalogue.extend_from_file(file)?;
    }
    let sources: Vec<ScenarioSource> = if args.scenarios.is_empty() {
        vec![ScenarioSource::Builtin]
    } else {
        args.scenarios
            .iter()
            .map(|arg| ScenarioSource::parse(arg))
            .collect()
    };
    let scenarios = load_sources(&sources, &catalogue)?;
    Ok((sources, scenarios, catalogue))
}

fn subject(args: &RunArgs) -> anyhow::Result<SubjectSpec> {
    let kind = match args.subject.as_str() {
        "reference" => SubjectKind::Reference,
        "command" => SubjectKind::Command,
        "url" => SubjectKind::Url,
        path if path.ends_with(".toml") => {
            let path = PathBuf::from(path);
            let profile = profile::load(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
            let program = std::env::current_exe()
                .context("cannot find the conformance binary to start the reference server")?;
            let base = path
                .parent()
                .map_or_else(|| PathBuf::from("."), PathBuf::from);
            return Ok(SubjectSpec::Managed(profile.launch(program, &base)));
        }
        other => bail!(
            "unknown subject {other:?}: expected reference, command, url or a profile file (*.toml)\nusage: conformance run --subject reference|command|url|PROFILE.toml"
        ),
    };
    Ok(match kind {
        SubjectKind::Reference => {
            let mut faults: Vec<String> = std::env::var("REFERENCE_FAULTS")
                .unwrap_or_default()
                .split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect();
            faults.extend(args.reference_fault.iter().cloned());
            let program = std::env::current_exe()
                .context("cannot find the conformance binary to start the reference server")?;
            SubjectSpec::Managed(Launch::reference(program, &faults))
        }
        SubjectKind::Command => {
            let Some(cmd) = &args.subject_cmd else {
                bail!(
                    "--subject command needs --subject-cmd CMD\nusage: conformance run --subject command --subject-cmd CMD [--subject-cwd DIR]"
                );
            };
            SubjectSpec::Managed(Launch::command(cmd, args.subject_cwd.clone()))
        }
        SubjectKind::Url => {
            let Some(url) = &args.backend_url else {
                bail!(
                    "--subject url needs --backend-url URL\nusage: conformance run --subject url --backend-url URL [--jwt-secret SECRET]"
                );
            };
            SubjectSpec::Url {
                backend_url: url.clone(),
                jwt_secret: args.jwt_secret.clone(),
                allowed_origin: args.allowed_origin.clone(),
            }
        }
    })
}

fn services(args: &RunArgs) -> anyhow::Result<ServicesMode> {
    let mode: ServicesMode = args.services.parse()?;
    Ok(match mode {
        ServicesMode::External { .. } => {
            let (Some(database_url), Some(redis_url)) = (&args.database_url, &args.redis_url)
            else {
                bail!("--services external needs --database-url URL and --redis-url URL");
            };
            ServicesMode::External {
                database_url: database_url.clone(),
                redis_url: redis_url.clone(),
            }
        }
        other => other,
    })
}

fn selected(scenarios: Vec<LoadedScenario>, filters: &[String]) -> Vec<LoadedScenario> {
    if filters.is_empty() {
        return scenarios;
    }
    scenarios
        .into_iter()
        .filter(|s| {
            filters.iter().any(|f| {
                s.scenario.rules.iter().any(|r| r.eq_ignore_ascii_case(f))
                    || s.scenario.tags.iter().any(|t| t.eq_ignore_ascii_case(f))
                    || s.name.contains(f.as_str())
            })
        })
        .collect()
}

fn run(args: RunArgs) -> anyhow::Result<u8> {
    let (_, scenarios, catalogue) = load(&args.scenarios)?;
    let catalogue = &catalogue;
    let scenarios = selected(scenarios, &args.filter);
    if scenarios.is_empty() {
        bail!("no scenario matches the filter {:?}", args.filter);
    }
    // Read before the run: a baseline that cannot be used stops it at once.
    let baseline = args
        .baseline
        .as_deref()
        .map(report::stored::load)
        .transpose()
        .context("cannot use the baseline")?;
    let options = SuiteOptions {
        services: services(&args)?,
        docker: args.docker.options(),
        subject: subject(&args)?,
        strict: args.strict,
        concurrency: args.concurrency,
        browser_lanes: args.browsers,
        artifacts: args
            .report_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("conformance-artifacts")),
    };
    conformance::process::install_interrupt_cleanup()?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let bar = progress::Bar::new(args.quiet);
    let mut runs = Vec::new();
    for _ in 0..args.repeat {
        runs.push(runtime.block_on(run_suite(&scenarios, catalogue, &options, &bar))?);
    }
    bar.clear();
    let flakes = conformance::repeat::flakes(&runs);
    let Some(outcome) = runs.last() else {
        bail!("no run happened");
    };
    let comparison = baseline
        .as_ref()
        .map(|b| report::baseline::compare(b, outcome));
    print!("{}", report::console::render(outcome));
    if let Some(cmp) = &comparison {
        print!(
            "{}",
            report::baseline_text::console(cmp, cmp.exit_code(outcome))
        );
    }
    if let Some(dir) = &args.report_dir {
        report::write_files(outcome, comparison.as_ref(), dir)
            .with_context(|| format!("cannot write reports to {}", dir.display()))?;
        println!("reports: {}", dir.display());
    }
    if let Ok(summary) = std::env::var("GITHUB_STEP_SUMMARY") {
        let _ = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(summary)
            .and_then(|mut f| {
                std::io::Write::write_all(
                    &mut f,
                    report::markdown::render_with(outcome, comparison.as_ref()).as_bytes(),
                )
            });
    }
    if runs.len() > 1 {
        print!("{}", conformance::repeat::summary(&runs, &flakes));
    }
    // The worst run decides: a harness error (2) over a failure (1); a
    // flaky scenario fails the command too. With a baseline, a failure is
    // one that regressed or is new.
    let code = |r: &conformance::outcome::RunOutcome| match &baseline {
        Some(b) => report::baseline::compare(b, r).exit_code(r),
        None => r.exit_code(),
    };
    let worst = runs
        .iter()
        .map(|r| u8::try_from(code(r)).unwrap_or(2))
        .max()
        .unwrap_or(0);
    Ok(worst.max(u8::from(!flakes.is_empty())))
}
