//! Synchronisation primitives with Python's semantics and error messages:
//! `lock rlock condition semaphore bounded_semaphore event barrier`.
//!
//! Each is a parking_lot mutex over its state and a condition variable; all
//! blocking goes through [`Runtime::wait_until`](crate::runtime::Runtime::wait_until).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use crate::interp::{throw, Args, Interp, Outcome, Unwind};
use crate::value::{Object, Value};

use super::{add, float_arg, int_arg, Table};

pub fn register(t: &mut Table) {
    add(t, "lock", |_, a| {
        a.positional("lock", 0, 0)?;
        Ok(Value::Object(Arc::new(Lock::default())))
    });
    add(t, "rlock", |_, a| {
        a.positional("rlock", 0, 0)?;
        Ok(Value::Object(Arc::new(RLock::default())))
    });
    add(t, "condition", condition);
    add(t, "semaphore", |_, a| semaphore(a, "semaphore", false));
    add(t, "bounded_semaphore", |_, a| {
        semaphore(a, "bounded_semaphore", true)
    });
    add(t, "event", |_, a| {
        a.positional("event", 0, 0)?;
        Ok(Value::Object(Arc::new(Event::default())))
    });
    add(t, "barrier", barrier);
}

/// `acquire(blocking=true, timeout=...)` arguments: `None` when the call must
/// not wait at all, else the deadline (`None` inside: wait forever).
fn acquire_args(interp: &Interp, a: Args, func: &str) -> Result<Option<Option<Instant>>, Unwind> {
    let [blocking, timeout] = a.bind(func, ["blocking", "timeout"], 0)?;
    let blocking = blocking.is_none_or(|b| b.truthy());
    let timeout = match timeout {
        None | Some(Value::Nil) => None,
        Some(v) => {
            let t = float_arg(&v, func, "timeout")?;
            if t == -1.0 {
                None
            } else if t < 0.0 {
                return throw("ValueError", "timeout value must be a non-negative number");
            } else {
                Some(t)
            }
        }
    };
    match (blocking, timeout) {
        (false, Some(_)) => throw(
            "ValueError",
            "can't specify a timeout for a non-blocking call",
        ),
        (false, None) => Ok(None),
        (true, t) => Ok(Some(interp.rt.deadline(t))),
    }
}

/// Waits (per `how`, from [`acquire_args`]) until `ready`, then runs `take`.
fn acquire_when<T>(
    interp: &Interp,
    state: &Mutex<T>,
    cv: &Condvar,
    how: Option<Option<Instant>>,
    ready: impl Fn(&T) -> bool,
    take: impl FnOnce(&mut T),
) -> bool {
    let mut guard = state.lock();
    let got = match how {
        None => ready(&guard),
        Some(deadline) => interp.rt.wait_until(cv, &mut guard, deadline, |s| ready(s)),
    };
    if got {
        take(&mut guard);
    }
    got
}

fn me(interp: &Interp) -> u64 {
    interp.thread.number
}

/// A plain lock: any thread may release it.
#[derive(Default)]
pub struct Lock {
    /// The thread that acquired it, while locked.
    owner: Mutex<Option<u64>>,
    cv: Condvar,
}

impl Lock {
    fn acquire(&self, interp: &Interp, how: Option<Option<Instant>>) -> bool {
        let id = me(interp);
        acquire_when(interp, &self.owner, &self.cv, how, Option::is_none, |o| {
            *o = Some(id)
        })
    }

    fn release(&self) -> Result<(), Unwind> {
        let mut owner = self.owner.lock();
        if owner.take().is_none() {
            return throw("RuntimeError", "release unlocked lock");
        }
        self.cv.notify_one();
        Ok(())
    }
}

const LOCK_METHODS: &[&str] = &["acquire", "release", "locked"];

