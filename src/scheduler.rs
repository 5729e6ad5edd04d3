//! The deterministic scheduler (LANGUAGE.md §9): one script thread runs at a
//! time, holding the baton; a virtual clock replaces the real one.
//!
//! Every script thread is still its own OS thread, parked on its own baton
//! when it is not the one running. The baton changes hands only at blocking
//! points ([`Scheduler::block`]), when a thread starts or ends, and — when
//! exploring schedules — at random preemption points.
//!
//! Rules: a thread runs until it blocks or ends; waking another thread does
//! not stop it. A spawned thread runs at once, its spawner goes to the front
//! of the run queue; every other thread that becomes runnable joins the back,
//! threads released together in the order they began to wait. When no thread
//! can run, the clock jumps to the earliest deadline; when none is left, every
//! blocked thread is deadlocked.
//!
//! A busy-wait (`while not done {}`) never blocks, so one more rule ends it:
//! a thread that has run [`QUANTUM`] operations since it got the baton
//! yields. If another thread is ready it goes to the back of the queue; if
//! none is, the clock jumps to the earliest deadline and the threads due then
//! run first; if there is none either, it runs on. Operations are counted
//! exactly, so the switch falls at the same point on every run.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// Why a blocked thread was given the baton back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// Notified, or its deadline came: it should check its condition again.
    Retry,
    /// Nothing can ever wake it: every thread is blocked for good.
    Deadlock,
}

/// A thread blocked on a wait queue (a condition variable's address).
struct Blocked {
    thread: u64,
    queue: usize,
    deadline: Option<f64>,
}

#[derive(Default)]
struct State {
    /// The thread holding the baton.
    running: Option<u64>,
    /// Threads ready to run, in the order they will.
    ready: VecDeque<u64>,
    /// Threads waiting, in the order they began to wait.
    blocked: Vec<Blocked>,
    /// What each thread woken from `blocked` is told.
    wake: HashMap<u64, Wake>,
    /// The virtual clock: seconds since the run started.
    now: f64,
    /// Random preemption (`thr explore`): the generator and the chance of a
    /// switch at each preemption point.
    explore: Option<(Xoshiro256PlusPlus, f64)>,
    /// The program is over: the threads left (daemons) never run again.
    over: bool,
    /// Limit checks (each [`TICKS`](crate::runtime::TICKS) operations) the
    /// running thread made since it got the baton.
    spent: u32,
}

/// Operations a thread runs without blocking before it yields: 2^20, far
/// more than a thread that is not busy-waiting runs between two waits in
/// the scripts of the golden suite, so only spinning changes the schedule.
pub const QUANTUM: u32 = 1 << 20;

/// The baton-passing scheduler of a deterministic run.
pub struct Scheduler {
    state: Mutex<State>,
    /// Signalled whenever the baton changes hands; each thread waits for its turn.
    turn: Condvar,
}

impl Scheduler {
    /// A scheduler whose first running thread is the main thread (number 0).
    /// With `explore`, it also switches threads at random preemption points,
    /// driven by that seed.
    pub fn new(explore: Option<u64>) -> Arc<Scheduler> {
        let state = State {
            running: Some(0),
            explore: explore.map(|seed| (Xoshiro256PlusPlus::seed_from_u64(seed), 0.15)),
            ..State::default()
        };
        Arc::new(Scheduler {
            state: Mutex::new(state),
            turn: Condvar::new(),
        })
    }

    /// Whether it switches threads at random preemption points.
    pub fn explores(&self) -> bool {
        self.state.lock().explore.is_some()
    }

    /// Seconds on the virtual clock.
    pub fn now(&self) -> f64 {
        self.state.lock().now
    }

    /// `parent` spawned `child`: the child runs at once, the parent next.
    pub fn spawned(&self, parent: u64, child: u64) {
        let mut s = self.state.lock();
        s.ready.push_front(parent);
        s.running = Some(child);
        s.spent = 0;
        self.turn.notify_all();
        self.wait_turn(&mut s, parent);
    }

    /// Parks the calling thread until it holds the baton.
    pub fn enter(&self, me: u64) {
        let mut s = self.state.lock();
        self.wait_turn(&mut s, me);
    }

    fn wait_turn(&self, s: &mut parking_lot::MutexGuard<'_, State>, me: u64) {
        if s.running == Some(me) {
            return;
        }
        // Waiting, the thread holds up no collection of cycles; it waits
        // for one under way to end with the state let go, or every thread
        // that takes the state would wait too.
        let detached = crate::value::cycles::detach();
        while s.running != Some(me) {
            self.turn.wait(s);
        }
        parking_lot::MutexGuard::unlocked(s, || drop(detached));
    }

    /// Blocks `me` on wait queue `queue` until notified or `deadline` (virtual
    /// seconds) comes, passing the baton on meanwhile.
    pub fn block(&self, me: u64, queue: usize, deadline: Option<f64>) -> Wake {
        let mut s = self.state.lock();
        s.blocked.push(Blocked {
            thread: me,
            queue,
            deadline,
        });
        self.dispatch(&mut s);
        self.wait_turn(&mut s, me);
        s.wake.remove(&me).unwrap_or(Wake::Retry)
    }

