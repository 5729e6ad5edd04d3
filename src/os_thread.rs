//! Starting script threads on the OS.
//!
//! A script thread is detached once started, and it waits, at its very
//! end, until the detaching is done. glibc's `pthread_detach` reads the
//! thread's control block after marking it detached, and a thread that
//! exits at that moment frees the block itself; the block sits at the top
//! of the thread's stack, and a script stack is larger than glibc keeps
//! cached, so the memory is unmapped at once and the read crashes the
//! process (one `spawn_join` benchmark run in a few hundred did). Waiting
//! costs nothing in practice: the spawner detaches long before a thread
//! is done.
//!
//! The spawner also waits until the new thread has set itself up (Rust's
//! runtime maps the thread a stack for its signal handlers, and glibc
//! registers its thread-local destructors): those steps abort the process
//! if memory has run out, so each thread does them while the spawner knows
//! there was room ([`HEADROOM`]), before another thread's stack takes it.

use std::sync::mpsc::{sync_channel, Receiver};

/// Starts `body` on a new OS thread named `name` with a stack of `stack`
/// bytes, set up to run script code.
pub fn spawn(
    name: String,
    stack: usize,
    body: impl FnOnce() + Send + 'static,
) -> std::io::Result<()> {
    // Making an OS thread and waiting for it to start can take long on a
    // busy machine: meanwhile the spawner holds up no collection of cycles.
    let _detached = crate::value::cycles::detach();
    // From now on two threads may touch values: their counts must be atomic.
    crate::value::share_between_threads();
    leave_headroom()?;
    let (detached, wait) = sync_channel(1);
    let (set_up, started) = sync_channel(1);
    // The OS name is for debuggers; a script's name may hold a NUL, which
    // it cannot.
    let name = name.replace('\0', "?");
    let handle = std::thread::Builder::new()
        .name(name)
        .stack_size(stack)
        .spawn(move || {
            let _exit_after_detach = ExitAfterDetach(wait);
            crate::panic::mark_script_thread();
            crate::stack_guard::enter(stack);
            crate::interp::set_up_thread();
            let _ = set_up.send(());
            let _attached = crate::value::cycles::attach();
            body();
        })?;
    drop(handle);
    // Room for one message: this never blocks, and the thread keeps its end
    // of the channel until it has received it.
    let _ = detached.send(());
    let _ = started.recv();
    Ok(())
}

/// Address space a new thread needs besides its stack: Rust's runtime maps
/// a small stack for its signal handlers as the thread starts, and a
/// failure there aborts the whole process. Under an address-space cap the
/// thread's own stack may just fit while that does not, so a thread starts
/// only if this much more is free (checked by mapping it, then letting go).
const HEADROOM: usize = 1 << 20;

/// Fails, as the system would refuse a thread, when [`HEADROOM`] is not
/// free.
fn leave_headroom() -> std::io::Result<()> {
    // SAFETY: a fresh anonymous mapping that nothing else sees, unmapped
    // before returning.
    unsafe {
        let probe = libc::mmap(
            std::ptr::null_mut(),
            HEADROOM,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        );
        if probe == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        libc::munmap(probe, HEADROOM);
    }
    Ok(())
}

/// The most script threads this system can hold at once. Each OS thread
/// takes four memory mappings (its stack, the stack's guard page, and the
/// same for the stack its signal handlers run on), and Linux limits a
/// process's mappings (`vm.max_map_count`, 65530 by default): past that,
/// starting a thread aborts the process instead of failing. The margin is
/// left for the heap and everything else.
pub fn most_threads() -> usize {
    static MOST: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *MOST.get_or_init(|| {
        let maps = std::fs::read_to_string("/proc/sys/vm/max_map_count")
            .ok()
            .and_then(|text| text.trim().parse::<usize>().ok());
        maps.map_or(usize::MAX, |maps| maps.saturating_sub(8192) / 4)
    })
}

/// Held by a thread for its whole run: dropping it, at the end or while
/// unwinding from a panic, waits for the spawner's word that the thread is
/// detached.
struct ExitAfterDetach(Receiver<()>);

impl Drop for ExitAfterDetach {
    fn drop(&mut self) {
        let _ = self.0.recv();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[test]
    fn the_body_runs_on_a_named_thread_with_a_script_stack() {
        let (tx, rx) = channel();
        spawn("thr:worker".into(), 256 << 20, move || {
            // Deeper than a default 2 MiB stack holds.
            let deep = [0u8; 8 << 20];
            let name = std::thread::current().name().map(String::from);
            tx.send((name, std::hint::black_box(deep)[0])).unwrap();
        })
        .unwrap();
        assert_eq!(rx.recv().unwrap(), (Some("thr:worker".into()), 0));
    }
}