impl Object for Lock {
    fn type_name(&self) -> &'static str {
        "lock"
    }
    fn repr(&self) -> String {
        match *self.owner.lock() {
            Some(_) => "<lock locked>".into(),
            None => "<lock unlocked>".into(),
        }
    }
    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "acquire" => {
                acquire_args(interp, a, "acquire").map(|how| Value::Bool(self.acquire(interp, how)))
            }
            "release" => a
                .positional("release", 0, 0)
                .and_then(|_| self.release())
                .map(|()| Value::Nil),
            "locked" => a
                .positional("locked", 0, 0)
                .map(|_| Value::Bool(self.owner.lock().is_some())),
            _ => return None,
        })
    }
    fn methods(&self) -> &'static [&'static str] {
        LOCK_METHODS
    }
    fn enter(&self, interp: &mut Interp) -> Option<Outcome> {
        Some(Ok(Value::Bool(self.acquire(interp, Some(None)))))
    }
    fn exit(&self, _: &mut Interp) -> Outcome {
        self.release().map(|()| Value::Nil)
    }
}

/// A re-entrant lock: its owner may acquire it again; only the owner releases.
#[derive(Default)]
pub struct RLock {
    /// The owner and how many times it acquired.
    state: Mutex<(Option<u64>, u32)>,
    cv: Condvar,
}

impl RLock {
    fn acquire(&self, interp: &Interp, how: Option<Option<Instant>>) -> bool {
        let id = me(interp);
        acquire_when(
            interp,
            &self.state,
            &self.cv,
            how,
            |(owner, _)| owner.is_none_or(|o| o == id),
            |(owner, count)| {
                *owner = Some(id);
                *count += 1;
            },
        )
    }

    fn release(&self, interp: &Interp) -> Result<(), Unwind> {
        let mut state = self.state.lock();
        if state.0 != Some(me(interp)) {
            return throw("RuntimeError", "cannot release un-acquired lock");
        }
        state.1 -= 1;
        if state.1 == 0 {
            state.0 = None;
            self.cv.notify_one();
        }
        Ok(())
    }
}

impl Object for RLock {
    fn type_name(&self) -> &'static str {
        "rlock"
    }
    fn repr(&self) -> String {
        match *self.state.lock() {
            (Some(owner), count) => format!("<rlock locked by thread #{owner} count={count}>"),
            (None, _) => "<rlock unlocked>".into(),
        }
    }
    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "acquire" => {
                acquire_args(interp, a, "acquire").map(|how| Value::Bool(self.acquire(interp, how)))
            }
            "release" => a
                .positional("release", 0, 0)
                .and_then(|_| self.release(interp))
                .map(|()| Value::Nil),
            "locked" => a
                .positional("locked", 0, 0)
                .map(|_| Value::Bool(self.state.lock().0.is_some())),
            _ => return None,
        })
    }
    fn methods(&self) -> &'static [&'static str] {
        LOCK_METHODS
    }
    fn enter(&self, interp: &mut Interp) -> Option<Outcome> {
        Some(Ok(Value::Bool(self.acquire(interp, Some(None)))))
    }
    fn exit(&self, interp: &mut Interp) -> Outcome {
        self.release(interp).map(|()| Value::Nil)
    }
}

/// The lock under a condition.
enum CondLock {
    Plain(Arc<Lock>),
    Reentrant(Arc<RLock>),
}

impl CondLock {
    fn owned_by(&self, id: u64) -> bool {
        match self {
            CondLock::Plain(l) => *l.owner.lock() == Some(id),
            CondLock::Reentrant(r) => r.state.lock().0 == Some(id),
        }
    }

    /// Releases the lock completely, returning how deep it was held.
    fn release_all(&self) -> u32 {
        match self {
            CondLock::Plain(l) => {
                *l.owner.lock() = None;
                l.cv.notify_one();
                1
            }
            CondLock::Reentrant(r) => {
                let mut state = r.state.lock();
                let depth = state.1;
                *state = (None, 0);
                r.cv.notify_one();
                depth
            }
        }
    }

    /// Takes the lock back at the depth `release_all` returned.
    fn restore(&self, interp: &Interp, depth: u32) {
        let id = me(interp);
        match self {
            CondLock::Plain(l) => {
                l.acquire(interp, Some(None));
            }
            CondLock::Reentrant(r) => {
                acquire_when(
                    interp,
                    &r.state,
                    &r.cv,
                    Some(None),
                    |s| s.0.is_none(),
                    |s| *s = (Some(id), depth),
                );
            }
        }
    }

