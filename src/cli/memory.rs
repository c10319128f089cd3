//! How the process's allocator treats large blocks; decides nothing else.

/// Blocks this large and larger go back to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const RELEASED_FROM: usize = 8 << 20;

/// Has the allocator give blocks of 8 MiB and more back to the system
/// when they are freed, instead of keeping them for reuse (glibc raises
/// its own threshold for that up to 32 MiB as large blocks are freed).
/// `whatif` makes and drops arrays of a few bytes per entity for every
/// scenario, two scenarios at a time: kept, they raised its peak by about
/// 85 MB on the bench's 1M-entity graph; given back, they cost up to 2 s
/// more system time over 100 scenarios (benches/README.md). Returns
/// whether the allocator took
/// the setting (always `false` off glibc, where nothing changes).
pub fn release_large_blocks() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets a parameter of glibc's allocator; it
        // touches no memory of ours and is safe to call at any time.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, RELEASED_FROM as libc::c_int) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_threshold() {
        assert!(super::release_large_blocks());
    }
}
