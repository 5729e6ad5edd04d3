//! Sorting and picking extremes, as Python's `sorted`, `list.sort`, `min`
//! and `max` do: stably, by value or by a key function, comparing only with
//! `<` (and `>` for `max`), so NaN and other values no order ranks sort
//! without an error, in the order CPython's own algorithm leaves them.

use crate::interp::{unorderable, Args, Interp, Unwind};
use crate::value::{is_container, ordered, Order, Value};

/// `a < b`, or the `TypeError` for two that cannot be ordered.
pub fn less(a: &Value, b: &Value) -> Result<bool, Unwind> {
    ordered(Order::Lt, a, b)?.ok_or_else(|| unorderable("<", a, b))
}

/// `a > b`, or the `TypeError` for two that cannot be ordered.
pub fn greater(a: &Value, b: &Value) -> Result<bool, Unwind> {
    ordered(Order::Gt, a, b)?.ok_or_else(|| unorderable(">", a, b))
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
    sort_by_less(&mut keyed, |(a, _), (b, _)| less(a, b), reverse)?;
    Ok(keyed.into_iter().map(|(_, v)| v).collect())
}

/// Sorts `items` in place by value if none is a container, so that no
/// comparison takes a lock: it may run under the list's own. `None`, with
/// the items untouched, when one is a container.
pub fn sort_in_place(items: &mut Vec<Value>, reverse: bool) -> Option<Result<(), Unwind>> {
    if items.iter().any(is_container) {
        return None;
    }
    Some(sort_by_value(items, reverse))
}

/// Sorts by value: all-int and all-str items compare directly, many times
/// faster than the general comparison.
fn sort_by_value(items: &mut Vec<Value>, reverse: bool) -> Result<(), Unwind> {
    if sort_uniform(items, reverse) {
        return Ok(());
    }
    sort_by_less(items, less, reverse)
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

/// Python's `list.sort`: a stable sort that only asks `lt(a, b)`. A
/// reversed sort reverses the items, sorts them and reverses them back, as
/// CPython does, so equal items keep their order. A comparison that fails
/// stops the sort with its error, the items in some order.
fn sort_by_less<T: Clone>(
    items: &mut Vec<T>,
    mut lt: impl FnMut(&T, &T) -> Result<bool, Unwind>,
    reverse: bool,
) -> Result<(), Unwind> {
    if reverse {
        items.reverse();
    }
    let order = stable_order(items, &mut lt)?;
    *items = order.into_iter().map(|i| items[i].clone()).collect();
    if reverse {
        items.reverse();
    }
    Ok(())
}

/// Up to this many items, runs are extended by binary insertion before
/// they are merged (CPython's `minrun` for short lists is their length).
const MIN_RUN: usize = 64;

/// The positions of `items` in sorted order. Runs of at least [`MIN_RUN`]
/// items (a whole short list) are found and finished as CPython's timsort
/// does (`count_run`, then `binarysort`), then merged pairwise, stably.
fn stable_order<T>(
    items: &[T],
    lt: &mut impl FnMut(&T, &T) -> Result<bool, Unwind>,
) -> Result<Vec<usize>, Unwind> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    let mut runs = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let end = (start + MIN_RUN).min(order.len());
        let sorted = count_run(items, &mut order[start..end], lt)?;
        binary_insertion(items, &mut order[start..end], sorted, lt)?;
        runs.push(start..end);
        start = end;
    }
    while runs.len() > 1 {
        let mut merged = Vec::with_capacity(runs.len().div_ceil(2));
        for pair in runs.chunks(2) {
            match pair {
                [a, b] => {
                    merge(items, &mut order, a.start, a.end, b.end, lt)?;
                    merged.push(a.start..b.end);
                }
                [a] => merged.push(a.clone()),
                _ => unreachable!("chunks of two"),
            }
        }
        runs = merged;
    }
    Ok(order)
}

/// How many leading items of `run` are already in order: an ascending run,
/// or a strictly descending one, reversed in place.
fn count_run<T>(
    items: &[T],
    run: &mut [usize],
    lt: &mut impl FnMut(&T, &T) -> Result<bool, Unwind>,
) -> Result<usize, Unwind> {
    if run.len() < 2 {
        return Ok(run.len());
    }
    let descending = lt(&items[run[1]], &items[run[0]])?;
    let mut n = 2;
    while n < run.len() && lt(&items[run[n]], &items[run[n - 1]])? == descending {
        n += 1;
    }
    if descending {
        run[..n].reverse();
    }
    Ok(n)
}

/// Sorts `run` whose first `sorted` positions are in order, inserting each
/// next item after every item it is not less than (stable).
fn binary_insertion<T>(
    items: &[T],
    run: &mut [usize],
    sorted: usize,
    lt: &mut impl FnMut(&T, &T) -> Result<bool, Unwind>,
) -> Result<(), Unwind> {
    for i in sorted..run.len() {
        let pivot = run[i];
        let (mut lo, mut hi) = (0, i);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if lt(&items[pivot], &items[run[mid]])? {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        run.copy_within(lo..i, lo + 1);
        run[lo] = pivot;
    }
    Ok(())
}

/// Merges the sorted positions `order[lo..mid]` and `order[mid..hi]`,
/// taking from the right only when its item is less (stable).
fn merge<T>(
    items: &[T],
    order: &mut [usize],
    lo: usize,
    mid: usize,
    hi: usize,
    lt: &mut impl FnMut(&T, &T) -> Result<bool, Unwind>,
) -> Result<(), Unwind> {
    let left = order[lo..mid].to_vec();
    let (mut i, mut j, mut out) = (0, mid, lo);
    while i < left.len() && j < hi {
        if lt(&items[order[j]], &items[left[i]])? {
            order[out] = order[j];
            j += 1;
        } else {
            order[out] = left[i];
            i += 1;
        }
        out += 1;
    }
    order[out..out + left.len() - i].copy_from_slice(&left[i..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(v: &[i64]) -> Vec<Value> {
        v.iter().map(|&i| Value::float(i as f64)).collect()
    }

    fn sorted(items: Vec<Value>, reverse: bool) -> String {
        let mut items = items;
        sort_by_less(&mut items, less, reverse).unwrap();
        Value::list(items).repr()
    }

    #[test]
    fn sorts_stably_with_many_runs() {
        // Floats, so the general sort runs; 1000 items, so runs merge.
        let items: Vec<Value> = (0..1000)
            .map(|i| Value::float(((i * 7919) % 1000) as f64))
            .collect();
        let mut want: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64).collect();
        want.sort_by(f64::total_cmp);
        let want: Vec<Value> = want.into_iter().map(Value::float).collect();
        assert_eq!(
            sorted(items.clone(), false),
            Value::list(want.clone()).repr()
        );
        let mut back = want;
        back.reverse();
        assert_eq!(sorted(items, true), Value::list(back).repr());
    }

    #[test]
    fn nan_sorts_as_in_cpython() {
        // sorted([3.0, nan, 1.0]) and friends, as CPython 3.11 prints them.
        let nan = Value::float(f64::NAN);
        let mut items = floats(&[3, 1]);
        items.insert(1, nan.clone());
        assert_eq!(sorted(items, false), "[3.0, nan, 1.0]");
        let mut items = floats(&[5, 2, 4, 1]);
        items.insert(2, nan);
        assert_eq!(sorted(items.clone(), false), "[1.0, 2.0, 4.0, 5.0, nan]");
        assert_eq!(sorted(items, true), "[5.0, 2.0, nan, 4.0, 1.0]");
    }
}
