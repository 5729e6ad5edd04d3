//! The reference counts of values: atomic only once a second thread may
//! touch values.
//!
//! Every clone and drop of a string, list, map or function changes a
//! reference count. Done atomically, each change is a locked instruction,
//! which drains the processor's store buffer: profiles of the
//! single-threaded benchmarks put a fifth to a third of their time on
//! those instructions. While one thread alone touches values, a plain
//! load and store do the same job.
//!
//! So the counts have two modes, one for the whole process:
//! - *shared* (the default): every change is atomic, as in `std::sync::Arc`
//!   (and with the same memory orderings);
//! - *confined*: a plain read and write. A program enters it with
//!   [`confine`], whose caller promises that no other thread touches a value
//!   (the `thr` binary, whose other threads — Ctrl-C's handler, the REPL's
//!   doorbell — never do).
//!
//! The mode goes back to shared, for good, in [`share`], which
//! [`crate::os_thread::spawn`] calls before it starts any script thread:
//! the one thread that touched values makes the switch itself, and the new
//! thread starts after it, so no change of a count is ever made plainly
//! while another thread changes it.

use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};

static SHARED: AtomicBool = AtomicBool::new(true);

/// Makes every reference count atomic from now on. Called by the one
/// thread touching values before it starts another that will.
pub fn share() {
    SHARED.store(true, Ordering::Relaxed);
}

/// Makes reference counts plain reads and writes until Thr starts a script
/// thread, which makes them atomic again for good.
///
/// # Safety
/// Until then, only the calling thread touches values, or threads it
/// hands them to and waits for (a thread started and joined in turn): no
/// two threads may clone or drop values at the same time. Threads Thr
/// starts to run script code make counts atomic before they exist.
pub unsafe fn confine() {
    SHARED.store(false, Ordering::Relaxed);
}

#[inline(always)]
fn shared() -> bool {
    SHARED.load(Ordering::Relaxed)
}

/// Whether one thread alone touches values (see [`confine`]).
#[inline(always)]
pub(super) fn confined() -> bool {
    !shared()
}

/// Moves `state` from `from` to `to`, if it is `from`: a compare-and-swap,
/// or a plain load and store while values are confined to one thread.
pub(super) fn claim(state: &std::sync::atomic::AtomicU8, from: u8, to: u8) -> bool {
    match shared() {
        true => state
            .compare_exchange(from, to, Ordering::Acquire, Ordering::Relaxed)
            .is_ok(),
        false => {
            let ok = state.load(Ordering::Relaxed) == from;
            if ok {
                state.store(to, Ordering::Relaxed);
            }
            ok
        }
    }
}

/// A count too high to be real: something leaked references in a loop.
/// Aborts, as `Arc` does, rather than wrap around and free a value in use.
const MAX: usize = isize::MAX as usize;

/// One reference count.
pub(super) struct Count(AtomicUsize);

impl Count {
    pub(super) const fn new(n: usize) -> Count {
        Count(AtomicUsize::new(n))
    }

    pub(super) fn get(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }

    #[inline(always)]
    pub(super) fn increment(&self) {
        let old = match shared() {
            true => self.0.fetch_add(1, Ordering::Relaxed),
            false => {
                let n = self.0.load(Ordering::Relaxed);
                self.0.store(n + 1, Ordering::Relaxed);
                n
            }
        };
        if old > MAX {
            std::process::abort();
        }
    }

    /// Takes one away; `true` when none are left, and then everything done
    /// through the other references happened before the caller goes on.
    #[inline(always)]
    pub(super) fn decrement(&self) -> bool {
        match shared() {
            true => {
                if self.0.fetch_sub(1, Ordering::Release) != 1 {
                    return false;
                }
                fence(Ordering::Acquire);
                true
            }
            false => {
                let n = self.0.load(Ordering::Relaxed);
                self.0.store(n - 1, Ordering::Relaxed);
                n == 1
            }
        }
    }

    /// Adds one unless the count is zero (a weak reference's upgrade).
    fn increment_unless_zero(&self) -> bool {
        let step = |n: usize| (n != 0).then(|| n + 1);
        match shared() {
            true => self
                .0
                .fetch_update(Ordering::Acquire, Ordering::Relaxed, step)
                .is_ok(),
            false => match step(self.0.load(Ordering::Relaxed)) {
                Some(n) => {
                    self.0.store(n, Ordering::Relaxed);
                    true
                }
                None => false,
            },
        }
    }
}

struct Inner<T> {
    strong: Count,
    /// Weak references, plus one for all the strong ones together.
    weak: Count,
    value: T,
}

/// A shared, reference-counted value: `std::sync::Arc` with counts that
/// are atomic only when they need to be (see the module's text).
pub struct Rc<T> {
    ptr: NonNull<Inner<T>>,
    owns: PhantomData<Inner<T>>,
}

// SAFETY: as for `Arc`: the value is shared between threads by reference
// and dropped by whichever thread lets go last.
unsafe impl<T: Send + Sync> Send for Rc<T> {}
unsafe impl<T: Send + Sync> Sync for Rc<T> {}

