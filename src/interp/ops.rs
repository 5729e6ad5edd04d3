//! Operators, indexing and slicing, with Python's semantics on 64-bit ints.

use crate::ast::{BinOp, CmpOp};
use crate::format::{percent_string, FormatError, PercentPlan, PercentRhs};
use crate::value::{equal, ordered, Key, Order, RcStr, Value};

use super::{throw, Interp, Outcome, Unwind};

/// `fmt % rhs` for a string `fmt`, at most `limit` bytes long.
pub(crate) fn percent(fmt: &str, rhs: PercentRhs, limit: usize) -> Outcome {
    formatted(percent_string(fmt, rhs, limit))
}

/// `fmt % [items]` for a format read when the code was compiled.
pub(crate) fn percent_planned(plan: &PercentPlan, items: &[Value], limit: usize) -> Outcome {
    formatted(plan.format(items, limit))
}

fn formatted(r: Result<RcStr, FormatError>) -> Outcome {
    r.map(Value::Str)
        .map_err(|e| super::error(e.kind, e.message))
}

impl Interp {
    pub(crate) fn binary(&self, op: BinOp, a: Value, b: Value) -> Outcome {
        // Strings joined by `+` first: the operators' own closures took
        // the numbers they could.
        if let (BinOp::Add, Value::Str(x), Value::Str(y)) = (op, &a, &b) {
            return self
                .sizes()
                .str_of_parts(x.len() + y.len(), [x.as_str(), y]);
        }
        if let (Some(x), Some(y)) = (int_operand(&a), int_operand(&b)) {
            return int_op(op, x, y);
        }
        if let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) {
            return float_op(op, x, y);
        }
        match (op, &a, &b) {
            (BinOp::Add, Value::List(x), Value::List(y)) => {
                // One list read at a time: `a + a` and `a + b` beside
                // `b + a` on another thread hold one lock at a time.
                let xs = x.snapshot();
                // `l + l` is one list twice, as it was at one moment.
                let ys = match crate::value::Rc::ptr_eq(x, y) {
                    true => xs.clone(),
                    false => y.snapshot(),
                };
                let mut items = self.sizes().new_list(xs.len().saturating_add(ys.len()))?;
                items.extend(xs);
                items.extend(ys);
                Ok(Value::list(items))
            }
            (BinOp::Mul, Value::Str(_) | Value::List(_), Value::Int(_) | Value::Bool(_)) => {
                self.repeat(&a, &b)
            }
            (BinOp::Mul, Value::Int(_) | Value::Bool(_), Value::Str(_) | Value::List(_)) => {
                self.repeat(&b, &a)
            }
            (BinOp::Mod, Value::Str(fmt), _) => {
                percent(fmt, PercentRhs::Value(&b), self.sizes().string)
            }
            _ => throw(
                "TypeError",
                format!(
                    "unsupported operand types for {}: '{}' and '{}'",
                    op.symbol(),
                    a.type_name(),
                    b.type_name()
                ),
            ),
        }
    }

    pub(crate) fn negate(&self, v: Value) -> Outcome {
        match v {
            Value::Int(i) => i
                .checked_neg()
                .map(Value::Int)
                .ok_or_else(|| overflow(&format!("-({i})"))),
            Value::Bool(b) => Ok(Value::Int(-(b.get() as i64))),
            Value::Float(f) => Ok(Value::float(-f.get())),
            other => throw(
                "TypeError",
                format!("bad operand type for unary -: '{}'", other.type_name()),
            ),
        }
    }

    pub(crate) fn compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> Result<bool, Unwind> {
        let order = match op {
            CmpOp::Eq => return equal(a, b),
            CmpOp::Ne => return equal(a, b).map(|e| !e),
            CmpOp::In => return self.contains(b, a),
            CmpOp::NotIn => return self.contains(b, a).map(|found| !found),
            CmpOp::Lt => Order::Lt,
            CmpOp::Le => Order::Le,
            CmpOp::Gt => Order::Gt,
            CmpOp::Ge => Order::Ge,
        };
        ordered(order, a, b)?.ok_or_else(|| unorderable(op.symbol(), a, b))
    }

    /// `item in container`.
    pub fn contains(&mut self, container: &Value, item: &Value) -> Result<bool, Unwind> {
        match container {
            Value::Str(s) => match item {
                Value::Str(sub) => Ok(s.contains(&**sub)),
                other => throw(
                    "TypeError",
                    format!("'in <str>' needs a str on the left, not {}", other.a_type()),
                ),
            },
            Value::List(l) => Ok(crate::builtins::list::find(l, item)?.is_some()),
            Value::Map(m) => {
                let key = super::key_ref(item)?;
                Ok(m.read(|m| m.contains_key(&key)))
            }
            Value::Object(o) if o.contains(item).is_some() => Ok(o.contains(item) == Some(true)),
            _ => {
                let mut found = false;
                self.for_each(container, |me, v| {
                    me.tick()?;
                    found = equal(&v, item)?;
                    Ok(!found)
                })?;
                Ok(found)
            }
        }
    }

    /// `a[i]`.
    pub(crate) fn index(&self, a: &Value, i: &Value) -> Outcome {
        match a {
            Value::List(l) => l.read(|items| {
                let at = position(i, items.len(), "list")?;
                Ok(items[at].clone())
            }),
            Value::Str(s) => {
                let c = char_at(s, i)?;
                Ok(Value::str(c.encode_utf8(&mut [0; 4])))
            }
            Value::Map(m) => {
                let key = super::key_ref(i)?;
                let found = m.read(|m| m.get(&key).cloned());
                found.ok_or_else(|| super::error("KeyError", i.repr()))
            }
            Value::Object(o) if o.item(i).is_some() => o.item(i).unwrap_or(Ok(Value::Nil)),
            other => throw("TypeError", format!("{} cannot be indexed", other.a_type())),
        }
    }

    /// `a[i] = v`. A map takes a reference to `i` only for a new key.
    pub(crate) fn set_index(&self, a: &Value, i: &Value, v: Value) -> Result<(), Unwind> {
        match a {
            Value::List(l) => {
                // The value replaced is freed after the lock is let go.
                let _old = l.write(|items| {
                    let at = position(i, items.len(), "list")?;
                    Ok(std::mem::replace(&mut items[at], v))
                })?;
                Ok(())
            }
            Value::Map(m) => {
                let key = super::key_ref(i)?;
                let sizes = self.sizes();
                let _old = m.write(|m| match m.get_mut(&key) {
                    Some(slot) => Ok(Some(std::mem::replace(slot, v))),
                    None => sizes.add(m, Key(i.clone()), v).map(|()| None),
                })?;
                Ok(())
            }
            other => throw(
                "TypeError",
                format!("{} does not support item assignment", other.a_type()),
            ),
        }
    }
}

