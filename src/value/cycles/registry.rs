//! Every object that can be part of a cycle (a list, a map, a function that
//! captured something), known by a weak reference so that knowing it never
//! keeps it alive, in two generations as CPython keeps them.
//!
//! A new object goes into its thread's buffer ([`track`]), handed in to the
//! young generation every [`BATCH`] objects and whenever the thread stops
//! or waits. A collection of the young generation looks at those alone and
//! moves the survivors to the old one; the old generation is collected with
//! the young when it has grown by a quarter since its last collection, so
//! the work of collections stays proportional to the work of allocating.

use crate::value::{Rc, Weak};
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;

use super::super::{Closure, Entries, Shared, Value};

/// An object the collector knows.
pub enum Tracked {
    List(Weak<Shared<Vec<Value>>>),
    Map(Weak<Shared<Entries>>),
    Func(Weak<Closure>),
}

/// How many new objects a thread keeps before handing them in.
const BATCH: usize = 256;

/// How many new objects make a collection of the young generation due.
pub const YOUNG_LIMIT: usize = 1000;

/// The least growth of the old generation (in objects and the values they
/// hold) that makes a full collection due.
const OLD_GROWTH: usize = 20_000;

/// The most a collection that found the world would not stop puts off the
/// next one: that many times [`YOUNG_LIMIT`].
const MOST_PUT_OFF: usize = 64;

struct Generations {
    young: Vec<Tracked>,
    old: Vec<Tracked>,
    /// The old generation's size (objects and the values they hold) at
    /// its last collection.
    old_size: usize,
    /// The size moved into the old generation since.
    promoted: usize,
}

static GENERATIONS: Mutex<Generations> = Mutex::new(Generations {
    young: Vec::new(),
    old: Vec::new(),
    old_size: 0,
    promoted: 0,
});

/// How many objects the young generation holds, read without its lock.
static YOUNG: AtomicUsize = AtomicUsize::new(0);
/// How many make a collection due.
static DUE_AT: AtomicUsize = AtomicUsize::new(YOUNG_LIMIT);

/// A thread's new objects, handed in when it ends.
struct Fresh(RefCell<Vec<Tracked>>);

impl Drop for Fresh {
    fn drop(&mut self) {
        hand_in(self.0.get_mut());
    }
}

thread_local! {
    static FRESH: Fresh = const { Fresh(RefCell::new(Vec::new())) };
}

/// Makes the collector know `t`.
#[inline]
pub fn track(t: Tracked) {
    // While the thread ends, what it makes is not tracked (and freed as
    // usual unless it ends up in a cycle).
    let _ = FRESH.try_with(|fresh| {
        let mut fresh = fresh.0.borrow_mut();
        fresh.push(t);
        if fresh.len() >= BATCH {
            hand_in(&mut fresh);
        }
    });
}

/// Hands the calling thread's new objects in to the young generation.
pub fn flush() {
    let _ = FRESH.try_with(|fresh| hand_in(&mut fresh.0.borrow_mut()));
}

fn hand_in(fresh: &mut Vec<Tracked>) {
    if fresh.is_empty() {
        return;
    }
    let mut g = GENERATIONS.lock();
    g.young.append(fresh);
    YOUNG.store(g.young.len(), Ordering::Relaxed);
}

/// Whether enough objects were made since the last collection for another.
#[inline]
pub fn due() -> bool {
    YOUNG.load(Ordering::Relaxed) >= DUE_AT.load(Ordering::Relaxed)
}

/// What one collection looks at.
pub struct Members {
    pub objects: Vec<Tracked>,
    pub full: bool,
}

/// The objects to collect now: the young generation, and the old one with
/// it if it is due or `full` is asked for. They leave the registry until
/// [`survived`] gives the survivors back.
pub fn take_members(full: bool) -> Members {
    let mut g = GENERATIONS.lock();
    let full = full || g.promoted > OLD_GROWTH.max(g.old_size / 4);
    let mut objects = std::mem::take(&mut g.young);
    if full {
        objects.append(&mut g.old);
    }
    YOUNG.store(0, Ordering::Relaxed);
    Members { objects, full }
}

/// Gives the survivors of a collection back, as the old generation, with
/// their size (objects and the values they hold).
pub fn survived(survivors: Vec<Tracked>, size: usize, full: bool) {
    let mut g = GENERATIONS.lock();
    if full {
        g.old_size = size;
        g.promoted = 0;
    } else {
        g.promoted += size;
    }
    if g.old.is_empty() {
        g.old = survivors;
    } else {
        g.old.extend(survivors);
    }
    DUE_AT.store(YOUNG_LIMIT, Ordering::Relaxed);
}

/// The world would not stop: the next try waits for twice as many new
/// objects (up to a limit), so a thread long in a builtin is not held up
/// again at once.
pub fn put_off() {
    let at = DUE_AT.load(Ordering::Relaxed);
    DUE_AT.store((at * 2).min(YOUNG_LIMIT * MOST_PUT_OFF), Ordering::Relaxed);
}

/// How many known objects are alive, for tests: those handed in, and the
/// calling thread's own.
pub fn live() -> usize {
    flush();
    let g = GENERATIONS.lock();
    g.young.iter().chain(&g.old).filter(|t| t.alive()).count()
}

/// How many objects are known, alive or freed: those handed in, and the
/// calling thread's own.
pub fn tracked() -> usize {
    flush();
    let g = GENERATIONS.lock();
    g.young.len() + g.old.len()
}

/// Forgets the objects that were freed. A weak reference keeps the memory
/// of an object's header (not its contents) until it is dropped, and the
/// old generation drops its dead only at its next full collection, which
/// may never come once a big run is over: a million lists made by one run
/// would hold 150 MiB for good.
pub fn forget_freed() {
    flush();
    let mut guard = GENERATIONS.lock();
    let g = &mut *guard;
    for generation in [&mut g.young, &mut g.old] {
        generation.retain(Tracked::alive);
        // A buffer sized for a big run's million objects would stay, and
        // keep the heap from shrinking under it.
        if generation.capacity() > 4 * generation.len() + BATCH {
            generation.shrink_to_fit();
        }
    }
    YOUNG.store(g.young.len(), Ordering::Relaxed);
    drop(guard);
    give_back_memory();
}

/// Returns the heap's free memory to the system. glibc keeps what is freed
/// in each thread's arena, and trims an arena only when its top is free:
/// after a run made and freed a million small objects, a host would keep
/// them as resident memory for good.
fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own state.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Tracked {
    fn alive(&self) -> bool {
        match self {
            Tracked::List(w) => w.strong_count() > 0,
            Tracked::Map(w) => w.strong_count() > 0,
            Tracked::Func(w) => w.strong_count() > 0,
        }
    }

    pub fn list(l: &Rc<Shared<Vec<Value>>>) -> Tracked {
        Tracked::List(Rc::downgrade(l))
    }

    pub fn map(m: &Rc<Shared<Entries>>) -> Tracked {
        Tracked::Map(Rc::downgrade(m))
    }

    pub fn func(c: &Rc<Closure>) -> Tracked {
        Tracked::Func(Rc::downgrade(c))
    }
}
