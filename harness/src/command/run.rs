//! `run`: load, plan, run (as many times as `--repeat` says), report.

use super::load::{load, selected};
use super::progress;
use crate::cli::{RunArgs, ServicesArg, SubjectArg};
use crate::outcome::RunOutcome;
use crate::report;
use crate::run::suite::{SuiteOptions, run_suite};
use crate::services::ServicesMode;
use crate::subject::profile;
use crate::subject::spec::{Launch, SubjectSpec};
use anyhow::{Context, bail};
use std::path::PathBuf;

/// Whether the environment says this is a CI run (`CI=true` or `CI=1`):
/// a browser is then required.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The `conformance` binary, which starts the reference server.
fn this_binary() -> anyhow::Result<PathBuf> {
    std::env::current_exe()
        .context("cannot find the conformance binary to start the reference server")
}

fn subject(args: &RunArgs) -> anyhow::Result<SubjectSpec> {
    Ok(match &args.subject {
        SubjectArg::Profile(path) => {
            let profile = profile::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
            let base = path
                .parent()
                .map_or_else(|| PathBuf::from("."), PathBuf::from);
            profile.subject(this_binary()?, &base)
        }
        SubjectArg::Reference => {
            SubjectSpec::Managed(Launch::reference(this_binary()?, &args.reference_fault))
        }
        SubjectArg::Command => {
            let Some(cmd) = &args.subject_cmd else {
                bail!(
                    "--subject command needs --subject-cmd CMD\nusage: conformance run --subject command --subject-cmd CMD [--subject-cwd DIR]"
                );
            };
            SubjectSpec::Managed(Launch::command(cmd, args.subject_cwd.clone()))
        }
        SubjectArg::Url => {
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
    Ok(match args.services {
        ServicesArg::Auto => ServicesMode::Auto,
        ServicesArg::Docker => ServicesMode::Docker,
        ServicesArg::Local => ServicesMode::Local,
        ServicesArg::External => {
            let (Some(database_url), Some(redis_url)) = (&args.database_url, &args.redis_url)
            else {
                bail!(
                    "--services external needs --database-url URL and --redis-url URL\nusage: conformance run --services external --database-url URL --redis-url URL"
                );
            };
            ServicesMode::External {
                database_url: database_url.clone(),
                redis_url: redis_url.clone(),
            }
        }
    })
}

/// The suite's options from the command line.
pub(super) fn options(args: &RunArgs) -> anyhow::Result<SuiteOptions> {
    Ok(SuiteOptions {
        services: services(args)?,
        docker: args.docker.options(),
        subject: subject(args)?,
        strict: args.strict,
        concurrency: args.concurrency,
        browser_lanes: args.browsers,
        require_browser: args.require_browser || in_ci(),
        tls: crate::client::Tls {
            ca_cert: args.ca_cert.clone(),
            insecure: args.insecure,
        },
        artifacts: args
            .report_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("conformance-artifacts")),
    })
}

/// Runs the suite and reports; the exit code.
pub(super) fn run(args: RunArgs) -> anyhow::Result<u8> {
    let (_, scenarios, catalogue) = load(&args.scenarios)?;
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
    let options = options(&args)?;
    let plan = crate::plan::plan(&scenarios, options.capabilities())?;
    crate::process::install_interrupt_cleanup()?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let bar = progress::Bar::new(args.quiet);
    let mut runs = Vec::new();
    for _ in 0..args.repeat {
        runs.push(runtime.block_on(run_suite(&plan, &catalogue, &options, &bar))?);
    }
    bar.clear();
    let flakes = crate::repeat::flakes(&runs);
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
        print!("{}", crate::repeat::summary(&runs, &flakes));
    }
    // The worst run decides: a harness error (2) over a failure (1); a
    // flaky scenario fails the command too. With a baseline, a failure is
    // one that regressed or is new.
    let code = |r: &RunOutcome| match &baseline {
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
