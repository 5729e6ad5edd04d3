//! General builtins: printing, conversions, `len range min max sum round
//! sorted dir`, errors and `exit`.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::interp::{throw, Args, Interp, Outcome, Unwind, Why};
use crate::value::{ErrorValue, ItemSource, Object, Value};

use super::sort::{order, sort_values};
use super::{add, add_with_unary, float_arg, int_arg, str_arg, Table};

pub fn register(t: &mut Table) {
    add(t, "print", print);
    let str_of = |_: &mut Interp, v: Value| Ok(v.str_value());
    let str_body = move |i: &mut Interp, a: Args| match a.bind("str", ["x"], 0)? {
        [Some(v)] => str_of(i, v),
        [None] => Ok(Value::str("")),
    };
    add_with_unary(t, "str", str_body, str_of);
    let repr_of = |_: &mut Interp, v: Value| Ok(Value::str(&v.repr()));
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
    add(t, "range", range);
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
    add(t, "min", |interp, a| {
        extreme(interp, a, "min", Ordering::Less)
    });
    add(t, "max", |interp, a| {
        extreme(interp, a, "max", Ordering::Greater)
    });
    add(t, "sum", sum);
    add(t, "round", round);
    add(t, "sorted", |interp, a| {
        let [items, key, reverse] = a.bind("sorted", ["items", "key", "reverse"], 1)?;
        let items = interp.collect(&items.unwrap_or_default())?;
        let sorted = sort_values(interp, items, key, reverse.is_some_and(|r| r.truthy()))?;
        Ok(Value::list(sorted))
    });
    add(t, "error", |_, a| {
        let [kind, message] = a.bind("error", ["kind", "message"], 1)?;
        let kind = kind.unwrap_or_default();
        let kind = str_arg(&kind, "error", "kind")?;
        let message = message.map_or_else(String::new, |m| m.to_str());
        Ok(Value::Error(Arc::new(ErrorValue::new(kind, message))))
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
    add(t, "exit", |_, a| {
        let [status] = a.bind("exit", ["status"], 0)?;
        let status = match status {
            None | Some(Value::Nil) => 0,
            Some(v) => int_arg(&v, "exit", "status")? as i32,
        };
        Err(Unwind::new(Why::Exit(status)))
    });
}

fn print(interp: &mut Interp, mut a: Args) -> Outcome {
    let sep = a
        .take_kw("sep")
        .map_or_else(|| " ".to_string(), |v| v.to_str());
    let end = a
        .take_kw("end")
        .map_or_else(|| "\n".to_string(), |v| v.to_str());
    let items = a.positional("print", 0, usize::MAX)?;
    let mut line = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            line.push_str(&sep);
        }
        item.append_str(&mut line);
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
        Value::Str(s) => char_count(&s),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::Object(o) if o.length().is_some() => o.length().unwrap_or(0),
        other => return throw("TypeError", format!("{} has no len()", other.a_type())),
    };
    Ok(Value::Int(n as i64))
}

/// How many characters (code points) a string has. ASCII text, the common
/// case, is recognised in about half the time its characters take to count,
/// and then its length is its byte count.
fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// `range(stop)`, `range(start, stop[, step])`: a lazy sequence of ints.
pub struct Range {
    start: i64,
    stop: i64,
    step: i64,
}

impl Range {
    /// The ints of the range, in order.
    pub fn ints(&self) -> impl Iterator<Item = i64> {
        let (start, step) = (self.start, self.step);
        (0..self.len() as i64).map(move |i| start + i * step)
    }

    fn len(&self) -> usize {
        let span = if self.step > 0 {
            self.stop.saturating_sub(self.start)
        } else {
            self.start.saturating_sub(self.stop)
        };
        if span <= 0 {
            return 0;
        }
        let step = self.step.unsigned_abs();
        (span as u64).div_ceil(step) as usize
    }
}

fn range(_: &mut Interp, a: Args) -> Outcome {
    let nums = a.positional("range", 1, 3)?;
    let ints = nums
        .iter()
        .map(|v| int_arg(v, "range", "bounds"))
        .collect::<Result<Vec<_>, _>>()?;
    let (start, stop, step) = match ints[..] {
        [stop] => (0, stop, 1),
        [start, stop] => (start, stop, 1),
        [start, stop, step] => (start, stop, step),
        _ => unreachable!("positional() checked the count"),
    };
    if step == 0 {
        return throw("ValueError", "range() arg 3 must not be zero");
    }
    Ok(Value::object(Arc::new(Range { start, stop, step })))
}

impl Object for Range {
    fn type_name(&self) -> &'static str {
        "range"
    }
    fn truthy(&self) -> bool {
        Range::len(self) > 0
    }
    fn item(&self, index: &Value) -> Option<Outcome> {
        let len = Range::len(self) as i64;
        let Some(i) = index.as_int() else {
            return Some(throw(
                "TypeError",
                format!("range indices must be ints, not {}", index.type_name()),
            ));
        };
        let at = if i < 0 { i + len } else { i };
        if !(0..len).contains(&at) {
            return Some(throw("IndexError", "range object index out of range"));
        }
        Some(Ok(Value::Int(self.start + at * self.step)))
    }
    fn repr(&self) -> String {
        match self.step {
            1 => format!("range({}, {})", self.start, self.stop),
            s => format!("range({}, {}, {s})", self.start, self.stop),
        }
    }
    fn length(&self) -> Option<usize> {
        Some(Range::len(self))
    }
    fn iter(&self) -> Option<Box<dyn ItemSource>> {
        Some(Box::new(RangeIter {
            next: self.start,
            left: Range::len(self),
            step: self.step,
        }))
    }
}

struct RangeIter {
    next: i64,
    left: usize,
    step: i64,
}

impl ItemSource for RangeIter {
    fn next(&mut self, _: &mut Interp) -> Result<Option<Value>, Unwind> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let v = self.next;
        self.next = self.next.wrapping_add(self.step);
        Ok(Some(Value::Int(v)))
    }
}

/// `min`/`max` over one iterable or several arguments, with `key=`.
fn extreme(interp: &mut Interp, mut a: Args, name: &str, want: Ordering) -> Outcome {
    let key = a.take_kw("key").filter(|k| !matches!(k, Value::Nil));
    let default = a.take_kw("default");
    let mut args = a.positional(name, 1, usize::MAX)?;
    let items = if args.len() == 1 {
        interp.collect(&args.remove(0))?
    } else {
        args.into_vec()
    };
    let mut best: Option<(Value, Value)> = None;
    for item in items {
        let k = match &key {
            Some(f) => interp.call_value(f, Args::new(vec![item.clone()]))?,
            None => item.clone(),
        };
        let better = match &best {
            None => true,
            Some((bk, _)) => order(&k, bk)? == want,
        };
        if better {
            best = Some((k, item));
        }
    }
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
    for item in interp.collect(&items.unwrap_or_default())? {
        total = interp.binary(crate::ast::BinOp::Add, total, item)?;
    }
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
                return Ok(Value::Int(round_int(i, d)));
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

fn round_int(i: i64, digits: i64) -> i64 {
    if digits >= 0 {
        return i;
    }
    let Some(unit) = 10i64.checked_pow((-digits) as u32) else {
        return 0;
    };
    let (q, r) = (i.div_euclid(unit), i.rem_euclid(unit));
    let up = r * 2 > unit || (r * 2 == unit && q % 2 != 0);
    (q + up as i64).saturating_mul(unit)
}
