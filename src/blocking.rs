//! The one way a script thread blocks.
//!
//! Every primitive keeps its state under a mutex and has a [`WaitQueue`]
//! (Thr's condition variable) for each thing threads wait for. It waits
//! through [`block`] or [`await_state`] and wakes waiters through
//! [`wake_one`] / [`wake_all`], so the same primitive works in both modes:
//!
//! - In a normal run a waiter joins the queue, in the order threads began
//!   to wait, and sleeps on its own thread's [`Parker`]. A wake-up takes
//!   waiters off the front of the queue and tells the deadlock [`Watch`]
//!   that they are woken before it unparks them, so a thread woken but not
//!   yet running never counts as stuck. Nothing polls: a waiter sleeps until
//!   it is woken, its deadline passes, or the run needs it (Ctrl-C for the
//!   main thread, the embedder's deadline, the end of the run).
//! - In a deterministic run the thread hands the baton to the scheduler,
//!   whose virtual clock times it out.
//!
//! [`Watch`]: crate::deadlock::Watch

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Mutex, MutexGuard};

use crate::interp::{error, Interp, Unwind, Why};
use crate::runtime::{Runtime, ThreadCtx};
use crate::scheduler::Wake;

/// A point on the run's clock (seconds since it started); `None` is never.
pub type Deadline = Option<f64>;

/// How a call may wait for what it needs.
#[derive(Clone, Copy)]
pub enum Wait {
    /// Not at all: take it now or report failure.
    Never,
    /// Until the deadline.
    Until(Deadline),
}

impl Wait {
    pub const FOREVER: Wait = Wait::Until(None);
}

/// Where threads wait for a change to a primitive's state, in the order
/// they began to wait.
#[derive(Default)]
pub struct WaitQueue {
    /// Each waiter's thread number and which of its waits this is.
    waiting: Mutex<VecDeque<(u64, u64)>>,
    /// How many wait: a wake-up with nobody to wake takes no lock. A waiter
    /// joins while holding the primitive's mutex, and a waker changes the
    /// state under that mutex before it wakes, so the count it reads is
    /// never behind a waiter it must wake.
    len: AtomicUsize,
}

impl WaitQueue {
    fn join(&self, thread: u64, seq: u64) {
        let mut waiting = self.waiting.lock();
        waiting.push_back((thread, seq));
        self.len.store(waiting.len(), Ordering::SeqCst);
    }

    /// Leaves the queue; `false` if a wake-up already took this wait off it.
    fn leave(&self, thread: u64, seq: u64) -> bool {
        let mut waiting = self.waiting.lock();
        let Some(at) = waiting.iter().position(|&w| w == (thread, seq)) else {
            return false;
        };
        waiting.remove(at);
        self.len.store(waiting.len(), Ordering::SeqCst);
        true
    }

    /// Takes up to `n` waiters off the front.
    fn take(&self, n: usize) -> Vec<(u64, u64)> {
        if self.len.load(Ordering::SeqCst) == 0 {
            return Vec::new();
        }
        let mut waiting = self.waiting.lock();
        let n = n.min(waiting.len());
        let taken = waiting.drain(..n).collect();
        self.len.store(waiting.len(), Ordering::SeqCst);
        taken
    }

    /// The queue's name for the deterministic scheduler.
    fn id(&self) -> usize {
        self as *const WaitQueue as usize
    }
}

/// How a script thread sleeps while it waits: on its OS thread's own park
/// token (a futex), until a wake-up sets its permit or a time comes.
#[derive(Default)]
pub struct Parker {
    /// Set by a wake-up, taken by the park it ends.
    permit: AtomicBool,
    /// How many waits the thread has begun: names the current one, so a
    /// wake-up meant for an earlier wait is told apart.
    seq: AtomicU64,
}

