//! Map methods. Keys are never containers, so every method does its whole
//! work under one acquisition of the map's lock ([`crate::value::Shared`]).

use crate::interp::{key_ref, make_key, throw, Args, Interp, Outcome};
use crate::value::{Map, Value};

pub const METHODS: &[&str] = &[
    "keys", "values", "items", "get", "pop", "contains", "copy", "update", "clear",
];

/// Calls map method `name`, or `None` if there is none.
pub fn method(interp: &mut Interp, map: &Map, name: &str, a: Args) -> Option<Outcome> {
    let sizes = interp.sizes();
    Some(match name {
        "keys" => a
            .positional("keys", 0, 0)
            .map(|_| Value::list(map.read(|m| m.keys().map(|k| k.0.clone()).collect()))),
        "values" => a
            .positional("values", 0, 0)
            .map(|_| Value::list(map.read(|m| m.values().cloned().collect()))),
        "items" => a.positional("items", 0, 0).map(|_| {
            let pairs = map.read(|m| {
                m.iter()
                    .map(|(k, v)| [k.0.clone(), v.clone()])
                    .collect::<Vec<_>>()
            });
            Value::list(pairs.into_iter().map(|p| Value::list(p.into())).collect())
        }),
        "get" => a.bind("get", ["key", "default"], 1).and_then(|[k, d]| {
            let key = make_key(k.unwrap_or_default())?;
            let found = map.read(|m| m.get(&key).cloned());
            Ok(found.or(d).unwrap_or_default())
        }),
        "pop" => a.bind("pop", ["key", "default"], 1).and_then(|[k, d]| {
            let k = k.unwrap_or_default();
            let key = key_ref(&k)?;
            match (map.write(|m| m.shift_remove(&key)), d) {
                (Some(v), _) | (None, Some(v)) => Ok(v),
                (None, None) => throw("KeyError", k.repr()),
            }
        }),
        "contains" => a.positional("contains", 1, 1).and_then(|v| {
            let key = key_ref(&v[0])?;
            Ok(Value::bool(map.read(|m| m.contains_key(&key))))
        }),
        "copy" => a
            .positional("copy", 0, 0)
            .map(|_| Value::map(map.snapshot())),
        "update" => a.positional("update", 1, 1).and_then(|v| match &v[0] {
            // A map updated with itself keeps what it has, as in Python;
            // reading it and writing it back would undo what other
            // threads did in between.
            Value::Map(other) if crate::value::Rc::ptr_eq(map, other) => Ok(Value::Nil),
            Value::Map(other) => {
                // The other map is read first, on its own: two threads
                // updating each other's maps cannot deadlock.
                let entries = other.snapshot();
                map.write(|m| {
                    sizes.grow_map(m, entries.len())?;
                    m.extend(entries);
                    Ok(Value::Nil)
                })
            }
            other => throw(
                "TypeError",
                format!("update() needs a map, not {}", other.a_type()),
            ),
        }),
        "clear" => a.positional("clear", 0, 0).map(|_| {
            // The old entries are freed after the lock is let go.
            drop(map.write(std::mem::take));
            Value::Nil
        }),
        _ => return None,
    })
}
