//! Starting script threads on the OS, and collecting them once they end.
//!
//! A script thread is never detached. glibc's `pthread_detach` reads the
//! thread's control block after marking it detached, and a thread exiting
//! at that moment frees the block itself; the block sits at the top of the
//! thread's stack, and a script stack is larger than glibc keeps cached, so
//! the memory is unmapped at once and the read crashes the process (one
//! `spawn_join` benchmark run in a few hundred did). Instead every handle is
//! kept here and joined after its thread has finished, which never waits.

use std::sync::Mutex;
use std::thread::JoinHandle;

use crate::runtime::SCRIPT_STACK;

/// Handles of threads not yet collected, and the count at which to collect.
struct Handles {
    live: Vec<JoinHandle<()>>,
    collect_at: usize,
}

/// Fewest handles worth a sweep: sweeps stay rare however threads come and go.
const FIRST_SWEEP: usize = 64;

static HANDLES: Mutex<Handles> = Mutex::new(Handles {
    live: Vec::new(),
    collect_at: FIRST_SWEEP,
});

/// Starts `body` on a new OS thread named `name` with a script-sized stack.
pub fn spawn(name: String, body: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    let handle = std::thread::Builder::new()
        .name(name)
        .stack_size(SCRIPT_STACK)
        .spawn(body)?;
    let mut handles = HANDLES.lock().unwrap_or_else(|e| e.into_inner());
    handles.live.push(handle);
    if handles.live.len() >= handles.collect_at {
        collect_finished(&mut handles);
    }
    Ok(())
}

/// Joins the threads that have finished. The next sweep waits until the
/// count has doubled, so spawning stays amortised O(1) per thread.
fn collect_finished(handles: &mut Handles) {
    let (done, running): (Vec<_>, Vec<_>) = std::mem::take(&mut handles.live)
        .into_iter()
        .partition(JoinHandle::is_finished);
    handles.live = running;
    handles.collect_at = (2 * handles.live.len()).max(FIRST_SWEEP);
    for handle in done {
        // The thread's own errors were reported where they happened; a
        // panic has already printed its message.
        let _ = handle.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn finished_threads_are_joined_and_running_ones_kept() {
        let (release, wait) = mpsc::channel::<()>();
        let (started, is_started) = mpsc::channel();
        spawn("held".into(), move || {
            started.send(()).unwrap();
            wait.recv().unwrap();
        })
        .unwrap();
        is_started.recv().unwrap();
        for _ in 0..2 * FIRST_SWEEP {
            spawn("quick".into(), || {}).unwrap();
        }
        // Wait for the quick ones to finish, then sweep.
        let quick = |h: &JoinHandle<()>| h.thread().name() == Some("quick");
        let mut handles = HANDLES.lock().unwrap();
        while handles.live.iter().any(|h| quick(h) && !h.is_finished()) {
            std::thread::yield_now();
        }
        collect_finished(&mut handles);
        assert!(handles
            .live
            .iter()
            .any(|h| h.thread().name() == Some("held")));
        assert!(!handles.live.iter().any(quick));
        drop(handles);
        release.send(()).unwrap();
    }
}
