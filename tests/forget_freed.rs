//! A run that made a great many objects leaves none of them known to the
//! cycle collector once it is over: a known object keeps its header's
//! memory, so a host that ran one big script would hold it for good.
//! (Its own test binary: the collector's registry is one per process, and
//! other tests running beside this one would add to it.)

use thr::cli_support::tracked_objects;
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