    fn object(&self) -> &dyn Object {
        match self {
            CondLock::Plain(l) => &**l,
            CondLock::Reentrant(r) => &**r,
        }
    }
}

/// One waiting thread of a condition, woken in the order it began to wait.
#[derive(Default)]
struct Waiter {
    signalled: Mutex<bool>,
    cv: Condvar,
}

pub struct Condition {
    lock: CondLock,
    waiters: Mutex<VecDeque<Arc<Waiter>>>,
}

fn condition(_: &mut Interp, a: Args) -> Outcome {
    let [lock] = a.bind("condition", ["lock"], 0)?;
    let lock = match lock {
        None | Some(Value::Nil) => CondLock::Reentrant(Arc::new(RLock::default())),
        Some(Value::Object(o)) => {
            let any: Arc<dyn std::any::Any + Send + Sync> = o.clone();
            match any.downcast::<Lock>() {
                Ok(l) => CondLock::Plain(l),
                Err(any) => match any.downcast::<RLock>() {
                    Ok(r) => CondLock::Reentrant(r),
                    Err(_) => {
                        return throw(
                            "TypeError",
                            format!("condition() needs a lock or rlock, not a {}", o.type_name()),
                        )
                    }
                },
            }
        }
        Some(other) => {
            return throw(
                "TypeError",
                format!(
                    "condition() needs a lock or rlock, not a {}",
                    other.type_name()
                ),
            )
        }
    };
    Ok(Value::Object(Arc::new(Condition {
        lock,
        waiters: Mutex::new(VecDeque::new()),
    })))
}

impl Condition {
    fn check_owned(&self, interp: &Interp, what: &str) -> Result<(), Unwind> {
        if self.lock.owned_by(me(interp)) {
            Ok(())
        } else {
            throw("RuntimeError", format!("cannot {what} on un-acquired lock"))
        }
    }

    fn wait(&self, interp: &Interp, timeout: Option<f64>) -> Result<bool, Unwind> {
        self.check_owned(interp, "wait")?;
        let waiter = Arc::new(Waiter::default());
        self.waiters.lock().push_back(waiter.clone());
        let depth = self.lock.release_all();
        let deadline = interp.rt.deadline(timeout);
        let woken = {
            let mut signalled = waiter.signalled.lock();
            interp
                .rt
                .wait_until(&waiter.cv, &mut signalled, deadline, |s| *s)
        };
        if !woken {
            self.waiters.lock().retain(|w| !Arc::ptr_eq(w, &waiter));
        }
        self.lock.restore(interp, depth);
        Ok(woken)
    }

    fn notify(&self, interp: &Interp, n: usize) -> Result<(), Unwind> {
        self.check_owned(interp, "notify")?;
        let mut waiters = self.waiters.lock();
        for _ in 0..n {
            let Some(w) = waiters.pop_front() else { break };
            *w.signalled.lock() = true;
            w.cv.notify_one();
        }
        Ok(())
    }

    /// Python's `wait_for`: waits until `predicate()` is truthy or the
    /// timeout passes, and returns its last value.
    fn wait_for(&self, interp: &mut Interp, a: Args) -> Outcome {
        let [predicate, timeout] = a.bind("wait_for", ["predicate", "timeout"], 1)?;
        let predicate = predicate.unwrap_or_default();
        let deadline = interp.rt.deadline(super::timeout_arg(timeout, "wait_for")?);
        loop {
            let result = interp.call_value(&predicate, Args::default())?;
            if result.truthy() {
                return Ok(result);
            }
            let remaining = match deadline {
                None => None,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now()).as_secs_f64();
                    if left <= 0.0 {
                        return Ok(result);
                    }
                    Some(left)
                }
            };
            self.wait(interp, remaining)?;
        }
    }
}

impl Object for Condition {
    fn type_name(&self) -> &'static str {
        "condition"
    }
    fn repr(&self) -> String {
        format!(
            "<condition {} waiters={}>",
            self.lock.object().repr(),
            self.waiters.lock().len()
        )
    }
    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "acquire" | "release" | "locked" => {
                return self.lock.object().call_method(interp, name, a)
            }
            "wait" => a.bind("wait", ["timeout"], 0).and_then(|[t]| {
                let timeout = super::timeout_arg(t, "wait")?;
                self.wait(interp, timeout).map(Value::Bool)
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
        self.lock.object().enter(interp)
    }
    fn exit(&self, interp: &mut Interp) -> Outcome {
        self.lock.object().exit(interp)
    }
}