    /// Makes up to `n` threads waiting on `queue` runnable, in wait order.
    pub fn notify(&self, queue: usize, n: usize) {
        let mut s = self.state.lock();
        let mut woken = 0;
        let mut i = 0;
        while i < s.blocked.len() && woken < n {
            if s.blocked[i].queue == queue {
                let b = s.blocked.remove(i);
                s.ready.push_back(b.thread);
                woken += 1;
            } else {
                i += 1;
            }
        }
    }

    /// Makes `thread` runnable if it is blocked (Ctrl-C for the main
    /// thread): it then finds why when it next runs. Ctrl-C comes from
    /// outside the run, so this is the one way a run stops being the same
    /// on every repetition.
    pub fn wake(&self, thread: u64) {
        let mut s = self.state.lock();
        if let Some(at) = s.blocked.iter().position(|b| b.thread == thread) {
            s.blocked.remove(at);
            s.ready.push_back(thread);
        }
    }

    /// The calling thread ends: the baton goes to the next one.
    pub fn exit(&self, me: u64) {
        let mut s = self.state.lock();
        if s.running == Some(me) {
            self.dispatch(&mut s);
        }
    }

    /// The main thread ends the program: every thread still parked is
    /// abandoned, as daemon threads are, and no deadlines fire any more.
    pub fn end_program(&self) {
        let mut s = self.state.lock();
        s.over = true;
        s.running = None;
    }

    /// A preemption point of `thr explore`: maybe let another thread run.
    pub fn preempt(&self, me: u64) {
        let mut s = self.state.lock();
        let waiting = s.ready.len();
        let Some((rng, chance)) = &mut s.explore else {
            return;
        };
        if waiting == 0 || !rng.random_bool(*chance) {
            return;
        }
        let at = rng.random_range(0..=waiting);
        s.ready.insert(at, me);
        self.dispatch(&mut s);
        self.wait_turn(&mut s, me);
    }

    /// The running thread `me` ran another [`TICKS`](crate::runtime::TICKS)
    /// operations: past its [`QUANTUM`] it yields (see the module's rules).
    pub fn spend(&self, me: u64) {
        let mut s = self.state.lock();
        if s.running != Some(me) {
            return;
        }
        s.spent += 1;
        if s.spent < QUANTUM / crate::runtime::TICKS {
            return;
        }
        s.spent = 0;
        if s.ready.is_empty() {
            self.advance_clock(&mut s);
        }
        if s.ready.is_empty() {
            return;
        }
        s.ready.push_back(me);
        self.dispatch(&mut s);
        self.wait_turn(&mut s, me);
    }

    /// Hands the baton to the next runnable thread, moving the clock forward
    /// when none is, and declaring a deadlock when nothing can ever run.
    fn dispatch(&self, s: &mut State) {
        if s.over {
            return;
        }
        if s.ready.is_empty() {
            self.advance_clock(s);
        }
        if s.ready.is_empty() && !s.blocked.is_empty() {
            for b in std::mem::take(&mut s.blocked) {
                s.wake.insert(b.thread, Wake::Deadlock);
                s.ready.push_back(b.thread);
            }
        }
        s.running = s.ready.pop_front();
        s.spent = 0;
        self.turn.notify_all();
    }

    /// Jumps to the earliest deadline and wakes, in wait order, every thread
    /// whose deadline that is.
    fn advance_clock(&self, s: &mut State) {
        let Some(next) = s
            .blocked
            .iter()
            .filter_map(|b| b.deadline)
            .min_by(f64::total_cmp)
        else {
            return;
        };
        s.now = s.now.max(next);
        let now = s.now;
        let (due, waiting): (Vec<Blocked>, Vec<Blocked>) = std::mem::take(&mut s.blocked)
            .into_iter()
            .partition(|b| b.deadline.is_some_and(|d| d <= now));
        s.blocked = waiting;
        s.ready.extend(due.into_iter().map(|b| b.thread));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_jumps_to_the_earliest_deadline() {
        let sched = Scheduler::new(None);
        let s2 = sched.clone();
        let sleeper = std::thread::spawn(move || {
            s2.enter(1);
            let wake = s2.block(1, 7, Some(5.0));
            assert_eq!(wake, Wake::Retry);
            assert_eq!(s2.now(), 5.0);
            s2.exit(1);
        });
        sched.spawned(0, 1);
        // The sleeper blocked, so the main thread runs again at time 0; now it
        // blocks with a later deadline and the sleeper goes first.
        assert_eq!(sched.now(), 0.0);
        sched.block(0, 8, Some(9.0));
        assert_eq!(sched.now(), 9.0);
        sleeper.join().unwrap();
    }

    #[test]
    fn nothing_left_to_wake_is_a_deadlock() {
        let sched = Scheduler::new(None);
        assert_eq!(sched.block(0, 1, None), Wake::Deadlock);
    }
}
