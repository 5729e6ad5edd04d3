//! A run that made a great many objects leaves none of them known to the
//! cycle collector once it is over: a known object keeps its header's
//! memory, so a host that ran one big script would hold it for good.
//! (Its own test binary: the collector's registry is one per process, and
//! other tests running beside this one would add to it.)

use thr::cli_support::{interned_names, tracked_objects};
use thr::Engine;

/// Makes 300,000 nested lists, reachable to the end, so a collection during
/// the run keeps them all (in the old generation).
const MANY_LISTS: &str = "
let v = []
for i in range(300000) { v = [v] }
print(len(v))
";

#[test]
fn a_run_over_forgets_what_it_made() {
    let mut engine = Engine::new();
    engine.set_output(std::io::sink());
    engine.run_str(MANY_LISTS).expect("the script runs");
    assert!(
        tracked_objects() < 1000,
        "{} known after the run",
        tracked_objects()
    );
    // A session keeps its values until the engine goes.
    engine
        .eval("let w = []; for i in range(300000) { w = [w] }")
        .expect("the entry runs");
    assert!(tracked_objects() >= 300_000);
    drop(engine);
    assert!(
        tracked_objects() < 1000,
        "{} known after the engine",
        tracked_objects()
    );
}

/// Names of fields and literal keys are kept while code or values use
/// them, and let go when a run is over: a host running ever-new scripts
/// (each with names of its own) holds steady.
#[test]
fn names_of_finished_runs_are_let_go() {
    let mut engine = Engine::new();
    engine.set_output(std::io::sink());
    let before = interned_names();
    for i in 0..1000 {
        let script = format!("let r = {{only_in_run_{i}: 1}}; r.also_{i} = r.only_in_run_{i}");
        engine.run_str(&script).expect("the script runs");
    }
    assert!(
        interned_names() < before + 10,
        "{} names kept, {before} before",
        interned_names()
    );
    // A session's values keep theirs.
    engine
        .eval("let kept = {kept_name: 1}")
        .expect("the entry runs");
    let with_kept = interned_names();
    engine.run_str("print(1)").expect("the script runs");
    assert_eq!(interned_names(), with_kept);
    let read = engine.eval("kept.kept_name").expect("it reads");
    assert_eq!(read.as_int(), Some(1));
}
