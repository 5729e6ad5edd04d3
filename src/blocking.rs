//! The one way a script thread blocks, and deadlock detection.
//!
//! Every primitive waits through [`Runtime::wait_until`] and wakes waiters
//! through [`Runtime::notify_one`] / [`Runtime::notify_all`], so the same
//! primitive works in both modes: in a normal run the thread sleeps on the
//! primitive's condition variable; in a deterministic run it hands the baton
//! to the scheduler, and the scheduler's virtual clock times it out.
//!
//! Deadlocks (LANGUAGE.md §10): a thread that waits with no timeout records
//! what it waits on. A normal run checks, only on that slow path and every
//! [`POLL`], whether every live thread is such a waiter and nothing has moved
//! since the last check; a deterministic run knows it at once (no runnable
//! thread, no deadline). Then each of those threads gets a `DeadlockError`
//! naming what it waits on, and the run ends with one report of them all.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, MutexGuard};

use crate::ast::Span;
use crate::diagnostic::SourceFile;
use crate::interp::{error, Interp, Thrown, Unwind, Why};
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

/// Blocks the calling script thread until `ready` holds for the state
/// `guard` guards (`true`) or the deadline passes (`false`). `what` says what
/// it waits for, in the words of a deadlock report ("Thread-1 waits {what}").
pub fn block<T>(
    interp: &Interp,
    cv: &Condvar,
    guard: &mut MutexGuard<'_, T>,
    deadline: Deadline,
    what: &dyn Fn() -> String,
    ready: impl FnMut(&mut T) -> bool,
) -> Result<bool, Unwind> {
    interp
        .rt
        .wait_until(&interp.thread, cv, guard, deadline, what, ready)
}

/// Wakes the thread that has waited longest on `cv`.
pub fn wake_one(interp: &Interp, cv: &Condvar) {
    interp.rt.notify_one(cv);
}

/// Wakes every thread waiting on `cv`, in the order they began to wait.
pub fn wake_all(interp: &Interp, cv: &Condvar) {
    interp.rt.notify_all(cv);
}

/// Locks `state` and waits as `how` says until `ready` holds for it. Returns
/// the guard and whether `ready` holds. `what` describes the wait from the
/// state, and is only asked when the thread has to wait.
pub fn await_state<'a, T>(
    interp: &Interp,
    state: &'a Mutex<T>,
    cv: &Condvar,
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
    let got = block(interp, cv, &mut guard, deadline, &|| what.clone(), |s| {
        ready(s)
    })?;
    Ok((guard, got))
}

/// Rounds of doubling busy-waits before a contended wait sleeps.
const SPIN_ROUNDS: u32 = 8;

/// How often a thread waiting with no timeout checks for a deadlock (and for
/// Ctrl-C or the embedder's deadline).
pub const POLL: Duration = Duration::from_millis(100);

/// What deadlock detection keeps.
#[derive(Default)]
pub struct Watch {
    /// Threads waiting with no timeout: what each waits on.
    waiting: Mutex<HashMap<u64, String>>,
    /// Bumped whenever a waiting thread gets what it waited for.
    progress: AtomicU64,
    /// The `progress` seen when every thread was first found waiting, plus one.
    suspect: AtomicU64,
    /// Set when a deadlock has been declared in this run.
    pub declared: AtomicBool,
    /// The deadlocked threads, in the order they were found.
    participants: Mutex<Vec<Participant>>,
    /// Where each deadlocked thread was waiting, once its error was placed.
    sites: Mutex<HashMap<u64, (Arc<SourceFile>, Span)>>,
}

/// A thread found in a deadlock.
#[derive(Clone)]
struct Participant {
    thread: u64,
    name: String,
    what: String,
    /// It has yet to get its `DeadlockError`.
    pending: bool,
}

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

/// Removes a forever-waiter from the watch however its wait ends.
struct Registered<'a> {
    watch: &'a Watch,
    thread: u64,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.watch.waiting.lock().remove(&self.thread);
    }
}

impl Runtime {
    /// The deadline `timeout` seconds from now; `None` waits forever.
    pub fn deadline(&self, timeout: Option<f64>) -> Deadline {
        Some(self.monotonic() + timeout?.clamp(0.0, 1e9))
    }

    /// Seconds left until `deadline`, if it has one.
    pub fn remaining(&self, deadline: Deadline) -> Option<f64> {
        deadline.map(|d| (d - self.monotonic()).max(0.0))
    }