impl<T> Rc<T> {
    pub fn new(value: T) -> Rc<T> {
        let inner = Box::new(Inner {
            strong: Count::new(1),
            weak: Count::new(1),
            value,
        });
        Rc {
            ptr: NonNull::from(Box::leak(inner)),
            owns: PhantomData,
        }
    }

    #[inline(always)]
    fn inner(&self) -> &Inner<T> {
        // SAFETY: the value lives while a strong reference does.
        unsafe { self.ptr.as_ref() }
    }

    pub fn ptr_eq(a: &Rc<T>, b: &Rc<T>) -> bool {
        a.ptr == b.ptr
    }

    pub fn as_ptr(this: &Rc<T>) -> *const T {
        &this.inner().value
    }

    pub fn strong_count(this: &Rc<T>) -> usize {
        this.inner().strong.get()
    }

    pub fn downgrade(this: &Rc<T>) -> Weak<T> {
        this.inner().weak.increment();
        Weak { ptr: this.ptr }
    }

    /// The value, if this is its last strong reference; else `None`, and
    /// the reference is let go.
    pub fn into_inner(this: Rc<T>) -> Option<T> {
        let this = std::mem::ManuallyDrop::new(this);
        if !this.inner().strong.decrement() {
            return None;
        }
        // SAFETY: the last strong reference: the value is read once, and
        // only the weak references' share of the allocation stays.
        let value = unsafe { std::ptr::read(&this.inner().value) };
        drop(Weak { ptr: this.ptr });
        Some(value)
    }

    #[cold]
    #[inline(never)]
    fn drop_value(&mut self) {
        // SAFETY: the last strong reference is going: nobody reads the
        // value again, and weak references cannot upgrade any more.
        unsafe { std::ptr::drop_in_place(&mut (*self.ptr.as_ptr()).value) };
        drop(Weak { ptr: self.ptr });
    }
}

impl<T> Clone for Rc<T> {
    #[inline(always)]
    fn clone(&self) -> Rc<T> {
        self.inner().strong.increment();
        Rc {
            ptr: self.ptr,
            owns: PhantomData,
        }
    }
}

impl<T> Drop for Rc<T> {
    #[inline(always)]
    fn drop(&mut self) {
        if self.inner().strong.decrement() {
            self.drop_value();
        }
    }
}

impl<T> Deref for Rc<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        &self.inner().value
    }
}

impl<T: Default> Default for Rc<T> {
    fn default() -> Rc<T> {
        Rc::new(T::default())
    }
}

impl<T: PartialEq> PartialEq for Rc<T> {
    fn eq(&self, other: &Rc<T>) -> bool {
        **self == **other
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Rc<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// A reference that does not keep the value alive, only its allocation.
pub struct Weak<T> {
    ptr: NonNull<Inner<T>>,
}

// SAFETY: as for `std::sync::Weak`.
unsafe impl<T: Send + Sync> Send for Weak<T> {}
unsafe impl<T: Send + Sync> Sync for Weak<T> {}

impl<T> Weak<T> {
    fn inner(&self) -> &Inner<T> {
        // SAFETY: the allocation lives while a weak reference does.
        unsafe { self.ptr.as_ref() }
    }

    /// A strong reference, if the value is still alive.
    pub fn upgrade(&self) -> Option<Rc<T>> {
        // `then`, not `then_some`: a reference made and dropped on failure
        // would take the count below zero.
        let upgraded = self.inner().strong.increment_unless_zero();
        upgraded.then(|| Rc {
            ptr: self.ptr,
            owns: PhantomData,
        })
    }

    pub fn strong_count(&self) -> usize {
        self.inner().strong.get()
    }
}

impl<T> Drop for Weak<T> {
    fn drop(&mut self) {
        if self.inner().weak.decrement() {
            // SAFETY: the last reference of any kind: the value was
            // dropped with the last strong one, so only the box is freed.
            unsafe {
                let inner = self.ptr.as_ptr();
                std::alloc::dealloc(inner.cast(), std::alloc::Layout::new::<Inner<T>>());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    struct Noisy<'a>(&'a AtomicUsize);

    impl Drop for Noisy<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn the_value_goes_with_the_last_strong_reference() {
        let drops = AtomicUsize::new(0);
        let a = Rc::new(Noisy(&drops));
        let b = a.clone();
        let weak = Rc::downgrade(&a);
        assert_eq!(Rc::strong_count(&a), 2);
        drop(a);
        assert!(weak.upgrade().is_some());
        assert_eq!(drops.load(Ordering::Relaxed), 0);
        drop(b);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        assert!(weak.upgrade().is_none());
        assert_eq!(weak.strong_count(), 0);
    }

    #[test]
    fn into_inner_takes_the_value_from_the_last_reference_only() {
        let a = Rc::new(String::from("x"));
        let b = a.clone();
        assert_eq!(Rc::into_inner(a), None);
        assert_eq!(Rc::into_inner(b).as_deref(), Some("x"));
    }

    #[test]
    fn counts_stay_exact_under_threads() {
        let a = Rc::new(0u8);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..100_000 {
                        drop(a.clone());
                        drop(Rc::downgrade(&a).upgrade());
                    }
                });
            }
        });
        assert_eq!(Rc::strong_count(&a), 1);
    }
}