/// `x op y` on two ints when it is a plain integer result: the evaluator's
/// fast path. `None` leaves division, powers and overflow to [`Interp::binary`].
#[inline]
pub fn int_fast(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        // With a positive divisor, Euclid's quotient and remainder are
        // Python's floor division and modulo.
        BinOp::Mod => int_mod(x, y),
        BinOp::FloorDiv => int_floor_div(x, y),
        BinOp::Div | BinOp::Pow => None,
    }
}

/// `x op y` on two floats when it is a plain float result (`+ - * /`, no
/// division by zero): the evaluator's fast path for floats.
#[inline(always)]
pub fn float_fast(op: BinOp, x: f64, y: f64) -> Option<f64> {
    match op {
        BinOp::Add => Some(x + y),
        BinOp::Sub => Some(x - y),
        BinOp::Mul => Some(x * y),
        BinOp::Div => (y != 0.0).then(|| x / y),
        BinOp::Mod | BinOp::FloorDiv | BinOp::Pow => None,
    }
}

/// Two numbers as floats when at least one is a float, as Python mixes
/// them (an int is converted exactly as `float(i)` converts it).
#[inline(always)]
pub fn float_pair(x: &Value, y: &Value) -> Option<(f64, f64)> {
    match (x, y) {
        (Value::Float(x), Value::Float(y)) => Some((x.get(), y.get())),
        (Value::Float(x), Value::Int(y)) => Some((x.get(), *y as f64)),
        (Value::Int(x), Value::Float(y)) => Some((*x as f64, y.get())),
        _ => None,
    }
}

/// `x op y` on two ints or floats when the fast paths give it: what
/// [`Interp::binary`] would give, without its checks.
#[inline(always)]
pub fn number_fast(op: BinOp, x: &Value, y: &Value) -> Option<Value> {
    if let (Value::Int(x), Value::Int(y)) = (x, y) {
        return int_fast(op, *x, *y).map(Value::Int);
    }
    let (x, y) = float_pair(x, y)?;
    float_fast(op, x, y).map(Value::float)
}

/// `x % y` when the divisor is positive: then Euclid's remainder is Python's.
#[inline]
pub fn int_mod(x: i64, y: i64) -> Option<i64> {
    (y > 0).then(|| x.rem_euclid(y))
}

