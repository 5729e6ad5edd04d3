//! What the detector knows about each script thread: its vector clock, where
//! it is (its current site and the call sites above it), the locks it
//! holds. Kept in a thread-local while the thread runs, so that every hook,
//! deep in a builtin or a container, finds it without being handed it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::runtime::{Runtime, ThreadCtx};

use super::clock::{Epoch, Tid, Vc, MAX_TID};
use super::loc::{Access, Kind};
use super::site::SiteId;
use super::sync::Held;
use super::Detector;

/// How many call sites of a stack are kept: the innermost ones.
pub const STACK_DEPTH: usize = 8;

/// A thread's call stacks, each stored once and numbered, so that a
/// location keeps a number for the stack of its last access. A stack is
/// its innermost call sites, innermost first, with a trailing 0 when it
/// was deeper than [`STACK_DEPTH`].
#[derive(Default)]
pub struct Depot {
    index: HashMap<Box<[SiteId]>, u32>,
    stacks: Vec<Box<[SiteId]>>,
}

impl Depot {
    fn intern(&mut self, calls: &[SiteId]) -> u32 {
        let deep = calls.len() > STACK_DEPTH;
        let mut key: Vec<SiteId> = calls.iter().rev().take(STACK_DEPTH).copied().collect();
        if deep {
            key.push(0);
        }
        if let Some(&id) = self.index.get(key.as_slice()) {
            return id;
        }
        let id = self.stacks.len() as u32;
        let key: Box<[SiteId]> = key.into();
        self.stacks.push(key.clone());
        self.index.insert(key, id);
        id
    }

    pub fn get(&self, id: u32) -> &[SiteId] {
        self.stacks.get(id as usize).map_or(&[], |s| s)
    }
}

/// One script thread, as the detector sees it.
pub struct ThreadRace {
    pub rt: Arc<Runtime>,
    pub det: Arc<Detector>,
    pub tid: Tid,
    /// What happens before this thread's present.
    pub vc: Vc,
    /// The thread's own entry of `vc`.
    now: u64,
    /// How many times another thread's clock raised `vc`: a queue's run of
    /// items put with no such change between shares one clock.
    pub learned: u64,
    /// Where the thread is in the function it runs.
    pub here: SiteId,
    /// The call sites of the calls under way, outermost first.
    calls: Vec<SiteId>,
    /// The depot number of the stack at each depth, once asked for.
    stack_ids: Vec<Option<u32>>,
    pub depot: Arc<Mutex<Depot>>,
    pub held: Vec<Held>,
    /// A container whose operations are being reported by a probe, which
    /// the container layer's own hooks then leave alone (0 for none).
    pub quiet: usize,
}

thread_local! {
    static THREAD: RefCell<Option<Box<ThreadRace>>> = const { RefCell::new(None) };
}

/// Runs `f` on this OS thread's script thread, if it is tracked.
#[inline]
pub fn with<R>(f: impl FnOnce(&mut ThreadRace) -> R) -> Option<R> {
    THREAD.with(|t| {
        let mut t = t.try_borrow_mut().ok()?;
        t.as_mut().map(|t| f(t))
    })
}

impl ThreadRace {
    /// The epoch of the thread's present.
    pub fn epoch(&self) -> Epoch {
        Epoch::new(self.tid, self.now)
    }

    /// An access of `kind` made now, at `site`, from the current stack.
    pub fn access(&mut self, site: SiteId, kind: Kind) -> Access {
        let stack = self.stack_id();
        Access::new(self.epoch(), site, stack, kind)
    }

    /// The depot number of the current call stack.
    fn stack_id(&mut self) -> u32 {
        let depth = self.calls.len();
        if let Some(id) = self.stack_ids[depth] {
            return id;
        }
        let id = self.depot.lock().intern(&self.calls);
        self.stack_ids[depth] = Some(id);
        id
    }

    /// The current call stack, innermost call site first.
    pub fn calls(&self) -> impl Iterator<Item = SiteId> + '_ {
        self.calls.iter().rev().copied()
    }

    /// A call from the current site begins.
    pub fn push(&mut self) {
        self.calls.push(self.here);
        self.stack_ids.push(None);
    }

    /// The call begun by the last `push` is over: the thread is back at its site.
    pub fn pop(&mut self) {
        if let Some(site) = self.calls.pop() {
            self.here = site;
            self.stack_ids.pop();
        }
    }

    /// Everything `vc` knows now happens before this thread's present.
    pub fn learn(&mut self, vc: &Vc) {
        if !self.vc.covers_all(vc) {
            self.vc.join(vc);
            self.learned += 1;
        }
    }

    /// Step `e` of another thread now happens before this thread's present.
    pub fn learn_epoch(&mut self, e: Epoch) {
        if !self.vc.covers(e) {
            self.vc.set(e);
            self.learned += 1;
        }
    }

    /// This thread's present, as a primitive's release hands it on; the
    /// thread then moves to a new step, so what it does next is not part
    /// of what it handed on.
    pub fn hand_on(&mut self) -> Vc {
        let present = self.vc.clone();
        self.tick();
        present
    }

    /// Moves to the thread's next step.
    pub fn tick(&mut self) {
        self.now += 1;
        self.vc.set(Epoch::new(self.tid, self.now));
    }
}

/// While it lives, the current OS thread runs script thread `ctx` under the
/// detector. Dropping it records the thread's end.
pub struct Entered(());

/// Starts tracking `ctx` on this OS thread, if its run detects races. A
/// thread spawned by an untracked one (or numbered past [`MAX_TID`]) is not
/// tracked: what it does could not be ordered with its spawner.
pub fn enter(rt: &Arc<Runtime>, ctx: &Arc<ThreadCtx>) -> Option<Entered> {
    let det = rt.race.clone()?;
    if ctx.number > MAX_TID {
        return None;
    }
    let tid = ctx.number as Tid;
    let vc = match det.take_seed(tid) {
        Some(vc) => vc,
        None if tid == 0 => Vc::default(),
        None => return None,
    };
    let depot = det.joined_thread(tid, ctx);
    let mut t = ThreadRace {
        rt: rt.clone(),
        det,
        tid,
        vc,
        now: 0,
        learned: 0,
        here: 0,
        calls: Vec::new(),
        stack_ids: vec![None],
        depot,
        held: Vec::new(),
        quiet: 0,
    };
    t.tick();
    THREAD.with_borrow_mut(|slot| *slot = Some(Box::new(t)));
    Some(Entered(()))
}

impl Drop for Entered {
    fn drop(&mut self) {
        ending();
        THREAD.with_borrow_mut(|slot| *slot = None);
    }
}

/// The current thread is ending: what it did happens before every join.
pub fn ending() {
    with(|t| t.det.ended(t.tid, &t.vc));
}

/// The current thread spawns thread `number`: everything it did so far
/// happens before the new thread starts.
pub fn spawning(number: u64) {
    with(|t| {
        if number <= MAX_TID {
            let present = t.hand_on();
            t.det.seed(number as Tid, present);
        }
    });
}

/// The current thread joined thread `number`, which has ended.
pub fn joined(number: u64) {
    with(|t| {
        if let Some(vc) = t.det.end_of(number as Tid) {
            t.learn(&vc);
        }
    });
}
