//! Thr: a small scripting language for concurrent programs, whose threads
//! are real OS threads running in parallel.
//!
//! A host embeds it through [`Engine`]: register Rust functions
//! ([`Engine::register_fn`], with arguments and results converted by
//! [`FromValue`] and [`IntoValue`]), send output to any writer (such as a
//! [`Capture`]), hold runs to [`Limits`], run scripts and call their
//! functions ([`Engine::call_fn`]). Script failures come back as [`Error`].
//!
//! ```
//! let out = thr::Capture::default();
//! let mut engine = thr::Engine::new();
//! engine.register_fn("double", |x: i64| x * 2);
//! engine.set_output(out.clone());
//! engine.run_str("print(double(21))").unwrap();
//! assert_eq!(out.text(), "42\n");
//! // A session (`eval`) keeps a script's definitions for `call_fn`.
//! engine.eval("fn twice(x) { double(x) }").unwrap();
//! let v = engine.call_fn("twice", (4,)).unwrap();
//! assert_eq!(v.as_int(), Some(8));
//! ```

mod ast;
mod block_cache;
mod blocking;
mod builtins;
mod deadlock;
mod diagnostic;
mod engine;
mod error;
mod explore;
mod format;
mod func_args;
mod golden;
mod help;
mod interp;
mod lexer;
mod limits;
mod native;
mod os_thread;
mod panic;
mod parser;
mod race;
mod resolver;
mod runtime;
mod scheduler;
mod stack_guard;
mod trace;
mod value;

pub use block_cache::BlockCache;
pub use engine::{Capture, Engine};
pub use error::Error;
pub use func_args::FuncArgs;
pub use limits::Limits;
pub use native::{FromValue, HostFn, IntoValue};
pub use runtime::Interrupt;
pub use value::Value;

/// What the `thr` binary, its REPL, the fuzz target and the project's own
/// tests need beyond the host API. Not part of the library's API: it may
/// change at any time. Add an item here when a front end needs one.
#[doc(hidden)]
pub mod cli_support {
    pub use crate::builtins::attributes;
    pub use crate::error::source_text;
    pub use crate::explore::explore;
    pub use crate::golden::{bless, check, diff, discover, run, Case, Run, Suite};
    pub use crate::help::{entry as help_entry, keys as help_keys};
    pub use crate::interp::interned_names;
    pub use crate::interp::Args;
    pub use crate::lexer::Tok;
    pub use crate::parser::is_incomplete;
    pub use crate::value::cycles::{
        collect_now, live_objects, stats as cycle_stats, tracked_objects,
    };
    pub use crate::value::{confine_to_one_thread, NativeFn, StrKey};
}
