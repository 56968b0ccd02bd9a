//! The command line: subcommands and their options, parsed with clap into
//! typed values (a subject kind, a services mode, fault names this binary
//! has), so that a bad argument is refused with a usage line before
//! anything starts.

use crate::services::{
    DEFAULT_DOCKER_DEADLINE, DEFAULT_POSTGRES_IMAGE, DEFAULT_REDIS_IMAGE, DOCKER_DEADLINE_ENV,
    DockerOptions, ImageRef, POSTGRES_IMAGE_ENV, REDIS_IMAGE_ENV,
};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Checks an implementation of the Insight Garden auth + SSE + infra contract.
#[derive(Debug, Parser)]
#[command(name = "conformance", version, about)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the scenarios against a subject and report per rule.
    Run(Box<RunArgs>),
    /// List the scenarios with their rules, level and tags.
    List(ScenarioArgs),
    /// Validate the scenario files without running anything.
    Check(ScenarioArgs),
    /// Show what `run` would do with the same options, without starting
    /// anything: each scenario, where it runs, and what is n/a and why.
    Plan(Box<RunArgs>),
    /// Show which scenarios cover which rule; fails when a rule has none.
    Rules(ScenarioArgs),
    /// Print the JSON Schema of the scenario file format (for editors), or write it.
    Schema {
        /// Write `scenario.schema.json` into this directory instead of printing it.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Put the report.json of several runs side by side: rules × subjects,
    /// as Markdown on stdout (with --out also compare.md and compare.html).
    Compare(CompareArgs),
    /// Measure a subject under load: /auth/me throughput, login cost, concurrent streams, memory.
    Bench(BenchArgs),
    /// Run the reference server of this workspace (used to start it as a subject).
    #[command(hide = true, name = "reference-server", disable_help_flag = true)]
    ReferenceServer {
        /// Arguments for the reference server.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Where the scenario files, and the rules they check, are.
#[derive(Debug, Args)]
pub(crate) struct ScenarioArgs {
    /// A directory of scenario files, or `builtin` for the suite's own (the
    /// default); repeatable: `--scenarios builtin --scenarios ours/` runs both.
    #[arg(long, value_name = "DIR|builtin")]
    pub(crate) scenarios: Vec<String>,
    /// A catalogue file of a team's own rules (`[[rule]]` with id, level,
    /// summary), checked by their scenarios beside the contract's; repeatable.
    #[arg(long, value_name = "FILE")]
    pub(crate) catalogue: Vec<PathBuf>,
}

/// What is tested (`--subject`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SubjectArg {
    /// The reference server of this workspace.
    Reference,
    /// Any implementation started from `--subject-cmd`.
    Command,
    /// A running backend at `--backend-url`.
    Url,
    /// A subject profile file.
    Profile(PathBuf),
}

impl std::str::FromStr for SubjectArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "reference" => Ok(SubjectArg::Reference),
            "command" => Ok(SubjectArg::Command),
            "url" => Ok(SubjectArg::Url),
            path if path.ends_with(".toml") => Ok(SubjectArg::Profile(PathBuf::from(path))),
            other => Err(format!(
                "{other:?} is not a subject: expected reference, command, url or a profile file (*.toml)"
            )),
        }
    }
}

/// Where Postgres and Redis come from (`--services`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ServicesArg {
    /// Docker containers when a daemon answers, else local processes.
    Auto,
    /// Docker containers; an error without a daemon.
    Docker,
    /// Throw-away local `postgres` and `redis-server` processes.
    Local,
    /// Servers that already run (`--database-url`, `--redis-url`); each
    /// subject's database is made in them and dropped when it ends.
    External,
}

/// The names of the reference server's fault switches, for clap.
fn fault_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(reference_server::faults::Fault::ALL.map(|f| f.name()))
}

