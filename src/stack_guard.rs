//! The native stack guard: deep recursion ends in a `RecursionError`, never
//! in a stack overflow that aborts the process.
//!
//! The call-depth limit is the rule scripts see; this is the net under it.
//! A thread that will run script code notes, when it starts, how low its
//! stack may go ([`enter`]), and every script call checks the stack pointer
//! against that floor ([`Floor::reached`]), so a call that nests native
//! frames more than expected (a huge expression, a builtin calling back)
//! still stops in time, with room left to unwind and report.

use std::cell::Cell;

/// Stack kept free below the floor, for the error on its way up: unwinding,
/// `finally` blocks, building the report.
const RED_ZONE: usize = 256 << 10;

thread_local! {
    /// The lowest address this thread's script code may use.
    static FLOOR: Cell<usize> = const { Cell::new(0) };
}

/// Notes, at the start of a thread whose stack holds `size` bytes, how low
/// script code on it may go.
pub fn enter(size: usize) {
    FLOOR.set(here().saturating_sub(size.saturating_sub(RED_ZONE)));
}

/// A thread's floor, as the interpreter keeps it to compare with.
#[derive(Clone, Copy)]
pub struct Floor(usize);

impl Floor {
    /// The calling thread's floor (none if it never [`enter`]ed).
    pub fn of_this_thread() -> Floor {
        Floor(FLOOR.get())
    }

    /// Whether the stack has come down to the floor.
    #[inline(always)]
    pub fn reached(self) -> bool {
        here() < self.0
    }
}

/// The address of the top of the caller's frame, near enough.
#[inline(always)]
fn here() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}