impl Parker {
    /// Starts a new wait: a wake-up from now on ends it. Returns its number.
    fn prepare(&self) -> u64 {
        self.permit.store(false, Ordering::SeqCst);
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Sleeps on the calling OS thread until woken or `until` comes. Parks
    /// that end early (an OS thread's token is shared) sleep again.
    fn park(&self, until: Option<Instant>) {
        while !self.permit.swap(false, Ordering::SeqCst) {
            match until {
                None => std::thread::park(),
                Some(at) => {
                    let now = Instant::now();
                    if now >= at {
                        return;
                    }
                    std::thread::park_timeout(at - now);
                }
            }
        }
    }

    /// Ends the current wait of the thread parked on `os`.
    pub fn unpark(&self, os: &std::thread::Thread) {
        self.permit.store(true, Ordering::SeqCst);
        os.unpark();
    }
}

/// Blocks the calling script thread until `ready` holds for the state
/// `guard` guards (`true`) or the deadline passes (`false`). `what` says what
/// it waits for, in the words of a deadlock report ("Thread-1 waits {what}").
pub fn block<T>(
    interp: &Interp,
    queue: &WaitQueue,
    guard: &mut MutexGuard<'_, T>,
    deadline: Deadline,
    what: &dyn Fn() -> String,
    ready: impl FnMut(&mut T) -> bool,
) -> Result<bool, Unwind> {
    interp
        .rt
        .wait_until(&interp.thread, queue, guard, deadline, what, ready)
}

/// Wakes the thread that has waited longest on `queue`.
pub fn wake_one(interp: &Interp, queue: &WaitQueue) {
    interp.rt.notify(queue, 1);
}

/// Wakes every thread waiting on `queue`, in the order they began to wait.
pub fn wake_all(interp: &Interp, queue: &WaitQueue) {
    interp.rt.notify(queue, usize::MAX);
}

/// Locks `state` and waits as `how` says until `ready` holds for it. Returns
/// the guard and whether `ready` holds. `what` describes the wait from the
/// state, and is only asked when the thread has to wait.
pub fn await_state<'a, T>(
    interp: &Interp,
    state: &'a Mutex<T>,
    queue: &WaitQueue,
    how: Wait,
    ready: impl Fn(&T) -> bool,
    what: impl FnOnce(&T) -> String,
) -> Result<(MutexGuard<'a, T>, bool), Unwind> {
    let mut guard = state.lock();
    if ready(&guard) {
        return Ok((guard, true));
    }
    let Wait::Until(deadline) = how else {
        return Ok((guard, false));
    };
    // Another core often lets go within microseconds (a lock guarding a
    // short section): spin briefly before sleeping. Not when one thread runs
    // at a time, where nobody else can let go meanwhile.
    if interp.rt.sched.is_none() {
        for round in 0..SPIN_ROUNDS {
            MutexGuard::unlocked(&mut guard, || {
                for _ in 0..(1 << round) {
                    std::hint::spin_loop();
                }
            });
            if ready(&guard) {
                return Ok((guard, true));
            }
        }
    }
    let what = what(&guard);
    let got = block(interp, queue, &mut guard, deadline, &|| what.clone(), |s| {
        ready(s)
    })?;
    Ok((guard, got))
}

/// Rounds of doubling busy-waits before a contended wait sleeps.
const SPIN_ROUNDS: u32 = 8;

/// Closes a traced wait however it ends.
struct TracedWait<'a> {
    rt: &'a Runtime,
    thread: i64,
    started: bool,
}

impl TracedWait<'_> {
    fn start(&mut self, what: &dyn Fn() -> String) {
        if let (Some(trace), false) = (&self.rt.trace, self.started) {
            trace.wait_start(self.thread, &what(), self.rt.monotonic());
            self.started = true;
        }
    }
}

impl Drop for TracedWait<'_> {
    fn drop(&mut self) {
        if let (Some(trace), true) = (&self.rt.trace, self.started) {
            trace.wait_end(self.thread, self.rt.monotonic());
        }
    }
}

impl Runtime {
    /// The deadline `timeout` seconds from now; `None` waits forever.
    pub fn deadline(&self, timeout: Option<f64>) -> Deadline {
        // The clock is read only for a timeout: `monotonic() + timeout?`
        // read it first, on every untimed `put`, `get` and `acquire`.
        let timeout = timeout?.clamp(0.0, 1e9);
        Some(self.monotonic() + timeout)
    }

    /// Seconds left until `deadline`, if it has one.
    pub fn remaining(&self, deadline: Deadline) -> Option<f64> {
        deadline.map(|d| (d - self.monotonic()).max(0.0))
    }

