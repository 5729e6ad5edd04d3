//! Equality and ordering of values, with Python's rules.
//!
//! Lists and maps compare by content. Each container is read through a
//! snapshot taken on its own, so a comparison never holds two container
//! locks (comparing a list with itself, or two threads comparing `a == b`
//! and `b == a`, cannot deadlock), and nothing is locked while nested items
//! compare. A container is always equal to itself, as Python's identity
//! shortcut makes it, so a list that contains itself equals itself.
//! Ordering follows Python exactly, NaN included: every comparison with
//! NaN is false. Comparing containers nested deeper than [`MAX_NESTING`] is a
//! `RecursionError`, as in Python, never a native stack overflow.

use super::Rc;
use std::cmp::Ordering;

use crate::interp::{error, Unwind};

use super::Value;

/// How deep comparisons go into nested containers before a `RecursionError`
/// (Python's default recursion limit).
pub const MAX_NESTING: usize = 1000;

/// Python's `==`: numbers by value across int, float and bool; strings,
/// lists and maps by content; everything else by identity.
pub fn equal(a: &Value, b: &Value) -> Result<bool, Unwind> {
    equal_at(a, b, 0)
}

/// An ordering comparison: Python's `<`, `<=`, `>` and `>=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Order {
    /// Whether two values that order as `o` pass this comparison.
    fn holds(self, o: Ordering) -> bool {
        match self {
            Order::Lt => o == Ordering::Less,
            Order::Le => o != Ordering::Greater,
            Order::Gt => o == Ordering::Greater,
            Order::Ge => o != Ordering::Less,
        }
    }

    /// The comparison on two floats: false whenever either is NaN.
    fn floats(self, x: f64, y: f64) -> bool {
        match self {
            Order::Lt => x < y,
            Order::Le => x <= y,
            Order::Gt => x > y,
            Order::Ge => x >= y,
        }
    }
}

/// `a op b` as Python computes it: numbers with numbers (any comparison
/// with NaN is false), strings with strings, lists by their first items
/// that differ, then by length. `None` when the two cannot be ordered.
pub fn ordered(op: Order, a: &Value, b: &Value) -> Result<Option<bool>, Unwind> {
    ordered_at(op, a, b, 0)
}

/// Whether comparing `v` with another value may have to look inside a
/// container. When one side is not a list or map, equality never does, so
/// it may run under a container's lock.
pub fn is_container(v: &Value) -> bool {
    matches!(v, Value::List(_) | Value::Map(_))
}

fn equal_at(a: &Value, b: &Value, depth: usize) -> Result<bool, Unwind> {
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            deeper(depth)?;
            let xs = x.snapshot();
            let ys = y.snapshot();
            if xs.len() != ys.len() {
                return Ok(false);
            }
            for (p, q) in xs.iter().zip(&ys) {
                if !equal_at(p, q, depth + 1)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        (Value::Map(x), Value::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            deeper(depth)?;
            let xs = x.snapshot();
            let ys = y.snapshot();
            if xs.len() != ys.len() {
                return Ok(false);
            }
            for (k, v) in &xs {
                match ys.get(k) {
                    Some(w) if equal_at(v, w, depth + 1)? => {}
                    _ => return Ok(false),
                }
            }
            Ok(true)
        }
        _ => Ok(scalar_equal(a, b)),
    }
}

fn ordered_at(op: Order, a: &Value, b: &Value, depth: usize) -> Result<Option<bool>, Unwind> {
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(op.holds(x.cmp(y))),
        (Value::Str(x), Value::Str(y)) => Some(op.holds(x.cmp(y))),
        (Value::List(x), Value::List(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(Some(op.holds(Ordering::Equal)));
            }
            deeper(depth)?;
            let xs = x.snapshot();
            let ys = y.snapshot();
            // The first items that differ decide, as in Python.
            for (p, q) in xs.iter().zip(&ys) {
                if !equal_at(p, q, depth + 1)? {
                    return ordered_at(op, p, q, depth + 1);
                }
            }
            Some(op.holds(xs.len().cmp(&ys.len())))
        }
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Some(op.floats(x, y)),
            _ => None,
        },
    })
}

