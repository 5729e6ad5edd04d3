//! The cycle collector: every kind of reference cycle a script can make is
//! freed once nothing else refers to it, what is still reachable is left
//! alone, an engine running scripts in a loop keeps steady memory, and
//! threads changing cyclic structures while collections run lose nothing.
//!
//! The collector and its registry of objects are one per process: the
//! tests here run one at a time, so that what one counts is its own.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use thr::cli_support::{collect_now, cycle_stats, live_objects};
use thr::{Capture, Engine, FromValue, Value};

fn one_at_a_time() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The lists, maps and capturing functions alive once a full collection
/// has run.
fn settled() -> usize {
    assert!(collect_now(), "the world stopped for the collection");
    live_objects()
}

/// An engine whose output is captured.
fn engine() -> (Engine, Capture) {
    let out = Capture::default();
    let mut engine = Engine::new();
    engine.set_output(out.clone());
    (engine, out)
}

fn run(code: &str) -> String {
    let (mut engine, out) = engine();
    engine.run_str(code).unwrap();
    out.text()
}

/// Runs `code` (which must print `printed`), checks it left at least
/// `garbage` objects behind that only a collection frees, and that one
/// frees every one of them.
fn freed_by_a_collection(code: &str, printed: &str, garbage: usize) {
    let _serial = one_at_a_time();
    let before = settled();
    assert_eq!(run(code), printed);
    let left = live_objects() - before;
    assert!(
        left >= garbage,
        "expected at least {garbage} objects left in cycles, found {left}"
    );
    let (_, freed_before) = cycle_stats();
    assert_eq!(settled(), before, "a collection frees every cycle");
    let (_, freed_after) = cycle_stats();
    assert!(freed_after - freed_before >= left as u64);
}

/// A script that makes `n` accounts, records whose methods capture them,
/// and prints the sum of their balances, `n * (n - 1) / 2`.
fn accounts(n: usize) -> String {
    format!(
        "
fn account(name) {{
    let self = {{name: name, balance: 0, log: []}}
    self.deposit = fn(n) {{ self.balance += n; self.log.push(n) }}
    self.get = fn() {{ self.balance }}
    self
}}
let total = 0
for i in range({n}) {{
    let a = account('a%d' % i)
    a.deposit(i)
    total += a.get()
}}
print(total)
"
    )
}

#[test]
fn records_whose_methods_capture_them_are_freed() {
    // Each account: its map, its log and its two methods.
    freed_by_a_collection(&accounts(50), "1225\n", 200);
}

#[test]
fn a_list_that_contains_itself_is_freed() {
    let code = "
for i in range(40) {
    let l = [i]
    l.push(l)
}
let l = [1]
l.push(l)
print(l)
";
    freed_by_a_collection(code, "[1, [...]]\n", 41);
}

#[test]
fn a_map_in_a_list_in_the_map_is_freed() {
    let code = "
for i in range(30) {
    let m = {n: i}
    let l = [m]
    m.items = l
}
print('done')
";
    freed_by_a_collection(code, "done\n", 60);
}

#[test]
fn functions_that_call_each_other_are_freed() {
    // Nested functions that call each other capture each other's cells,
    // which are never reassigned: a cycle of functions and cells alone.
    let code = "
fn parity(n) {
    fn even(k) {
        if k == 0 { return true }
        return odd(k - 1)
    }
    fn odd(k) {
        if k == 0 { return false }
        return even(k - 1)
    }
    return even(n)
}
fn factorial(n) {
    fn fact(k) {
        if k <= 1 { return 1 }
        return k * fact(k - 1)
    }
    return fact(n)
}
let evens = 0
for i in range(40) {
    if parity(i) { evens += 1 }
}
print(evens, factorial(10))
";
    freed_by_a_collection(code, "20 3628800\n", 81);
}

#[test]
fn a_function_stored_in_a_variable_it_captures_is_freed() {
    // The variable is reassigned, so its cell has a lock: another kind.
    let code = "
for i in range(30) {
    let f = nil
    f = fn() { f }
}
print('done')
";
    freed_by_a_collection(code, "done\n", 30);
}

#[test]
fn cycles_through_defaults_and_map_keys_are_freed() {
    let code = "
for i in range(20) {
    let m = {}
    m.f = fn(x = m) { x }
    let k = {}
    let g = fn() { k }
    k[g] = i
}
print('done')
";
    // Each round: two maps and two functions.
    freed_by_a_collection(code, "done\n", 80);
}

