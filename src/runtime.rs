//! The state one script run shares between its threads: builtins, output,
//! limits, the clock and the random seed.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

use crate::ast::Name;
use crate::value::Value;

/// Limits an embedder (or the CLI) sets on a run.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Nested script calls before a `RecursionError`.
    pub max_call_depth: usize,
    /// Script threads alive at once before `spawn` fails.
    pub max_threads: usize,
    /// Wall-clock time after which the script stops with a `TimeoutError`.
    pub deadline: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_call_depth: 1000,
            max_threads: 10_000,
            deadline: None,
        }
    }
}

/// Stack size of every script thread: deep enough for `max_call_depth`
/// nested calls, and only reserved, not committed, by the OS.
pub const SCRIPT_STACK: usize = 256 << 20;

/// A shared output stream: each `write` is one atomic write of whole text.
pub struct Output {
    sink: Mutex<Box<dyn Write + Send>>,
    /// Flush after every write (terminals and embedders' writers).
    eager: bool,
}

impl Output {
    pub fn new(sink: Box<dyn Write + Send>, eager: bool) -> Output {
        Output {
            sink: Mutex::new(sink),
            eager,
        }
    }

    pub fn write(&self, text: &str) {
        let mut sink = self.sink.lock();
        // A closed pipe must not kill a script thread; the text is dropped.
        let _ = sink.write_all(text.as_bytes());
        if self.eager {
            let _ = sink.flush();
        }
    }

    pub fn flush(&self) {
        let _ = self.sink.lock().flush();
    }
}

/// Everything one run shares between its threads.
pub struct Runtime {
    pub builtins: Vec<Value>,
    pub builtin_names: Vec<Name>,
    pub out: Arc<Output>,
    pub err: Arc<Output>,
    pub limits: Limits,
    /// Colour in diagnostics (only when stderr is a terminal).
    pub color: bool,
    pub seed: u64,
    start: Instant,
    start_wall: SystemTime,
    /// Creation numbers for threads, from 1; the main thread is 0.
    next_thread: AtomicU64,
    /// Set when any thread ends in an uncaught error: the exit status is 1.
    pub failed: AtomicBool,
}

impl Runtime {
    pub fn new(
        builtins: Vec<(Name, Value)>,
        out: Arc<Output>,
        err: Arc<Output>,
        limits: Limits,
        seed: Option<u64>,
    ) -> Runtime {
        let (builtin_names, builtins) = builtins.into_iter().unzip();
        let seed = seed.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
        Runtime {
            builtins,
            builtin_names,
            out,
            err,
            limits,
            color: false,
            seed,
            start: Instant::now(),
            start_wall: SystemTime::now(),
            next_thread: AtomicU64::new(1),
            failed: AtomicBool::new(false),
        }
    }

    /// Seconds since the epoch.
    pub fn time(&self) -> f64 {
        let now = self.start_wall + self.start.elapsed();
        now.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
    }

    /// Seconds since the run started.
    pub fn monotonic(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Blocks the calling thread for `secs` seconds.
    pub fn sleep(&self, secs: f64) {
        std::thread::sleep(Duration::from_secs_f64(secs.min(1e9)));
    }

    /// The next thread creation number.
    pub fn next_thread_number(&self) -> u64 {
        self.next_thread.fetch_add(1, Ordering::Relaxed)
    }
}

/// What a script thread knows about itself.
pub struct ThreadCtx {
    pub name: Mutex<Name>,
    /// Creation number: 0 for the main thread.
    pub number: u64,
    /// This thread's random stream, derived from the seed and `number`.
    pub rng: Mutex<Xoshiro256PlusPlus>,
}

impl ThreadCtx {
    pub fn new(name: &str, number: u64, seed: u64) -> Arc<ThreadCtx> {
        Arc::new(ThreadCtx {
            name: Mutex::new(name.into()),
            number,
            rng: Mutex::new(Xoshiro256PlusPlus::seed_from_u64(
                seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            )),
        })
    }

    pub fn name(&self) -> Name {
        self.name.lock().clone()
    }
}
