//! Values as text: `repr(x)` as Python prints it, with Thr's names.
//!
//! Containers print with a work list, not recursion, so printing takes
//! time linear in the output and no native stack, however deep the nesting.
//! A container met again inside itself prints as `[...]` or `{...}`, as in
//! Python.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::format::decimal;

use super::Value;

/// One step of printing.
enum Step {
    /// Print this value's repr.
    Repr(Value),
    /// Print this text.
    Text(&'static str),
    /// A container is done: print its closing bracket and take it off the
    /// path of containers being printed.
    Close(usize, &'static str),
}

/// Appends `repr(v)` to `out`, calling `check` with the length written so
/// far every so often (every [`CHECK_STEPS`] steps, and whenever the text
/// has grown [`CHECK_BYTES`] since the last call): an error from it stops
/// the writing. That is how a script's `str(x)` keeps to the size limit and
/// the deadline however large `x` prints.
pub(super) fn write_repr<E>(
    v: &Value,
    out: &mut String,
    check: &mut dyn FnMut(usize) -> Result<(), E>,
) -> Result<(), E> {
    if scalar_repr(v, out).is_some() {
        return check(out.len());
    }
    let mut path = HashSet::new();
    let mut steps = vec![Step::Repr(v.clone())];
    let (mut count, mut next_len) = (0usize, out.len() + CHECK_BYTES);
    while let Some(step) = steps.pop() {
        match step {
            Step::Repr(v) => {
                if scalar_repr(&v, out).is_none() {
                    open_container(&v, out, &mut path, &mut steps);
                }
            }
            Step::Text(t) => out.push_str(t),
            Step::Close(id, bracket) => {
                out.push_str(bracket);
                path.remove(&id);
            }
        }
        count += 1;
        if count % CHECK_STEPS == 0 || out.len() >= next_len {
            check(out.len())?;
            next_len = out.len() + CHECK_BYTES;
        }
    }
    check(out.len())
}

/// How many printing steps may pass between two checks.
const CHECK_STEPS: usize = 1024;
/// How many bytes may be written between two checks.
const CHECK_BYTES: usize = 64 << 10;

/// Writes the opening of a list or map and queues its items, or `[...]`
/// when it is already being printed further out.
fn open_container(v: &Value, out: &mut String, path: &mut HashSet<usize>, steps: &mut Vec<Step>) {
    let (id, open, close, again) = match v {
        Value::List(l) => (crate::value::Rc::as_ptr(l) as usize, "[", "]", "[...]"),
        Value::Map(m) => (crate::value::Rc::as_ptr(m) as usize, "{", "}", "{...}"),
        _ => unreachable!("scalar_repr prints everything but containers"),
    };
    if !path.insert(id) {
        out.push_str(again);
        return;
    }
    out.push_str(open);
    steps.push(Step::Close(id, close));
    // Snapshots: no lock is held while the items print.
    match v {
        Value::List(l) => {
            let items = l.snapshot();
            for (i, item) in items.into_iter().enumerate().rev() {
                steps.push(Step::Repr(item));
                if i > 0 {
                    steps.push(Step::Text(", "));
                }
            }
        }
        Value::Map(m) => {
            let entries = m.snapshot();
            for (i, (k, v)) in entries.into_iter().enumerate().rev() {
                steps.push(Step::Repr(v));
                steps.push(Step::Text(": "));
                steps.push(Step::Repr(k.0));
                if i > 0 {
                    steps.push(Step::Text(", "));
                }
            }
        }
        _ => {}
    }
}

/// Writes the repr of anything but a list or map; `None` for those.
fn scalar_repr(v: &Value, out: &mut String) -> Option<()> {
    match v {
        Value::Nil => out.push_str("nil"),
        Value::Bool(b) => out.push_str(if b.get() { "true" } else { "false" }),
        Value::Int(i) => out.push_str(decimal(*i).as_str()),
        Value::Float(f) => out.push_str(&float_repr(f.get())),
        Value::Str(s) => write_str_repr(s, out),
        Value::List(_) | Value::Map(_) => return None,
        Value::Func(c) if &*c.func.def.name == crate::parser::ANONYMOUS => out.push_str("<fn>"),
        Value::Func(c) => {
            let _ = write!(out, "<fn {}>", c.func.def.name);
        }
        Value::Native(n) => {
            let _ = write!(out, "<builtin fn {}>", n.name);
        }
        Value::Error(e) => {
            out.push_str("error(");
            write_str_repr(&e.kind, out);
            out.push_str(", ");
            write_str_repr(&e.message, out);
            out.push(')');
        }
        Value::Object(o) => out.push_str(&o.repr()),
        Value::Cell(c) => {
            let _ = write_repr::<std::convert::Infallible>(&c.get(), out, &mut |_| Ok(()));
        }
        Value::Uninit => out.push_str("<uninitialised>"),
    }
    Some(())
}

/// A string in quotes, as Python's `repr` writes it: single quotes unless the
/// text holds a single quote and no double quote.
fn write_str_repr(s: &str, out: &mut String) {
    // Byte scans: repr'd strings are short, and memchr's setup (str::contains)
    // costs more than scanning them. Every byte that matters is ASCII.
    let has = |byte: u8| s.bytes().any(|b| b == byte);
    let quote = if has(b'\'') && !has(b'"') { '"' } else { '\'' };
    let escaped = |b: u8| b == quote as u8 || b == b'\\' || b < 0x20 || b == 0x7f;
    out.push(quote);
    // Most strings need no escapes and are copied whole.
    if s.bytes().any(escaped) {
        write_escaped(s, quote, out);
    } else {
        out.push_str(s);
    }
    out.push(quote);
}

/// The inside of a string's repr, with backslash escapes.
fn write_escaped(s: &str, quote: char, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// A float as Python's `repr` prints it: the shortest digits that read back
/// the same, fixed notation for exponents -4..16, else `1e+16` style.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "1.2345e-7". When
    // all 17 are needed it may round a tie up; Python rounds it to even, as
    // the exact-decimal `{:.16e}` does.
    let mut sci = format!("{f:e}");
    if sci.chars().filter(char::is_ascii_digit).count() - exponent_digits(&sci) >= 17 {
        sci = format!("{f:.16e}");
    }
    let (mantissa, exp) = sci.split_once('e').expect("{:e} always has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        } else {
            let point = exp as usize + 1;
            if digits.len() <= point {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', point - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    out
}

/// How many digits the exponent of a `{:e}` rendering has.
fn exponent_digits(sci: &str) -> usize {
    sci.rsplit_once('e')
        .map_or(0, |(_, e)| e.chars().filter(char::is_ascii_digit).count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Entries, Key};

    #[test]
    fn floats_print_as_python() {
        let cases = [
            (0.2, "0.2"),
            (1.0, "1.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (1.5e-7, "1.5e-07"),
            (123456789.125, "123456789.125"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e300, "1e+300"),
            (-149_998_996_380_643.62, "-149998996380643.62"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f), want, "{f:e}");
        }
    }

    #[test]
    fn nested_containers_print_as_python() {
        let inner = Value::list(vec![Value::str("0"), Value::Nil, Value::bool(true)]);
        let mut m = Entries::default();
        m.insert(Key::str("a"), inner);
        m.insert(Key(Value::Int(1)), Value::str("it's"));
        m.insert(Key::str("e"), Value::list(Vec::new()));
        assert_eq!(
            Value::map(m).repr(),
            "{'a': ['0', nil, true], 1: \"it's\", 'e': []}"
        );
    }

    #[test]
    fn a_container_inside_itself_prints_dots() {
        let l = Value::list(vec![Value::Int(1)]);
        let Value::List(inner) = &l else {
            unreachable!()
        };
        inner.write(|items| items.push(l.clone()));
        assert_eq!(l.repr(), "[1, [...]]");
        // The same list twice side by side is not a cycle.
        let twice = Value::list(vec![l.clone(), l.clone()]);
        assert_eq!(twice.repr(), "[[1, [...]], [1, [...]]]");
        inner.write(Vec::clear);
    }

    #[test]
    fn deep_nesting_prints_without_recursing() {
        let mut v = Value::list(Vec::new());
        for _ in 0..1_000_000 {
            v = Value::list(vec![v]);
        }
        let text = v.repr();
        assert_eq!(text.len(), 2_000_002);
        assert!(text.starts_with("[[[") && text.ends_with("]]]"));
    }
}
