//! A lock biased toward the thread that made it: [`Shared`]'s lock.
//!
//! Most lists and maps are only ever touched by the thread that made them
//! (a record read in a loop, a list filled and summed). For them a lock
//! that costs two atomic read-modify-writes per operation (take, let go) is
//! most of the price of `b.x` or `xs[i]`. So a container becomes *biased*:
//! its maker takes it by marking itself inside with a plain store, checking
//! that the bias still holds, and letting go with another plain store. The
//! first other thread to touch it *revokes* the bias, once, and from then on
//! everyone, the maker included, uses an ordinary mutex.
//!
//! # States
//!
//! `owner` is the whole state; only a thread holding the mutex changes it,
//! and each change goes one way:
//!
//! - *candidate* of thread `t` (`t | CANDIDATE`): how a container is born.
//!   Everyone takes the mutex. After [`PROMOTE_AFTER`] operations by `t`,
//!   `t` promotes it (a plain store under the mutex: no thread can be inside
//!   without the mutex yet). Another thread meeting a candidate makes it
//!   shared with a plain store, for the same reason.
//! - *biased* to `t` (`t`): `t` takes it without the mutex (below); another
//!   thread meeting it revokes the bias, which costs a `membarrier` call.
//! - *shared* ([`SHARED`]): everyone takes the mutex, for good.
//!
//! While the process's values are confined to one thread (see
//! [`super::rc`]), that thread takes its candidates without the mutex too:
//! there is nobody to exclude, and no thread can start while one is inside
//! (script code never runs inside a container's lock), so what it did is
//! ordered before any thread that later takes the mutex.
//!
//! The candidate state is for hand-offs: a container made by one thread
//! and passed to another (a message put on a queue, a spawned thread's
//! arguments) is mostly touched a few times by its maker, if at all, before
//! it changes hands. Biased at birth, each such container would cost a
//! `membarrier` (0.6 µs more per container in `bench/handoff`, and an
//! interrupt on every other core running the process); as a candidate it
//! costs a plain store.
//!
//! # Why the maker and a revoker are never inside together
//!
//! The maker's side is the fast half of an asymmetric Dekker handshake:
//! it stores `inside = true` and then loads `owner`, with only a compiler
//! barrier between. The revoker, holding the mutex, stores `owner = SHARED`
//! and then loads `inside`, with a heavy barrier between: the
//! `membarrier(PRIVATE_EXPEDITED)` system call, which returns only after
//! every thread of the process that is running has executed a full memory
//! barrier (threads not running pass one when they are switched back in).
//! The maker's store and load fall on one side of that barrier or straddle
//! it:
//!
//! - both before it: the store is visible to the revoker's load, which
//!   happens after the barrier, so the revoker waits for `inside = false`;
//! - the store before and the load after: the same, and the maker also sees
//!   `SHARED` and leaves at once to take the mutex, which the revoker holds;
//! - both after it: the maker's load sees `SHARED` (the revoker's store came
//!   before the barrier), so the maker never enters without the mutex.
//!
//! (The processor cannot make the load go before the store across the
//! barrier; the compiler fence keeps the compiler from doing it.) So the two
//! never run on the contents at once. What the maker wrote inside, it
//! published with its `inside = false` (release), which the revoker's load
//! (acquire) reads; from then on the mutex orders everything. This is the
//! scheme of the Linux kernel's `sys_membarrier` users and of asymmetric
//! fences in folly.
//!
//! A maker that has ended left `inside = false` behind (a guard is dropped
//! even when a panic unwinds) and its token is never given to another
//! thread, so revoking its bias only costs the barrier. One thread never
//! nests two guards: [`Shared`] refuses a second container lock before it
//! asks for this one. No operation waits while it holds a container's
//! lock, so a revoker waiting for `inside = false` waits one operation at
//! most. Under `--deterministic` every script thread is still its own OS
//! thread with its own token, parked only at blocking points, never inside;
//! the race detector's hooks run before the lock is taken and see the same
//! operations either way. Where `membarrier` is missing (not Linux, an old
//! kernel, a sandbox that forbids it) nothing is biased: every container
//! uses the mutex from birth (checked by running the torture suite with
//! the call made to fail: `strace -f -e inject=membarrier:error=ENOSYS`).
//!
//! [`Shared`]: super::Shared

