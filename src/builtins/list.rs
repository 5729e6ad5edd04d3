//! List methods. Each does its whole work on the live list under one lock
//! acquisition ([`crate::value::Shared`]). The two that must compare items
//! with a container (finding a list inside a list, sorting lists of lists)
//! compare on a snapshot with no lock held, and `remove` and `sort` then
//! commit only if the list did not change meanwhile.

use crate::interp::{throw, Args, Interp, Outcome, Unwind};
use crate::value::{equal, is_container, scalar_equal, List, Sizes, Value};

use super::int_arg;
use super::sort::{sort_in_place, sort_values};

pub const METHODS: &[&str] = &[
    "push", "append", "pop", "insert", "remove", "index", "contains", "sort", "reverse", "copy",
    "extend", "clear", "count",
];

/// Calls list method `name`, or `None` if there is none.
pub fn method(interp: &mut Interp, list: &List, name: &str, a: Args) -> Option<Outcome> {
    let sizes = interp.sizes();
    Some(match name {
        "push" | "append" => a.positional(name, 1, 1).and_then(|mut v| {
            let item = v.remove(0);
            list.write(|items| sizes.push(items, item))?;
            Ok(Value::Nil)
        }),
        "pop" => pop(list, a),
        "insert" => insert(sizes, list, a),
        "remove" => a
            .positional("remove", 1, 1)
            .and_then(|v| remove(list, &v[0])),
        "index" => a
            .positional("index", 1, 1)
            .and_then(|v| match find(list, &v[0])? {
                Some(i) => Ok(Value::Int(i as i64)),
                None => throw("ValueError", format!("{} is not in list", v[0].repr())),
            }),
        "contains" => a
            .positional("contains", 1, 1)
            .and_then(|v| Ok(Value::bool(find(list, &v[0])?.is_some()))),
        "count" => a
            .positional("count", 1, 1)
            .and_then(|v| count(list, &v[0]).map(|n| Value::Int(n as i64))),
        "sort" => {
            let n = list.len();
            interp
                .charge(n)
                .and_then(|()| sort(interp, list, a))
                .map(|()| Value::Nil)
        }
        "reverse" => a.positional("reverse", 0, 0).map(|_| {
            list.write(|items| items.reverse());
            Value::Nil
        }),
        "copy" => a
            .positional("copy", 0, 0)
            .map(|_| Value::list(list.snapshot())),
        "extend" => a.positional("extend", 1, 1).and_then(|v| {
            // `l.extend(l)` doubles the list as it is, under one lock.
            if let Value::List(other) = &v[0] {
                if crate::value::Rc::ptr_eq(list, other) {
                    return list.write(|items| {
                        sizes.grow_list(items, items.len())?;
                        items.extend_from_within(..);
                        Ok(Value::Nil)
                    });
                }
            }
            let more = interp.collect(&v[0])?;
            list.write(|items| {
                sizes.grow_list(items, more.len())?;
                items.extend(more);
                Ok(Value::Nil)
            })
        }),
        "clear" => a.positional("clear", 0, 0).map(|_| {
            // The old items are freed after the lock is let go.
            drop(list.write(std::mem::take));
            Value::Nil
        }),
        _ => return None,
    })
}

/// The index of the first item equal to `x`: under the lock when `x` is no
/// container (then no comparison looks inside one), else on a snapshot.
pub fn find(list: &List, x: &Value) -> Result<Option<usize>, Unwind> {
    if !is_container(x) {
        return Ok(list.read(|items| items.iter().position(|v| scalar_equal(v, x))));
    }
    position(&list.snapshot(), x)
}

/// The index of the first of `items` equal to `x`.
fn position(items: &[Value], x: &Value) -> Result<Option<usize>, Unwind> {
    for (i, v) in items.iter().enumerate() {
        if equal(v, x)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn count(list: &List, x: &Value) -> Result<usize, Unwind> {
    if !is_container(x) {
        return Ok(list.read(|items| items.iter().filter(|v| scalar_equal(v, x)).count()));
    }
    let mut n = 0;
    for v in list.snapshot() {
        n += equal(&v, x)? as usize;
    }
    Ok(n)
}

/// Removes the first item equal to `x`, found and removed under one lock;
/// a container `x` is looked for in a snapshot, and removed only if the
/// list is still the one searched (else the search starts again).
fn remove(list: &List, x: &Value) -> Outcome {
    let removed = if !is_container(x) {
        list.write(|items| {
            let at = items.iter().position(|v| scalar_equal(v, x))?;
            Some(items.remove(at))
        })
    } else {
        loop {
            let (items, version) = list.versioned_snapshot();
            let Some(at) = position(&items, x)? else {
                break None;
            };
            if let Some(item) = list.write_if_unchanged(version, |items| items.remove(at)) {
                break Some(item);
            }
        }
    };
    match removed {
        Some(_) => Ok(Value::Nil),
        None => throw("ValueError", "list.remove(x): x not in list"),
    }
}

/// `sort(key=nil, reverse=false)`. Without a key, items that are no
/// containers sort in place under the lock. Otherwise the items are
/// sorted from a snapshot and written back only if the list did not change
/// meanwhile: comparisons run no script code and simply start again, but a
/// key function has run, so a change is Python's `ValueError`.
fn sort(interp: &mut Interp, list: &List, a: Args) -> Result<(), Unwind> {
    let [key, reverse] = a.bind("sort", ["key", "reverse"], 0)?;
    let key = key.filter(|k| !matches!(k, Value::Nil));
    let reverse = reverse.is_some_and(|r| r.truthy());
    if key.is_none() {
        if let Some(done) = list.write(|items| sort_in_place(items, reverse)) {
            return done;
        }
    }
    loop {
        let (items, version) = list.versioned_snapshot();
        let sorted = sort_values(interp, items, key.clone(), reverse)?;
        let old = list.write_if_unchanged(version, |items| std::mem::replace(items, sorted));
        if old.is_some() {
            return Ok(());
        }
        if key.is_some() {
            return throw("ValueError", "list modified during sort");
        }
    }
}

fn pop(list: &List, a: Args) -> Outcome {
    let [i] = a.bind("pop", ["index"], 0)?;
    let i = match i {
        Some(v) => int_arg(&v, "pop", "index")?,
        None => -1,
    };
    let popped = list.write(|items| {
        if items.is_empty() {
            return Err("pop from empty list".to_string());
        }
        let len = items.len() as i64;
        let at = if i < 0 { i + len } else { i };
        if !(0..len).contains(&at) {
            return Err(format!(
                "pop index {i} out of range for a list of length {len}"
            ));
        }
        Ok(items.remove(at as usize))
    });
    popped.or_else(|message| throw("IndexError", message))
}

fn insert(sizes: Sizes, list: &List, a: Args) -> Outcome {
    let [i, x] = a.bind("insert", ["index", "item"], 2)?;
    let i = int_arg(&i.unwrap_or_default(), "insert", "index")?;
    let x = x.unwrap_or_default();
    list.write(|items| {
        sizes.grow_list(items, 1)?;
        let len = items.len() as i64;
        let at = if i < 0 { (i + len).max(0) } else { i.min(len) };
        items.insert(at as usize, x);
        Ok(Value::Nil)
    })
}