    /// Blocks `me` until `ready` holds for the state `guard` guards (then
    /// `Ok(true)`), or `deadline` passes (`Ok(false)`). `cv` is the condition
    /// variable the state's changes are announced on; `what` says what the
    /// thread waits on, for deadlock reports. Fails with `DeadlockError`,
    /// `InterruptError` (Ctrl-C, main thread) or `TimeoutError` (the
    /// embedder's deadline).
    pub fn wait_until<T>(
        &self,
        me: &ThreadCtx,
        cv: &Condvar,
        guard: &mut MutexGuard<'_, T>,
        deadline: Deadline,
        what: &dyn Fn() -> String,
        mut ready: impl FnMut(&mut T) -> bool,
    ) -> Result<bool, Unwind> {
        let _registered = deadline.is_none().then(|| {
            self.watch.waiting.lock().insert(me.number, what());
            Registered {
                watch: &self.watch,
                thread: me.number,
            }
        });
        let mut traced = TracedWait {
            rt: self,
            thread: me.ident(),
            started: false,
        };
        loop {
            // Every thread of a declared deadlock fails, even one that another's
            // unwinding would let through: the report is of the state they were in.
            if self.watch.declared.load(Ordering::SeqCst) && self.take_pending(me.number) {
                return Err(self.deadlocked(me, what()));
            }
            if ready(guard) {
                self.watch.progress.fetch_add(1, Ordering::Relaxed);
                return Ok(true);
            }
            if deadline.is_some_and(|d| self.monotonic() >= d) {
                return Ok(false);
            }
            traced.start(what);
            match &self.sched {
                Some(sched) => {
                    let queue = cv as *const Condvar as usize;
                    let wake =
                        MutexGuard::unlocked(guard, || sched.block(me.number, queue, deadline));
                    if wake == Wake::Deadlock {
                        return Err(self.deadlocked(me, what()));
                    }
                }
                None => self.sleep_on(me, cv, guard, deadline)?,
            }
        }
    }

    /// One real wait on `cv`, bounded so the limits and deadlocks are noticed.
    fn sleep_on<T>(
        &self,
        me: &ThreadCtx,
        cv: &Condvar,
        guard: &mut MutexGuard<'_, T>,
        deadline: Deadline,
    ) -> Result<(), Unwind> {
        // A daemon polls even in a timed wait, to notice the run is over.
        let polls = deadline.is_none() || me.number == 0 || me.daemon.load(Ordering::Relaxed);
        let mut until = deadline.map(|d| self.instant(d));
        if polls {
            let next_poll = Instant::now() + POLL;
            until = Some(until.map_or(next_poll, |u| u.min(next_poll)));
        }
        if let Some(stop) = self.stop_at {
            until = Some(until.map_or(stop, |u| u.min(stop)));
        }
        let timed_out = match until {
            Some(u) => cv.wait_until(guard, u).timed_out(),
            None => {
                cv.wait(guard);
                false
            }
        };
        if self.is_over() {
            return Err(Unwind::new(Why::Exit(0)));
        }
        if let Some((kind, message)) = self.check_limits(me.number == 0) {
            return Err(error(kind, message));
        }
        if deadline.is_none() && timed_out {
            self.check_deadlock();
        }
        Ok(())
    }

    /// Declares a deadlock when every live thread waits with no timeout and
    /// nothing moved since the previous check.
    fn check_deadlock(&self) {
        let alive = self.alive();
        // Once the main thread has ended, the daemons left are abandoned.
        if !alive.iter().any(|t| t.number == 0) {
            return;
        }
        let waiting = self.watch.waiting.lock();
        let all_waiting =
            !alive.is_empty() && alive.iter().all(|t| waiting.contains_key(&t.number));
        let progress = self.watch.progress.load(Ordering::SeqCst) + 1;
        if !all_waiting {
            self.watch.suspect.store(0, Ordering::SeqCst);
            return;
        }
        if self.watch.suspect.swap(progress, Ordering::SeqCst) != progress {
            return;
        }
        let mut participants = self.watch.participants.lock();
        for t in &alive {
            participants.retain(|p| p.thread != t.number);
            participants.push(Participant {
                thread: t.number,
                name: t.name().to_string(),
                what: waiting[&t.number].clone(),
                pending: true,
            });
        }
        self.watch.declared.store(true, Ordering::SeqCst);
    }

    /// Whether `thread` has a `DeadlockError` coming; it gets only one.
    fn take_pending(&self, thread: u64) -> bool {
        let mut participants = self.watch.participants.lock();
        let pending = participants
            .iter_mut()
            .find(|p| p.thread == thread && p.pending);
        pending.map(|p| p.pending = false).is_some()
    }

