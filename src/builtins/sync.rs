//! Synchronisation primitives with Python's semantics and error messages:
//! `lock rlock condition semaphore bounded_semaphore event barrier`.
//!
//! Each is a parking_lot mutex over its state and a condition variable. All
//! blocking and waking — here, in `queue` and in `threads` — goes through the
//! seam at the top of this file ([`block`], [`wake_one`], [`wake_all`]),
//! which hands it to the runtime, so the deterministic scheduler and deadlock
//! detection see every wait.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};

use crate::interp::{throw, Args, Interp, Outcome, Unwind};
use crate::runtime::ThreadCtx;
use crate::value::{Object, Value};

use crate::blocking::{await_state, block, wake_all, wake_one, Deadline, Wait, WaitQueue};

use super::{add, int_arg, timeout_arg, Table};

pub fn register(t: &mut Table) {
    add(t, "lock", |_, a| {
        a.positional("lock", 0, 0)?;
        Ok(Value::object(Lock::new(false)))
    });
    add(t, "rlock", |_, a| {
        a.positional("rlock", 0, 0)?;
        Ok(Value::object(Lock::new(true)))
    });
    add(t, "condition", condition);
    add(t, "semaphore", |_, a| semaphore(a, "semaphore", false));
    add(t, "bounded_semaphore", |_, a| {
        semaphore(a, "bounded_semaphore", true)
    });
    add(t, "event", |_, a| {
        a.positional("event", 0, 0)?;
        Ok(Value::object(Arc::new(Event::default())))
    });
    add(t, "barrier", barrier);
}

// ---------------------------------------------------------------------------

/// `acquire(blocking=true, timeout=-1)` as Python's locks and semaphores take
/// it; `non_blocking` is the message for a timeout given with
/// `blocking=false` (Python words it differently for the two).
fn acquire_args(interp: &Interp, a: Args, non_blocking: &str) -> Result<Wait, Unwind> {
    let [blocking, timeout] = a.bind("acquire", ["blocking", "timeout"], 0)?;
    let blocking = blocking.is_none_or(|b| b.truthy());
    let timeout = match timeout_arg(timeout, "acquire")? {
        // -1 is Python's "no timeout".
        Some(-1.0) => None,
        Some(t) if t < 0.0 => return throw("ValueError", "timeout value must be positive"),
        t => t,
    };
    match (blocking, timeout) {
        (false, Some(_)) => throw("ValueError", non_blocking),
        (false, None) => Ok(Wait::Never),
        (true, t) => Ok(Wait::Until(interp.rt.deadline(t))),
    }
}

/// Who holds a lock, and how many times over (at most once for a plain lock).
#[derive(Default)]
struct Held {
    owner: Option<Arc<ThreadCtx>>,
    count: u64,
}

impl Held {
    fn is(&self, me: &Arc<ThreadCtx>) -> bool {
        self.owner.as_ref().is_some_and(|o| Arc::ptr_eq(o, me))
    }

    fn owner_name(&self) -> String {
        self.owner
            .as_ref()
            .map_or_else(String::new, |o| o.name().to_string())
    }
}

/// `lock()` (any thread may release it) and `rlock()` (re-entrant: its
/// owner may acquire it again, and only the owner releases it).
pub struct Lock {
    reentrant: bool,
    held: Mutex<Held>,
    cv: WaitQueue,
    race: crate::race::Clock,
}

const PLAIN_NON_BLOCKING: &str = "can't specify a timeout for a non-blocking call";

impl Lock {
    fn new(reentrant: bool) -> Arc<Lock> {
        Arc::new(Lock {
            reentrant,
            held: Mutex::new(Held::default()),
            cv: WaitQueue::default(),
            race: crate::race::Clock::lock(),
        })
    }

