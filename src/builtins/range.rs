//! `range(stop)`, `range(start, stop[, step])`: a lazy sequence of ints,
//! as Python's: never built in memory, `x in r` answered by arithmetic, and
//! two ranges equal when they hold the same ints.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::interp::{throw, Args, Interp, Outcome, Unwind};
use crate::value::{ItemSource, Object, Value};

use super::{add, int_arg, Table};

pub fn register(t: &mut Table) {
    add(t, "range", range);
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

pub struct Range {
    start: i64,
    stop: i64,
    step: i64,
}

impl Range {
    /// How many ints it holds: up to 2^64 - 1, so a `u64`.
    fn count(&self) -> u64 {
        let span = if self.step > 0 {
            self.stop as i128 - self.start as i128
        } else {
            self.start as i128 - self.stop as i128
        };
        if span <= 0 {
            return 0;
        }
        (span as u128).div_ceil(self.step.unsigned_abs() as u128) as u64
    }

    /// Its `i`th int; `i` is below [`Range::count`], so the result lies
    /// between the bounds, whatever the product wraps through.
    fn nth(&self, i: u64) -> i64 {
        self.start.wrapping_add((i as i64).wrapping_mul(self.step))
    }

    /// The ints of the range, in order.
    pub fn ints(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.count()).map(|i| self.nth(i))
    }

    /// Whether it holds `i`: arithmetic, whatever its size.
    fn holds(&self, i: i64) -> bool {
        let within = if self.step > 0 {
            self.start <= i && i < self.stop
        } else {
            self.stop < i && i <= self.start
        };
        within && (i as i128 - self.start as i128) % self.step as i128 == 0
    }

    /// What makes two ranges equal, as in Python: the same ints, so two
    /// empty ranges are equal, and so are two of one int that start alike.
    fn identity_key(&self) -> (u64, i64, i64) {
        match self.count() {
            0 => (0, 0, 0),
            1 => (1, self.start, 0),
            n => (n, self.start, self.step),
        }
    }
}

impl Object for Range {
    fn type_name(&self) -> &'static str {
        "range"
    }
    fn truthy(&self) -> bool {
        self.count() > 0
    }
    fn item(&self, index: &Value) -> Option<Outcome> {
        let Some(i) = index.as_int() else {
            return Some(throw(
                "TypeError",
                format!("range indices must be ints, not {}", index.type_name()),
            ));
        };
        let count = self.count() as i128;
        let at = if i < 0 { i as i128 + count } else { i as i128 };
        if !(0..count).contains(&at) {
            return Some(throw(
                "IndexError",
                format!("range index {i} out of range for a range of length {count}"),
            ));
        }
        Some(Ok(Value::Int(self.nth(at as u64))))
    }
    fn repr(&self) -> String {
        match self.step {
            1 => format!("range({}, {})", self.start, self.stop),
            s => format!("range({}, {}, {s})", self.start, self.stop),
        }
    }
    fn length(&self) -> Option<Result<usize, Unwind>> {
        let n = self.count();
        Some(match i64::try_from(n) {
            Ok(n) => Ok(n as usize),
            Err(_) => throw(
                "OverflowError",
                format!("the range holds {n} ints: its len() does not fit in a 64-bit int"),
            ),
        })
    }
    fn contains(&self, x: &Value) -> Option<bool> {
        Some(match x {
            Value::Int(_) | Value::Bool(_) => x.as_int().is_some_and(|i| self.holds(i)),
            // A float equals an int of the range only if it is a whole number.
            Value::Float(f) => {
                let f = f.get();
                f.fract() == 0.0 && f.abs() < 9.3e18 && self.holds(f as i64)
            }
            _ => false,
        })
    }
    fn equals(&self, other: &dyn Object) -> bool {
        let other: &dyn std::any::Any = other;
        other
            .downcast_ref::<Range>()
            .is_some_and(|r| r.identity_key() == self.identity_key())
    }
    fn hash_key(&self) -> u64 {
        let mut h = std::hash::DefaultHasher::new();
        self.identity_key().hash(&mut h);
        h.finish()
    }
    fn iter(&self) -> Option<Box<dyn ItemSource>> {
        Some(Box::new(RangeIter {
            next: self.start,
            left: self.count(),
            step: self.step,
        }))
    }
}

struct RangeIter {
    next: i64,
    left: u64,
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
