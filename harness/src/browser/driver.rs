//! Finding and starting chromedriver and Chromium. The driver starts once
//! per run; each browser lane gets a browser with a fresh profile (see
//! [`super::pool`]).

use crate::process::{ChildProcess, GuardedTempDir, ProcessError};
use crate::services::free_port;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The flags headless Chromium needs on a CI machine, as root, offline.
pub(crate) const CHROME_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--window-size=1200,900",
];

/// Why the browser could not be provided.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BrowserError {
    /// chromedriver or Chromium is not installed.
    #[error(
        "{what} not found (looked for {looked}): install the Debian packages `chromium chromium-driver` \
         (Ubuntu: `chromium-browser chromium-chromedriver`, or Google Chrome and chromedriver), \
         or set {variable} to its path"
    )]
    Missing {
        /// chromedriver or Chromium.
        what: &'static str,
        /// Where the harness looked.
        looked: String,
        /// The variable that names it.
        variable: &'static str,
    },
    /// chromedriver did not start.
    #[error("chromedriver did not start: {0}")]
    Driver(#[from] ProcessError),
    /// No free port.
    #[error("no free port for chromedriver: {0}")]
    Port(#[from] crate::services::ServicesError),
    /// A WebDriver session could not be created or used.
    #[error("webdriver: {0}")]
    WebDriver(String),
}

/// A running chromedriver and the Chromium binary it drives.
#[derive(Debug)]
pub(crate) struct Driver {
    /// Held for the run: chromedriver stops when the driver drops.
    process: ChildProcess,
    /// chromedriver's and its browsers' `TMPDIR`, removed once chromedriver
    /// has stopped (fields drop in order): a browser killed rather than
    /// closed (its driver died, or a run was interrupted) leaves its
    /// `org.chromium.Chromium.*` directories there, not in `/tmp`.
    _tmp: GuardedTempDir,
    /// chromedriver's URL.
    pub(crate) url: String,
    /// The Chromium binary.
    pub(crate) chrome: PathBuf,
}

fn find(variable: &'static str, names: &[&str], extra_dirs: &[PathBuf]) -> Result<PathBuf, String> {
    if let Ok(path) = std::env::var(variable)
        && !path.is_empty()
    {
        let path = PathBuf::from(path);
        let candidate = if path.is_dir() {
            path.join(names[0])
        } else {
            path
        };
        return if candidate.is_file() {
            Ok(candidate)
        } else {
            Err(format!("${variable}={}", candidate.display()))
        };
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(extra_dirs.iter().cloned());
    for name in names {
        for dir in &dirs {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(format!("{} on PATH and in ${variable}", names.join(", ")))
}

/// The two programs a browser scenario needs, found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binaries {
    /// chromedriver.
    pub(crate) chromedriver: PathBuf,
    /// Chromium or Chrome.
    pub(crate) chrome: PathBuf,
}

impl Binaries {
    /// Finds chromedriver (`CHROMEDRIVER`, `$CHROMEWEBDRIVER`, PATH) and
    /// Chromium (`CHROME`, PATH); nothing is started.
    pub(crate) fn find() -> Result<Binaries, BrowserError> {
        let mut driver_dirs = Vec::new();
        if let Some(dir) = std::env::var_os("CHROMEWEBDRIVER") {
            driver_dirs.push(PathBuf::from(dir));
        }
        let chromedriver =
            find("CHROMEDRIVER", &["chromedriver"], &driver_dirs).map_err(|looked| {
                BrowserError::Missing {
                    what: "chromedriver",
                    looked,
                    variable: "CHROMEDRIVER",
                }
            })?;
        let chrome = find(
            "CHROME",
            &[
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ],
            &[],
        )
        .map_err(|looked| BrowserError::Missing {
            what: "Chromium",
            looked,
            variable: "CHROME",
        })?;
        Ok(Binaries {
            chromedriver,
            chrome,
        })
    }
}

impl Driver {
    /// Finds chromedriver and Chromium ([`Binaries::find`]) and starts
    /// chromedriver on a free port.
    pub(crate) async fn start() -> Result<Driver, BrowserError> {
        let Binaries {
            chromedriver,
            chrome,
        } = Binaries::find()?;
        let port = free_port()?;
        let mut command = Command::new(&chromedriver);
        let tmp = GuardedTempDir::new("conformance-chromedriver-")?;
        command
            .arg(format!("--port={port}"))
            .env("TMPDIR", tmp.path());
        let process = ChildProcess::spawn("chromedriver", command)?;
        process
            .wait_for_line("was started successfully", Duration::from_secs(20))
            .await?;
        Ok(Driver {
            process,
            _tmp: tmp,
            url: format!("http://127.0.0.1:{port}"),
            chrome,
        })
    }

    /// How chromedriver ended, or `None` while it runs.
    pub(crate) fn exited(&self) -> Option<std::process::ExitStatus> {
        self.process.try_exit_status()
    }
}