use std::cell::{Cell, UnsafeCell};
use std::sync::atomic::{compiler_fence, AtomicBool, AtomicU64, AtomicU8, Ordering};

use parking_lot::lock_api::RawMutex as _;
use parking_lot::RawMutex;

/// What holding the mutex leaves in hand, to let it go with.
type Held = <RawMutex as parking_lot::lock_api::RawMutex>::Guard;

/// The owner of a container no thread owns: every access takes the mutex.
const SHARED: u64 = 0;

/// Marks an owner that is only a candidate: it too takes the mutex.
const CANDIDATE: u64 = 1 << 63;

/// Operations its maker does on a candidate before it becomes biased: a
/// handful, so that a container made to be handed over (a message) is
/// handed over before it is biased, while one kept for long (a record) pays
/// the mutex only this many times.
const PROMOTE_AFTER: u8 = 4;

/// A value behind a lock that its maker takes without atomic
/// read-modify-writes until another thread uses it.
pub struct BiasedLock<T> {
    bias: Bias,
    data: UnsafeCell<T>,
}

// SAFETY: the contents are reached only through a `Guard`, and a guard
// exists on one thread at a time: the maker's while biased (see the module
// doc), the mutex holder's otherwise. Like a `Mutex`, it is `Sync` for
// contents that may be sent between threads.
unsafe impl<T: Send> Send for BiasedLock<T> {}
unsafe impl<T: Send> Sync for BiasedLock<T> {}

/// Who may take the lock how: its state, apart from the contents.
struct Bias {
    /// The state (see the module doc). Written only under the mutex.
    owner: AtomicU64,
    /// The owner is inside without the mutex. Only the owner writes it.
    inside: AtomicBool,
    mutex: RawMutex,
    /// The candidate's operations so far. Used only under the mutex.
    uses: AtomicU8,
}

/// Access to the contents, for as long as it lives.
pub struct Guard<'a, T> {
    lock: &'a BiasedLock<T>,
    /// The mutex's guard, or `None` when taken biased.
    held: Option<Held>,
}

impl<T> BiasedLock<T> {
    /// A lock over `data`, biased toward this thread where that is possible.
    pub fn new(data: T) -> BiasedLock<T> {
        BiasedLock {
            bias: Bias {
                owner: AtomicU64::new(maker()),
                inside: AtomicBool::new(false),
                mutex: RawMutex::INIT,
                uses: AtomicU8::new(0),
            },
            data: UnsafeCell::new(data),
        }
    }

