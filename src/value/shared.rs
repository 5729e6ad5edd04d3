//! The contents of a list or map, shared between threads.
//!
//! One rule holds for every operation on a shared container: it does its
//! whole work under one acquisition of the container's lock, and while it
//! holds that lock it never takes another container's. [`Shared`] is the
//! only way in, and it enforces both halves:
//!
//! - [`Shared::read`] and [`Shared::write`] lock for exactly the closure they
//!   run, so nothing can copy the contents, compute, and write back over
//!   what another thread did meanwhile.
//! - A thread that asks for a second container's lock while it holds one
//!   panics at once (a bug in Thr, reported as an `InternalError`) instead of
//!   deadlocking silently: taking the same lock twice, or two locks in
//!   opposite orders on two threads, would hang forever.
//!
//! Work that must look inside other containers (comparing, printing,
//! sorting lists of lists) takes a [`Shared::snapshot`] of each in turn, with
//! no lock held while it works. When such work must then change the
//! container it looked at (removing the item equal to a list), it commits
//! with [`Shared::write_if_unchanged`], which fails if any write came in
//! between: the caller starts again, so the change stays atomic.
//!
//! Dropping the last reference to a container frees what is nested in it
//! with a loop, not recursion ([`super::free`]), so a list nested ten
//! million deep frees without overflowing the stack.

use std::cell::Cell;

use super::biased::BiasedLock;
use super::{Entries, Value};

/// A container's contents behind its lock, with a count of the writes made
/// to it.
pub struct Shared<T: Contents> {
    /// Biased toward the thread that made the container ([`super::biased`]).
    cell: BiasedLock<Versioned<T>>,
    /// The cycle collector's note on it while a collection runs.
    pub(super) mark: super::cycles::Mark,
}

struct Versioned<T> {
    data: T,
    /// Bumped by every write: a snapshot taken at one version is still the
    /// container's contents while the version is unchanged.
    version: u64,
}

/// What a snapshot was taken at, for [`Shared::write_if_unchanged`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Version(u64);

thread_local! {
    /// What this thread is doing with containers: [`HOLDING`] and [`ATTACHED`].
    static STATE: Cell<u8> = const { Cell::new(0) };
}

/// The thread holds a container's lock now.
const HOLDING: u8 = 1;
/// The thread runs script code and stops for the cycle collector at its
/// safepoints ([`super::cycles`]); one that does not (a host's thread) may
/// not look into a container while a collection runs.
const ATTACHED: u8 = 2;

/// Sets this thread's [`STATE`]. Through `with`, which inlines to one store:
/// `LocalKey::set` went through a call to `initialize_with` each time, 2% of
/// a map-heavy script's time.
#[inline(always)]
fn put_state(state: u8) {
    STATE.with(|s| s.set(state));
}

/// Marks this thread as holding a container's lock, for as long as it lives.
/// On a thread not attached to the collector it also keeps a collection
/// from starting meanwhile.
struct Holding {
    _lease: Option<super::cycles::Lease>,
}

impl Holding {
    #[inline]
    fn enter() -> Holding {
        let state = STATE.get();
        if state != ATTACHED {
            return Holding::enter_unusual(state);
        }
        put_state(ATTACHED | HOLDING);
        Holding { _lease: None }
    }

    /// A nested lock (a bug), or a thread that is not attached: it waits
    /// for a collection under way to end, and holds one off while it works.
    #[cold]
    #[inline(never)]
    fn enter_unusual(state: u8) -> Holding {
        if state & HOLDING != 0 {
            nested_lock();
        }
        let lease = super::cycles::Lease::take();
        put_state(state | HOLDING);
        Holding {
            _lease: Some(lease),
        }
    }
}

impl Drop for Holding {
    #[inline]
    fn drop(&mut self) {
        put_state(STATE.get() & !HOLDING);
    }
}

/// Marks this thread as attached to the collector, or not.
pub(super) fn set_attached(on: bool) {
    let state = STATE.get() & !ATTACHED;
    put_state(if on { state | ATTACHED } else { state });
}

/// Whether this thread holds a container's lock now.
pub(super) fn holding() -> bool {
    STATE.get() & HOLDING != 0
}

#[cold]
#[inline(never)]
fn nested_lock() -> ! {
    panic!("a container's lock was asked for while another's was held")
}

impl<T: Contents> Shared<T> {
    pub fn new(data: T) -> Shared<T> {
        Shared {
            cell: BiasedLock::new(Versioned { data, version: 0 }),
            mark: Default::default(),
        }
    }