/// `x // y` when the divisor is positive: then Euclid's quotient is Python's.
#[inline]
pub fn int_floor_div(x: i64, y: i64) -> Option<i64> {
    (y > 0).then(|| x.div_euclid(y))
}

/// A comparison of two ints.
#[inline]
pub fn int_compare(op: CmpOp, x: i64, y: i64) -> bool {
    match op {
        CmpOp::Eq => x == y,
        CmpOp::Ne => x != y,
        CmpOp::Lt => x < y,
        CmpOp::Le => x <= y,
        CmpOp::Gt => x > y,
        CmpOp::Ge => x >= y,
        CmpOp::In | CmpOp::NotIn => false,
    }
}

/// Ints (and bools) as ints, for integer arithmetic.
fn int_operand(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(b.get() as i64),
        _ => None,
    }
}

fn overflow(what: &str) -> Unwind {
    super::error(
        "OverflowError",
        format!("{what} does not fit in a 64-bit int"),
    )
}

fn int_op(op: BinOp, x: i64, y: i64) -> Outcome {
    let checked = match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::Div => {
            if y == 0 {
                return throw("ZeroDivisionError", "division by zero");
            }
            return Ok(Value::float(x as f64 / y as f64));
        }
        BinOp::FloorDiv | BinOp::Mod => {
            if y == 0 {
                return throw("ZeroDivisionError", "integer division or modulo by zero");
            }
            // Only MIN // -1 leaves 64 bits; MIN % -1 is 0, as in Python.
            let (q, r) = match (x.checked_div(y), x.checked_rem(y)) {
                (Some(q), Some(r)) => (q, r),
                _ if op == BinOp::Mod => return Ok(Value::Int(0)),
                _ => return Err(overflow(&format!("{x} {} {y}", op.symbol()))),
            };
            // Python rounds toward negative infinity: the remainder takes the divisor's sign.
            let adjust = r != 0 && ((r < 0) != (y < 0));
            return Ok(Value::Int(match op {
                BinOp::FloorDiv => q - adjust as i64,
                _ => r + if adjust { y } else { 0 },
            }));
        }
        BinOp::Pow => {
            if y < 0 {
                return float_op(op, x as f64, y as f64);
            }
            int_pow(x, y)
        }
    };
    checked
        .map(Value::Int)
        .ok_or_else(|| overflow(&format!("{x} {} {y}", op.symbol())))
}

fn float_op(op: BinOp, x: f64, y: f64) -> Outcome {
    let v = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div if y == 0.0 => return throw("ZeroDivisionError", "float division by zero"),
        BinOp::Div => x / y,
        BinOp::FloorDiv if y == 0.0 => {
            return throw("ZeroDivisionError", "float floor division by zero")
        }
        BinOp::FloorDiv => float_div_mod(x, y).0,
        BinOp::Mod if y == 0.0 => return throw("ZeroDivisionError", "float modulo"),
        BinOp::Mod => float_div_mod(x, y).1,
        BinOp::Pow if x == 0.0 && y < 0.0 => {
            return throw(
                "ZeroDivisionError",
                "0.0 cannot be raised to a negative power",
            )
        }
        BinOp::Pow => x.powf(y),
    };
    // Python gives inf for + - * /, but raises when ** overflows.
    if op == BinOp::Pow && v.is_infinite() && x.is_finite() && y.is_finite() {
        return throw("OverflowError", "(34, 'Numerical result out of range')");
    }
    Ok(Value::float(v))
}

/// `x ** y` for a non-negative `y`: 0, 1 and -1 raised to any power fit in
/// 64 bits however large `y` is; anything else that leaves 64 bits is
/// `None`.
fn int_pow(x: i64, y: i64) -> Option<i64> {
    match (x, u32::try_from(y)) {
        (_, Ok(e)) => x.checked_pow(e),
        (0 | 1, Err(_)) => Some(x),
        (-1, Err(_)) => Some(if y % 2 == 0 { 1 } else { -1 }),
        _ => None,
    }
}

/// Python's float `//` and `%` (CPython's `_float_div_mod`): the remainder
/// takes the divisor's sign, zero included, and the quotient is rounded so
/// that `q * y + r == x` as nearly as floats allow; NaN and infinities
/// propagate (`inf // 1` is NaN).
fn float_div_mod(x: f64, y: f64) -> (f64, f64) {
    let mut r = x % y;
    let mut div = (x - r) / y;
    if r != 0.0 {
        if (y < 0.0) != (r < 0.0) {
            r += y;
            div -= 1.0;
        }
    } else {
        r = 0.0f64.copysign(y);
    }
    let q = if div != 0.0 {
        let q = div.floor();
        if div - q > 0.5 {
            q + 1.0
        } else {
            q
        }
    } else {
        0.0f64.copysign(x / y)
    };
    (q, r)
}

