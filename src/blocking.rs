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
use crate::interp::{error, Thrown, Unwind};
use crate::runtime::{Runtime, ThreadCtx};
use crate::scheduler::Wake;

/// A point on the run's clock (seconds since it started); `None` is never.
pub type Deadline = Option<f64>;

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
    /// The deadlocked threads (number, name, what), in start order.
    participants: Mutex<Vec<(u64, String, String)>>,
    /// Where each deadlocked thread was waiting, once its error was placed.
    sites: Mutex<HashMap<u64, (Arc<SourceFile>, Span)>>,
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
        loop {
            if ready(guard) {
                self.watch.progress.fetch_add(1, Ordering::Relaxed);
                return Ok(true);
            }
            if deadline.is_some_and(|d| self.monotonic() >= d) {
                return Ok(false);
            }
            match &self.sched {
                Some(sched) => {
                    let queue = cv as *const Condvar as usize;
                    let wake = MutexGuard::unlocked(guard, || sched.block(me.number, queue, deadline));
                    if wake == Wake::Deadlock {
                        return Err(self.deadlocked(me, what()));
                    }
                }
                None => self.sleep_on(me, cv, guard, deadline, what)?,
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
        what: &dyn Fn() -> String,
    ) -> Result<(), Unwind> {
        let polls = deadline.is_none() || me.number == 0;
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
        if let Some((kind, message)) = self.check_limits(me.number == 0) {
            return Err(error(kind, message));
        }
        if deadline.is_none() && timed_out {
            if self.watch.declared.load(Ordering::SeqCst) && self.is_participant(me.number) {
                return Err(self.deadlocked(me, what()));
            }
            self.check_deadlock();
        }
        Ok(())
    }

    /// Declares a deadlock when every live thread waits with no timeout and
    /// nothing moved since the previous check.
    fn check_deadlock(&self) {
        let alive = self.alive();
        let waiting = self.watch.waiting.lock();
        let all_waiting = !alive.is_empty() && alive.iter().all(|t| waiting.contains_key(&t.number));
        let progress = self.watch.progress.load(Ordering::SeqCst) + 1;
        if !all_waiting {
            self.watch.suspect.store(0, Ordering::SeqCst);
            return;
        }
        if self.watch.suspect.swap(progress, Ordering::SeqCst) != progress {
            return;
        }
        if self.watch.declared.swap(true, Ordering::SeqCst) {
            return;
        }
        *self.watch.participants.lock() = alive
            .iter()
            .map(|t| (t.number, t.name().to_string(), waiting[&t.number].clone()))
            .collect();
    }

    fn is_participant(&self, thread: u64) -> bool {
        self.watch.participants.lock().iter().any(|(n, _, _)| *n == thread)
    }

    /// The error a deadlocked thread unwinds with; a deterministic run learns
    /// of the deadlock here first, and records who takes part.
    fn deadlocked(&self, me: &ThreadCtx, what: String) -> Unwind {
        self.watch.declared.store(true, Ordering::SeqCst);
        let mut participants = self.watch.participants.lock();
        if !participants.iter().any(|(n, _, _)| *n == me.number) {
            participants.push((me.number, me.name().to_string(), what.clone()));
        }
        error("DeadlockError", format!("{} waits {what}, and no thread can wake it", me.name()))
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
        participants.sort_by_key(|(n, _, _)| *n);
        let sites = self.watch.sites.lock();
        let mut lines = String::from("every thread is blocked, and none can wake another:\n");
        for (n, name, what) in &participants {
            let place = sites
                .get(n)
                .map_or_else(String::new, |(src, span)| format!(" at {}", src.location(span.start)));
            lines.push_str(&format!("  {name} waits {what}{place}\n"));
        }
        let first = participants.iter().find_map(|(n, _, _)| sites.get(n));
        let header = match first {
            Some((source, span)) => {
                let labels: Vec<(Span, String)> = participants
                    .iter()
                    .filter_map(|(n, name, what)| {
                        let (src, span) = sites.get(n)?;
                        Arc::ptr_eq(src, source).then(|| (*span, format!("{name} waits {what}")))
                    })
                    .collect();
                crate::diagnostic::Diagnostic::new("DeadlockError", "every thread is blocked", *span)
                    .render_labels(source, &labels, color)
            }
            None => "DeadlockError: every thread is blocked\n".to_string(),
        };
        Some(format!("{header}{lines}"))
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
        self.wait_until(me, &cv, &mut guard, deadline, &|| "in sleep()".into(), |_| false)?;
        Ok(())
    }
}
