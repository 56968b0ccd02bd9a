//! Keeps the server's memory flat under password bursts. Each Argon2 hash
//! takes a 19 MiB block; glibc raises its mmap threshold after the first
//! such block is freed, so later blocks come from per-thread heaps that
//! keep the memory: a few hundred logins left the process at ~900 MiB.
//! A fixed threshold makes every large block a mapping of its own that is
//! returned to the system when the hash is done.

/// Large allocations (1 MiB and more) are mapped and unmapped on their own.
pub fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const THRESHOLD: libc::c_int = 1 << 20;
        // SAFETY: `mallopt` only changes allocator tuning; it is called once
        // at start, before any other thread exists, with a valid option.
        let done = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD) };
        if done != 1 {
            tracing::warn!("could not set the allocator's mmap threshold");
        }
    }
}
