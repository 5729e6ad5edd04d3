//! Stress tests: many script threads hammer one primitive at once, on real
//! OS threads, and the results must be exact. A lost update shows as a wrong
//! count, a lost or doubled item as a wrong multiset, a lost wake-up as a
//! hang, which the time limit turns into a failure.

use std::sync::mpsc;
use std::time::Duration;

/// Longer than any healthy run takes on a loaded machine, by far.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Runs `code` on its own engine, with `args`, and returns what it printed.
/// Fails if the script fails or does not end within [`TIME_LIMIT`].
fn run(code: &str, args: &[i64]) -> String {
    let out = thr::Capture::default();
    let err = thr::Capture::default();
    let (done, finished) = mpsc::channel();
    let code = code.to_string();
    let args = args.iter().map(|a| a.to_string()).collect();
    let (script_out, script_err) = (out.clone(), err.clone());
    std::thread::spawn(move || {
        let mut engine = thr::Engine::new();
        engine.set_output(script_out);
        engine.set_error_output(script_err);
        engine.set_args(args);
        let _ = done.send(engine.run_str(&code).map_err(|e| e.to_string()));
    });
    match finished.recv_timeout(TIME_LIMIT) {
        Ok(Ok(())) => out.text(),
        Ok(Err(e)) => panic!("the script failed: {e}\nstderr:\n{}", err.text()),
        Err(_) => panic!(
            "the script hung for {TIME_LIMIT:?}\nstdout so far:\n{}",
            out.text()
        ),
    }
}

/// The numbers printed after `label` on lines of the form `label N`.
fn numbers(output: &str, label: &str) -> Vec<i64> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix(label)?.trim().parse().ok())
        .collect()
}

const THREADS: i64 = 64;
const ROUNDS: i64 = 1000;

/// 64 producers each bump a lock-guarded counter and put into one small
/// bounded queue (so puts block on a full queue and gets on an empty one);
/// 4 consumers take items with `for x in q` until the queue is closed.
const LOCK_AND_QUEUE: &str = r#"
let threads = int(args[0])
let rounds = int(args[1])
let guard = lock()
let counter = {n: 0}
let q = queue(16)
let start = barrier(threads)

fn producer(id) {
    # Everyone starts hammering at the same moment.
    start.wait()
    for i in range(rounds) {
        with guard { counter.n += 1 }
        q.put(id * 100000 + i)
    }
}

fn consumer() {
    let got = []
    for x in q { got.push(x) }
    got
}

let consumers = []
for c in range(4) { consumers.push(spawn(consumer)) }
let producers = []
for id in range(threads) { producers.push(spawn(producer, id)) }
for p in producers { p.join() }
q.close()
print("count", counter.n)
for c in consumers {
    for x in c.result() { print("item", x) }
}
"#;

#[test]
fn lock_guarded_counter_and_queue_under_64_threads() {
    let output = run(LOCK_AND_QUEUE, &[THREADS, ROUNDS]);
    assert_eq!(numbers(&output, "count "), vec![THREADS * ROUNDS]);
    let mut items = numbers(&output, "item ");
    items.sort_unstable();
    let mut expected: Vec<i64> = (0..THREADS)
        .flat_map(|id| (0..ROUNDS).map(move |i| id * 100_000 + i))
        .collect();
    expected.sort_unstable();
    assert_eq!(items.len(), expected.len(), "items lost or doubled");
    assert_eq!(items, expected);
}

/// Condition, rlock, semaphore, event and barrier together: 64 threads pass
/// a token around a ring through one condition, each holding a bounded
/// semaphore slot while they wait, for several barrier-separated rounds.
const RING: &str = r#"
let threads = 64
let rounds = 20
let cond = condition()
let state = {turn: 0, passes: 0}
let slots = bounded_semaphore(threads)
let round_end = barrier(threads, action=fn() { state.turn = 0 })
let go = event()

fn member(id) {
    go.wait()
    for r in range(rounds) {
        with slots {
            with cond {
                cond.wait_for(fn() { state.turn == id })
                # Re-entrant: the condition's rlock may be taken again.
                with cond { state.passes += 1 }
                state.turn = (id + 1) % threads
                cond.notify_all()
            }
        }
        round_end.wait()
    }
}

let members = []
for id in range(threads) { members.push(spawn(member, id)) }
go.set()
for m in members { m.join() }
print("passes", state.passes)
"#;

#[test]
fn condition_ring_with_barrier_rounds_under_64_threads() {
    let output = run(RING, &[]);
    assert_eq!(numbers(&output, "passes "), vec![64 * 20]);
}