    /// Waits as `how` says until this thread may take the lock, then takes it
    /// `depth` times over (on top of what it holds already, for an rlock).
    fn take(&self, interp: &Interp, how: Wait, depth: u64) -> Result<bool, Unwind> {
        let me = &interp.thread;
        self.race.acquiring(matches!(how, Wait::Until(None)));
        let (mut held, got) = await_state(
            interp,
            &self.held,
            &self.cv,
            how,
            |h| h.owner.is_none() || (self.reentrant && h.is(me)),
            |h| format!("for {} held by {}", self.type_name(), h.owner_name()),
        )?;
        if got {
            held.owner = Some(me.clone());
            held.count += depth;
            self.race.acquired();
        }
        Ok(got)
    }

    fn release(&self, interp: &Interp) -> Result<(), Unwind> {
        let mut held = self.held.lock();
        if self.reentrant && !held.is(&interp.thread) {
            return throw("RuntimeError", "cannot release un-acquired lock");
        }
        if held.owner.is_none() {
            return throw("RuntimeError", "release unlocked lock");
        }
        held.count -= 1;
        if held.count == 0 {
            held.owner = None;
            self.race.released();
            wake_one(interp, &self.cv);
        }
        Ok(())
    }

    fn owned_by(&self, me: &Arc<ThreadCtx>) -> bool {
        self.held.lock().is(me)
    }

    /// Releases the lock however deep it is held (for `condition.wait`),
    /// returning the depth to restore.
    fn release_all(&self, interp: &Interp) -> u64 {
        let mut held = self.held.lock();
        // Published before the lock is free, as in `release`: the next
        // taker must find this thread's clock in the lock's.
        self.race.released();
        let depth = std::mem::take(&mut *held).count;
        drop(held);
        wake_one(interp, &self.cv);
        depth
    }
}

impl Object for Lock {
    fn type_name(&self) -> &'static str {
        if self.reentrant {
            "rlock"
        } else {
            "lock"
        }
    }

    fn repr(&self) -> String {
        let held = self.held.lock();
        match (&held.owner, self.reentrant) {
            (None, _) => format!("<{} unlocked>", self.type_name()),
            (Some(_), false) => "<lock locked>".into(),
            (Some(o), true) => format!("<rlock locked by '{}' count={}>", o.name(), held.count),
        }
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "acquire" => acquire_args(interp, a, PLAIN_NON_BLOCKING)
                .and_then(|how| self.take(interp, how, 1))
                .map(Value::bool),
            "release" => a
                .positional("release", 0, 0)
                .and_then(|_| self.release(interp))
                .map(|()| Value::Nil),
            "locked" => a
                .positional("locked", 0, 0)
                .map(|_| Value::bool(self.held.lock().owner.is_some())),
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [&'static str] {
        &["acquire", "release", "locked"]
    }

    fn enter(&self, interp: &mut Interp) -> Option<Outcome> {
        Some(self.take(interp, Wait::FOREVER, 1).map(Value::bool))
    }

    fn exit(&self, interp: &mut Interp) -> Outcome {
        self.release(interp).map(|()| Value::Nil)
    }
}

/// One thread waiting on a condition; notified ones leave the queue in the
/// order they began to wait, as in Python.
#[derive(Default)]
struct Waiter {
    notified: Mutex<bool>,
    cv: WaitQueue,
}

/// Python's `threading.Condition`.
pub struct Condition {
    lock: Arc<Lock>,
    waiters: Mutex<VecDeque<Arc<Waiter>>>,
}

fn condition(_: &mut Interp, a: Args) -> Outcome {
    let [lock] = a.bind("condition", ["lock"], 0)?;
    let lock = match lock {
        None | Some(Value::Nil) => Lock::new(true),
        Some(v) => {
            let lock = match &v {
                Value::Object(o) => (Arc::clone(o) as Arc<dyn std::any::Any + Send + Sync>)
                    .downcast::<Lock>()
                    .ok(),
                _ => None,
            };
            let Some(lock) = lock else {
                return throw(
                    "TypeError",
                    format!("condition() needs a lock or rlock, not {}", v.type_name()),
                );
            };
            lock
        }
    };
    Ok(Value::object(Arc::new(Condition {
        lock,
        waiters: Mutex::new(VecDeque::new()),
    })))
}

