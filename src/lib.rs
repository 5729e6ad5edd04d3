//! Thr: a small scripting language for concurrent programs, whose threads
//! are real OS threads running in parallel.
//!
//! The pipeline: [`lexer`] → [`parser`] (LALRPOP, `grammar/thr.lalrpop`) →
//! [`ast`] → [`resolver`] → [`interp`], with builtins in [`builtins`] and the
//! state threads share in [`runtime`]. [`Engine`] is the entry point.

pub mod ast;
pub mod blocking;
pub mod builtins;
mod deadlock;
pub mod diagnostic;
mod engine;
mod error;
pub mod explore;
pub mod format;
pub mod golden;
pub mod help;
pub mod interp;
pub mod lexer;
pub mod native;
mod os_thread;
mod panic;
pub mod parser;
pub mod race;
pub mod resolver;
pub mod runtime;
pub mod scheduler;
pub mod trace;
pub mod value;

pub use engine::{Capture, Engine};
pub use error::Error;
pub use native::{FromValue, HostFn, IntoValue};
pub use runtime::{Interrupt, Limits};
pub use value::Value;