    /// Takes the lock.
    #[inline]
    pub fn lock(&self) -> Guard<'_, T> {
        Guard {
            lock: self,
            held: self.bias.enter(),
        }
    }

    /// Takes the mutex without moving the state on: no bias is revoked,
    /// no candidate counts a use.
    ///
    /// # Safety
    /// No thread may be inside without the mutex, nor enter so, while the
    /// guard lives: every thread that could use the lock is stopped (the
    /// cycle collector's stopped world), and what they did before they
    /// stopped is ordered before the caller by how they were stopped.
    pub unsafe fn lock_world_stopped(&self) -> Guard<'_, T> {
        Guard {
            lock: self,
            held: Some(self.bias.mutex.lock()),
        }
    }

    /// The contents, with no lock: nothing else can reach them.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl Bias {
    /// Takes the lock: biased (`None`), or the mutex.
    #[inline(always)]
    fn enter(&self) -> Option<Held> {
        let me = token();
        let owner = self.owner.load(Ordering::Relaxed);
        if owner == me | CANDIDATE && super::rc::confined() {
            // No other thread touches values: nothing to exclude. The state
            // moves on as under the mutex.
            self.count_use();
            return None;
        }
        if owner == me {
            self.inside.store(true, Ordering::Relaxed);
            // Only the compiler must not swap the store above and the load
            // below; the revoker's heavy barrier orders them in the
            // processor (see the module doc).
            compiler_fence(Ordering::SeqCst);
            if self.owner.load(Ordering::Acquire) == me {
                return None;
            }
            self.inside.store(false, Ordering::Release);
        }
        Some(self.enter_shared())
    }

    /// Takes the mutex, and moves the state on (see the module doc).
    #[cold]
    #[inline(never)]
    fn enter_shared(&self) -> Held {
        let held = self.mutex.lock();
        match self.owner.load(Ordering::Relaxed) {
            SHARED => {}
            o if o == token() | CANDIDATE => self.count_use(),
            // Nobody can be inside a candidate without the mutex.
            o if o & CANDIDATE != 0 => self.owner.store(SHARED, Ordering::Relaxed),
            _ => self.revoke(),
        }
        held
    }

    /// Counts one of the maker's operations on its candidate, the mutex
    /// being held (or values confined to the maker); biases it toward the
    /// maker after enough.
    fn count_use(&self) {
        let uses = self.uses.load(Ordering::Relaxed) + 1;
        self.uses.store(uses, Ordering::Relaxed);
        if uses >= PROMOTE_AFTER {
            // Only this thread's fast path reads it as its own, in order.
            self.owner.store(token(), Ordering::Relaxed);
        }
    }

    /// Ends the bias, the mutex being held: from here on the owner too
    /// takes the mutex. Returns once the owner is not inside.
    fn revoke(&self) {
        self.owner.store(SHARED, Ordering::SeqCst);
        heavy_barrier();
        let mut tries = 0u32;
        while self.inside.load(Ordering::Acquire) {
            // The owner is in the middle of one operation, which never
            // waits for anything: it leaves soon.
            tries += 1;
            if tries < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    #[inline(always)]
    fn leave(&self, held: Option<Held>) {
        match held {
            None => self.inside.store(false, Ordering::Release),
            // SAFETY: `held` came from taking this mutex.
            Some(held) => unsafe { self.mutex.unlock(held) },
        }
    }
}

impl<T> std::ops::Deref for Guard<'_, T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock (see `BiasedLock`'s `Sync`).
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> std::ops::DerefMut for Guard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and is borrowed mutably.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        self.lock.bias.leave(self.held.take());
    }
}

thread_local! {
    /// This thread's token as an owner; 0 until it first needs one.
    static TOKEN: Cell<u64> = const { Cell::new(0) };
}

/// This thread's token: never [`SHARED`], never reused by another thread.
#[inline(always)]
fn token() -> u64 {
    let t = TOKEN.get();
    if t != 0 {
        return t;
    }
    new_token()
}

#[cold]
fn new_token() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let t = NEXT.fetch_add(1, Ordering::Relaxed);
    TOKEN.set(t);
    t
}

/// The owner a new container gets: this thread as a candidate, if biasing
/// is possible.
fn maker() -> u64 {
    if biasing() {
        token() | CANDIDATE
    } else {
        SHARED
    }
}

/// Asks the kernel for biasing now. Registering while the process has one
/// thread is immediate; once another thread exists (Ctrl-C's handler, a
/// host's) the kernel waits for an RCU grace period first, 13 ms here,
/// which was most of a small script's wall time.
pub fn prepare() {
    biasing();
}

/// Whether this process can revoke biases (asked once).
#[inline]
fn biasing() -> bool {
    const UNKNOWN: u8 = 0;
    const YES: u8 = 1;
    static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);
    match STATE.load(Ordering::Relaxed) {
        UNKNOWN => {
            let yes = barrier::register();
            STATE.store(if yes { YES } else { 2 }, Ordering::Relaxed);
            yes
        }
        s => s == YES,
    }
}