/// Options of `run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The scenarios.
    #[command(flatten)]
    pub(crate) scenarios: ScenarioArgs,
    /// Only scenarios naming this rule ID, tag, or with this in their name (repeatable).
    #[arg(long, value_name = "RULE|TAG|NAME")]
    pub(crate) filter: Vec<String>,
    /// SHOULD failures fail the run too.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Write junit.xml, report.json and summary.md here.
    #[arg(long, value_name = "DIR")]
    pub(crate) report_dir: Option<PathBuf>,
    /// Judge the run against this earlier report.json: only what regressed
    /// (or newly fails) fails the run; known failures are reported, not fatal.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Where Postgres and Redis come from.
    #[arg(long, value_enum, default_value_t = ServicesArg::Auto)]
    pub(crate) services: ServicesArg,
    /// Admin Postgres URL for `--services external`.
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// Redis URL for `--services external`.
    #[arg(long, value_name = "URL")]
    pub(crate) redis_url: Option<String>,
    /// The images of Docker services.
    #[command(flatten)]
    pub(crate) docker: DockerArgs,
    /// What is tested: `reference`, `command` (with --subject-cmd), `url`
    /// (with --backend-url), or a subject profile file (`*.toml`).
    #[arg(
        long,
        default_value = "reference",
        value_name = "reference|command|url|PROFILE.toml"
    )]
    pub(crate) subject: SubjectArg,
    /// The command that starts the subject (with `--subject command`).
    #[arg(long, value_name = "CMD")]
    pub(crate) subject_cmd: Option<String>,
    /// The subject command's working directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) subject_cwd: Option<PathBuf>,
    /// The running backend (with `--subject url`).
    #[arg(long, value_name = "URL")]
    pub(crate) backend_url: Option<String>,
    /// The running backend's JWT_SECRET, to forge tokens (with `--subject url`).
    #[arg(long, value_name = "SECRET")]
    pub(crate) jwt_secret: Option<String>,
    /// A CA certificate (PEM) to trust for an `https://` subject behind a
    /// private CA, besides the platform's roots.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Accept any TLS certificate (a self-signed one): the run's header and
    /// report.json say so.
    #[arg(long)]
    pub insecure: bool,
    /// The origin the running backend allows (with `--subject url`).
    #[arg(long, value_name = "ORIGIN", default_value = "http://localhost:5173")]
    pub(crate) allowed_origin: String,
    /// Start the reference server with this fault switch (repeatable, or
    /// comma-separated in REFERENCE_FAULTS).
    #[arg(long, value_name = "NAME", env = "REFERENCE_FAULTS", value_delimiter = ',', value_parser = fault_names())]
    pub(crate) reference_fault: Vec<String>,
    /// A missing browser is an error (exit 2) rather than making the
    /// browser scenarios n/a; on when the environment says `CI=true`.
    #[arg(long)]
    pub(crate) require_browser: bool,
    /// How many scenarios without a browser run at once.
    #[arg(long, default_value_t = 8, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub(crate) concurrency: usize,
    /// How many browser scenarios run at once, each with its own browser.
    #[arg(long, default_value_t = crate::run::DEFAULT_BROWSER_LANES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub(crate) browsers: usize,
    /// Run the suite this many times and report scenarios whose verdict changed.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) repeat: u32,
    /// No progress bar.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Show the plan (as `conformance plan`) and start nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// Options of `compare`.
#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The report.json files written by `run --report-dir`, one column each, in order.
    #[arg(required = true, num_args = 2.., value_name = "REPORT.json")]
    pub(crate) reports: Vec<PathBuf>,
    /// The name of a column, in the reports' order (repeatable; default: the report's subject).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Vec<String>,
    /// Also write compare.md and compare.html (one self-contained page) here.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

/// Options of `bench`.
#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// Instead of the load figures: run the whole suite against the
    /// reference `--runs` times with its browser scenarios and as often
    /// without, and print min, median and max of each and the browser's share.
    #[arg(long, conflicts_with = "backend_url")]
    pub(crate) suite: bool,
    /// With `--suite`: how many runs of each kind.
    #[arg(long, requires = "suite", default_value_t = 5, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub(crate) runs: usize,
    /// With `--suite`: how many browser scenarios run at once.
    #[arg(long, requires = "suite", default_value_t = crate::run::DEFAULT_BROWSER_LANES, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub(crate) browsers: usize,
    /// Measure this running backend instead of starting the reference server.
    #[arg(long, value_name = "URL")]
    pub(crate) backend_url: Option<String>,
    /// Concurrent connections for the `GET /auth/me` load.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub(crate) connections: usize,
    /// How long the `GET /auth/me` load runs, in seconds.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub(crate) duration_secs: u64,
    /// How many chat streams to open at once, one round per value.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1000,10000",
        value_name = "N,N"
    )]
    pub(crate) streams: Vec<usize>,
    /// Streams opened once before the measured rounds and not counted, so
    /// that the first round is not the one that pays for the subject's and
    /// the load's first allocations (0: none).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub(crate) warmup_streams: usize,
    /// Print the note on debug builds even when this is a release build.
    #[arg(long)]
    pub(crate) release_hint: bool,
    /// `RUST_LOG` of a reference server the bench starts (`info` logs every request).
    #[arg(long, default_value = "warn", value_name = "FILTER")]
    pub(crate) subject_log: String,
    /// The images of Docker services (when the bench starts the reference).
    #[command(flatten)]
    pub(crate) docker: DockerArgs,
}

/// Which images Docker services use (`--services docker` or `auto`), for
/// registry mirrors and for images built locally (`.ci/docker-images`).
#[derive(Debug, Clone, Args)]
pub(crate) struct DockerArgs {
    /// The Postgres image (NAME:TAG); it must follow the official image's conventions.
    #[arg(long, value_name = "IMAGE", env = POSTGRES_IMAGE_ENV, default_value = DEFAULT_POSTGRES_IMAGE)]
    pub(crate) postgres_image: ImageRef,
    /// The Redis image (NAME:TAG).
    #[arg(long, value_name = "IMAGE", env = REDIS_IMAGE_ENV, default_value = DEFAULT_REDIS_IMAGE)]
    pub(crate) redis_image: ImageRef,
    /// How long pulling and starting both containers may take before `auto` falls back to local services (`docker` fails).
    #[arg(long, value_name = "SECS", env = DOCKER_DEADLINE_ENV, default_value_t = DEFAULT_DOCKER_DEADLINE.as_secs())]
    pub(crate) docker_timeout: u64,
}

impl DockerArgs {
    /// The options the services take.
    pub(crate) fn options(&self) -> DockerOptions {
        DockerOptions {
            postgres_image: self.postgres_image.clone(),
            redis_image: self.redis_image.clone(),
            deadline: std::time::Duration::from_secs(self.docker_timeout),
        }
    }
}