impl Condition {
    fn check_owned(&self, interp: &Interp, what: &str) -> Result<(), Unwind> {
        if self.lock.owned_by(&interp.thread) {
            Ok(())
        } else {
            throw("RuntimeError", format!("cannot {what} on un-acquired lock"))
        }
    }

    /// Releases the lock, waits for a notify or the deadline, and takes the
    /// lock back as deep as it was held. `true` if notified.
    fn wait(&self, interp: &Interp, deadline: Deadline) -> Result<bool, Unwind> {
        self.check_owned(interp, "wait")?;
        let waiter = Arc::new(Waiter::default());
        self.waiters.lock().push_back(waiter.clone());
        let depth = self.lock.release_all(interp);
        let notified = {
            let mut notified = waiter.notified.lock();
            block(
                interp,
                &waiter.cv,
                &mut notified,
                deadline,
                &|| "in condition.wait()".into(),
                |n| *n,
            )
        };
        let notified = match notified {
            // A notify that chose this waiter just as it timed out still
            // counts, or it would be lost to every other waiter.
            Ok(notified) => notified || !self.forget(&waiter),
            // The run is ending (deadlock, interrupt): don't wait for the lock.
            Err(e) => {
                self.forget(&waiter);
                return Err(e);
            }
        };
        self.lock.take(interp, Wait::FOREVER, depth)?;
        Ok(notified)
    }

    /// Takes a waiter that gave up out of the queue; `false` if a notify
    /// already took it.
    fn forget(&self, waiter: &Arc<Waiter>) -> bool {
        let mut waiters = self.waiters.lock();
        let before = waiters.len();
        waiters.retain(|w| !Arc::ptr_eq(w, waiter));
        waiters.len() < before
    }

    fn notify(&self, interp: &Interp, n: usize) -> Result<(), Unwind> {
        self.check_owned(interp, "notify")?;
        let mut waiters = self.waiters.lock();
        for _ in 0..n {
            let Some(w) = waiters.pop_front() else { break };
            *w.notified.lock() = true;
            wake_one(interp, &w.cv);
        }
        Ok(())
    }

    /// Python's `wait_for`: waits until `predicate()` is truthy or the
    /// timeout passes, and returns its last value.
    fn wait_for(&self, interp: &mut Interp, a: Args) -> Outcome {
        let [predicate, timeout] = a.bind("wait_for", ["predicate", "timeout"], 1)?;
        let predicate = predicate.unwrap_or_default();
        let deadline = interp.rt.deadline(timeout_arg(timeout, "wait_for")?);
        let mut result = interp.call_value(&predicate, Args::default())?;
        while !result.truthy() {
            let notified = self.wait(interp, deadline)?;
            result = interp.call_value(&predicate, Args::default())?;
            if !notified {
                break;
            }
        }
        Ok(result)
    }
}

impl Object for Condition {
    fn type_name(&self) -> &'static str {
        "condition"
    }

    fn repr(&self) -> String {
        format!(
            "<condition {} waiters={}>",
            self.lock.repr(),
            self.waiters.lock().len()
        )
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "acquire" | "release" => return self.lock.call_method(interp, name, a),
            "wait" => a.bind("wait", ["timeout"], 0).and_then(|[t]| {
                let deadline = interp.rt.deadline(timeout_arg(t, "wait")?);
                self.wait(interp, deadline).map(Value::bool)
            }),
            "wait_for" => self.wait_for(interp, a),
            "notify" => a.bind("notify", ["n"], 0).and_then(|[n]| {
                let n = n.map_or(Ok(1), |n| int_arg(&n, "notify", "n"))?;
                self.notify(interp, n.max(0) as usize).map(|()| Value::Nil)
            }),
            "notify_all" => a
                .positional("notify_all", 0, 0)
                .and_then(|_| self.notify(interp, usize::MAX))
                .map(|()| Value::Nil),
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [&'static str] {
        &[
            "acquire",
            "release",
            "wait",
            "wait_for",
            "notify",
            "notify_all",
        ]
    }

    fn enter(&self, interp: &mut Interp) -> Option<Outcome> {
        self.lock.enter(interp)
    }

    fn exit(&self, interp: &mut Interp) -> Outcome {
        self.lock.exit(interp)
    }
}

