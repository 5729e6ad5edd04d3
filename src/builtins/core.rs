//! General builtins: printing, conversions, `len range min max sum round
//! sorted dir`, errors and `exit`.

use crate::interp::{throw, Args, Interp, Outcome, Unwind, Why};
use crate::value::{ErrorValue, Value};

use super::sort::{greater, less, sort_values};
use super::{add, add_with_unary, float_arg, int_arg, str_arg, Table};

pub fn register(t: &mut Table) {
    add(t, "print", print);
    let str_of = |i: &mut Interp, v: Value| match v {
        Value::List(_) | Value::Map(_) => i.text_value(&v, false),
        _ => Ok(v.str_value()),
    };
    let str_body = move |i: &mut Interp, a: Args| match a.bind("str", ["x"], 0)? {
        [Some(v)] => str_of(i, v),
        [None] => Ok(Value::str("")),
    };
    add_with_unary(t, "str", str_body, str_of);
    let repr_of = |i: &mut Interp, v: Value| i.text_value(&v, true);
    let repr_body = move |i: &mut Interp, a: Args| {
        let [v] = a.bind("repr", ["x"], 1)?;
        repr_of(i, v.unwrap_or_default())
    };
    add_with_unary(t, "repr", repr_body, repr_of);
    add(t, "int", int);
    add(t, "float", float);
    add(t, "bool", |_, a| {
        let [v] = a.bind("bool", ["x"], 0)?;
        Ok(Value::bool(v.is_some_and(|v| v.truthy())))
    });
    let type_of = |_: &mut Interp, v: Value| Ok(Value::str(v.type_name()));
    let type_body = move |i: &mut Interp, a: Args| {
        let [v] = a.bind("type", ["x"], 1)?;
        type_of(i, v.unwrap_or_default())
    };
    add_with_unary(t, "type", type_body, type_of);
    add_with_unary(t, "len", len, len_of);
    add(t, "list", |interp, a| {
        let [v] = a.bind("list", ["items"], 0)?;
        match v {
            None => Ok(Value::list(Vec::new())),
            Some(v) => interp.collect(&v).map(Value::list),
        }
    });
    add(t, "abs", |_, a| {
        let [v] = a.bind("abs", ["x"], 1)?;
        match v.unwrap_or_default() {
            Value::Int(i) => i.checked_abs().map(Value::Int).map_or_else(
                || {
                    throw(
                        "OverflowError",
                        format!("abs({i}) does not fit in a 64-bit int"),
                    )
                },
                Ok,
            ),
            Value::Bool(b) => Ok(Value::Int(b.get() as i64)),
            Value::Float(f) => Ok(Value::float(f.get().abs())),
            other => throw(
                "TypeError",
                format!("bad operand type for abs(): '{}'", other.type_name()),
            ),
        }
    });
    add(t, "min", |interp, a| extreme(interp, a, "min", less));
    add(t, "max", |interp, a| extreme(interp, a, "max", greater));
    add(t, "sum", sum);
    add(t, "round", round);
    add(t, "sorted", |interp, a| {
        let [items, key, reverse] = a.bind("sorted", ["items", "key", "reverse"], 1)?;
        let items = interp.collect(&items.unwrap_or_default())?;
        interp.charge(items.len())?;
        let sorted = sort_values(interp, items, key, reverse.is_some_and(|r| r.truthy()))?;
        Ok(Value::list(sorted))
    });
    add(t, "error", |_, a| {
        let [kind, message] = a.bind("error", ["kind", "message"], 1)?;
        let kind = kind.unwrap_or_default();
        let kind = str_arg(&kind, "error", "kind")?;
        let message = message.map_or_else(String::new, |m| m.to_str());
        Ok(Value::Error(crate::value::Rc::new(ErrorValue::new(
            kind, message,
        ))))
    });
    add(t, "assert", |_, a| {
        let [cond, message] = a.bind("assert", ["cond", "message"], 1)?;
        if cond.unwrap_or_default().truthy() {
            return Ok(Value::Nil);
        }
        throw(
            "AssertionError",
            message.map_or_else(String::new, |m| m.to_str()),
        )
    });
    add(t, "dir", |_, a| {
        let [v] = a.bind("dir", ["x"], 1)?;
        let names = super::attributes(&v.unwrap_or_default());
        Ok(Value::list(names.iter().map(|n| Value::str(n)).collect()))
    });
    add(t, "exit", |interp, a| {
        let [status] = a.bind("exit", ["status"], 0)?;
        let status = match status {
            None | Some(Value::Nil) => 0,
            // As Python's sys.exit("message"): the message, then status 1.
            Some(Value::Str(message)) => {
                interp.rt.eprint(&format!("{message}\n"));
                1
            }
            Some(v) => exit_status(int_arg(&v, "exit", "status")?),
        };
        Err(Unwind::new(Why::Exit(status)))
    });
}

