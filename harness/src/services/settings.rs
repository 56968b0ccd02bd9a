//! The server settings every services mode that starts its own servers uses,
//! so that a scenario sees the same Postgres and Redis whether they run as
//! local processes or in containers.

/// `initdb` options: UTF-8 with the C locale, no fsync while creating.
pub(super) const INITDB_ARGS: &[&str] = &["-E", "UTF8", "--locale=C", "--no-sync"];

/// `postgres -c` settings. Durability is not needed for throw-away data;
/// `max_connections` leaves room for several subjects with pools of 16
/// beside the harness (the default of 100 is reached by a handful of
/// concurrent subjects, and a refused connection, `53300`, would read as
/// the subject's 503); dynamic shared memory in files of the data
/// directory, so nothing is left in `/dev/shm` (and a container's 64 MB
/// `/dev/shm` is no limit).
pub(super) const POSTGRES_SETTINGS: &[&str] = &[
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=200",
    "dynamic_shared_memory_type=mmap",
];

/// `redis-server` options: nothing is saved to disk.
pub(super) const REDIS_ARGS: &[&str] = &["--save", "", "--appendonly", "no"];

/// [`POSTGRES_SETTINGS`] as `-c NAME=VALUE` arguments.
pub(super) fn postgres_setting_args() -> Vec<String> {
    POSTGRES_SETTINGS
        .iter()
        .flat_map(|setting| ["-c".to_owned(), (*setting).to_owned()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_becomes_a_dash_c_pair() {
        let args = postgres_setting_args();
        assert_eq!(args.len(), 2 * POSTGRES_SETTINGS.len());
        assert!(args.chunks(2).all(|pair| pair[0] == "-c"));
        assert!(args.contains(&"max_connections=200".to_owned()));
    }
}