impl Interp {
    /// `seq * n` for a string or list.
    fn repeat(&self, seq: &Value, n: &Value) -> Outcome {
        let n = n.as_int().unwrap_or(0).max(0) as usize;
        let sizes = self.sizes();
        match seq {
            Value::Str(s) => {
                let len = s.len().saturating_mul(n);
                sizes.check_string(len)?;
                sizes.str_of_parts(len, std::iter::repeat_n(s.as_str(), n))
            }
            Value::List(l) => {
                let items = l.snapshot();
                let mut out = sizes.new_list(items.len().saturating_mul(n))?;
                for _ in 0..n {
                    out.extend(items.iter().cloned());
                }
                Ok(Value::list(out))
            }
            _ => unreachable!("repeat is only called on str and list"),
        }
    }
}

/// A list or string index, negative counting from the end.
fn position(i: &Value, len: usize, what: &str) -> Result<usize, Unwind> {
    let Some(i) = i.as_int() else {
        return throw(
            "TypeError",
            format!("{what} indices must be ints, not {}", i.type_name()),
        );
    };
    let at = if i < 0 { i + len as i64 } else { i };
    if at < 0 || at >= len as i64 {
        return throw(
            "IndexError",
            format!("{what} index {i} out of range for a {what} of length {len}"),
        );
    }
    Ok(at as usize)
}

/// `a[lo:hi:step]` on a list or string, as Python slices.
pub fn slice(a: &Value, bounds: [Option<Value>; 3]) -> Outcome {
    let [lo, hi, step] = bounds.map(|b| b.filter(|v| !matches!(v, Value::Nil)));
    let step = match step {
        None => 1,
        Some(v) => v
            .as_int()
            .ok_or_else(|| super::error("TypeError", "slice step must be an int"))?,
    };
    if step == 0 {
        return throw("ValueError", "slice step cannot be zero");
    }
    let pick = |len: usize| -> Result<Vec<usize>, Unwind> {
        let len = len as i64;
        let bound = |v: Option<Value>, default: i64| -> Result<i64, Unwind> {
            let Some(v) = v else { return Ok(default) };
            let i = v
                .as_int()
                .ok_or_else(|| super::error("TypeError", "slice indices must be ints or nil"))?;
            let i = if i < 0 { i + len } else { i };
            Ok(if step > 0 {
                i.clamp(0, len)
            } else {
                i.clamp(-1, len - 1)
            })
        };
        let (start, stop) = if step > 0 {
            (bound(lo.clone(), 0)?, bound(hi.clone(), len)?)
        } else {
            (bound(lo.clone(), len - 1)?, bound(hi.clone(), -1)?)
        };
        let mut out = Vec::new();
        let mut i = start;
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            out.push(i as usize);
            i += step;
        }
        Ok(out)
    };
    match a {
        Value::List(l) => l.read(|items| {
            let picked = pick(items.len())?;
            Ok(Value::list(
                picked.into_iter().map(|i| items[i].clone()).collect(),
            ))
        }),
        Value::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            let picked = pick(chars.len())?;
            Ok(Value::str(
                &picked.into_iter().map(|i| chars[i]).collect::<String>(),
            ))
        }
        other => throw("TypeError", format!("{} cannot be sliced", other.a_type())),
    }
}

/// The character at index `i` of `s`, counted in characters. An ASCII
/// string (the string knows whether it is) is indexed by byte; `s[i]` in a
/// loop over a long string used to copy out every character each time.
fn char_at(s: &RcStr, i: &Value) -> Result<char, Unwind> {
    if s.is_ascii() {
        let at = position(i, s.len(), "string")?;
        return Ok(char::from(s.as_bytes()[at]));
    }
    let at = position(i, s.chars().count(), "string")?;
    Ok(s.chars().nth(at).unwrap_or_default())
}

/// The `TypeError` for two values that `symbol` cannot order.
pub(crate) fn unorderable(symbol: &str, a: &Value, b: &Value) -> Unwind {
    super::error(
        "TypeError",
        format!(
            "'{symbol}' is not supported between {} and {}",
            a.a_type(),
            b.a_type()
        ),
    )
}