/// The process status `exit(n)` gives: `n`'s low byte, as the OS keeps of
/// Python's `sys.exit(n)` (`exit(-1)` is 255), except that a non-zero `n`
/// whose low byte is 0 (256, 512...) exits 1: no failure passes for success.
fn exit_status(n: i64) -> i32 {
    match (n, n & 0xff) {
        (0, _) => 0,
        (_, 0) => 1,
        (_, low) => low as i32,
    }
}

fn print(interp: &mut Interp, mut a: Args) -> Outcome {
    // nil is the default, as Python's None.
    let text_kw = |a: &mut Args, name: &str, default: &str| {
        a.take_kw(name)
            .filter(|v| !matches!(v, Value::Nil))
            .map_or_else(|| default.to_string(), |v| v.to_str())
    };
    let sep = text_kw(&mut a, "sep", " ");
    let end = text_kw(&mut a, "end", "\n");
    let items = a.positional_after("print", 0, usize::MAX, &["sep", "end"])?;
    let mut line = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            line.push_str(&sep);
        }
        interp.append_text(item, false, &mut line)?;
    }
    line.push_str(&end);
    interp.rt.print(&line);
    Ok(Value::Nil)
}

fn int(_: &mut Interp, a: Args) -> Outcome {
    let [v, base] = a.bind("int", ["x", "base"], 0)?;
    let base = match base {
        Some(b) => int_arg(&b, "int", "base")? as u32,
        None => 10,
    };
    match v.unwrap_or(Value::Int(0)) {
        Value::Int(i) => Ok(Value::Int(i)),
        Value::Bool(b) => Ok(Value::Int(b.get() as i64)),
        Value::Float(f) => float_to_int(f.get()),
        Value::Str(s) => {
            let clean: String = s.trim().chars().filter(|&c| c != '_').collect();
            i64::from_str_radix(&clean, base)
                .map(Value::Int)
                .or_else(|_| {
                    throw(
                        "ValueError",
                        format!(
                            "invalid literal for int() with base {base}: {}",
                            Value::Str(s).repr()
                        ),
                    )
                })
        }
        other => throw(
            "TypeError",
            format!(
                "int() argument must be a string or a number, not {}",
                other.type_name()
            ),
        ),
    }
}

/// A float truncated toward zero, as Python's `int(x)`, within 64 bits.
pub fn float_to_int(f: f64) -> Outcome {
    if f.is_nan() {
        return throw("ValueError", "cannot convert float NaN to integer");
    }
    if f.is_infinite() {
        return throw("OverflowError", "cannot convert float infinity to integer");
    }
    if f.abs() >= i64::MAX as f64 {
        return throw(
            "OverflowError",
            format!(
                "cannot convert float {} to int",
                crate::value::float_repr(f)
            ),
        );
    }
    Ok(Value::Int(f.trunc() as i64))
}

fn float(_: &mut Interp, a: Args) -> Outcome {
    let [v] = a.bind("float", ["x"], 0)?;
    match v.unwrap_or(Value::float(0.0)) {
        Value::Str(s) => {
            let text = s.trim().to_ascii_lowercase();
            let parsed = match text.as_str() {
                "inf" | "+inf" | "infinity" => Ok(f64::INFINITY),
                "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
                "nan" => Ok(f64::NAN),
                t => t.parse::<f64>(),
            };
            parsed.map(Value::float).or_else(|_| {
                throw(
                    "ValueError",
                    format!(
                        "could not convert string to float: {}",
                        Value::Str(s).repr()
                    ),
                )
            })
        }
        v => float_arg(&v, "float", "x").map(Value::float),
    }
}

fn len(interp: &mut Interp, a: Args) -> Outcome {
    let [v] = a.bind("len", ["x"], 1)?;
    len_of(interp, v.unwrap_or_default())
}