/// A counting semaphore; a bounded one refuses to go above its start value.
pub struct Semaphore {
    value: Mutex<i64>,
    cv: WaitQueue,
    bound: Option<i64>,
    race: crate::race::Clock,
}

fn semaphore(a: Args, func: &str, bounded: bool) -> Outcome {
    let [value] = a.bind(func, ["value"], 0)?;
    let value = value.map_or(Ok(1), |v| int_arg(&v, func, "value"))?;
    if value < 0 {
        return throw("ValueError", "semaphore initial value must be >= 0");
    }
    Ok(Value::object(Arc::new(Semaphore {
        value: Mutex::new(value),
        cv: WaitQueue::default(),
        bound: bounded.then_some(value),
        race: Default::default(),
    })))
}

impl Semaphore {
    fn acquire(&self, interp: &Interp, how: Wait) -> Result<bool, Unwind> {
        let (mut value, got) = await_state(
            interp,
            &self.value,
            &self.cv,
            how,
            |v| *v > 0,
            |_| format!("in {}.acquire()", self.type_name()),
        )?;
        if got {
            *value -= 1;
            self.race.acquire();
        }
        Ok(got)
    }

    fn release(&self, interp: &Interp, n: i64) -> Result<(), Unwind> {
        if n < 1 {
            return throw("ValueError", "n must be one or more");
        }
        let mut value = self.value.lock();
        let Some(raised) = value.checked_add(n) else {
            return throw("OverflowError", "semaphore value too large");
        };
        if self.bound.is_some_and(|b| raised > b) {
            return throw("ValueError", "Semaphore released too many times");
        }
        *value = raised;
        self.race.release();
        if n == 1 {
            wake_one(interp, &self.cv);
        } else {
            wake_all(interp, &self.cv);
        }
        Ok(())
    }
}

impl Object for Semaphore {
    fn type_name(&self) -> &'static str {
        if self.bound.is_some() {
            "bounded_semaphore"
        } else {
            "semaphore"
        }
    }

    fn repr(&self) -> String {
        let value = *self.value.lock();
        match self.bound {
            Some(b) => format!("<bounded_semaphore value={value}/{b}>"),
            None => format!("<semaphore value={value}>"),
        }
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "acquire" => acquire_args(interp, a, "can't specify timeout for non-blocking acquire")
                .and_then(|how| self.acquire(interp, how))
                .map(Value::bool),
            "release" => a.bind("release", ["n"], 0).and_then(|[n]| {
                let n = n.map_or(Ok(1), |n| int_arg(&n, "release", "n"))?;
                self.release(interp, n).map(|()| Value::Nil)
            }),
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [&'static str] {
        &["acquire", "release"]
    }

    fn enter(&self, interp: &mut Interp) -> Option<Outcome> {
        Some(self.acquire(interp, Wait::FOREVER).map(Value::bool))
    }

    fn exit(&self, interp: &mut Interp) -> Outcome {
        self.release(interp, 1).map(|()| Value::Nil)
    }
}

/// An event's flag, and how many times it was set: a waiter woken by a
/// `set` returns `true` even if the flag was cleared again before it ran,
/// as in Python.
#[derive(Default)]
struct Flag {
    set: bool,
    sets: u64,
}

/// Python's `threading.Event`.
#[derive(Default)]
pub struct Event {
    flag: Mutex<Flag>,
    cv: WaitQueue,
    race: crate::race::Clock,
}

impl Event {
    fn set(&self, interp: &Interp) {
        let mut flag = self.flag.lock();
        flag.set = true;
        flag.sets += 1;
        self.race.release();
        wake_all(interp, &self.cv);
    }

