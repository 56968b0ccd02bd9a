//! [`Suite`]: the whole harness behind one value, for other crates' tests
//! and tools. It loads scenarios, plans them for a subject, runs them and
//! returns the same [`RunOutcome`] the `conformance` command reports; with
//! [`Suite::libtest`] every scenario is a test of `cargo test`.

use crate::outcome::RunOutcome;
use crate::rules::Catalogue;
use crate::run::suite::{Lent, run_suite_lent};
use crate::run::{Silent, SuiteError, SuiteOptions};
use crate::scenario::load::LoadedScenario;
use crate::scenario::sources::{ScenarioSource, load_sources};
use crate::services::{DockerOptions, Services, ServicesMode};
use crate::subject::spec::{Launch, SubjectSpec};
use std::path::{Path, PathBuf};

/// Why a suite could not be run (its verdicts are in the [`RunOutcome`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The rules catalogue or a team's catalogue could not be read.
    #[error(transparent)]
    Catalogue(#[from] crate::rules::ExtraCatalogueError),
    /// The built-in catalogue is broken (a build of the harness is).
    #[error(transparent)]
    Builtin(#[from] crate::rules::CatalogueError),
    /// A scenario file is invalid, with its position.
    #[error(transparent)]
    Load(#[from] crate::scenario::load::LoadError),
    /// A subject profile is invalid, with its position.
    #[error("{0}")]
    Profile(crate::scenario::source_error::SourceError),
    /// No scenario is left after the filters.
    #[error("no scenario matches the filter {0:?}")]
    NothingSelected(Vec<String>),
    /// The run could not go ahead (services, the subject's start, a
    /// required browser).
    #[error(transparent)]
    Run(#[from] SuiteError),
    /// The reports could not be written.
    #[error("cannot write reports to {}: {source}", dir.display())]
    Reports {
        /// Where they were to go.
        dir: PathBuf,
        /// Why they could not.
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// What is tested.
///
/// ```
/// use conformance::Subject;
/// let started = Subject::command("./target/debug/my-backend").cwd("backend");
/// let running = Subject::url("https://staging.example").jwt_secret("s3cret");
/// ```
#[derive(Debug, Clone)]
pub struct Subject(SubjectSpec);

impl Subject {
    /// An implementation started from a shell command line: the harness
    /// controls it, so every rule applies.
    pub fn command(command_line: &str) -> Subject {
        Subject(SubjectSpec::Managed(Launch::command(command_line, None)))
    }

    /// The command's working directory (where its `.env` is read); with
    /// none, an empty temporary directory.
    #[must_use]
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Subject {
        if let SubjectSpec::Managed(launch) = &mut self.0 {
            let dir = dir.into();
            launch.sources = Some(crate::subject::sources::SourceTree::Dir(dir.clone()));
            launch.cwd = Some(dir);
        }
        self
    }

    /// An environment variable for a started command, set after those the
    /// harness hands it (`DATABASE_URL`, `JWT_SECRET`, `PORT`…): a name of
    /// theirs replaces the harness's value.
    #[must_use]
    pub fn env(mut self, name: &str, value: &str) -> Subject {
        if let SubjectSpec::Managed(launch) = &mut self.0 {
            launch.env.insert(name.to_owned(), value.to_owned());
        }
        self
    }

    /// The line the started command prints once it listens (it is ready
    /// when its port answers; the line only hurries that along).
    #[must_use]
    pub fn ready_line(mut self, line: &str) -> Subject {
        if let SubjectSpec::Managed(launch) = &mut self.0 {
            launch.ready_line = Some(line.to_owned());
        }
        self
    }

    /// A backend that is already running: the rules that need control of
    /// it are not applicable.
    pub fn url(backend_url: &str) -> Subject {
        Subject(SubjectSpec::Url {
            backend_url: backend_url.to_owned(),
            jwt_secret: None,
            allowed_origin: crate::subject::env::DEFAULT_ORIGIN.to_owned(),
        })
    }

    /// The running backend's `JWT_SECRET`, so that tokens can be forged.
    #[must_use]
    pub fn jwt_secret(mut self, secret: &str) -> Subject {
        if let SubjectSpec::Url { jwt_secret, .. } = &mut self.0 {
            *jwt_secret = Some(secret.to_owned());
        }
        self
    }

    /// The origin the running backend allows (`CORS_ORIGIN`).
    #[must_use]
    pub fn allowed_origin(mut self, origin: &str) -> Subject {
        if let SubjectSpec::Url { allowed_origin, .. } = &mut self.0 {
            *allowed_origin = origin.to_owned();
        }
        self
    }

    /// A subject profile file (`[backend]`, `[frontend]`, selectors…).
    /// `conformance` is the harness's binary, which a profile with
    /// `reference = true` needs to start the reference server; other
    /// profiles do not use it.
    pub fn profile(
        path: impl AsRef<Path>,
        conformance: impl Into<PathBuf>,
    ) -> Result<Subject, Error> {
        let path = path.as_ref();
        let profile = crate::subject::profile::load(path).map_err(Error::Profile)?;
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(Subject(profile.subject(conformance.into(), base)))
    }

    /// The reference implementation of this workspace with these fault
    /// switches, started from `conformance`, the harness's binary.
    pub fn reference(conformance: impl Into<PathBuf>, faults: &[&str]) -> Subject {
        let faults: Vec<String> = faults.iter().map(|f| (*f).to_owned()).collect();
        Subject(SubjectSpec::Managed(Launch::reference(
            conformance.into(),
            &faults,
        )))
    }

    /// What the harness makes of it.
    pub fn spec(&self) -> &SubjectSpec {
        &self.0
    }
}

impl From<SubjectSpec> for Subject {
    fn from(spec: SubjectSpec) -> Subject {
        Subject(spec)
    }
}

/// A suite to run: which scenarios, against what, and how.
///
/// ```no_run
/// use conformance::{Subject, Suite};
/// let outcome = Suite::builtin()
///     .subject(Subject::url("http://127.0.0.1:3000").jwt_secret("s3cret"))
///     .filter("TOK")
///     .run()?;
/// assert_eq!(outcome.exit_code(), 0, "{}", conformance::report::console::render(&outcome));
/// # Ok::<(), conformance::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Suite {
    sources: Vec<ScenarioSource>,
    catalogues: Vec<PathBuf>,
    filters: Vec<String>,
    only: Option<std::collections::BTreeMap<String, Option<Vec<String>>>>,
    report_dir: Option<PathBuf>,
    options: SuiteOptions,
}

impl Suite {
    /// The suite's own scenarios, against nothing yet ([`Suite::subject`]),
    /// with the command line's defaults.
    pub fn builtin() -> Suite {
        Suite {
            sources: vec![ScenarioSource::Builtin],
            catalogues: Vec::new(),
            filters: Vec::new(),
            only: None,
            report_dir: None,
            options: SuiteOptions {
                services: ServicesMode::Auto,
                docker: DockerOptions::default(),
                subject: SubjectSpec::Url {
                    backend_url: "http://localhost:3000".to_owned(),
                    jwt_secret: None,
                    allowed_origin: crate::subject::env::DEFAULT_ORIGIN.to_owned(),
                },
                strict: false,
                concurrency: 8,
                browser_lanes: crate::run::DEFAULT_BROWSER_LANES,
                require_browser: false,
                tls: crate::client::Tls::default(),
                artifacts: std::env::temp_dir().join("conformance-artifacts"),
            },
        }
    }

    /// How many browser scenarios run at once (at least one).
    #[must_use]
    pub fn browsers(mut self, lanes: usize) -> Suite {
        self.options.browser_lanes = lanes.max(1);
        self
    }

    /// Adds a directory of a team's own scenario files.
    #[must_use]
    pub fn scenarios(mut self, dir: impl Into<PathBuf>) -> Suite {
        self.sources.push(ScenarioSource::Dir(dir.into()));
        self
    }

    /// Adds a catalogue file of a team's own rules.
    #[must_use]
    pub fn catalogue(mut self, file: impl Into<PathBuf>) -> Suite {
        self.catalogues.push(file.into());
        self
    }

    /// What is tested.
    #[must_use]
    pub fn subject(mut self, subject: impl Into<Subject>) -> Suite {
        self.options.subject = subject.into().0;
        self
    }

    /// Only scenarios naming this rule ID or tag, or with this in their
    /// name (repeatable: any of them).
    #[must_use]
    pub fn filter(mut self, filter: impl Into<String>) -> Suite {
        self.filters.push(filter.into());
        self
    }

    /// Only the scenarios of exactly these names (after the filters).
    #[must_use]
    pub fn only(mut self, names: &[String]) -> Suite {
        self.only = Some(names.iter().map(|n| (n.clone(), None)).collect());
        self
    }

    /// Only these scenarios, and of a matrix scenario only the cases
    /// listed with it (`None`: all its cases).
    #[must_use]
    pub fn only_cases(
        mut self,
        selection: std::collections::BTreeMap<String, Option<Vec<String>>>,
    ) -> Suite {
        self.only = Some(selection);
        self
    }

    /// Whether SHOULD failures fail the run too.
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Suite {
        self.options.strict = strict;
        self
    }

    /// Where Postgres and Redis come from.
    #[must_use]
    pub fn services(mut self, mode: ServicesMode) -> Suite {
        self.options.services = mode;
        self
    }

    /// A missing browser is an error rather than making the browser
    /// scenarios not applicable.
    #[must_use]
    pub fn require_browser(mut self, required: bool) -> Suite {
        self.options.require_browser = required;
        self
    }

    /// How many scenarios without a browser run at once.
    #[must_use]
    pub fn concurrency(mut self, at_once: usize) -> Suite {
        self.options.concurrency = at_once.max(1);
        self
    }

    /// How a subject's TLS certificate is trusted (`https://` URLs).
    #[must_use]
    pub fn tls(mut self, tls: crate::client::Tls) -> Suite {
        self.options.tls = tls;
        self
    }

    /// Writes the run's reports (`junit.xml`, `report.json`, `summary.md`,
    /// `index.html`, HAR files) into `dir` after each run, as `conformance
    /// run --report-dir` does.
    #[must_use]
    pub fn report_dir(mut self, dir: impl Into<PathBuf>) -> Suite {
        let dir = dir.into();
        self.options.artifacts = dir.clone();
        self.report_dir = Some(dir);
        self
    }

    /// Where screenshots and HAR files of browser scenarios go.
    #[must_use]
    pub fn artifacts(mut self, dir: impl Into<PathBuf>) -> Suite {
        self.options.artifacts = dir.into();
        self
    }

    /// The options it runs with.
    pub fn options(&self) -> &SuiteOptions {
        &self.options
    }

    /// The catalogue and the selected scenarios.
    pub fn load(&self) -> Result<(Catalogue, Vec<LoadedScenario>), Error> {
        let mut catalogue = Catalogue::builtin()?;
        for file in &self.catalogues {
            catalogue.extend_from_file(file)?;
        }
        let scenarios = load_sources(&self.sources, &catalogue)?;
        let mut scenarios = crate::scenario::select::selected(scenarios, &self.filters);
        if let Some(only) = &self.only {
            scenarios.retain(|s| only.contains_key(&s.name));
            for s in &mut scenarios {
                if let Some(Some(cases)) = only.get(&s.name) {
                    let keep = |label: &String| s.selects_case(label) && cases.contains(label);
                    let kept: Vec<String> = cases.iter().filter(|l| keep(l)).cloned().collect();
                    s.selected_cases = Some(kept);
                }
            }
        }
        if scenarios.is_empty() {
            return Err(Error::NothingSelected(self.filters.clone()));
        }
        Ok((catalogue, scenarios))
    }

    /// Loads, plans and runs the suite, on `services` when given (else on
    /// services it starts and stops).
    pub async fn run_on(&self, services: Option<&Services>) -> Result<RunOutcome, Error> {
        let lent = Lent {
            services,
            browsers: None,
        };
        self.run_lent(lent).await
    }

    /// [`Suite::run_on`] with the services and browsers `lent` holds.
    pub(crate) async fn run_lent(&self, lent: Lent<'_>) -> Result<RunOutcome, Error> {
        let (catalogue, scenarios) = self.load()?;
        let plan =
            crate::plan::plan(&scenarios, self.options.capabilities()).map_err(SuiteError::from)?;
        let outcome = run_suite_lent(&plan, &catalogue, &self.options, lent, &Silent).await?;
        if let Some(dir) = &self.report_dir {
            crate::report::write_files(&outcome, None, dir).map_err(|source| Error::Reports {
                dir: dir.clone(),
                source,
            })?;
        }
        Ok(outcome)
    }

    /// Loads, plans and runs the suite, blocking the calling thread (on a
    /// runtime of its own): the outcome the `conformance` command reports.
    pub fn run(&self) -> Result<RunOutcome, Error> {
        tokio::runtime::Runtime::new()?.block_on(self.run_on(None))
    }
}
