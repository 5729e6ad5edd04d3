//! `thr --race`: a data-race and lock-order detector.
//!
//! Every access two threads can share is checked against the accesses made
//! before it by the happens-before relation of the run (vector clocks,
//! FastTrack): a captured variable assigned after its `let`, a list's items
//! and length, a map's entries and set of keys. Every primitive's release
//! and acquire is an edge of that relation. Two accesses of one location,
//! one a write, that no edge orders are a data race, reported with both
//! places and call stacks. Locks taken while others are held build a
//! lock-order graph whose cycles are reported as potential deadlocks.
//!
//! With the detector off nothing of this runs: the compiler emits the
//! instrumented code only for a run that asked for it ([`probe`]), and the
//! container and primitive hooks are one untaken branch.
//!
//! - [`clock`]: vector clocks and epochs
//! - [`loc`]: one location's shadow state (FastTrack)
//! - [`shadow`]: the shadows of containers and variables
//! - [`thread`]: each thread's clock, place and held locks
//! - [`sync`]: the primitives' clocks
//! - [`lockdep`]: the lock-order graph
//! - [`site`], [`report`]: where things happen, and what is printed
//! - [`probe`], [`methods`], [`hooks`]: the instrumentation

mod clock;
mod hooks;
mod loc;
mod lockdep;
mod methods;
pub mod probe;
mod report;
mod shadow;
mod site;
mod sync;
mod thread;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::ast::Name;
use crate::runtime::{Runtime, ThreadCtx};

use clock::{Tid, Vc};
use loc::Access;
use site::{SiteId, Sites};
use thread::{Depot, ThreadRace};

pub use hooks::{on_free, on_len, on_read, on_write};
pub use probe::{NoProbe, Probe};
pub use site::{compiling, function as compiling_function};
pub use sync::{Clock, QueueClocks};
pub use thread::{ending, enter, joined, spawning};

/// How many detectors are alive: while none is, the container hooks return
/// at once.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Numbers for runs, so that shadows of one run never meet another's.
static RUNS: AtomicU64 = AtomicU64::new(1);

/// Whether any run in this process detects races.
#[inline(always)]
fn live() -> bool {
    LIVE.load(Ordering::Relaxed) != 0
}

/// A thread of the run: its handle (for its name) and its stacks.
type Registered = (Arc<ThreadCtx>, Arc<Mutex<Depot>>);

/// The detector of one run.
pub struct Detector {
    run: u64,
    /// Stop the run at the first report.
    stop: bool,
    sites: Sites,
    /// Pairs of places already reported.
    reported: Mutex<HashSet<(SiteId, SiteId)>>,
    any: AtomicBool,
    /// Clocks of threads spawned and not yet started.
    seeds: Mutex<HashMap<Tid, Vc>>,
    /// Clocks of threads that ended.
    ends: Mutex<HashMap<Tid, Vc>>,
    threads: Mutex<HashMap<Tid, Registered>>,
    lockdep: Mutex<lockdep::Graph>,
    locks: AtomicU32,
    /// How many locks each class (making site) made.
    classes: Mutex<HashMap<SiteId, u32>>,
}

impl Detector {
    pub fn new(stop: bool) -> Arc<Detector> {
        LIVE.fetch_add(1, Ordering::Relaxed);
        Arc::new(Detector {
            run: RUNS.fetch_add(1, Ordering::Relaxed),
            stop,
            sites: Sites::default(),
            reported: Mutex::default(),
            any: AtomicBool::new(false),
            seeds: Mutex::default(),
            ends: Mutex::default(),
            threads: Mutex::default(),
            lockdep: Mutex::default(),
            locks: AtomicU32::new(0),
            classes: Mutex::default(),
        })
    }

    /// Whether anything was reported.
    pub fn reported(&self) -> bool {
        self.any.load(Ordering::SeqCst)
    }

    /// Whether the pair of places `a`, `b` is reported for the first time.
    fn first_time(&self, a: SiteId, b: SiteId) -> bool {
        self.reported.lock().insert((a.min(b), a.max(b)))
    }

    /// Writes a report as one atomic write; stops the run if asked to.
    fn emit(&self, rt: &Runtime, text: &str) {
        if self.stop && self.any.swap(true, Ordering::SeqCst) {
            return;
        }
        self.any.store(true, Ordering::SeqCst);
        rt.eprint(text);
        if self.stop {
            rt.finish();
        }
    }