    fn wait(&self, interp: &Interp, deadline: Deadline) -> Result<bool, Unwind> {
        let mut flag = self.flag.lock();
        let sets = flag.sets;
        let set = block(
            interp,
            &self.cv,
            &mut flag,
            deadline,
            &|| "in event.wait()".into(),
            |f| f.set || f.sets != sets,
        )?;
        self.learn(set)
    }

    /// A wait (or `is_set`) that saw the flag set learns what came before the `set`.
    fn learn(&self, set: bool) -> Result<bool, Unwind> {
        if set {
            self.race.acquire();
        }
        Ok(set)
    }
}

impl Object for Event {
    fn type_name(&self) -> &'static str {
        "event"
    }

    fn repr(&self) -> String {
        let state = if self.flag.lock().set { "set" } else { "unset" };
        format!("<event {state}>")
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "set" => a.positional("set", 0, 0).map(|_| {
                self.set(interp);
                Value::Nil
            }),
            "clear" => a.positional("clear", 0, 0).map(|_| {
                self.flag.lock().set = false;
                Value::Nil
            }),
            "is_set" => a
                .positional("is_set", 0, 0)
                .and_then(|_| self.learn(self.flag.lock().set))
                .map(Value::bool),
            "wait" => a.bind("wait", ["timeout"], 0).and_then(|[t]| {
                let deadline = interp.rt.deadline(timeout_arg(t, "wait")?);
                self.wait(interp, deadline).map(Value::bool)
            }),
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [&'static str] {
        &["set", "clear", "is_set", "wait"]
    }
}

/// Where a barrier is in its cycle (Python's `_state`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Threads arrive and wait.
    Filling,
    /// The last arrival runs the action; no one goes through yet.
    Acting,
    /// The waiters go through; newcomers wait for the next cycle.
    Draining,
    /// `reset()` sends the waiters away with `BrokenBarrierError`.
    Resetting,
    Broken,
}

struct BarrierState {
    phase: Phase,
    /// Threads inside `wait`.
    count: usize,
}

/// Python's `threading.Barrier`.
pub struct Barrier {
    parties: usize,
    action: Option<Value>,
    timeout: Option<f64>,
    state: Mutex<BarrierState>,
    cv: WaitQueue,
    race: crate::race::Clock,
}

fn barrier(_: &mut Interp, a: Args) -> Outcome {
    let [parties, action, timeout] = a.bind("barrier", ["parties", "action", "timeout"], 1)?;
    let parties = int_arg(&parties.unwrap_or_default(), "barrier", "parties")?;
    if parties < 1 {
        return throw("ValueError", "parties must be > 0");
    }
    Ok(Value::object(Arc::new(Barrier {
        parties: parties as usize,
        action: action.filter(|a| !matches!(a, Value::Nil)),
        timeout: timeout_arg(timeout, "barrier")?,
        state: Mutex::new(BarrierState {
            phase: Phase::Filling,
            count: 0,
        }),
        cv: WaitQueue::default(),
        race: Default::default(),
    })))
}

fn broken<T>() -> Result<T, Unwind> {
    throw("BrokenBarrierError", "the barrier is broken")
}

const BARRIER_WAIT: &str = "in barrier.wait()";

impl Barrier {
    /// Waits for `parties` threads to arrive; returns this one's arrival
    /// index.
    fn wait(&self, interp: &mut Interp, timeout: Option<f64>) -> Outcome {
        let deadline = interp.rt.deadline(timeout.or(self.timeout));
        let mut s = self.state.lock();
        // A new cycle starts only when the last one has drained or reset.
        block(
            interp,
            &self.cv,
            &mut s,
            None,
            &|| BARRIER_WAIT.into(),
            |s| matches!(s.phase, Phase::Filling | Phase::Broken),
        )?;
        if s.phase == Phase::Broken {
            return broken();
        }
        let index = s.count;
        s.count += 1;
        self.race.release();
        let passed = if index + 1 == self.parties {
            // Script code runs without the state lock held.
            MutexGuard::unlocked(&mut s, || self.trip(interp))
        } else {
            self.await_trip(interp, &mut s, deadline)
        };
        if passed.is_ok() {
            // Every arrival (and the action) happens before every departure.
            self.race.acquire();
        }
        s.count -= 1;
        if s.count == 0 && matches!(s.phase, Phase::Draining | Phase::Resetting) {
            s.phase = Phase::Filling;
            wake_all(interp, &self.cv);
        }
        passed.map(|()| Value::Int(index as i64))
    }