/// Makes every running thread of the process execute a full memory barrier.
fn heavy_barrier() {
    if !barrier::run() {
        // Registration succeeded, so the call cannot fail short of a
        // broken kernel: going on would let two threads in at once.
        panic!("membarrier failed after it was registered");
    }
}

#[cfg(target_os = "linux")]
mod barrier {
    /// Registers the process for expedited private barriers; whether that
    /// worked. Registering twice is harmless.
    pub fn register() -> bool {
        call(libc::MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)
    }

    pub fn run() -> bool {
        call(libc::MEMBARRIER_CMD_PRIVATE_EXPEDITED)
    }

    fn call(cmd: libc::c_int) -> bool {
        // SAFETY: membarrier takes two ints and a cpu id, and touches no
        // memory of ours.
        unsafe { libc::syscall(libc::SYS_membarrier, cmd, 0, 0) == 0 }
    }
}

#[cfg(not(target_os = "linux"))]
mod barrier {
    pub fn register() -> bool {
        false
    }

    pub fn run() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn owner<T>(lock: &BiasedLock<T>) -> u64 {
        lock.bias.owner.load(Ordering::Relaxed)
    }

    /// A lock its maker has used enough to be biased toward it.
    fn biased_lock() -> Arc<BiasedLock<u64>> {
        let lock = Arc::new(BiasedLock::new(0u64));
        for _ in 0..PROMOTE_AFTER {
            *lock.lock() += 1;
        }
        let biased = if biasing() { token() } else { SHARED };
        assert_eq!(owner(&lock), biased);
        lock
    }

    #[test]
    fn a_lock_is_biased_only_after_its_maker_used_it_a_few_times() {
        let lock = BiasedLock::new(0u64);
        for _ in 1..PROMOTE_AFTER {
            *lock.lock() += 1;
        }
        let candidate = if biasing() {
            token() | CANDIDATE
        } else {
            SHARED
        };
        assert_eq!(owner(&lock), candidate);
        *lock.lock() += 1;
        assert_eq!(owner(&lock) == token(), biasing());
    }

    #[test]
    fn a_candidate_handed_over_becomes_shared_and_keeps_its_contents() {
        let lock = Arc::new(BiasedLock::new(0u64));
        *lock.lock() += 1;
        let other = lock.clone();
        std::thread::spawn(move || *other.lock() += 1)
            .join()
            .unwrap();
        assert_eq!(owner(&lock), SHARED);
        for _ in 0..PROMOTE_AFTER {
            *lock.lock() += 1;
        }
        // Shared for good: its maker's uses no longer count.
        assert_eq!(owner(&lock), SHARED);
        assert_eq!(*lock.lock(), 2 + PROMOTE_AFTER as u64);
    }

    #[test]
    fn another_thread_revokes_the_bias_and_sees_the_makers_writes() {
        let lock = biased_lock();
        for _ in 0..1000 {
            *lock.lock() += 1;
        }
        let other = lock.clone();
        std::thread::spawn(move || *other.lock() += 1)
            .join()
            .unwrap();
        assert_eq!(owner(&lock), SHARED);
        assert_eq!(*lock.lock(), 1001 + PROMOTE_AFTER as u64);
    }

    #[test]
    fn the_maker_and_others_never_lose_an_update() {
        // The maker hammers its lock while others make it shared midway:
        // biased (revoked with the barrier), or still a candidate.
        for round in 0..40 {
            let lock = match round % 2 {
                0 => biased_lock(),
                _ => Arc::new(BiasedLock::new(PROMOTE_AFTER as u64)),
            };
            let others: Vec<_> = (0..3)
                .map(|_| {
                    let lock = lock.clone();
                    std::thread::spawn(move || {
                        for _ in 0..10_000 {
                            *lock.lock() += 1;
                        }
                    })
                })
                .collect();
            for _ in 0..10_000 {
                *lock.lock() += 1;
            }
            for t in others {
                t.join().unwrap();
            }
            assert_eq!(*lock.lock(), 40_000 + PROMOTE_AFTER as u64);
        }
    }
}
