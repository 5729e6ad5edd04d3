//! List methods. No list lock is held while script code (a sort key) or a
//! nested comparison runs.

use crate::interp::{throw, Args, Interp, Outcome};
use crate::value::{values_equal, List, Value};

use super::core::sort_values;
use super::int_arg;

pub const METHODS: &[&str] = &[
    "push", "append", "pop", "insert", "remove", "index", "contains", "sort", "reverse", "copy",
    "extend", "clear", "count",
];

/// Calls list method `name`, or `None` if there is none.
pub fn method(interp: &mut Interp, list: &List, name: &str, a: Args) -> Option<Outcome> {
    Some(match name {
        "push" | "append" => a.positional(name, 1, 1).map(|mut v| {
            list.lock().push(v.remove(0));
            Value::Nil
        }),
        "pop" => pop(list, a),
        "insert" => insert(list, a),
        "remove" => a.positional("remove", 1, 1).and_then(|v| {
            let at = find(list, &v[0]);
            match at {
                Some(i) => {
                    list.lock().remove(i);
                    Ok(Value::Nil)
                }
                None => throw("ValueError", "list.remove(x): x not in list"),
            }
        }),
        "index" => a
            .positional("index", 1, 1)
            .and_then(|v| match find(list, &v[0]) {
                Some(i) => Ok(Value::Int(i as i64)),
                None => throw("ValueError", format!("{} is not in list", v[0].repr())),
            }),
        "contains" => a
            .positional("contains", 1, 1)
            .map(|v| Value::bool(find(list, &v[0]).is_some())),
        "count" => a.positional("count", 1, 1).map(|v| {
            let items = list.lock().clone();
            Value::Int(items.iter().filter(|x| values_equal(x, &v[0])).count() as i64)
        }),
        "sort" => a
            .bind("sort", ["key", "reverse"], 0)
            .and_then(|[key, reverse]| {
                let items = list.lock().clone();
                let sorted = sort_values(interp, items, key, reverse.is_some_and(|r| r.truthy()))?;
                *list.lock() = sorted;
                Ok(Value::Nil)
            }),
        "reverse" => a.positional("reverse", 0, 0).map(|_| {
            list.lock().reverse();
            Value::Nil
        }),
        "copy" => a
            .positional("copy", 0, 0)
            .map(|_| Value::list(list.lock().clone())),
        "extend" => a.positional("extend", 1, 1).and_then(|v| {
            let items = interp.collect(&v[0])?;
            list.lock().extend(items);
            Ok(Value::Nil)
        }),
        "clear" => a.positional("clear", 0, 0).map(|_| {
            list.lock().clear();
            Value::Nil
        }),
        _ => return None,
    })
}

/// The index of the first item equal to `x`.
fn find(list: &List, x: &Value) -> Option<usize> {
    let items = list.lock().clone();
    items.iter().position(|v| values_equal(v, x))
}

fn pop(list: &List, a: Args) -> Outcome {
    let [i] = a.bind("pop", ["index"], 0)?;
    let mut items = list.lock();
    if items.is_empty() {
        return throw("IndexError", "pop from empty list");
    }
    let len = items.len() as i64;
    let i = match i {
        Some(v) => int_arg(&v, "pop", "index")?,
        None => -1,
    };
    let at = if i < 0 { i + len } else { i };
    if !(0..len).contains(&at) {
        return throw("IndexError", "pop index out of range");
    }
    Ok(items.remove(at as usize))
}

fn insert(list: &List, a: Args) -> Outcome {
    let [i, x] = a.bind("insert", ["index", "item"], 2)?;
    let i = int_arg(&i.unwrap_or_default(), "insert", "index")?;
    let mut items = list.lock();
    let len = items.len() as i64;
    let at = if i < 0 { (i + len).max(0) } else { i.min(len) };
    items.insert(at as usize, x.unwrap_or_default());
    Ok(Value::Nil)
}