/// One level further into nested containers, if that is allowed.
fn deeper(depth: usize) -> Result<(), Unwind> {
    if depth >= MAX_NESTING {
        return Err(error(
            "RecursionError",
            "maximum recursion depth exceeded in comparison",
        ));
    }
    Ok(())
}

/// `==` when at most one side is a container: it never looks inside one,
/// so it takes no lock and cannot fail. Map keys compare with it.
pub fn scalar_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
        (Value::Map(x), Value::Map(y)) => Rc::ptr_eq(x, y),
        (Value::Func(x), Value::Func(y)) => Rc::ptr_eq(x, y),
        (Value::Native(x), Value::Native(y)) => Rc::ptr_eq(x, y),
        (Value::Error(x), Value::Error(y)) => Rc::ptr_eq(x, y) || x == y,
        (Value::Object(x), Value::Object(y)) => x.equals(&***y),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => match (a.as_int(), b.as_int()) {
                (Some(i), Some(j)) => i == j,
                _ => x == y,
            },
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::take_thrown;

    fn nested(depth: usize) -> Value {
        let mut v = Value::list(Vec::new());
        for _ in 0..depth {
            v = Value::list(vec![v]);
        }
        v
    }

    fn self_containing() -> Value {
        let l = Value::list(Vec::new());
        let Value::List(inner) = &l else {
            unreachable!()
        };
        inner.write(|items| items.push(l.clone()));
        l
    }

    fn unlink(l: &Value) {
        let Value::List(inner) = l else {
            unreachable!()
        };
        inner.write(Vec::clear);
    }

    #[test]
    fn a_container_equals_itself_even_when_it_contains_itself() {
        let a = self_containing();
        assert!(equal(&a, &a).unwrap());
        assert_eq!(ordered(Order::Lt, &a, &a).unwrap(), Some(false));
        assert_eq!(ordered(Order::Le, &a, &a).unwrap(), Some(true));
        let wrapped = Value::list(vec![a.clone()]);
        let again = Value::list(vec![a.clone()]);
        assert!(equal(&wrapped, &again).unwrap());
        unlink(&a);
    }

    #[test]
    fn two_self_containing_lists_compare_to_a_recursion_error() {
        let (a, b) = (self_containing(), self_containing());
        assert!(equal(&a, &b).is_err());
        assert_eq!(&*take_thrown().error.kind, "RecursionError");
        assert!(ordered(Order::Lt, &a, &b).is_err());
        let t = take_thrown();
        assert_eq!(
            t.error.message,
            "maximum recursion depth exceeded in comparison"
        );
        unlink(&a);
        unlink(&b);
    }

    #[test]
    fn deep_lists_compare_up_to_the_limit() {
        assert!(equal(&nested(MAX_NESTING - 1), &nested(MAX_NESTING - 1)).unwrap());
        assert!(equal(&nested(MAX_NESTING + 1), &nested(MAX_NESTING + 1)).is_err());
        assert_eq!(&*take_thrown().error.kind, "RecursionError");
    }

    #[test]
    fn numbers_compare_across_kinds() {
        assert!(scalar_equal(&Value::Int(1), &Value::float(1.0)));
        assert!(scalar_equal(&Value::bool(true), &Value::Int(1)));
        assert!(!scalar_equal(&Value::Int(1), &Value::str("1")));
        let (two, half) = (Value::Int(2), Value::float(2.5));
        assert_eq!(ordered(Order::Lt, &two, &half).unwrap(), Some(true));
        assert_eq!(ordered(Order::Lt, &two, &Value::str("a")).unwrap(), None);
        let nan = Value::float(f64::NAN);
        for op in [Order::Lt, Order::Le, Order::Gt, Order::Ge] {
            assert_eq!(ordered(op, &nan, &two).unwrap(), Some(false));
            assert_eq!(ordered(op, &two, &nan).unwrap(), Some(false));
        }
    }
}
