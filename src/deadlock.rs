//! Deadlock detection (LANGUAGE.md §10), exact and immediate.
//!
//! The [`Watch`] keeps, under one lock, the run's live threads and what
//! each one is waiting for. A thread waiting with no timeout is *stuck*
//! until something wakes it; a wake-up (`set`, `notify`, `release`, `put`,
//! a thread ending) unsticks the thread it picks at the moment it is given,
//! before that thread has run. So the run is deadlocked exactly when every
//! live thread is stuck: no thread can run, none has a timeout coming, and
//! no wake-up is on its way. That is checked at the two moments it can
//! become true, when a thread starts a wait and when a thread ends, in
//! constant time: nothing polls, and idle waiting costs nothing.
//!
//! When it happens, each thread gets a `DeadlockError` naming what it waits
//! on, and the run ends with one report of them all. A deterministic run's
//! scheduler finds its deadlocks itself and records them here too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::ast::Span;
use crate::diagnostic::SourceFile;
use crate::interp::{error, Thrown, Unwind};
use crate::runtime::ThreadCtx;

/// The run's live threads and their waits.
#[derive(Default)]
pub struct Watch {
    state: Mutex<State>,
    /// Set when a deadlock has been declared in this run: read without the
    /// lock at the top of every wait.
    declared: AtomicBool,
}

#[derive(Default)]
struct State {
    /// Started threads that have not ended, in start order (main first).
    alive: Vec<Arc<ThreadCtx>>,
    /// The wait each waiting thread is in, by thread number.
    waits: HashMap<u64, Waiting>,
    /// How many waits have no timeout and no wake-up on its way.
    stuck: usize,
    /// The deadlocked threads, in the order they were found.
    participants: Vec<Participant>,
    /// Where each deadlocked thread was waiting, once its error was placed.
    sites: HashMap<u64, (Arc<SourceFile>, Span)>,
}

/// One thread's current wait.
struct Waiting {
    thread: Arc<ThreadCtx>,
    /// The OS thread it sleeps on.
    os: std::thread::Thread,
    /// Which of the thread's waits this is: a wake-up meant for an earlier
    /// one is ignored.
    seq: u64,
    /// What it waits on, in a deadlock report's words, for a wait with no
    /// timeout; `None` for a timed wait, which is never stuck.
    forever: Option<String>,
    /// A wake-up has been given to it.
    woken: bool,
}

impl Waiting {
    fn is_stuck(&self) -> bool {
        self.forever.is_some() && !self.woken
    }
}

/// Wake-ups given under the watch's lock, delivered after it is let go so
/// that a woken thread never finds the lock still held by its waker.
#[derive(Default)]
struct Wakes(Vec<(Arc<ThreadCtx>, std::thread::Thread)>);

impl Wakes {
    /// Marks `thread`'s wait woken, if it is in one that `meant` picks and
    /// not woken already, and queues the unpark.
    fn add(&mut self, s: &mut State, thread: u64, meant: impl Fn(&Waiting) -> bool) {
        let Some(w) = s.waits.get_mut(&thread).filter(|w| meant(w) && !w.woken) else {
            return;
        };
        let was_stuck = w.is_stuck();
        w.woken = true;
        self.0.push((w.thread.clone(), w.os.clone()));
        s.stuck -= was_stuck as usize;
    }

    fn deliver(self) {
        drop(self.deliver_keeping());
    }

    /// Delivers them, and gives back the threads woken, for the caller to
    /// let go of where it may.
    fn deliver_keeping(self) -> Vec<Arc<ThreadCtx>> {
        for (thread, os) in &self.0 {
            thread.parker.unpark(os);
        }
        self.0.into_iter().map(|(thread, _)| thread).collect()
    }
}

/// A thread found in a deadlock.
#[derive(Clone)]
struct Participant {
    thread: u64,
    name: String,
    what: String,
    /// It has yet to get its `DeadlockError`.
    pending: bool,
}

impl Watch {
    /// Records a thread as started.
    pub fn register(&self, t: Arc<ThreadCtx>) {
        self.state.lock().alive.push(t);
    }

    /// Records a thread as ended: the threads left may now all be stuck.
    pub fn unregister(&self, t: &ThreadCtx) {
        let mut s = self.state.lock();
        s.alive.retain(|a| !std::ptr::eq(&**a, t));
        let wakes = self.check(&mut s);
        drop(s);
        wakes.deliver();
    }

    /// The started threads that have not ended, in start order.
    pub fn alive(&self) -> Vec<Arc<ThreadCtx>> {
        self.state.lock().alive.clone()
    }

    pub fn alive_count(&self) -> usize {
        self.state.lock().alive.len()
    }

    /// The main thread, while it is alive.
    pub fn main_thread(&self) -> Option<Arc<ThreadCtx>> {
        let s = self.state.lock();
        s.alive.iter().find(|t| t.number == 0).cloned()
    }