    /// The last arrival runs the action, then lets everyone through; an
    /// action that fails breaks the barrier.
    fn trip(&self, interp: &mut Interp) -> Result<(), Unwind> {
        self.state.lock().phase = Phase::Acting;
        self.race.acquire();
        let acted = match &self.action {
            Some(f) => interp.call_value(f, Args::default()).map(drop),
            None => Ok(()),
        };
        self.race.release();
        let mut s = self.state.lock();
        // An abort() while the action ran stands.
        if s.phase == Phase::Acting {
            s.phase = match acted {
                Ok(()) => Phase::Draining,
                Err(_) => Phase::Broken,
            };
        }
        wake_all(interp, &self.cv);
        acted
    }

    /// An early arrival waits for the last one; timing out breaks the barrier.
    fn await_trip(
        &self,
        interp: &Interp,
        s: &mut MutexGuard<'_, BarrierState>,
        deadline: Deadline,
    ) -> Result<(), Unwind> {
        let what = || BARRIER_WAIT.to_string();
        if !block(interp, &self.cv, s, deadline, &what, |s| {
            s.phase != Phase::Filling
        })? {
            s.phase = Phase::Broken;
            wake_all(interp, &self.cv);
            return broken();
        }
        // No one goes through before the action is done, however long it takes.
        block(interp, &self.cv, s, None, &what, |s| {
            s.phase != Phase::Acting
        })?;
        match s.phase {
            Phase::Draining => Ok(()),
            _ => broken(),
        }
    }

    fn abort(&self, interp: &Interp) {
        self.state.lock().phase = Phase::Broken;
        wake_all(interp, &self.cv);
    }

    /// Python's `reset`: waiters get `BrokenBarrierError`, and the barrier
    /// starts a new cycle once they have left.
    fn reset(&self, interp: &Interp) {
        let mut s = self.state.lock();
        s.phase = match (s.count, s.phase) {
            (0, _) => Phase::Filling,
            (_, Phase::Filling | Phase::Broken) => Phase::Resetting,
            (_, phase) => phase,
        };
        wake_all(interp, &self.cv);
    }

    fn n_waiting(&self) -> usize {
        let s = self.state.lock();
        match s.phase {
            Phase::Filling | Phase::Acting => s.count,
            _ => 0,
        }
    }

    fn is_broken(&self) -> bool {
        self.state.lock().phase == Phase::Broken
    }
}

impl Object for Barrier {
    fn type_name(&self) -> &'static str {
        "barrier"
    }

    fn repr(&self) -> String {
        let broken = if self.is_broken() { " broken" } else { "" };
        format!(
            "<barrier {}/{} waiting{broken}>",
            self.n_waiting(),
            self.parties
        )
    }

    fn field(&self, _: &mut Interp, name: &str) -> Option<Outcome> {
        Some(Ok(match name {
            "parties" => Value::Int(self.parties as i64),
            "n_waiting" => Value::Int(self.n_waiting() as i64),
            "broken" => Value::bool(self.is_broken()),
            _ => return None,
        }))
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "wait" => a.bind("wait", ["timeout"], 0).and_then(|[t]| {
                let timeout = timeout_arg(t, "wait")?;
                self.wait(interp, timeout)
            }),
            "abort" => a.positional("abort", 0, 0).map(|_| {
                self.abort(interp);
                Value::Nil
            }),
            "reset" => a.positional("reset", 0, 0).map(|_| {
                self.reset(interp);
                Value::Nil
            }),
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [&'static str] {
        &["wait", "abort", "reset"]
    }

    fn fields(&self) -> &'static [&'static str] {
        &["parties", "n_waiting", "broken"]
    }
}