fn len_of(_: &mut Interp, v: Value) -> Outcome {
    let n = match v {
        Value::Str(s) => s.char_count(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::Object(ref o) => match o.length() {
            Some(n) => n?,
            None => return throw("TypeError", format!("{} has no len()", v.a_type())),
        },
        other => return throw("TypeError", format!("{} has no len()", other.a_type())),
    };
    Ok(Value::Int(n as i64))
}

/// `min`/`max` over one iterable or several arguments, with `key=`.
/// `min`/`max` over one iterable or several arguments, with `key=` and
/// `default=`, as Python picks: the first item no later one is `better`
/// than (`<` for `min`, `>` for `max`). An iterable is read one item at a
/// time, so a huge range is never built, and the limits are checked as it
/// goes.
fn extreme(
    interp: &mut Interp,
    mut a: Args,
    name: &str,
    better: fn(&Value, &Value) -> Result<bool, Unwind>,
) -> Outcome {
    let key = a.take_kw("key").filter(|k| !matches!(k, Value::Nil));
    let default = a.take_kw("default");
    let mut args = a.positional_after(name, 1, usize::MAX, &["key", "default"])?;
    let items = match args.len() {
        1 => args.remove(0),
        _ => Value::list(args.into_vec()),
    };
    let mut best: Option<(Value, Value)> = None;
    interp.for_each(&items, |interp, item| {
        interp.tick()?;
        let k = match &key {
            Some(f) => interp.call_value(f, Args::new(vec![item.clone()]))?,
            None => item.clone(),
        };
        let replace = match &best {
            None => true,
            Some((bk, _)) => better(&k, bk)?,
        };
        if replace {
            best = Some((k, item));
        }
        Ok(true)
    })?;
    match (best, default) {
        (Some((_, v)), _) => Ok(v),
        (None, Some(d)) => Ok(d),
        (None, None) => throw("ValueError", format!("{name}() arg is an empty sequence")),
    }
}

fn sum(interp: &mut Interp, a: Args) -> Outcome {
    let [items, start] = a.bind("sum", ["items", "start"], 1)?;
    let mut total = start.unwrap_or(Value::Int(0));
    if let Value::Str(_) = total {
        return throw(
            "TypeError",
            "sum() can't sum strings (use ''.join(items) instead)",
        );
    }
    // One item at a time: a huge range is never built.
    interp.for_each(&items.unwrap_or_default(), |interp, item| {
        interp.tick()?;
        total = interp.binary(crate::ast::BinOp::Add, std::mem::take(&mut total), item)?;
        Ok(true)
    })?;
    Ok(total)
}

/// `round(x)` to an int, half to even; `round(x, n)` to a float.
fn round(_: &mut Interp, a: Args) -> Outcome {
    let [x, digits] = a.bind("round", ["x", "ndigits"], 1)?;
    let x = x.unwrap_or_default();
    match digits.filter(|d| !matches!(d, Value::Nil)) {
        None => match x {
            Value::Int(i) => Ok(Value::Int(i)),
            v => float_to_int(float_arg(&v, "round", "x")?.round_ties_even()),
        },
        Some(d) => {
            let d = int_arg(&d, "round", "ndigits")?;
            if let Value::Int(i) = x {
                return round_int(i, d).map(Value::Int).ok_or_else(|| {
                    crate::interp::error(
                        "OverflowError",
                        format!("round({i}, {d}) does not fit in a 64-bit int"),
                    )
                });
            }
            let f = float_arg(&x, "round", "x")?;
            if !(0..=300).contains(&d) || !f.is_finite() {
                let scale = 10f64.powi(d.clamp(-308, 308) as i32);
                return Ok(Value::float((f * scale).round_ties_even() / scale));
            }
            // Decimal rounding of the exact binary value, as Python does.
            let text = format!("{f:.prec$}", prec = d as usize);
            Ok(Value::float(text.parse().unwrap_or(f)))
        }
    }
}

/// `round(i, digits)` for an int, half to even; `None` if the result
/// leaves 64 bits.
fn round_int(i: i64, digits: i64) -> Option<i64> {
    if digits >= 0 {
        return Some(i);
    }
    let Some(unit) = u32::try_from(-digits)
        .ok()
        .and_then(|d| 10i64.checked_pow(d))
    else {
        // More digits than any int has: everything rounds to 0.
        return Some(0);
    };
    let (q, r) = (i.div_euclid(unit), i.rem_euclid(unit));
    let up = r > unit - r || (r == unit - r && q % 2 != 0);
    (q + up as i64).checked_mul(unit)
}