    /// `thread`, running on this OS thread, begins wait number `seq`;
    /// `forever` says what it waits on when the wait has no timeout.
    /// Declares a deadlock if that leaves every thread stuck.
    pub fn begin_wait(&self, thread: &Arc<ThreadCtx>, seq: u64, forever: Option<String>) {
        let waiting = Waiting {
            thread: thread.clone(),
            os: std::thread::current(),
            seq,
            forever,
            woken: false,
        };
        let mut s = self.state.lock();
        s.stuck += waiting.is_stuck() as usize;
        if let Some(old) = s.waits.insert(thread.number, waiting) {
            s.stuck -= old.is_stuck() as usize;
        }
        let wakes = self.check(&mut s);
        drop(s);
        wakes.deliver();
    }

    /// `thread`'s wait is over, however it ended.
    pub fn end_wait(&self, thread: u64) {
        let mut s = self.state.lock();
        if let Some(w) = s.waits.remove(&thread) {
            s.stuck -= w.is_stuck() as usize;
        }
    }

    /// Gives `thread`'s wait number `seq` its wake-up, if it is still in it.
    pub fn wake(&self, thread: u64, seq: u64) {
        let mut wakes = Wakes::default();
        wakes.add(&mut self.state.lock(), thread, |w| w.seq == seq);
        wakes.deliver();
    }

    /// Wakes every waiting thread, to look at the run again (it is over).
    pub fn wake_everyone(&self) {
        let mut wakes = Wakes::default();
        let mut s = self.state.lock();
        let waiting: Vec<u64> = s.waits.keys().copied().collect();
        for t in waiting {
            wakes.add(&mut s, t, |_| true);
        }
        drop(s);
        wakes.deliver();
    }

    /// Wakes `thread` from whatever wait it is in (Ctrl-C for the main
    /// thread), and gives back its context, which holds values: the caller,
    /// Ctrl-C's handler, must not be the one to drop it (see
    /// [`crate::runtime::Interrupt`]).
    pub fn wake_thread(&self, thread: u64) -> Vec<Arc<ThreadCtx>> {
        let mut wakes = Wakes::default();
        wakes.add(&mut self.state.lock(), thread, |_| true);
        wakes.deliver_keeping()
    }

    /// Declares a deadlock when every live thread is stuck, and returns the
    /// wake-ups that tell them. Once the main thread has ended, the daemons
    /// left are abandoned, never deadlocked.
    fn check(&self, s: &mut State) -> Wakes {
        let mut wakes = Wakes::default();
        if s.stuck == 0 || s.stuck != s.alive.len() || !s.alive.iter().any(|t| t.number == 0) {
            return wakes;
        }
        let alive = s.alive.clone();
        for t in &alive {
            let what = s.waits.get(&t.number).and_then(|w| w.forever.clone());
            debug_assert!(what.is_some(), "a stuck count matching the live threads");
            s.participants.retain(|p| p.thread != t.number);
            s.participants.push(Participant {
                thread: t.number,
                name: t.name().to_string(),
                what: what.unwrap_or_default(),
                pending: true,
            });
            wakes.add(s, t.number, |_| true);
        }
        self.declared.store(true, Ordering::SeqCst);
        wakes
    }

    /// Whether `thread` has a `DeadlockError` coming; it gets only one.
    pub fn take_pending(&self, thread: u64) -> bool {
        if !self.declared.load(Ordering::SeqCst) {
            return false;
        }
        let mut s = self.state.lock();
        let pending = s
            .participants
            .iter_mut()
            .find(|p| p.thread == thread && p.pending);
        pending.map(|p| p.pending = false).is_some()
    }

    /// The error a deadlocked thread unwinds with; a deterministic run's
    /// scheduler finds the deadlock itself, and the thread is recorded here.
    pub fn deadlocked(&self, me: &ThreadCtx, what: String) -> Unwind {
        self.declared.store(true, Ordering::SeqCst);
        let mut s = self.state.lock();
        if !s.participants.iter().any(|p| p.thread == me.number) {
            s.participants.push(Participant {
                thread: me.number,
                name: me.name().to_string(),
                what: what.clone(),
                pending: false,
            });
        }
        error(
            "DeadlockError",
            format!("{} waits {what}, and no thread can wake it", me.name()),
        )
    }

    /// Notes where a deadlocked thread was waiting (its error's place), for
    /// the report. Returns whether the error was a deadlock's.
    pub fn record_site(&self, me: &ThreadCtx, t: &Thrown) -> bool {
        if &*t.error.kind != "DeadlockError" || !self.declared.load(Ordering::SeqCst) {
            return false;
        }
        if let Some(at) = &t.at {
            self.state.lock().sites.insert(me.number, at.clone());
        }
        true
    }

