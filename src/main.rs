use std::process::ExitCode;

fn main() -> ExitCode {
    return_large_blocks_when_freed();
    veertig::cli::run()
}

/// Every password check allocates argon2's 19 MiB. glibc serves a block that large with mmap and
/// unmaps it when freed, but the first such free raises its threshold above the block's size, and
/// from then on the blocks come from the asking thread's heap, whose freed memory stays with the
/// process: each login kept up to 19 MiB per worker thread (at Flanders scale the server grew from
/// 52 to 111 MB resident over 96 logins; 23 MB with a fixed threshold). A fixed threshold keeps
/// every block from 4 MiB up mapped only while it is used.
fn return_large_blocks_when_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it runs first in main, before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}
