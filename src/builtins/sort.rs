//! Sorting and ordering, as Python's `sorted`, `list.sort`, `min` and `max`
//! compare: stably, by value or by a key function.

use std::cmp::Ordering;

use crate::interp::{throw, Args, Interp, Unwind};
use crate::value::{compare, is_container, Value};

/// How `a` and `b` order, or the `TypeError` for two that cannot be ordered.
pub fn order(a: &Value, b: &Value) -> Result<Ordering, Unwind> {
    match compare(a, b)? {
        Some(o) => Ok(o),
        None => throw(
            "TypeError",
            format!(
                "'<' is not supported between {} and {}",
                a.a_type(),
                b.a_type()
            ),
        ),
    }
}

/// Sorts stably by value or by `key(item)`, as Python's `sorted`.
pub fn sort_values(
    interp: &mut Interp,
    mut items: Vec<Value>,
    key: Option<Value>,
    reverse: bool,
) -> Result<Vec<Value>, Unwind> {
    let Some(key) = key.filter(|f| !matches!(f, Value::Nil)) else {
        sort_by_value(&mut items, reverse)?;
        return Ok(items);
    };
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        let k = interp.call_value(&key, Args::new(vec![item.clone()]))?;
        keyed.push((k, item));
    }
    sort_with(&mut keyed, |(k, _)| k, reverse)?;
    Ok(keyed.into_iter().map(|(_, v)| v).collect())
}

/// Sorts `items` in place by value if none is a container, so that no
/// comparison takes a lock: it may run under the list's own. `None`, with
/// the items untouched, when one is a container.
pub fn sort_in_place(items: &mut [Value], reverse: bool) -> Option<Result<(), Unwind>> {
    if items.iter().any(is_container) {
        return None;
    }
    Some(sort_by_value(items, reverse))
}

/// Sorts by value: all-int and all-str items compare directly, many times
/// faster than the general comparison.
fn sort_by_value(items: &mut [Value], reverse: bool) -> Result<(), Unwind> {
    if sort_uniform(items, reverse) {
        return Ok(());
    }
    sort_with(items, |v| v, reverse)
}

/// A stable sort by `key_of(item)`, reversed comparisons for `reverse` (so
/// equal items keep their order, as in Python). A comparison that fails
/// stops the sort and is its error; the items are then in some order.
fn sort_with<T>(
    items: &mut [T],
    key_of: impl Fn(&T) -> &Value,
    reverse: bool,
) -> Result<(), Unwind> {
    let mut failure = None;
    items.sort_by(|a, b| {
        if failure.is_some() {
            return Ordering::Equal;
        }
        let o = order(key_of(a), key_of(b)).unwrap_or_else(|e| {
            failure = Some(e);
            Ordering::Equal
        });
        if reverse {
            o.reverse()
        } else {
            o
        }
    });
    failure.map_or(Ok(()), Err)
}

/// Sorts items that are all ints or all strings; `false` for other items.
/// Equal ints or strings cannot be told apart, so an unstable sort and a
/// reversal give the same list as a stable sort would.
fn sort_uniform(items: &mut [Value], reverse: bool) -> bool {
    let all = |is: fn(&Value) -> bool| items.iter().all(is);
    if all(|v| matches!(v, Value::Int(_))) {
        items.sort_unstable_by_key(|v| match v {
            Value::Int(i) => *i,
            _ => unreachable!("all ints"),
        });
    } else if all(|v| matches!(v, Value::Str(_))) {
        items.sort_unstable_by(|a, b| match (a, b) {
            (Value::Str(x), Value::Str(y)) => x.cmp(y),
            _ => unreachable!("all strings"),
        });
    } else {
        return false;
    }
    if reverse {
        items.reverse();
    }
    true
}
