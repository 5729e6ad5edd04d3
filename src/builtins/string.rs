//! String methods.

use memchr::memmem;

use crate::format::brace_format;
use crate::interp::{error, throw, Args, Interp, Outcome, Unwind};
use crate::value::{Sizes, Value};

use super::{int_arg, str_arg};

pub const METHODS: &[&str] = &[
    "upper",
    "lower",
    "strip",
    "lstrip",
    "rstrip",
    "split",
    "join",
    "replace",
    "startswith",
    "endswith",
    "find",
    "count",
    "format",
    "isdigit",
    "isalpha",
];

/// Calls string method `name`, or `None` if there is none.
pub fn method(interp: &mut Interp, s: &str, name: &str, a: Args) -> Option<Outcome> {
    let sizes = interp.sizes();
    Some(match name {
        "upper" | "lower" => a
            .positional(name, 0, 0)
            .and_then(|_| change_case(sizes, s, name == "upper")),
        "strip" | "lstrip" | "rstrip" => strip(s, name, a),
        "split" => split(interp, s, a),
        "join" => a
            .positional("join", 1, 1)
            .and_then(|v| join(interp, s, &v[0])),
        "replace" => a
            .bind("replace", ["old", "new", "count"], 2)
            .and_then(|[old, new, count]| {
                let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
                let old = str_arg(&old, "replace", "old")?;
                let new = str_arg(&new, "replace", "new")?;
                let count = match count {
                    Some(c) => usize::try_from(int_arg(&c, "replace", "count")?).ok(),
                    None => None,
                };
                replace(interp, s, old, new, count.unwrap_or(usize::MAX))
            }),
        "startswith" | "endswith" => a.positional(name, 1, 1).and_then(|v| {
            let p = str_arg(&v[0], name, "prefix")?;
            Ok(Value::bool(if name == "startswith" {
                s.starts_with(p)
            } else {
                s.ends_with(p)
            }))
        }),
        "find" => a.positional("find", 1, 1).and_then(|v| {
            let sub = str_arg(&v[0], "find", "sub")?;
            Ok(Value::Int(
                memmem::find(s.as_bytes(), sub.as_bytes())
                    .map_or(-1, |byte| s[..byte].chars().count() as i64),
            ))
        }),
        "count" => a.positional("count", 1, 1).and_then(|v| {
            let sub = str_arg(&v[0], "count", "sub")?;
            Ok(Value::Int(occurrences(s, sub) as i64))
        }),
        "format" => brace_format(s, &a.pos, &a.kw, sizes.string)
            .map_err(|e| error(e.kind, e.message))
            .and_then(|text| sizes.string(&text)),
        "isdigit" => a
            .positional(name, 0, 0)
            .map(|_| Value::bool(!s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))),
        "isalpha" => a
            .positional(name, 0, 0)
            .map(|_| Value::bool(!s.is_empty() && s.chars().all(char::is_alphabetic))),
        _ => return None,
    })
}

/// `s.upper()` or `s.lower()`. ASCII text (the usual case) is written
/// straight into the result; building a `String` first and copying it
/// touched twice the memory, and a long string's pages twice over.
fn change_case(sizes: Sizes, s: &str, upper: bool) -> Outcome {
    match (s.is_ascii(), upper) {
        (true, _) => sizes.ascii_case(s, upper),
        (false, true) => sizes.string(&s.to_uppercase()),
        (false, false) => sizes.string(&s.to_lowercase()),
    }
}

/// `sep.join(items)`: the parts are measured, then copied once, straight
/// into the result ([`crate::value::Sizes::str_of_parts`]). A list is read
/// under its lock, which nothing else is waited for while it is held,
/// rather than copied.
fn join(interp: &mut Interp, sep: &str, items: &Value) -> Outcome {
    let sizes = interp.sizes();
    let joined = match items {
        Value::List(l) => l.read(|items| join_strs(sizes, sep, items))?,
        other => join_strs(sizes, sep, &interp.collect(other)?)?,
    };
    interp.charge(kib(joined.len()))?;
    Ok(Value::Str(joined))
}

fn join_strs(sizes: Sizes, sep: &str, items: &[Value]) -> Result<crate::value::RcStr, Unwind> {
    let mut len = sep.len().saturating_mul(items.len().saturating_sub(1));
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Str(p) => len = len.saturating_add(p.len()),
            other => {
                return throw(
                    "TypeError",
                    format!("join() item {i}: expected a str, found {}", other.a_type()),
                )
            }
        }
    }
    let parts = items.iter().enumerate().flat_map(|(i, item)| {
        let text = match item {
            Value::Str(p) => p.as_str(),
            _ => "",
        };
        [if i > 0 { sep } else { "" }, text]
    });
    match sizes.str_of_parts(len, parts)? {
        Value::Str(s) => Ok(s),
        _ => unreachable!("str_of_parts makes strings"),
    }
}

