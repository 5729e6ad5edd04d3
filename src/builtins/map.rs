//! Map methods.

use crate::interp::{make_key, throw, Args, Interp, Outcome};
use crate::value::{Map, Value};

pub const METHODS: &[&str] = &[
    "keys", "values", "items", "get", "pop", "contains", "copy", "update", "clear",
];

/// Calls map method `name`, or `None` if there is none.
pub fn method(_: &mut Interp, map: &Map, name: &str, a: Args) -> Option<Outcome> {
    Some(match name {
        "keys" => a
            .positional("keys", 0, 0)
            .map(|_| Value::list(map.lock().keys().map(|k| k.0.clone()).collect())),
        "values" => a
            .positional("values", 0, 0)
            .map(|_| Value::list(map.lock().values().cloned().collect())),
        "items" => a.positional("items", 0, 0).map(|_| {
            let items = map
                .lock()
                .iter()
                .map(|(k, v)| Value::list(vec![k.0.clone(), v.clone()]))
                .collect();
            Value::list(items)
        }),
        "get" => a.bind("get", ["key", "default"], 1).and_then(|[k, d]| {
            let key = make_key(k.unwrap_or_default())?;
            Ok(map.lock().get(&key).cloned().or(d).unwrap_or_default())
        }),
        "pop" => a.bind("pop", ["key", "default"], 1).and_then(|[k, d]| {
            let k = k.unwrap_or_default();
            let removed = map.lock().shift_remove(&make_key(k.clone())?);
            match (removed, d) {
                (Some(v), _) | (None, Some(v)) => Ok(v),
                (None, None) => throw("KeyError", k.repr()),
            }
        }),
        "contains" => a.positional("contains", 1, 1).and_then(|v| {
            let key = make_key(v[0].clone())?;
            Ok(Value::bool(map.lock().contains_key(&key)))
        }),
        "copy" => a
            .positional("copy", 0, 0)
            .map(|_| Value::map(map.lock().clone())),
        "update" => a.positional("update", 1, 1).and_then(|v| match &v[0] {
            Value::Map(other) => {
                let entries = other.lock().clone();
                map.lock().extend(entries);
                Ok(Value::Nil)
            }
            other => throw(
                "TypeError",
                format!("update() needs a map, not {}", other.a_type()),
            ),
        }),
        "clear" => a.positional("clear", 0, 0).map(|_| {
            map.lock().clear();
            Value::Nil
        }),
        _ => return None,
    })
}