/// A counting semaphore; bounded ones refuse to go above their start value.
pub struct Semaphore {
    value: Mutex<i64>,
    cv: Condvar,
    bound: Option<i64>,
}

fn semaphore(a: Args, func: &str, bounded: bool) -> Outcome {
    let [value] = a.bind(func, ["value"], 0)?;
    let value = value.map_or(Ok(1), |v| int_arg(&v, func, "value"))?;
    if value < 0 {
        return throw("ValueError", "semaphore initial value must be >= 0");
    }
    Ok(Value::Object(Arc::new(Semaphore {
        value: Mutex::new(value),
        cv: Condvar::new(),
        bound: bounded.then_some(value),
    })))
}

impl Semaphore {
    fn acquire(&self, interp: &Interp, how: Option<Option<Instant>>) -> bool {
        acquire_when(interp, &self.value, &self.cv, how, |v| *v > 0, |v| *v -= 1)
    }

    fn release(&self, n: i64) -> Result<(), Unwind> {
        if n < 1 {
            return throw("ValueError", "n must be one or more");
        }
        let mut value = self.value.lock();
        if self.bound.is_some_and(|b| *value + n > b) {
            return throw("ValueError", "Semaphore released too many times");
        }
        *value += n;
        for _ in 0..n {
            self.cv.notify_one();
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
            "acquire" => {
                acquire_args(interp, a, "acquire").map(|how| Value::Bool(self.acquire(interp, how)))
            }
            "release" => a.bind("release", ["n"], 0).and_then(|[n]| {
                let n = n.map_or(Ok(1), |n| int_arg(&n, "release", "n"))?;
                self.release(n).map(|()| Value::Nil)
            }),
            _ => return None,
        })
    }
    fn methods(&self) -> &'static [&'static str] {
        &["acquire", "release"]
    }
    fn enter(&self, interp: &mut Interp) -> Option<Outcome> {
        Some(Ok(Value::Bool(self.acquire(interp, Some(None)))))
    }
    fn exit(&self, _: &mut Interp) -> Outcome {
        self.release(1).map(|()| Value::Nil)
    }
}

/// A flag threads can wait for.
#[derive(Default)]
pub struct Event {
    flag: Mutex<bool>,
    cv: Condvar,
}

