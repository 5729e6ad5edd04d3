//! String methods.

use crate::format::brace_format;
use crate::interp::{error, throw, Args, Interp, Outcome};
use crate::value::Value;

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
    let text = |r: String| Value::str(&r);
    Some(match name {
        "upper" => a.positional(name, 0, 0).map(|_| text(s.to_uppercase())),
        "lower" => a.positional(name, 0, 0).map(|_| text(s.to_lowercase())),
        "strip" | "lstrip" | "rstrip" => strip(s, name, a),
        "split" => split(s, a),
        "join" => a
            .positional("join", 1, 1)
            .and_then(|v| join(interp, s, &v[0])),
        "replace" => a
            .bind("replace", ["old", "new", "count"], 2)
            .and_then(|[old, new, count]| {
                let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
                let old = str_arg(&old, "replace", "old")?;
                let new = str_arg(&new, "replace", "new")?;
                Ok(text(match count {
                    Some(c) if int_arg(&c, "replace", "count")? >= 0 => {
                        s.replacen(old, new, int_arg(&c, "replace", "count")? as usize)
                    }
                    _ => s.replace(old, new),
                }))
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
                s.find(sub)
                    .map_or(-1, |byte| s[..byte].chars().count() as i64),
            ))
        }),
        "count" => a.positional("count", 1, 1).and_then(|v| {
            let sub = str_arg(&v[0], "count", "sub")?;
            let n = if sub.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(sub).count()
            };
            Ok(Value::Int(n as i64))
        }),
        "format" => brace_format(s, &a.pos, &a.kw)
            .map(text)
            .map_err(|e| error(e.kind, e.message)),
        "isdigit" => a
            .positional(name, 0, 0)
            .map(|_| Value::bool(!s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))),
        "isalpha" => a
            .positional(name, 0, 0)
            .map(|_| Value::bool(!s.is_empty() && s.chars().all(char::is_alphabetic))),
        _ => return None,
    })
}

/// `sep.join(items)`: the parts are measured, then copied once, straight
/// into the result ([`Value::str_of_parts`]). A list is read under its lock, which nothing else is
/// waited for while it is held, rather than copied.
fn join(interp: &mut Interp, sep: &str, items: &Value) -> Outcome {
    if let Value::List(l) = items {
        return l.read(|items| join_strs(sep, items));
    }
    join_strs(sep, &interp.collect(items)?)
}

fn join_strs(sep: &str, items: &[Value]) -> Outcome {
    let mut len = sep.len() * items.len().saturating_sub(1);
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Str(p) => len += p.len(),
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
    Ok(Value::str_of_parts(len, parts))
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

fn split(s: &str, a: Args) -> Outcome {
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
    let parts: Vec<Value> = match sep {
        None | Some(Value::Nil) => {
            let mut parts = Vec::new();
            let mut rest = s.trim_start();
            while !rest.is_empty() {
                if parts.len() + 1 == limit {
                    parts.push(Value::str(rest.trim_end()));
                    break;
                }
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                parts.push(Value::str(&rest[..end]));
                rest = rest[end..].trim_start();
            }
            parts
        }
        Some(v) => {
            let sep = str_arg(&v, "split", "sep")?;
            if sep.is_empty() {
                return throw("ValueError", "empty separator");
            }
            // A one-character separator (the usual case) searches with
            // memchr; a string pattern sets up a two-way searcher per step.
            let mut chars = sep.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => s.splitn(limit, c).map(Value::str).collect(),
                _ => s.splitn(limit, sep).map(Value::str).collect(),
            }
        }
    };
    Ok(Value::list(parts))
}
