//! Throw-away local `postgres` and `redis-server` processes on free ports in
//! temp directories, for machines without Docker.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::Signal;
use tokio::time::Instant;

use super::endpoint::{PostgresEndpoint, RedisEndpoint, postgres_version, redis_version};
use super::error::ServicesError;
use super::free_port::free_port;
use super::settings::{INITDB_ARGS, REDIS_ARGS, postgres_setting_args};
use crate::process::{
    ChildProcess, CleanupRegistration, GuardedTempDir, ProcessError, RunAs, register_cleanup,
};

/// `initdb` takes under a second here; slow disks get more room.
const INITDB_TIMEOUT: Duration = Duration::from_secs(60);
/// From spawn to a successful `SELECT 1` / `PING`.
const READY_TIMEOUT: Duration = Duration::from_secs(15);
/// How often a start is retried when another process took the free port.
const PORT_ATTEMPTS: usize = 3;
/// Free space `/dev/shm` needs before the cluster (~40 MB, plus ~8 MB per
/// database) is put there.
const MEMORY_DIR_MIN_FREE: u128 = 1 << 30;
/// Time Postgres gets to shut down after SIGQUIT (immediate shutdown, which
/// also releases its shared memory) before the guard's SIGKILL.
const POSTGRES_QUIT_GRACE: Duration = Duration::from_secs(1);

/// A running local Postgres. Dropping it stops the server, then removes its
/// directory (fields drop in declaration order: the process first).
pub(super) struct LocalPostgres {
    process: ChildProcess,
    dir: GuardedTempDir,
    _interlock: CleanupRegistration,
    pub(super) endpoint: PostgresEndpoint,
    pub(super) version: String,
}

impl Drop for LocalPostgres {
    fn drop(&mut self) {
        self.process
            .stop_blocking(Signal::SIGQUIT, POSTGRES_QUIT_GRACE);
    }
}

/// A running local Redis; dropping it kills the server, then removes its
/// directory.
pub(super) struct LocalRedis {
    process: ChildProcess,
    dir: GuardedTempDir,
    pub(super) endpoint: RedisEndpoint,
    pub(super) version: String,
}

/// Local Postgres and Redis, owned together.
pub(super) struct LocalServices {
    pub(super) postgres: LocalPostgres,
    pub(super) redis: LocalRedis,
}

impl LocalServices {
    /// The process ids of both servers.
    pub(super) fn pids(&self) -> Vec<u32> {
        vec![self.postgres.process.pid(), self.redis.process.pid()]
    }

    /// The directories the servers use.
    pub(super) fn dirs(&self) -> Vec<PathBuf> {
        vec![
            self.postgres.dir.path().to_path_buf(),
            self.redis.dir.path().to_path_buf(),
        ]
    }
}

/// Starts Postgres and Redis concurrently; fails before starting anything if
/// a program is missing.
pub(super) async fn start() -> Result<LocalServices, ServicesError> {
    let postgres_bin = find_postgres()?;
    let redis_bin = find_program_in_path("redis-server", "redis-server")?;
    let (postgres, redis) =
        tokio::try_join!(start_postgres(&postgres_bin), start_redis(&redis_bin))?;
    Ok(LocalServices { postgres, redis })
}

async fn start_postgres(bin: &Path) -> Result<LocalPostgres, ServicesError> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let run_as = RunAs::system_user_if_root("postgres")
        .map_err(ServicesError::process("postgres refuses to run as root"))?;
    let dir = GuardedTempDir::new_in(&postgres_parent_dir(), "conformance-postgres-").map_err(
        ServicesError::process("could not prepare a Postgres directory"),
    )?;
    if let Some(user) = &run_as {
        user.chown(dir.path()).map_err(ServicesError::process(
            "could not prepare a Postgres directory",
        ))?;
    }
    let data = dir.path().join("data");
    let mut initdb = postgres_command(&bin.join("initdb"), dir.path(), run_as.as_ref());
    initdb
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust"])
        .args(INITDB_ARGS);
    ChildProcess::spawn("initdb", initdb)
        .map_err(ServicesError::process("could not run initdb"))?
        .wait_success(INITDB_TIMEOUT)
        .await
        .map_err(ServicesError::process("initdb failed"))?;

    let mut attempt = 0;
    let (process, port) = loop {
        attempt += 1;
        let port = free_port()?;
        let mut server = postgres_command(&bin.join("postgres"), dir.path(), run_as.as_ref());
        server
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(postgres_setting_args());
        let process = ChildProcess::spawn("postgres", server)
            .map_err(ServicesError::process("could not start postgres"))?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        match process
            .wait_for_line("ready to accept connections", remaining)
            .await
        {
            Ok(_) => break (process, port),
            Err(ProcessError::Exited { .. })
                if attempt < PORT_ATTEMPTS && process.output().contains("already in use") => {}
            Err(error) => return Err(ServicesError::process("postgres did not start")(error)),
        }
    };
    let endpoint = PostgresEndpoint {
        host: "127.0.0.1".to_owned(),
        port,
        user: "postgres".to_owned(),
        password: "postgres".to_owned(),
    };
    let remaining = deadline.saturating_duration_since(Instant::now());
    let version = postgres_version(&endpoint, "postgres", remaining).await?;
    // The interrupt handler runs this after its SIGKILL, maybe after the
    // directory is gone: the segment is read now.
    let segment = interlock_segment(&data);
    let interlock =
        register_cleanup(move || segment.into_iter().for_each(remove_interlock_segment));
    Ok(LocalPostgres {
        process,
        dir,
        _interlock: interlock,
        endpoint,
        version,
    })
}