    /// Runs `f` on the contents under the lock, without changing them.
    #[inline]
    pub fn read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        crate::race::on_read(self); // race hook
        let _holding = Holding::enter();
        f(&self.cell.lock().data)
    }

    /// Runs `f` on the contents under the lock, to change them.
    #[inline]
    pub fn write<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        crate::race::on_write(self); // race hook
        let _holding = Holding::enter();
        let mut cell = self.cell.lock();
        cell.version += 1;
        f(&mut cell.data)
    }

    /// A copy of the contents (the items themselves are shared: values are
    /// references), to work on with no lock held.
    pub fn snapshot(&self) -> T {
        self.read(T::clone)
    }

    /// A copy of the contents and the version it was taken at.
    pub fn versioned_snapshot(&self) -> (T, Version) {
        crate::race::on_read(self); // race hook
        let _holding = Holding::enter();
        let cell = self.cell.lock();
        (cell.data.clone(), Version(cell.version))
    }

    /// Runs `f` to change the contents if nothing was written since
    /// `version`; `None` if something was, and `f` did not run.
    pub fn write_if_unchanged<R>(
        &self,
        version: Version,
        f: impl FnOnce(&mut T) -> R,
    ) -> Option<R> {
        crate::race::on_write(self); // race hook
        let _holding = Holding::enter();
        let mut cell = self.cell.lock();
        if cell.version != version.0 {
            return None;
        }
        cell.version += 1;
        Some(f(&mut cell.data))
    }

    /// How many items it holds.
    pub fn len(&self) -> usize {
        let _race = crate::race::on_len(self); // race hook: the length alone
        self.read(T::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a [`Shared`] can hold: a list's items or a map's entries.
pub trait Contents: Clone + Default + 'static {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Its values, given up one at a time, for freeing ([`super::free`]).
    fn into_pending(self) -> super::free::Pending;
    /// Whether freeing it frees a container, closure or cell nested in it
    /// (one whose last reference it holds), which must not recurse.
    fn owns_nested(&self) -> bool;
}

impl Contents for Vec<Value> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn into_pending(self) -> super::free::Pending {
        super::free::Pending::Items(self.into_iter())
    }

    fn owns_nested(&self) -> bool {
        self.iter().any(super::free::owns_nested)
    }
}

impl Contents for Entries {
    fn len(&self) -> usize {
        Entries::len(self)
    }

    fn into_pending(self) -> super::free::Pending {
        // Keys are never containers: only the values can nest.
        super::free::Pending::Entries(self.into_values())
    }

    fn owns_nested(&self) -> bool {
        self.values().any(super::free::owns_nested)
    }
}

impl<T: Contents> Drop for Shared<T> {
    fn drop(&mut self) {
        crate::race::on_free(self); // race hook
        let data = std::mem::take(&mut self.cell.get_mut().data);
        if data.owns_nested() {
            super::free::free(data.into_pending());
        }
    }
}

impl<T: Contents> Shared<T> {
    /// Its contents, taken out: the container is being freed, or its
    /// taker holds the only reference to it, so no lock is needed.
    pub(crate) fn take(&mut self) -> T {
        std::mem::take(&mut self.cell.get_mut().data)
    }

    /// Runs `f` on the contents for the cycle collector, which works while
    /// every other thread that could use the container is stopped: no race
    /// hook (the collector is no script thread), no lease, and the bias
    /// left as it is (taking the lock the usual way would revoke it, a
    /// `membarrier` per container, and leave every record shared).
    pub(super) fn inspect<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        // SAFETY: the world is stopped (see `super::cycles::world`): no
        // thread is inside the container or can enter it, biased or not.
        f(&unsafe { self.cell.lock_world_stopped() }.data)
    }

    /// Empties the container for the cycle collector, which found it
    /// unreachable (see [`Shared::inspect`]).
    pub(super) fn empty_unreachable(&self) -> T {
        // SAFETY: as in `inspect`.
        let mut cell = unsafe { self.cell.lock_world_stopped() };
        cell.version += 1;
        std::mem::take(&mut cell.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_between_snapshot_and_commit_makes_the_commit_fail() {
        let list = Shared::new(vec![Value::Int(1)]);
        let (items, version) = list.versioned_snapshot();
        assert_eq!(items.len(), 1);
        list.write(|items| items.push(Value::Int(2)));
        assert!(list.write_if_unchanged(version, Vec::clear).is_none());
        assert_eq!(list.len(), 2);
        let (_, version) = list.versioned_snapshot();
        assert!(list.write_if_unchanged(version, Vec::clear).is_some());
        assert!(list.is_empty());
    }

    #[test]
    fn taking_a_second_container_lock_panics_instead_of_deadlocking() {
        let outer = Shared::new(vec![Value::Int(1)]);
        let inner = Shared::new(vec![Value::Int(2)]);
        let nested = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            outer.read(|_| inner.read(|items| items.len()))
        }));
        assert!(nested.is_err());
        // Unwinding released both the lock and the mark: both work again.
        assert_eq!(outer.read(|items| items.len()), 1);
        assert_eq!(inner.len(), 1);
    }
}