    /// The report of a declared deadlock, if there was one: every thread,
    /// what it waits on, and where. Threads that wait on the same thing at
    /// the same place share a line when there are many of them, so a report
    /// of thousands stays short and quick to make.
    pub fn report(&self, color: bool) -> Option<String> {
        if !self.declared.load(Ordering::SeqCst) {
            return None;
        }
        let s = self.state.lock();
        let mut participants = s.participants.clone();
        participants.sort_by_key(|p| p.thread);
        let groups = group_by_place(&participants, &s.sites);
        let mut lines = String::from("every thread is blocked, and none can wake another:\n");
        for g in &groups {
            let place = g.site.map_or_else(String::new, |(src, span)| {
                format!(" at {}", src.location(span.start))
            });
            lines.push_str(&format!("  {}{place}\n", g.sentence()));
        }
        let header = match groups.iter().find_map(|g| g.site) {
            Some((source, span)) => {
                // The lines below name everyone; the picture marks the first few.
                let labels: Vec<(Span, String)> = groups
                    .iter()
                    .filter_map(|g| {
                        let (src, span) = g.site?;
                        Arc::ptr_eq(src, source).then(|| (*span, g.sentence()))
                    })
                    .take(MARKED)
                    .collect();
                crate::diagnostic::Diagnostic::new(
                    "DeadlockError",
                    "every thread is blocked",
                    *span,
                )
                .render_labels(source, &labels, color)
            }
            None => "DeadlockError: every thread is blocked\n".to_string(),
        };
        Some(format!("{header}{lines}"))
    }

    /// In the REPL, after the main thread's entry ended in a deadlock: gives
    /// the other deadlocked threads a moment to reach their errors, returns
    /// the report, and forgets the deadlock so a later one is found anew.
    pub fn settle(&self, color: bool) -> String {
        let settled = || {
            let s = self.state.lock();
            s.participants.iter().all(|p| {
                s.sites.contains_key(&p.thread) || !s.alive.iter().any(|t| t.number == p.thread)
            })
        };
        let give_up = Instant::now() + Duration::from_millis(400);
        while !settled() && Instant::now() < give_up {
            std::thread::sleep(Duration::from_millis(10));
        }
        let report = self.report(color).unwrap_or_default();
        self.declared.store(false, Ordering::SeqCst);
        let mut s = self.state.lock();
        s.participants.clear();
        s.sites.clear();
        report
    }
}

impl crate::runtime::Runtime {
    /// Notes where a deadlocked thread was waiting; whether `t` is a
    /// deadlock's error (see [`Watch::record_site`]).
    pub fn record_deadlock_site(&self, me: &ThreadCtx, t: &Thrown) -> bool {
        self.watch.record_site(me, t)
    }

    /// The report of the run's deadlock, if it had one.
    pub fn deadlock_report(&self, color: bool) -> Option<String> {
        self.watch.report(color)
    }

    /// The REPL's report of an entry's deadlock (see [`Watch::settle`]).
    pub fn settle_deadlock(&self, color: bool) -> String {
        self.watch.settle(color)
    }
}

/// Threads waiting on the same thing at the same place, for a report.
struct Group<'a> {
    names: Vec<&'a str>,
    what: &'a str,
    site: Option<&'a (Arc<SourceFile>, Span)>,
}

/// How many waits the report's picture of the source marks at most.
const MARKED: usize = 12;

/// Up to this many threads of a group are named one by one, each on its
/// own line; a larger group is one line naming its first few.
const NAMED: usize = 3;

impl Group<'_> {
    /// "Thread-1 waits in event.wait()", or for a large group "Thread-1,
    /// Thread-2, Thread-3 and 997 more wait in event.wait()".
    fn sentence(&self) -> String {
        match self.names.as_slice() {
            [one] => format!("{one} waits {}", self.what),
            names => format!(
                "{} and {} more wait {}",
                names[..NAMED].join(", "),
                names.len() - NAMED,
                self.what
            ),
        }
    }
}

/// The participants as report entries, in thread order: each thread alone,
/// except that more than [`NAMED`] threads waiting on the same thing at the
/// same place make one group, where the first of them stands.
fn group_by_place<'a>(
    participants: &'a [Participant],
    sites: &'a HashMap<u64, (Arc<SourceFile>, Span)>,
) -> Vec<Group<'a>> {
    let place = |p: &'a Participant| {
        let site = sites.get(&p.thread);
        (
            site.map(|(src, span)| (Arc::as_ptr(src), span.start, span.end)),
            p.what.as_str(),
        )
    };
    let mut sizes: HashMap<_, usize> = HashMap::new();
    for p in participants {
        *sizes.entry(place(p)).or_default() += 1;
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut grouped: HashMap<_, usize> = HashMap::new();
    for p in participants {
        let key = place(p);
        if sizes[&key] > NAMED {
            if let Some(&at) = grouped.get(&key) {
                groups[at].names.push(&p.name);
                continue;
            }
            grouped.insert(key, groups.len());
        }
        groups.push(Group {
            names: vec![&p.name],
            what: &p.what,
            site: sites.get(&p.thread),
        });
    }
    groups
}
