//! The builtin functions and methods, one family per module.

pub mod core;
pub mod list;
pub mod local;
pub mod log;
pub mod map;
pub mod math;
pub mod queue;
pub mod random;
pub mod range;
mod sort;
pub mod string;
pub mod sync;
pub mod threads;
pub mod time;

use crate::ast::Name;
use crate::interp::{throw, Args, Interp, Outcome, Unwind};
use crate::value::{NativeFn, Value};

/// The builtin table: names and values, in the order the resolver numbers them.
pub type Table = Vec<(Name, Value)>;

/// Every builtin a script sees, before the engine adds its own.
pub fn table() -> Table {
    let mut t = Table::new();
    core::register(&mut t);
    random::register(&mut t);
    range::register(&mut t);
    time::register(&mut t);
    threads::register(&mut t);
    sync::register(&mut t);
    queue::register(&mut t);
    local::register(&mut t);
    log::register(&mut t);
    math::register(&mut t);
    t
}

/// Adds a builtin function to a table.
pub fn add(
    t: &mut Table,
    name: &'static str,
    body: impl Fn(&mut Interp, Args) -> Outcome + Send + Sync + 'static,
) {
    t.push((name.into(), NativeFn::value(name, body)));
}

/// Adds a builtin whose one-argument calls may skip `body` and call `unary`:
/// the two must agree on every call with one positional argument.
pub fn add_with_unary(
    t: &mut Table,
    name: &'static str,
    body: impl Fn(&mut Interp, Args) -> Outcome + Send + Sync + 'static,
    unary: fn(&mut Interp, Value) -> Outcome,
) {
    t.push((name.into(), NativeFn::with_unary(name, body, Some(unary))));
}

/// The methods a value has.
pub fn methods_of(v: &Value) -> &'static [&'static str] {
    match v {
        Value::Map(_) => map::METHODS,
        Value::List(_) => list::METHODS,
        Value::Str(_) => string::METHODS,
        Value::Object(o) => o.methods(),
        _ => &[],
    }
}

/// What `v.name` can name, sorted: a map's string keys, an error's or an
/// object's fields, and the value's methods (`dir()` and completion).
pub fn attributes(v: &Value) -> Vec<String> {
    let mut names: Vec<String> = match v {
        Value::Map(m) => m.read(|m| {
            m.keys()
                .filter_map(|k| match &k.0 {
                    Value::Str(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect()
        }),
        Value::Error(_) => vec!["kind".into(), "message".into()],
        Value::Object(o) => o.fields().iter().map(|f| f.to_string()).collect(),
        _ => Vec::new(),
    };
    names.extend(methods_of(v).iter().map(|m| m.to_string()));
    names.sort();
    names.dedup();
    names
}

/// An int argument, or a `TypeError` naming the function and parameter.
pub fn int_arg(v: &Value, func: &str, param: &str) -> Result<i64, Unwind> {
    v.as_int().map_or_else(
        || {
            throw(
                "TypeError",
                format!(
                    "{func}() argument '{param}' must be an int, not {}",
                    v.type_name()
                ),
            )
        },
        Ok,
    )
}

/// A number argument as a float, or a `TypeError`.
pub fn float_arg(v: &Value, func: &str, param: &str) -> Result<f64, Unwind> {
    v.as_f64().map_or_else(
        || {
            throw(
                "TypeError",
                format!(
                    "{func}() argument '{param}' must be a number, not {}",
                    v.type_name()
                ),
            )
        },
        Ok,
    )
}

/// A str argument, or a `TypeError`.
pub fn str_arg<'a>(v: &'a Value, func: &str, param: &str) -> Result<&'a str, Unwind> {
    match v {
        Value::Str(s) => Ok(s),
        other => throw(
            "TypeError",
            format!(
                "{func}() argument '{param}' must be a str, not {}",
                other.type_name()
            ),
        ),
    }
}

/// An optional timeout in seconds: `nil` (or absent) means none.
pub fn timeout_arg(v: Option<Value>, func: &str) -> Result<Option<f64>, Unwind> {
    match v {
        None | Some(Value::Nil) => Ok(None),
        Some(v) => wait_seconds(float_arg(&v, func, "timeout")?).map(Some),
    }
}

/// The longest timeout a wait takes, in seconds: Python's
/// `threading.TIMEOUT_MAX` on Linux.
pub const TIMEOUT_MAX: f64 = 9_223_372_036.0;

/// Checks a number of seconds to wait, as Python does: NaN is a
/// `ValueError`, and more than [`TIMEOUT_MAX`] (infinity included) an
/// `OverflowError`; no deadline can be made of either.
pub fn wait_seconds(secs: f64) -> Result<f64, Unwind> {
    if secs.is_nan() {
        return throw("ValueError", "Invalid value NaN (not a number)");
    }
    if secs > TIMEOUT_MAX {
        return throw("OverflowError", "timeout value is too large");
    }
    Ok(secs)
}