#[test]
fn what_is_still_reachable_is_left_whole() {
    let _serial = one_at_a_time();
    let before = settled();
    let (mut engine, _) = engine();
    engine
        .eval(
            "
fn node(n) {
    let self = {n: n, kids: []}
    self.add = fn(k) { self.kids.push(k); k.parent = self }
    self.total = fn() {
        let t = self.n
        for k in self.kids { t += k.total() }
        t
    }
    self
}
let root = node(1)
for i in range(2, 6) { root.add(node(i)) }
let loop = [root]
loop.push(loop)
",
        )
        .unwrap();
    // Five nodes of a map, a list and two functions each, and the loop.
    let live = settled();
    assert!(live > before + 5 * 4, "all alive: {live}");
    assert_eq!(engine.eval("root.total()").unwrap().repr(), "15");
    assert_eq!(engine.eval("root.kids[3].parent.n").unwrap().repr(), "1");
    let looped = engine.eval("loop[1][1][0].kids[0].n").unwrap();
    assert_eq!(looped.repr(), "2");
    drop(engine);
    assert_eq!(settled(), before, "the session's cycles go with it");
}

/// The process's resident memory, in bytes.
fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // SAFETY: sysconf reads a constant of the system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    pages * page
}

#[test]
fn an_engine_running_scripts_in_a_loop_keeps_steady_memory() {
    let _serial = one_at_a_time();
    let code = accounts(200);
    let (mut engine, out) = engine();
    for _ in 0..100 {
        engine.run_str(&code).unwrap();
    }
    let (_, freed_before) = cycle_stats();
    let before = resident();
    for _ in 0..1000 {
        engine.run_str(&code).unwrap();
    }
    let grown = resident().saturating_sub(before);
    let (_, freed_after) = cycle_stats();
    assert_eq!(out.text(), "19900\n".repeat(1100));
    // Each run leaves 200 accounts in cycles: 200,000 objects (some 100
    // MiB) in all, had they not been freed.
    assert!(
        freed_after - freed_before >= 200_000,
        "freed {}",
        freed_after - freed_before
    );
    assert!(grown < 4 << 20, "resident memory grew by {grown} bytes");
}

/// `make(i)`: a record whose method captures it, a cycle.
const MAKE_RECORD: &str = "
fn make(i) {
    let self = {i: i}
    self.get = fn() { self.i }
    self
}
";

#[test]
fn a_deterministic_run_collects_and_prints_the_same() {
    let _serial = one_at_a_time();
    let code = [
        MAKE_RECORD,
        "
fn work(n) {
    let t = 0
    for i in range(n) { t += make(i).get() }
    t
}
let threads = [spawn(work, 3000), spawn(work, 2000)]
print(work(1000), threads[0].join(), threads[1].join(), threads[0].result(), threads[1].result())
",
    ]
    .concat();
    let run = || {
        let (mut engine, out) = engine();
        engine.set_deterministic(true);
        engine.run_str(&code).unwrap();
        out.text()
    };
    let (collections, freed) = cycle_stats();
    let first = run();
    let (collections_after, freed_after) = cycle_stats();
    assert_eq!(first, "499500 true true 4498500 1999000\n");
    assert!(collections_after > collections);
    assert!(freed_after - freed >= 6000, "most of 12000 objects freed");
    assert_eq!(run(), first);
}

#[test]
fn threads_waiting_or_in_a_host_function_do_not_hold_up_a_collection() {
    let _serial = one_at_a_time();
    let (entered_tx, entered) = std::sync::mpsc::channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let released = Mutex::new(released);
    let entered_tx = Mutex::new(entered_tx);
    let (mut engine, out) = engine();
    engine.register_fn("host_wait", move || {
        entered_tx.lock().unwrap().send(()).unwrap();
        released.lock().unwrap().recv().unwrap();
        true
    });
    let engine = std::thread::spawn(move || {
        engine
            .run_str(
                "
let go = event()
let asleep = event()
let waiter = spawn(fn() { go.wait(); 'woken' })
spawn(fn() { asleep.set(); sleep(3600) }, daemon=true)
asleep.wait()
print(host_wait())
go.set()
print(waiter.join(), waiter.result())
",
            )
            .unwrap();
        engine
    });
    entered.recv().unwrap();
    // One thread is in the host's function, one waits on an event, one
    // sleeps for an hour: had any held up the world, the collection would
    // have given up after its few seconds.
    assert!(collect_now());
    release.send(()).unwrap();
    engine.join().unwrap();
    assert_eq!(out.text(), "true\ntrue woken\n");
}

