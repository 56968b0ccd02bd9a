//! What must not outlive the run even on Ctrl-C: a process-wide registry of
//! live process groups, temp directories and other cleanup actions, and the
//! signal handler that empties it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use super::error::ProcessError;

/// Exit code after an interrupt, as shells report a SIGINT death.
const INTERRUPTED_EXIT_CODE: i32 = 130;
/// How long the interrupt handler waits for killed groups to disappear
/// before it removes directories they may still use.
const GROUP_EXIT_WAIT: Duration = Duration::from_millis(500);

type Action = Arc<dyn Fn() + Send + Sync>;

struct Registry {
    groups: BTreeSet<i32>,
    dirs: BTreeSet<PathBuf>,
    actions: BTreeMap<u64, Action>,
    next_action: u64,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    groups: BTreeSet::new(),
    dirs: BTreeSet::new(),
    actions: BTreeMap::new(),
    next_action: 0,
});

static INSTALLED: Mutex<bool> = Mutex::new(false);

/// The registry stays usable after a panic elsewhere: poisoning is ignored.
fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) fn register_group(pgid: i32) {
    registry().groups.insert(pgid);
}

pub(super) fn unregister_group(pgid: i32) {
    registry().groups.remove(&pgid);
}

/// A temporary directory that is removed when the guard drops, and also by
/// the interrupt handler, so Ctrl-C leaves no directory behind.
#[derive(Debug)]
pub struct GuardedTempDir {
    dir: tempfile::TempDir,
}

impl GuardedTempDir {
    /// Creates a fresh directory under the system temp dir, named
    /// `<prefix>XXXXXX`, readable only by its owner.
    pub fn new(prefix: &str) -> Result<Self, ProcessError> {
        Self::new_in(&std::env::temp_dir(), prefix)
    }

    /// Creates a fresh directory under `parent`, named `<prefix>XXXXXX`,
    /// readable only by its owner.
    pub fn new_in(parent: &Path, prefix: &str) -> Result<Self, ProcessError> {
        let dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(parent)
            .map_err(|source| ProcessError::Os {
                what: format!("could not create a temp directory in {}", parent.display()),
                source,
            })?;
        registry().dirs.insert(dir.path().to_path_buf());
        Ok(Self { dir })
    }

    /// Where the directory is.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for GuardedTempDir {
    fn drop(&mut self) {
        registry().dirs.remove(self.dir.path());
        // `TempDir`'s own drop removes the directory right after this.
    }
}

/// Keeps a cleanup action registered with the interrupt handler; dropping it
/// unregisters the action (the owner has cleaned up normally).
#[derive(Debug)]
pub struct CleanupRegistration {
    id: u64,
}

impl Drop for CleanupRegistration {
    fn drop(&mut self) {
        registry().actions.remove(&self.id);
    }
}

/// Registers an action the interrupt handler runs before exiting, for
/// resources that are neither processes nor directories (e.g. a container).
/// It runs on the handler's thread, so it must block, not await, and with
/// the registry locked, so it must not start processes, create guarded
/// directories or register actions.
pub fn register_cleanup(action: impl Fn() + Send + Sync + 'static) -> CleanupRegistration {
    let mut registry = registry();
    let id = registry.next_action;
    registry.next_action += 1;
    registry.actions.insert(id, Arc::new(action));
    CleanupRegistration { id }
}

/// Installs SIGINT/SIGTERM handling for the whole process: on either signal,
/// kill every registered process group, run the registered actions, remove
/// the registered temp directories and exit with code 130. Call it once,
/// early, from the binary; later calls do nothing.
pub fn install_interrupt_cleanup() -> Result<(), ProcessError> {
    let mut installed = INSTALLED.lock().unwrap_or_else(|p| p.into_inner());
    if *installed {
        return Ok(());
    }
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
    std::thread::Builder::new()
        .name("interrupt-cleanup".to_owned())
        .spawn(move || {
            if wait_for_interrupt(&ready_tx) {
                // The registry stays locked until the exit: the main thread,
                // which sees its children die, blocks at its next guard
                // instead of reporting the failures this causes and exiting
                // with its own code first.
                let registry = registry();
                clean_up(&registry);
                std::process::exit(INTERRUPTED_EXIT_CODE);
            }
        })
        .map_err(|source| ProcessError::Os {
            what: "could not start the interrupt handler thread".to_owned(),
            source,
        })?;
    let ready = ready_rx.recv().unwrap_or_else(|_| {
        Err(std::io::Error::other(
            "the interrupt handler thread ended early",
        ))
    });
    ready.map_err(|source| ProcessError::Os {
        what: "could not install the SIGINT/SIGTERM handler".to_owned(),
        source,
    })?;
    *installed = true;
    Ok(())
}

/// Runs on the handler thread with its own small runtime, so it works
/// whatever the main runtime is doing. Returns true once a signal arrived.
fn wait_for_interrupt(ready: &std::sync::mpsc::Sender<std::io::Result<()>>) -> bool {
    use tokio::signal::unix::{SignalKind, signal};

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = ready.send(Err(error));
            return false;
        }
    };
    runtime.block_on(async {
        let streams = signal(SignalKind::interrupt())
            .and_then(|int| Ok((int, signal(SignalKind::terminate())?)));
        match streams {
            Ok((mut interrupt, mut terminate)) => {
                let _ = ready.send(Ok(()));
                tokio::select! {
                    _ = interrupt.recv() => true,
                    _ = terminate.recv() => true,
                }
            }
            Err(error) => {
                let _ = ready.send(Err(error));
                false
            }
        }
    })
}

/// What the interrupt handler does, without exiting: SIGKILL every
/// registered process group, wait briefly for them to go, run the registered
/// actions and remove the registered temp directories.
pub fn run_interrupt_cleanup() {
    clean_up(&registry());
}

fn clean_up(registry: &Registry) {
    let Registry {
        groups,
        dirs,
        actions,
        ..
    } = registry;
    for &group in groups {
        let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
    }
    let deadline = Instant::now() + GROUP_EXIT_WAIT;
    for &group in groups {
        // A zombie still counts as a member; the leaders are reaped by their
        // watcher threads, so this usually ends at once. Bounded either way.
        while killpg(Pid::from_raw(group), None) != Err(Errno::ESRCH) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    for action in actions.values() {
        action();
    }
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}