/// The key and id of the System V shared memory segment that Postgres keeps
/// as an interlock: line 7 of `postmaster.pid`, written before it is ready.
fn interlock_segment(data: &Path) -> Option<(i64, i64)> {
    let pid_file = std::fs::read_to_string(data.join("postmaster.pid")).ok()?;
    let line = pid_file.lines().nth(6)?;
    let mut numbers = line.split_whitespace().map(str::parse::<i64>);
    Some((numbers.next()?.ok()?, numbers.next()?.ok()?))
}

/// Removes the interlock segment, which a SIGKILL (the interrupt handler's)
/// leaves behind; a Postgres stopped by [`LocalPostgres`]'s drop removes it
/// itself. Only a segment that still has this key and id is removed, and
/// the kernel destroys it once the last backend still attached (backends
/// are not in the killed group; they exit when they notice) has gone.
fn remove_interlock_segment((key, id): (i64, i64)) {
    let segments = std::fs::read_to_string("/proc/sysvipc/shm").unwrap_or_default();
    let ours = segments.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // `key_t` is a C int: the pid file prints it unsigned, /proc signed.
        let same_key = fields
            .first()
            .and_then(|k| k.parse::<i64>().ok())
            .is_some_and(|k| k as i32 == key as i32);
        same_key && fields.get(1) == Some(&id.to_string().as_str())
    });
    if let (true, Ok(id)) = (ours, i32::try_from(id)) {
        // SAFETY: IPC_RMID reads no buffer (null is allowed) and touches no
        // memory of this process; it only removes the segment `id`.
        unsafe { nix::libc::shmctl(id, nix::libc::IPC_RMID, std::ptr::null_mut()) };
    }
}

/// Where the cluster goes: `/dev/shm` when it is a memory file system with
/// room to spare, because `CREATE DATABASE` there takes ~10 ms instead of
/// ~250 ms on a disk; else the system temp dir. Nothing needs to survive.
fn postgres_parent_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let roomy = nix::sys::statvfs::statvfs(shm).is_ok_and(|stats| {
        let free = u128::from(stats.blocks_available()) * u128::from(stats.fragment_size());
        free >= MEMORY_DIR_MIN_FREE
            && !stats
                .flags()
                .contains(nix::sys::statvfs::FsFlags::ST_RDONLY)
    });
    if roomy {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// `initdb` and `postgres` refuse root: as root they run as `run_as`, from
/// their own directory (the current one may be unreadable for that user).
fn postgres_command(program: &Path, dir: &Path, run_as: Option<&RunAs>) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(dir)
        .env("LC_ALL", "C")
        .env_remove("PGDATA");
    if let Some(user) = run_as {
        user.apply(&mut command);
    }
    command
}

async fn start_redis(bin: &Path) -> Result<LocalRedis, ServicesError> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let dir = GuardedTempDir::new("conformance-redis-").map_err(ServicesError::process(
        "could not prepare a Redis directory",
    ))?;
    let mut attempt = 0;
    let (process, port) = loop {
        attempt += 1;
        let port = free_port()?;
        let mut server = Command::new(bin);
        server
            .current_dir(dir.path())
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(REDIS_ARGS)
            .arg("--dir")
            .arg(dir.path());
        let process = ChildProcess::spawn("redis-server", server)
            .map_err(ServicesError::process("could not start redis-server"))?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        match process
            .wait_for_line("Ready to accept connections", remaining)
            .await
        {
            Ok(_) => break (process, port),
            Err(ProcessError::Exited { .. })
                if attempt < PORT_ATTEMPTS && process.output().contains("already in use") => {}
            Err(error) => return Err(ServicesError::process("redis-server did not start")(error)),
        }
    };
    let endpoint = RedisEndpoint::new("127.0.0.1", port);
    let remaining = deadline.saturating_duration_since(Instant::now());
    let version = redis_version(&endpoint, remaining).await?;
    Ok(LocalRedis {
        process,
        dir,
        endpoint,
        version,
    })
}

/// The directory holding both `initdb` and `postgres`: one on `PATH`, else
/// the highest version under `/usr/lib/postgresql/*/bin` (Debian), else
/// `/usr/local/pgsql/bin` (a source build).
fn find_postgres() -> Result<PathBuf, ServicesError> {
    let mut candidates = path_dirs();
    let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    candidates.extend(versioned.into_iter().map(|(_, dir)| dir));
    candidates.push(PathBuf::from("/usr/local/pgsql/bin"));
    candidates
        .into_iter()
        .find(|dir| is_executable(&dir.join("initdb")) && is_executable(&dir.join("postgres")))
        .ok_or_else(|| ServicesError::MissingBinary {
            program: "initdb and postgres".to_owned(),
            package: "postgresql".to_owned(),
            searched: "PATH, /usr/lib/postgresql/*/bin and /usr/local/pgsql/bin".to_owned(),
        })
}

fn find_program_in_path(program: &str, package: &str) -> Result<PathBuf, ServicesError> {
    path_dirs()
        .into_iter()
        .map(|dir| dir.join(program))
        .find(|path| is_executable(path))
        .ok_or_else(|| ServicesError::MissingBinary {
            program: program.to_owned(),
            package: package.to_owned(),
            searched: "PATH".to_owned(),
        })
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default()
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}