/// `s.replace(old, new, count)`: the result is measured first, so a string
/// past the limit is refused before any of it is built, and it is copied
/// once into its own allocation. The work counts toward the budget.
fn replace(interp: &mut Interp, s: &str, old: &str, new: &str, count: usize) -> Outcome {
    let n = occurrences(s, old).min(count);
    let len = (s.len() - n * old.len()).saturating_add(n.saturating_mul(new.len()));
    interp.charge(kib(s.len().max(len)))?;
    let last = std::cell::Cell::new(0);
    let pieces = found_at(s, old).take(n).flat_map(|at| {
        let before = &s[last.get()..at];
        last.set(at + old.len());
        [before, new]
    });
    let parts = pieces.chain(std::iter::once_with(|| &s[last.get()..]));
    interp.sizes().str_of_parts(len, parts)
}

/// How many times `sub` occurs in `s`, not overlapping (see [`found_at`]).
fn occurrences(s: &str, sub: &str) -> usize {
    found_at(s, sub).count()
}

/// Where `sub` occurs in `s`, not overlapping, as Python finds it: the
/// empty string occurs before each character and at the end. The search
/// is memchr's (vectorised), several times faster than `str`'s two-way
/// searcher on a long text.
fn found_at<'a>(s: &'a str, sub: &'a str) -> Box<dyn Iterator<Item = usize> + 'a> {
    match sub.is_empty() {
        true => Box::new(s.char_indices().map(|(at, _)| at).chain([s.len()])),
        false => Box::new(memmem::find_iter(s.as_bytes(), sub.as_bytes())),
    }
}

/// Work on `bytes` bytes, in operations: one per kibibyte.
fn kib(bytes: usize) -> usize {
    bytes >> 10
}

fn strip(s: &str, name: &str, a: Args) -> Outcome {
    let [chars] = a.bind(name, ["chars"], 0)?;
    let set: Option<Vec<char>> = match chars {
        None | Some(Value::Nil) => None,
        Some(v) => Some(str_arg(&v, name, "chars")?.chars().collect()),
    };
    let strip_char = |c: char| {
        set.as_ref()
            .map_or(c.is_whitespace(), |set| set.contains(&c))
    };
    Ok(Value::str(match name {
        "lstrip" => s.trim_start_matches(strip_char),
        "rstrip" => s.trim_end_matches(strip_char),
        _ => s.trim_matches(strip_char),
    }))
}

fn split(interp: &mut Interp, s: &str, a: Args) -> Outcome {
    let [sep, max] = a.bind("split", ["sep", "maxsplit"], 0)?;
    let max = match max {
        Some(m) => int_arg(&m, "split", "maxsplit")?,
        None => -1,
    };
    let limit = if max < 0 {
        usize::MAX
    } else {
        max as usize + 1
    };
    let sep = sep.filter(|v| !matches!(v, Value::Nil));
    // With a one-character separator the pieces are counted first, so
    // that the list is made once; other separators grow it as they go.
    let (pieces, room): (Box<dyn Iterator<Item = &str>>, usize) = match &sep {
        None => (Box::new(split_whitespace(s, limit)), 0),
        Some(v) => {
            let sep = str_arg(v, "split", "sep")?;
            if sep.is_empty() {
                return throw("ValueError", "empty separator");
            }
            // A one-character separator (the usual case) searches with
            // memchr; a string pattern sets up a two-way searcher per step.
            let mut chars = sep.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => (Box::new(s.splitn(limit, c)), one_char_pieces(s, c, limit)),
                _ => (Box::new(s.splitn(limit, sep)), 0),
            }
        }
    };
    let sizes = interp.sizes();
    let mut parts = sizes.new_list(room)?;
    for piece in pieces {
        sizes.push(&mut parts, Value::str(piece))?;
    }
    interp.charge(parts.len())?;
    Ok(Value::list(parts))
}

/// How many pieces splitting `s` at `c` makes, counted (one pass of
/// memchr's speed) so that the list is made once at its size: growing it
/// piece by piece cost three reallocations for a ten-word line.
fn one_char_pieces(s: &str, c: char, limit: usize) -> usize {
    if !c.is_ascii() {
        return 0;
    }
    let b = c as u8;
    s.bytes()
        .filter(|&x| x == b)
        .count()
        .saturating_add(1)
        .min(limit)
}

/// Python's `split()` with no separator: runs of whitespace split, and
/// leading and trailing whitespace makes no empty piece; the last of
/// `limit` pieces is the rest, as it is.
fn split_whitespace(s: &str, limit: usize) -> impl Iterator<Item = &str> {
    let mut rest = s.trim_start();
    let mut made = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        made += 1;
        if made == limit {
            return Some(std::mem::take(&mut rest));
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let piece = &rest[..end];
        rest = rest[end..].trim_start();
        Some(piece)
    })
}