    /// Blocks `me` until `ready` holds for the state `guard` guards (then
    /// `Ok(true)`), or `deadline` passes (`Ok(false)`). `queue` is where the
    /// state's changes are announced; `what` says what the thread waits on,
    /// for deadlock reports. Fails with `DeadlockError`, `InterruptError`
    /// (Ctrl-C, main thread) or `TimeoutError` (the embedder's deadline).
    ///
    /// A wake-up that chose this thread is passed on to the next waiter if
    /// the thread then leaves without what it waited for (its deadline, an
    /// error): no wake-up is lost to a waiter that gave up.
    pub fn wait_until<T>(
        &self,
        me: &Arc<ThreadCtx>,
        queue: &WaitQueue,
        guard: &mut MutexGuard<'_, T>,
        deadline: Deadline,
        what: &dyn Fn() -> String,
        ready: impl FnMut(&mut T) -> bool,
    ) -> Result<bool, Unwind> {
        let mut chosen = false;
        let got = self.wait_loop(me, queue, guard, deadline, what, ready, &mut chosen);
        if chosen && !matches!(got, Ok(true)) {
            self.notify(queue, 1);
        }
        got
    }

    #[allow(clippy::too_many_arguments)]
    fn wait_loop<T>(
        &self,
        me: &Arc<ThreadCtx>,
        queue: &WaitQueue,
        guard: &mut MutexGuard<'_, T>,
        deadline: Deadline,
        what: &dyn Fn() -> String,
        mut ready: impl FnMut(&mut T) -> bool,
        chosen: &mut bool,
    ) -> Result<bool, Unwind> {
        let mut traced = TracedWait {
            rt: self,
            thread: me.ident(),
            started: false,
        };
        loop {
            // Every thread of a declared deadlock fails, even one that another's
            // unwinding would let through: the report is of the state they were in.
            if self.watch.take_pending(me.number) {
                return Err(self.watch.deadlocked(me, what()));
            }
            if ready(guard) {
                return Ok(true);
            }
            if deadline.is_some_and(|d| self.monotonic() >= d) {
                return Ok(false);
            }
            self.stop_if_asked(me)?;
            traced.start(what);
            match &self.sched {
                Some(sched) => {
                    let wake = MutexGuard::unlocked(guard, || {
                        sched.block(me.number, queue.id(), deadline)
                    });
                    if wake == Wake::Deadlock {
                        return Err(self.watch.deadlocked(me, what()));
                    }
                }
                None => *chosen = self.park(me, queue, guard, deadline, what),
            }
        }
    }

    /// One sleep in `queue` until a wake-up, the deadline, or the embedder's
    /// deadline. Returns whether a wake-up took this thread off the queue.
    fn park<T>(
        &self,
        me: &Arc<ThreadCtx>,
        queue: &WaitQueue,
        guard: &mut MutexGuard<'_, T>,
        deadline: Deadline,
        what: &dyn Fn() -> String,
    ) -> bool {
        let seq = me.parker.prepare();
        queue.join(me.number, seq);
        self.watch
            .begin_wait(me, seq, deadline.is_none().then(what));
        let mut until = deadline.map(|d| self.instant(d));
        if let Some(stop) = self.deadline_for(me.number == 0) {
            until = Some(until.map_or(stop, |u| u.min(stop)));
        }
        MutexGuard::unlocked(guard, || {
            // Asleep, the thread holds up no collection of cycles.
            let _detached = crate::value::cycles::detach();
            me.parker.park(until)
        });
        let chosen = !queue.leave(me.number, seq);
        self.watch.end_wait(me.number);
        chosen
    }

    /// The error that ends a wait the run needs back: the run is over (a
    /// daemon left behind), Ctrl-C (main thread), or the embedder's deadline.
    fn stop_if_asked(&self, me: &ThreadCtx) -> Result<(), Unwind> {
        if self.is_over() {
            return Err(Unwind::new(Why::Exit(0)));
        }
        match self.stop_reason(me.number == 0) {
            Some((kind, message)) => Err(error(kind, message)),
            None => Ok(()),
        }
    }

    /// Wakes up to `n` threads waiting on `queue`, in the order they began
    /// to wait.
    pub fn notify(&self, queue: &WaitQueue, n: usize) {
        match &self.sched {
            Some(sched) => sched.notify(queue.id(), n),
            None => {
                for (thread, seq) in queue.take(n) {
                    self.watch.wake(thread, seq);
                }
            }
        }
    }

    /// Blocks `me` for `secs` seconds (virtual seconds in a deterministic run).
    pub fn sleep(&self, me: &Arc<ThreadCtx>, secs: f64) -> Result<(), Unwind> {
        let queue = WaitQueue::default();
        let lock = Mutex::new(());
        let mut guard = lock.lock();
        let deadline = self.deadline(Some(secs));
        self.wait_until(
            me,
            &queue,
            &mut guard,
            deadline,
            &|| "in sleep()".into(),
            |_| false,
        )?;
        Ok(())
    }
}
