//! The limits a run is held to: what each bounds, its default, the range it
//! may take, and the thread stack the call depth implies.
//!
//! A script that passes a limit stops with an error it can see (and catch,
//! but for the deadline and the budget, which stop every thread): a
//! `RecursionError` past the call depth, a `RuntimeError` when no more
//! threads may start, a `MemoryError` past a size, a `TimeoutError` past the
//! deadline or the operation budget. The guide's limits page lists them.

use std::time::Duration;

use crate::value::Sizes;

/// Limits an embedder (or the command line) sets on a run.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Nested script calls before a `RecursionError` (at most
    /// [`Limits::MAX_CALL_DEPTH`]; each thread's stack is sized from it).
    pub max_call_depth: usize,
    /// Script threads alive at once before `spawn` fails with a
    /// `RuntimeError` (the system may refuse one sooner).
    pub max_threads: usize,
    /// Wall-clock time after which the script stops with a `TimeoutError`.
    /// Each call from the host (a run, an `eval`, a `call_fn`) has its own.
    pub deadline: Option<Duration>,
    /// Operations (calls and loop iterations, counted in steps of 1024; a
    /// builtin working through a large value counts as many) after which
    /// the script stops with a `TimeoutError`. Each call from the host has
    /// its own.
    pub max_operations: Option<u64>,
    /// Bytes in one string before a `MemoryError`.
    pub max_string_size: usize,
    /// Items in one list before a `MemoryError`.
    pub max_list_size: usize,
    /// Entries in one map before a `MemoryError`.
    pub max_map_size: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_call_depth: 1000,
            max_threads: 10_000,
            deadline: None,
            max_operations: None,
            max_string_size: 1 << 30,
            max_list_size: 1 << 27,
            max_map_size: 1 << 26,
        }
    }
}

/// Native stack each nested script call may use. A call takes about 1 KiB;
/// the rest is room for builtins working on the way (comparisons nest).
const STACK_PER_CALL: usize = 2 << 10;

/// Native stack every script thread has besides its calls': builtins,
/// error reports, and a red zone the stack guard keeps free.
const STACK_BASE: usize = 1 << 20;

/// The main script's thread also parses, resolves and compiles the script,
/// which nests as deep as the code does.
const STACK_FRONT_END: usize = 64 << 20;

impl Limits {
    /// The deepest call nesting allowed: its stacks stay under 1 GiB.
    pub const MAX_CALL_DEPTH: usize = 500_000;

    /// Checks the limits make sense, or says which does not.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_call_depth > Limits::MAX_CALL_DEPTH {
            return Err(format!(
                "max_call_depth {} is more than the {} nested calls a thread's stack may hold",
                self.max_call_depth,
                Limits::MAX_CALL_DEPTH
            ));
        }
        if self
            .deadline
            .is_some_and(|d| d > Duration::from_secs(1 << 40))
        {
            return Err("the deadline is more than the clock can count".into());
        }
        Ok(())
    }

    /// The sizes strings, lists and maps may grow to.
    pub fn sizes(&self) -> Sizes {
        Sizes {
            string: self.max_string_size,
            list: self.max_list_size,
            map: self.max_map_size,
        }
    }

    /// The stack of a spawned script thread: room for the call depth.
    pub fn thread_stack(&self) -> usize {
        STACK_BASE + self.max_call_depth.min(Limits::MAX_CALL_DEPTH) * STACK_PER_CALL
    }

    /// The stack of the thread that runs the main script.
    pub fn main_stack(&self) -> usize {
        STACK_FRONT_END + self.thread_stack()
    }
}
