//! The happens-before edges of the synchronisation primitives: each has a
//! clock that a release joins the releasing thread's present into and an
//! acquire learns from. Locks also have an identity for the lock-order
//! graph, and remember which thread holds them.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::clock::{Epoch, Tid, Vc};
use super::loc::{Access, Kind};
use super::site::SiteId;
use super::thread::{self, ThreadRace};

/// A primitive's clock; empty (and never touched) when the run that made
/// the primitive does not detect races.
pub struct Clock(Option<Arc<ClockState>>);

pub struct ClockState {
    vc: Mutex<Vc>,
    pub lock: Option<LockId>,
}

/// A lock's identity: its number in the run, its class (the site that
/// made it, as lockdep classes locks) and its rank among those of its class.
pub struct LockId {
    pub id: u32,
    pub class: SiteId,
    pub nth: u32,
    /// Bumped by every release, so a thread's record of holding the lock
    /// lapses whoever releases it (any thread may release a plain lock).
    generation: AtomicU64,
}

/// A lock a thread holds, and where it took it.
pub struct Held {
    pub state: Arc<ClockState>,
    generation: u64,
    pub at: Access,
}

impl Held {
    /// Whether the lock is still held as recorded.
    pub fn valid(&self) -> bool {
        let id = self.state.lock.as_ref().expect("only locks are held");
        id.generation.load(Ordering::Relaxed) == self.generation
    }

    pub fn id(&self) -> &LockId {
        self.state.lock.as_ref().expect("only locks are held")
    }
}

impl Default for Clock {
    /// The clock of a primitive made by the current thread.
    fn default() -> Clock {
        Clock(thread::with(|_| {
            Arc::new(ClockState {
                vc: Mutex::default(),
                lock: None,
            })
        }))
    }
}

impl Clock {
    /// The clock and identity of a lock made by the current thread, at the
    /// site of the call that made it.
    pub fn lock() -> Clock {
        Clock(thread::with(|t| {
            let class = t.here;
            let (id, nth) = t.det.new_lock(class);
            Arc::new(ClockState {
                vc: Mutex::default(),
                lock: Some(LockId {
                    id,
                    class,
                    nth,
                    generation: AtomicU64::new(0),
                }),
            })
        }))
    }

    fn with(&self, f: impl FnOnce(&mut ThreadRace, &Arc<ClockState>)) {
        if let Some(state) = &self.0 {
            thread::with(|t| f(t, state));
        }
    }

    /// What the current thread did so far happens before every later acquire.
    pub fn release(&self) {
        self.with(|t, s| {
            s.vc.lock().join(&t.vc);
            t.tick();
        });
    }

    /// Every release so far happens before what the current thread does next.
    pub fn acquire(&self) {
        self.with(|t, s| t.learn(&s.vc.lock()));
    }

    /// The current thread asks for this lock; `forever` when it may wait
    /// with no end. Such a wait, while the thread holds other locks, orders
    /// them before this one in the lock-order graph.
    pub fn acquiring(&self, forever: bool) {
        self.with(|t, s| {
            if forever && !holds(t, s) {
                let at = t.access(t.here, Kind::Read);
                let det = t.det.clone();
                det.lock_wait(t, s, at);
            }
        });
    }

    /// The current thread got this lock.
    pub fn acquired(&self) {
        self.with(|t, s| {
            t.learn(&s.vc.lock());
            if !holds(t, s) {
                let id = s.lock.as_ref().expect("acquired is for locks");
                let at = t.access(t.here, Kind::Read);
                t.held.push(Held {
                    state: s.clone(),
                    generation: id.generation.load(Ordering::Relaxed),
                    at,
                });
            }
        });
    }

    /// The current thread let go of this lock (wholly, for an rlock).
    pub fn released(&self) {
        self.with(|t, s| {
            s.vc.lock().join(&t.vc);
            t.tick();
            if let Some(id) = &s.lock {
                id.generation.fetch_add(1, Ordering::Relaxed);
            }
            t.held.retain(Held::valid);
        });
    }
}

/// Whether thread `t` holds lock `s` now.
fn holds(t: &ThreadRace, s: &Arc<ClockState>) -> bool {
    t.held.iter().any(|h| Arc::ptr_eq(&h.state, s) && h.valid())
}

/// A queue's clocks: one per item in the queue (each `get` learns what
/// happened before the `put` of the item it takes), and one for
/// `task_done` → `join`.
#[derive(Default)]
pub struct QueueClocks(Option<Box<Mutex<QueueState>>>);

#[derive(Default)]
struct QueueState {
    items: VecDeque<Run>,
    done: Vc,
}

/// Consecutive items put by one thread that learned nothing between its
/// puts: their clocks differ only in the thread's own entry, one step apart.
struct Run {
    base: Vc,
    tid: Tid,
    learned: u64,
    first: u64,
    count: u64,
}

impl QueueClocks {
    /// The clocks of a queue made by the current thread.
    pub fn new() -> QueueClocks {
        QueueClocks(thread::with(|_| Box::default()))
    }

    fn with(&self, f: impl FnOnce(&mut ThreadRace, &mut QueueState)) {
        if let Some(state) = &self.0 {
            thread::with(|t| f(t, &mut state.lock()));
        }
    }

    /// The current thread put an item at the back.
    pub fn put(&self) {
        self.with(|t, q| {
            let now = t.epoch().clock();
            match q.items.back_mut() {
                Some(r) if r.tid == t.tid && r.learned == t.learned && r.first + r.count == now => {
                    r.count += 1
                }
                _ => q.items.push_back(Run {
                    base: t.vc.clone(),
                    tid: t.tid,
                    learned: t.learned,
                    first: now,
                    count: 1,
                }),
            }
            t.tick();
        });
    }

    /// The current thread took the item at the front.
    pub fn got(&self) {
        self.with(|t, q| {
            let Some(run) = q.items.front_mut() else {
                return;
            };
            t.learn(&run.base);
            t.learn_epoch(Epoch::new(run.tid, run.first));
            run.first += 1;
            run.count -= 1;
            if run.count == 0 {
                q.items.pop_front();
            }
        });
    }

    /// The current thread called `task_done`.
    pub fn task_done(&self) {
        self.with(|t, q| {
            q.done.join(&t.vc);
            t.tick();
        });
    }

    /// The current thread's `join` returned: every `task_done` happened before.
    pub fn joined(&self) {
        self.with(|t, q| t.learn(&q.done));
    }
}