    fn seed(&self, tid: Tid, vc: Vc) {
        self.seeds.lock().insert(tid, vc);
    }

    fn take_seed(&self, tid: Tid) -> Option<Vc> {
        self.seeds.lock().remove(&tid)
    }

    fn ended(&self, tid: Tid, vc: &Vc) {
        self.ends.lock().insert(tid, vc.clone());
    }

    fn end_of(&self, tid: Tid) -> Option<Vc> {
        self.ends.lock().get(&tid).cloned()
    }

    /// A thread starts: its depot of stacks.
    fn joined_thread(&self, tid: Tid, ctx: &Arc<ThreadCtx>) -> Arc<Mutex<Depot>> {
        let depot = Arc::new(Mutex::new(Depot::default()));
        self.threads
            .lock()
            .insert(tid, (ctx.clone(), depot.clone()));
        depot
    }

    fn thread_name(&self, tid: Tid) -> Name {
        self.threads
            .lock()
            .get(&tid)
            .map_or_else(|| "a thread".into(), |(ctx, _)| ctx.name())
    }

    /// The call sites of stack `id` of thread `tid`.
    fn stack_of(&self, tid: Tid, id: u32) -> Vec<SiteId> {
        let depot = self.threads.lock().get(&tid).map(|(_, d)| d.clone());
        depot.map_or_else(Vec::new, |d| d.lock().get(id).to_vec())
    }

    /// A new lock of class `class`: its number, and its rank in the class.
    fn new_lock(&self, class: SiteId) -> (u32, u32) {
        let id = self.locks.fetch_add(1, Ordering::Relaxed) + 1;
        let mut classes = self.classes.lock();
        let nth = classes.entry(class).or_default();
        *nth += 1;
        (id, *nth)
    }

    /// Thread `t` waits for lock `s` at `at`: records the order and reports
    /// the cycles it closes.
    fn lock_wait(&self, t: &ThreadRace, s: &sync::ClockState, at: Access) {
        let Some(to) = s.lock.as_ref().map(sync::LockId::as_ref) else {
            return;
        };
        let held: Vec<_> = t
            .held
            .iter()
            .filter(|h| h.valid())
            .map(|h| (h.id().as_ref(), h.at))
            .collect();
        let cycles = self.lockdep.lock().wait(t.tid, &held, to, at);
        for cycle in cycles {
            let text = self.cycle_text(&cycle);
            self.emit(&t.rt, &text);
        }
    }

    /// A lock as a report names it: what the code called it where it was
    /// taken, and where it was made.
    fn lock_text(&self, lock: lockdep::LockRef, at: SiteId) -> String {
        let label = self
            .sites
            .label(at)
            .map_or_else(|| "a lock".to_string(), |l| format!("`{l}`"));
        let made = self.sites.get(lock.class).map_or_else(
            || "made by native code".to_string(),
            |s| s.place().split(" in ").next().unwrap_or("").to_string(),
        );
        let of_class = self.classes.lock().get(&lock.class).copied().unwrap_or(1);
        match of_class {
            1 => format!("{label} (made at {made})"),
            _ => format!("{label} (lock {} of those made at {made})", lock.nth),
        }
    }

    fn cycle_text(&self, cycle: &[lockdep::Edge]) -> String {
        let mut text = match cycle {
            [a, b] => format!(
                "PotentialDeadlock: {} and {} are taken in opposite orders\n",
                self.sites
                    .label(a.took.site)
                    .map_or("a lock".into(), |l| format!("`{l}`")),
                self.sites
                    .label(b.took.site)
                    .map_or("a lock".into(), |l| format!("`{l}`")),
            ),
            _ => format!(
                "PotentialDeadlock: {} locks are taken in a cycle\n",
                cycle.len()
            ),
        };
        for e in cycle {
            text.push_str(&format!(
                "  {} takes {} while it holds {}\n{}    which it took at {}\n",
                self.thread_name(e.tid),
                self.lock_text(e.to, e.took.site),
                self.lock_text(e.from, e.held.site),
                self.stack_text(e.took, 4),
                self.sites.place(e.held.site),
            ));
        }
        text.push_str("if these threads run at the same time, each can wait forever for a lock another holds\n");
        text
    }
}

impl sync::LockId {
    fn as_ref(&self) -> lockdep::LockRef {
        lockdep::LockRef {
            id: self.id,
            class: self.class,
            nth: self.nth,
        }
    }
}

impl Drop for Detector {
    fn drop(&mut self) {
        shadow::forget_run(self.run);
        LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}