/// Threads that make cycles all at once do not outrun their freeing: each
/// frees what its collections found while the others go on, so what is
/// alive at any time stays a small part of all they made.
#[test]
fn threads_making_cycles_at_once_keep_few_alive() {
    let _serial = one_at_a_time();
    let before = settled();
    let peak = Arc::new(AtomicUsize::new(0));
    let (mut engine, out) = engine();
    let seen = peak.clone();
    engine.register_fn("note_alive", move || {
        seen.fetch_max(live_objects(), Ordering::SeqCst);
    });
    engine
        .run_str(
            &[
                MAKE_RECORD,
                "
fn churn(n) {
    let t = 0
    for i in range(n) {
        t += make(i).get()
        if i % 2000 == 0 { note_alive() }
    }
    t
}
let threads = []
for k in range(6) { threads.push(spawn(churn, 50000)) }
let sums = []
for t in threads { t.join(); sums.push(t.result()) }
print(sums)
",
            ]
            .concat(),
        )
        .unwrap();
    assert_eq!(out.text(), format!("{:?}\n", [1_249_975_000u64; 6]));
    // 6 threads make 300,000 records, 600,000 objects.
    let alive = peak.load(Ordering::SeqCst) - before;
    assert!(alive < 100_000, "{alive} objects alive at once");
}

/// Script threads rewire a ring of records and hang new records with
/// methods (each a cycle) on it while collections run: first those due,
/// then also ones a host thread asks for while it reads the ring. Every
/// record is checked as it is used and at the end: a collection that took
/// anything still reachable would show as a missing field or a wrong sum.
#[test]
fn threads_changing_cyclic_structures_while_collections_run_lose_nothing() {
    let _serial = one_at_a_time();
    let (mut engine, out) = engine();
    engine
        .eval(
            "
let size = 32
let ring = []
for i in range(size) { ring.push({id: i, value: i}) }
for i in range(size) { ring[i].next = ring[(i + 1) % size] }

fn record(owner, n) {
    let self = {owner: owner, n: n}
    self.me = self
    self.get = fn() { self.n }
    self.check = fn() {
        if self.me.get() != n { throw error('LostValue', 'record %d/%d' % [owner, n]) }
    }
    self
}

fn worker(w, rounds) {
    let kept = []
    let sum = 0
    for n in range(rounds) {
        let r = record(w, n)
        let at = (w * 7 + n) % size
        let node = ring[at]
        if node.next.id != (at + 1) % size {
            throw error('LostValue', 'ring broken at %d' % at)
        }
        let old = node.get('hung')
        if old != nil { old.check() }
        node.hung = r
        r.check()
        kept.push(r)
        if len(kept) > 8 { kept.pop(0).check() }
        sum += r.get()
    }
    for r in kept { r.check() }
    sum
}

fn start(rounds) {
    let workers = []
    for w in range(4) { workers.push(spawn(worker, w, rounds)) }
    workers
}

fn finish(workers) {
    let sums = []
    for t in workers { t.join(); sums.push(t.result()) }
    for i in range(size) {
        let node = ring[i]
        if node.id != i or node.value != i or node.next.id != (i + 1) % size {
            throw error('LostValue', 'ring node %d' % i)
        }
        let hung = node.get('hung')
        if hung != nil { hung.check() }
    }
    sums
}
",
        )
        .unwrap();
    let (before, _) = cycle_stats();
    let sums = engine.eval("finish(start(2000))").unwrap();
    let (due, _) = cycle_stats();
    // Each worker's records are numbered 0 to 1999.
    assert_eq!(sums.repr(), "[1999000, 1999000, 1999000, 1999000]");
    assert!(due > before, "collections ran when due");

    engine.eval("let workers = start(3000)").unwrap();
    let ring = engine.eval("ring").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let host = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut collections = 0;
            while !stop.load(Ordering::SeqCst) {
                let nodes = Vec::<Value>::from_value(&ring).unwrap();
                assert_eq!(nodes.len(), 32);
                assert!(nodes[5]
                    .repr()
                    .starts_with("{'id': 5, 'value': 5, 'next': {"));
                collections += collect_now() as usize;
            }
            collections
        })
    };
    let sums = engine.eval("finish(workers)").unwrap();
    stop.store(true, Ordering::SeqCst);
    let asked = host.join().unwrap();
    assert_eq!(sums.repr(), "[4498500, 4498500, 4498500, 4498500]");
    assert!(asked > 0);
    assert_eq!(out.text(), "");
}