    /// The error a deadlocked thread unwinds with; a deterministic run learns
    /// of the deadlock here first, and records who takes part.
    fn deadlocked(&self, me: &ThreadCtx, what: String) -> Unwind {
        self.watch.declared.store(true, Ordering::SeqCst);
        let mut participants = self.watch.participants.lock();
        if !participants.iter().any(|p| p.thread == me.number) {
            participants.push(Participant {
                thread: me.number,
                name: me.name().to_string(),
                what: what.clone(),
                pending: false,
            });
        }
        error(
            "DeadlockError",
            format!("{} waits {what}, and no thread can wake it", me.name()),
        )
    }

    /// Notes where a deadlocked thread was waiting (its error's place), for
    /// the report. Returns whether the error was a deadlock's.
    pub fn record_deadlock_site(&self, me: &ThreadCtx, t: &Thrown) -> bool {
        if &*t.error.kind != "DeadlockError" || !self.watch.declared.load(Ordering::SeqCst) {
            return false;
        }
        if let Some(at) = &t.at {
            self.watch.sites.lock().insert(me.number, at.clone());
        }
        true
    }

    /// The report of a declared deadlock, if there was one: every thread,
    /// what it waits on, and where.
    pub fn deadlock_report(&self, color: bool) -> Option<String> {
        if !self.watch.declared.load(Ordering::SeqCst) {
            return None;
        }
        let mut participants = self.watch.participants.lock().clone();
        participants.sort_by_key(|p| p.thread);
        let sites = self.watch.sites.lock();
        let mut lines = String::from("every thread is blocked, and none can wake another:\n");
        for p in &participants {
            let place = sites
                .get(&p.thread)
                .map_or_else(String::new, |(src, span)| {
                    format!(" at {}", src.location(span.start))
                });
            lines.push_str(&format!("  {} waits {}{place}\n", p.name, p.what));
        }
        let first = participants.iter().find_map(|p| sites.get(&p.thread));
        let header = match first {
            Some((source, span)) => {
                let labels: Vec<(Span, String)> = participants
                    .iter()
                    .filter_map(|p| {
                        let (src, span) = sites.get(&p.thread)?;
                        Arc::ptr_eq(src, source)
                            .then(|| (*span, format!("{} waits {}", p.name, p.what)))
                    })
                    .collect();
                crate::diagnostic::Diagnostic::new(
                    "DeadlockError",
                    "every thread is blocked",
                    *span,
                )
                .render_labels(source, &labels, color)
            }
            None => "DeadlockError: every thread is blocked\n".to_string(),
        };
        Some(format!("{header}{lines}"))
    }

    /// In the REPL, after the main thread's entry ended in a deadlock: gives
    /// the other deadlocked threads a moment to reach their errors, returns
    /// the report, and forgets the deadlock so a later one is found anew.
    pub fn settle_deadlock(&self, color: bool) -> String {
        let settled = || {
            let participants = self.watch.participants.lock();
            let sites = self.watch.sites.lock();
            let alive = self.alive();
            participants.iter().all(|p| {
                sites.contains_key(&p.thread) || !alive.iter().any(|t| t.number == p.thread)
            })
        };
        let give_up = Instant::now() + 4 * POLL;
        while !settled() && Instant::now() < give_up {
            std::thread::sleep(POLL / 10);
        }
        let report = self.deadlock_report(color).unwrap_or_default();
        self.watch.declared.store(false, Ordering::SeqCst);
        self.watch.participants.lock().clear();
        self.watch.sites.lock().clear();
        report
    }

    /// Wakes the first thread waiting on `cv`.
    pub fn notify_one(&self, cv: &Condvar) {
        self.notify(cv, 1);
    }

    /// Wakes every thread waiting on `cv`, in the order they began to wait.
    pub fn notify_all(&self, cv: &Condvar) {
        self.notify(cv, usize::MAX);
    }

    fn notify(&self, cv: &Condvar, n: usize) {
        match &self.sched {
            Some(sched) => sched.notify(cv as *const Condvar as usize, n),
            None if n == 1 => {
                cv.notify_one();
            }
            None => {
                cv.notify_all();
            }
        }
    }

    /// Blocks `me` for `secs` seconds (virtual seconds in a deterministic run).
    pub fn sleep(&self, me: &ThreadCtx, secs: f64) -> Result<(), Unwind> {
        let cv = Condvar::new();
        let lock = Mutex::new(());
        let mut guard = lock.lock();
        let deadline = self.deadline(Some(secs));
        self.wait_until(
            me,
            &cv,
            &mut guard,
            deadline,
            &|| "in sleep()".into(),
            |_| false,
        )?;
        Ok(())
    }
}