impl Object for Event {
    fn type_name(&self) -> &'static str {
        "event"
    }
    fn repr(&self) -> String {
        format!(
            "<event {}>",
            if *self.flag.lock() { "set" } else { "unset" }
        )
    }
    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "set" => a.positional("set", 0, 0).map(|_| {
                *self.flag.lock() = true;
                self.cv.notify_all();
                Value::Nil
            }),
            "clear" => a.positional("clear", 0, 0).map(|_| {
                *self.flag.lock() = false;
                Value::Nil
            }),
            "is_set" => a
                .positional("is_set", 0, 0)
                .map(|_| Value::Bool(*self.flag.lock())),
            "wait" => a.bind("wait", ["timeout"], 0).and_then(|[t]| {
                let deadline = interp.rt.deadline(super::timeout_arg(t, "wait")?);
                let mut flag = self.flag.lock();
                Ok(Value::Bool(interp.rt.wait_until(
                    &self.cv,
                    &mut flag,
                    deadline,
                    |f| *f,
                )))
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
    Filling,
    /// The last arrival runs the action; newcomers wait for the next cycle.
    Acting,
    Draining,
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
    cv: Condvar,
}

fn barrier(_: &mut Interp, a: Args) -> Outcome {
    let [parties, action, timeout] = a.bind("barrier", ["parties", "action", "timeout"], 1)?;
    let parties = int_arg(&parties.unwrap_or_default(), "barrier", "parties")?;
    if parties < 1 {
        return throw("ValueError", "parties must be >= 1");
    }
    Ok(Value::Object(Arc::new(Barrier {
        parties: parties as usize,
        action: action.filter(|a| !matches!(a, Value::Nil)),
        timeout: super::timeout_arg(timeout, "barrier")?,
        state: Mutex::new(BarrierState {
            phase: Phase::Filling,
            count: 0,
        }),
        cv: Condvar::new(),
    })))
}

fn broken() -> Outcome {
    throw("BrokenBarrierError", "the barrier is broken")
}

impl Barrier {
    fn wait(&self, interp: &mut Interp, timeout: Option<f64>) -> Outcome {
        let timeout = timeout.or(self.timeout);
        let mut s = self.state.lock();
        // Wait while a previous cycle drains or resets.
        interp.rt.wait_until(&self.cv, &mut s, None, |s| {
            !matches!(s.phase, Phase::Acting | Phase::Draining | Phase::Resetting)
        });
        if s.phase == Phase::Broken {
            return broken();
        }
        let index = s.count;
        s.count += 1;
        let r = if index + 1 == self.parties {
            drop(s);
            let r = self.release(interp).map(|()| Value::Int(index as i64));
            s = self.state.lock();
            r
        } else {
            let deadline = interp.rt.deadline(timeout);
            let passed = interp
                .rt
                .wait_until(&self.cv, &mut s, deadline, |s| s.phase != Phase::Filling);
            if !passed {
                s.phase = Phase::Broken;
                self.cv.notify_all();
            }
            if s.phase == Phase::Broken || s.phase == Phase::Resetting {
                broken()
            } else {
                Ok(Value::Int(index as i64))
            }
        };
        s.count -= 1;
        if s.count == 0 && matches!(s.phase, Phase::Draining | Phase::Resetting) {
            s.phase = Phase::Filling;
            self.cv.notify_all();
        }
        r
    }

    /// The last arrival: runs the action (without holding the state lock,
    /// since it is script code), then lets everyone through.
    fn release(&self, interp: &mut Interp) -> Result<(), Unwind> {
        self.state.lock().phase = Phase::Acting;
        let acted = match &self.action {
            Some(f) => interp.call_value(f, Args::default()).map(drop),
            None => Ok(()),
        };
        let mut s = self.state.lock();
        s.phase = if acted.is_ok() {
            Phase::Draining
        } else {
            Phase::Broken
        };
        self.cv.notify_all();
        acted
    }

    fn reset(&self) {
        let mut s = self.state.lock();
        s.phase = match (s.count, s.phase) {
            (0, _) => Phase::Filling,
            (_, Phase::Filling | Phase::Broken) => Phase::Resetting,
            (_, phase) => phase,
        };
        self.cv.notify_all();
    }
}

impl Object for Barrier {
    fn type_name(&self) -> &'static str {
        "barrier"
    }
    fn repr(&self) -> String {
        let s = self.state.lock();
        let waiting = if s.phase == Phase::Filling {
            s.count
        } else {
            0
        };
        let broken = if s.phase == Phase::Broken {
            " broken"
        } else {
            ""
        };
        format!("<barrier {waiting}/{} waiting{broken}>", self.parties)
    }
    fn field(&self, _: &mut Interp, name: &str) -> Option<Outcome> {
        let s = self.state.lock();
        Some(Ok(match name {
            "parties" => Value::Int(self.parties as i64),
            "n_waiting" => Value::Int(if s.phase == Phase::Filling {
                s.count as i64
            } else {
                0
            }),
            "broken" => Value::Bool(s.phase == Phase::Broken),
            _ => return None,
        }))
    }
    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "wait" => a.bind("wait", ["timeout"], 0).and_then(|[t]| {
                let timeout = super::timeout_arg(t, "wait")?;
                self.wait(interp, timeout)
            }),
            "abort" => a.positional("abort", 0, 0).map(|_| {
                self.state.lock().phase = Phase::Broken;
                self.cv.notify_all();
                Value::Nil
            }),
            "reset" => a.positional("reset", 0, 0).map(|_| {
                self.reset();
                Value::Nil
            }),
            _ => return None,
        })
    }
    fn methods(&self) -> &'static [&'static str] {
        &["wait", "abort", "reset"]
    }
}
