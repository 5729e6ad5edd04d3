//! Runs arbitrary bytes as a Thr program, not only parses them: the source
//! goes through `thr::Engine` with a deadline, an operation budget and small
//! thread, call-depth and size limits (strings, lists, maps), its output
//! thrown away. A failure is a Rust
//! panic anywhere (even one Thr would catch and report as an
//! `InternalError`: a panic is a bug in Thr whatever becomes of it), or a
//! run that outlives its deadline by more than [`SLACK`].
//!
//! The first byte picks the mode: odd runs deterministically (one thread at
//! a time, sleeps cost nothing, so most inputs run fast and replay
//! exactly), even runs threads in parallel. The rest is the source.
//!
//! Seed it with the example scripts and Thr's tokens (`fuzz/corpus` is not
//! kept in git), and run one job, as the machine is small:
//!
//! ```sh
//! mkdir -p fuzz/corpus/run
//! for f in scripts/*.thr; do
//!     for mode in 0 1; do printf "$mode" | cat - "$f" > "fuzz/corpus/run/$mode-${f##*/}"; done
//! done
//! cargo fuzz run -s none run -- -dict=fuzz/thr.dict -timeout=30 -max_total_time=1800
//! ```
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;

/// How long a script may run before the engine stops it.
const DEADLINE: Duration = Duration::from_secs(2);

/// How far past the deadline a run may end: the engine checks its limits
/// between operations, and threads unwind and join after the deadline.
const SLACK: Duration = Duration::from_secs(3);

fuzz_target!(
    init: {
        // Thr installs its own hook when the first engine is made; ours goes
        // on top of it, so every panic, caught by Thr or not, is a failure.
        drop(thr::Engine::new());
        std::panic::set_hook(Box::new(|info| {
            eprintln!("panic: {info}");
            std::process::abort();
        }));
    },
    |data: &[u8]| {
        let Some((&mode, code)) = data.split_first() else {
            return;
        };
        let source = String::from_utf8_lossy(code);
        // A run starved of the processor by the rest of the machine looks
        // like one that will not stop: only a second overrun is a failure.
        if run(mode, &source) > DEADLINE + SLACK {
            let took = run(mode, &source);
            assert!(
                took <= DEADLINE + SLACK,
                "the run took {took:?} (twice), past its {DEADLINE:?} deadline"
            );
        }
    }
);

/// Runs `source` in the mode the byte `mode` picks, under the limits; how
/// long it took.
fn run(mode: u8, source: &str) -> Duration {
    let mut engine = thr::Engine::new();
    engine.set_output(std::io::sink());
    engine.set_error_output(std::io::sink());
    engine.set_deterministic(mode % 2 == 1);
    let limits = engine.limits_mut();
    limits.deadline = Some(DEADLINE);
    limits.max_operations = Some(2_000_000);
    limits.max_threads = 8;
    limits.max_call_depth = 200;
    limits.max_string_size = 1 << 20;
    limits.max_list_size = 100_000;
    limits.max_map_size = 100_000;
    let started = Instant::now();
    let _ = engine.run_str(source);
    started.elapsed()
}
