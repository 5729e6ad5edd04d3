//! Call arguments as builtins receive them, and binding them to parameters.

use crate::ast::Name;
use crate::diagnostic::suggest;
use crate::value::Value;

use super::{throw, Unwind};

/// Positional arguments: most calls have few, kept inline without allocating.
pub type ArgVec = smallvec::SmallVec<[Value; 3]>;

/// The arguments of one call: positional, then `name=value`.
#[derive(Default, Debug)]
pub struct Args {
    pub pos: ArgVec,
    pub kw: Vec<(Name, Value)>,
}

impl Args {
    pub fn new(pos: impl Into<ArgVec>) -> Args {
        Args {
            pos: pos.into(),
            kw: Vec::new(),
        }
    }

    /// Binds the arguments of builtin `func` to `params` in order, by
    /// position or by name. The first `required` must be given; the rest are
    /// `None` when missing. Extra or unknown arguments are a `TypeError`.
    pub fn bind<const N: usize>(
        self,
        func: &str,
        params: [&str; N],
        required: usize,
    ) -> Result<[Option<Value>; N], Unwind> {
        if self.pos.len() > N {
            return throw("TypeError", too_many(func, N, required, self.pos.len()));
        }
        let mut out: [Option<Value>; N] = std::array::from_fn(|_| None);
        for (slot, v) in out.iter_mut().zip(self.pos) {
            *slot = Some(v);
        }
        for (name, v) in self.kw {
            let Some(i) = params.iter().position(|p| **p == *name) else {
                let message = format!("{func}() got an unexpected keyword argument '{name}'");
                return throw("TypeError", suggest::append(message, &name, params));
            };
            if out[i].is_some() {
                return throw(
                    "TypeError",
                    format!("{func}() got multiple values for argument '{name}'"),
                );
            }
            out[i] = Some(v);
        }
        if let Some(i) = out[..required].iter().position(Option::is_none) {
            return throw(
                "TypeError",
                format!("{func}() missing required argument '{}'", params[i]),
            );
        }
        Ok(out)
    }

    /// Takes keyword argument `name` out, if given.
    pub fn take_kw(&mut self, name: &str) -> Option<Value> {
        let i = self.kw.iter().position(|(k, _)| &**k == name)?;
        Some(self.kw.remove(i).1)
    }

    /// Checks a builtin that takes no keyword arguments and a range of
    /// positional ones, and returns them.
    pub fn positional(self, func: &str, min: usize, max: usize) -> Result<ArgVec, Unwind> {
        self.positional_after(func, min, max, &[])
    }

    /// As [`Args::positional`], for a builtin whose keyword arguments
    /// `taken` were already taken out with [`Args::take_kw`]: any left is
    /// unknown, and the error suggests the nearest of `taken`.
    pub fn positional_after(
        self,
        func: &str,
        min: usize,
        max: usize,
        taken: &[&str],
    ) -> Result<ArgVec, Unwind> {
        if let Some((name, _)) = self.kw.first() {
            let message = format!("{func}() got an unexpected keyword argument '{name}'");
            return throw(
                "TypeError",
                suggest::append(message, name, taken.iter().copied()),
            );
        }
        let n = self.pos.len();
        if n < min {
            let what = if min == max { "exactly" } else { "at least" };
            return throw(
                "TypeError",
                format!(
                    "{func}() takes {what} {min} argument{} ({n} given)",
                    plural(min)
                ),
            );
        }
        if n > max {
            return throw("TypeError", too_many(func, max, min, n));
        }
        Ok(self.pos)
    }
}

/// Python's message for too many positional arguments.
pub fn too_many(func: &str, max: usize, min: usize, given: usize) -> String {
    let takes = if min == max {
        format!("{max}")
    } else {
        format!("from {min} to {max}")
    };
    format!(
        "{func}() takes {takes} positional argument{} but {given} {} given",
        plural(max),
        if given == 1 { "was" } else { "were" }
    )
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
