//! Stopping the world: every thread that runs script code holds a shared
//! lease on one process-wide lock while it runs, and a collection takes
//! the lock exclusively.
//!
//! A script thread lets go of its lease only where it holds no reference
//! it has not counted and no container's lock: at a safepoint (the check
//! of the limits every [`TICKS`](crate::runtime::TICKS) operations), and
//! for as long as it waits (blocked on a primitive, or for the
//! deterministic scheduler's baton). Once a collection has asked for the
//! lock, threads reaching a safepoint stop there, and threads done waiting
//! cannot take their lease back, until it is over. Threads that are not
//! attached (a host's) take a lease for each container operation
//! ([`Lease::take`]).
//!
//! A collection waits only so long for every thread to stop: a thread
//! busy for longer in a long builtin makes it give up and try again later,
//! rather than hold up every other thread.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::{RwLock, RwLockReadGuard};

use super::super::shared;

/// Shared by running script threads, exclusive to a collection.
static WORLD: RwLock<()> = RwLock::new(());

/// A collection waits for the world to stop: threads reaching a safepoint
/// hand in their recent allocations ([`super::registry`]) and stop.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// A thread's share of the world: no collection runs while it lives.
pub struct Lease {
    _shared: RwLockReadGuard<'static, ()>,
}

impl Lease {
    /// Waits for a collection under way to end, and holds off the next
    /// one for as long as the lease lives.
    pub fn take() -> Lease {
        Lease {
            _shared: WORLD.read(),
        }
    }
}

thread_local! {
    /// The calling thread's lease while it is attached.
    static OWN: RefCell<Option<Lease>> = const { RefCell::new(None) };
}

/// Gives up this thread's lease, if it has one, handing in its recent
/// allocations first.
fn suspend() -> Option<Lease> {
    let lease = OWN.with_borrow_mut(Option::take)?;
    super::registry::flush();
    shared::set_attached(false);
    Some(lease)
}

/// Makes `lease` this thread's own.
fn resume(lease: Lease) {
    OWN.with_borrow_mut(|own| *own = Some(lease));
    shared::set_attached(true);
}

fn attached() -> bool {
    OWN.with_borrow(Option::is_some)
}

/// The calling thread runs script code while this lives (see the module).
pub struct Attached {
    took: bool,
    _this_thread: PhantomData<*const ()>,
}

/// Attaches the calling thread, if it is not already, until the guard goes.
pub fn attach() -> Attached {
    let took = !attached();
    if took {
        resume(Lease::take());
    }
    Attached {
        took,
        _this_thread: PhantomData,
    }
}

impl Drop for Attached {
    fn drop(&mut self) {
        if self.took {
            drop(suspend());
        }
    }
}

/// While it lives the calling thread is detached: it must not look into a
/// value meanwhile other than through container operations (which then
/// take a lease each, as a host's thread does).
pub struct Detached {
    gave_up: bool,
    _this_thread: PhantomData<*const ()>,
}

/// Detaches the calling thread, if it is attached, until the guard goes
/// (a thread about to wait, or to run a host's function).
pub fn detach() -> Detached {
    Detached {
        gave_up: suspend().is_some(),
        _this_thread: PhantomData,
    }
}

impl Drop for Detached {
    fn drop(&mut self) {
        if self.gave_up {
            resume(Lease::take());
        }
    }
}

/// Asks the world to stop for as long as it lives (however the collection
/// ends: a panic in it must not leave every thread stopping for nothing).
struct Stopping;

impl Stopping {
    fn start() -> Stopping {
        STOPPING.store(true, Ordering::SeqCst);
        Stopping
    }
}

impl Drop for Stopping {
    fn drop(&mut self) {
        STOPPING.store(false, Ordering::SeqCst);
    }
}

/// Whether a collection has asked the world to stop.
#[inline]
pub fn stopping() -> bool {
    STOPPING.load(Ordering::Relaxed)
}

/// At a safepoint: an attached thread stops while a collection runs. One
/// holding a container's lock (a builtin charging for work it does under
/// it) is at no safepoint, and goes on.
pub fn stop_here() {
    if shared::holding() {
        return;
    }
    if let Some(lease) = suspend() {
        drop(lease);
        resume(Lease::take());
    }
}

/// Whether the calling thread may start a collection: it holds no
/// container's lock, so nothing the collection must look into is held.
pub fn may_stop_the_world() -> bool {
    !shared::holding()
}

/// Runs `f` with every attached thread stopped, if they all stop within
/// `patience`; `None` if they did not (and `f` did not run). The caller
/// must not be attached. Collections must not overlap (the caller
/// serialises them).
pub fn stopped<G>(patience: Duration, f: impl FnOnce() -> G) -> Option<G> {
    debug_assert!(!attached(), "a thread stopping the world is detached");
    let _stopping = Stopping::start();
    let _world = WORLD.try_write_for(patience)?;
    Some(f())
}
