//! What each list and map operation reads and writes, for the probes: an
//! item or entry where the operation touches one, the length or the set of
//! keys where it changes them, everything only where it must.
//!
//! These run with the thread's detector state borrowed, so the container
//! layer's own hooks stay out of the looks they take at the containers.

use crate::ast::Name;
use crate::interp::{make_key, Args};
use crate::value::{Key, Map, Value};

use super::loc::Kind;
use super::shadow::{self, ListOp, MapOp};
use super::site::SiteId;
use super::thread::ThreadRace;

/// The position `i` names in a list of `len` items, if there is one.
fn position(i: &Value, len: usize) -> Option<usize> {
    let i = i.as_int()?;
    let at = if i < 0 { i + len as i64 } else { i };
    (0..len as i64).contains(&at).then_some(at as usize)
}

/// `list[index]`, read or stored: the item (a negative index reads the
/// length too; an index out of range reads only the length).
pub fn item_ops(index: &Value, len: usize, kind: Kind) -> Vec<ListOp> {
    let from_end = index.as_int().is_some_and(|i| i < 0);
    match position(index, len) {
        Some(at) if !from_end => vec![ListOp::Item(at, kind)],
        Some(at) => vec![ListOp::Len(Kind::Read), ListOp::Item(at, kind)],
        None => vec![ListOp::Len(Kind::Read)],
    }
}

/// `map[key]` (or `map.key` when `field`), read or stored: the entry, and a
/// new key for a store of one the map does not have.
pub fn entry_ops<'a>(m: &Map, key: &'a Key, kind: Kind, field: bool) -> Vec<MapOp<'a>> {
    let mut ops = vec![match field {
        true => MapOp::Field(key, kind),
        false => MapOp::Entry(key, kind),
    }];
    if kind == Kind::Write && !m.read(|m| m.contains_key(key)) {
        ops.push(MapOp::Keys(Kind::Insert));
    }
    ops
}

/// List method `name` called with `args` on `list` of `len` items.
pub fn list(name: &str, args: &Args, len: usize, list: &Value) -> Vec<ListOp> {
    let write_all = vec![ListOp::All(Kind::Write)];
    let arg = |i: usize| args.pos.get(i);
    match name {
        "push" | "append" | "extend" => vec![ListOp::Len(Kind::Append)],
        "pop" => {
            let index = arg(0).cloned().unwrap_or(Value::Int(-1));
            match position(&index, len) {
                Some(at) => vec![
                    ListOp::Len(Kind::Write),
                    ListOp::Items(at..len, Kind::Write),
                ],
                None => vec![ListOp::Len(Kind::Read)],
            }
        }
        "insert" => {
            let at = arg(0).and_then(Value::as_int).map_or(len, |i| {
                let i = if i < 0 { i + len as i64 } else { i };
                i.clamp(0, len as i64) as usize
            });
            vec![
                ListOp::Len(Kind::Write),
                ListOp::Items(at..len + 1, Kind::Write),
            ]
        }
        "remove" => {
            let found = match (list, arg(0)) {
                (Value::List(l), Some(x)) => crate::builtins::list::find(l, x).ok().flatten(),
                _ => None,
            };
            match found {
                Some(at) => vec![
                    ListOp::Items(0..at, Kind::Read),
                    ListOp::Items(at..len, Kind::Write),
                    ListOp::Len(Kind::Write),
                ],
                None => vec![ListOp::All(Kind::Read)],
            }
        }
        "sort" | "reverse" => vec![ListOp::Items(0..len, Kind::Write), ListOp::Len(Kind::Read)],
        "clear" => write_all,
        "index" | "contains" | "count" | "copy" => vec![ListOp::All(Kind::Read)],
        _ => Vec::new(),
    }
}

/// Map method `name` called with `args` on `map`, reported at `site`.
pub fn map(
    t: &mut ThreadRace,
    map: &Map,
    site: SiteId,
    label: Option<&Name>,
    name: &str,
    args: &Args,
) {
    let key = args.pos.first().and_then(|k| make_key(k.clone()).ok());
    let report = |t: &mut ThreadRace, ops: &[MapOp]| shadow::map(t, map, site, label, ops);
    match (name, &key) {
        ("keys", _) => report(t, &[MapOp::Keys(Kind::Read)]),
        ("values" | "items" | "copy", _) => report(t, &[MapOp::All(Kind::Read)]),
        ("get" | "contains", Some(key)) => report(t, &[MapOp::Entry(key, Kind::Read)]),
        ("pop", Some(key)) => {
            if map.read(|m| m.contains_key(key)) {
                report(
                    t,
                    &[MapOp::Entry(key, Kind::Write), MapOp::Keys(Kind::Remove)],
                );
            } else {
                report(t, &[MapOp::Entry(key, Kind::Read)]);
            }
        }
        ("update", _) => {
            let Some(Value::Map(other)) = args.pos.first() else {
                return;
            };
            let keys: Vec<Key> = other.read(|m| m.keys().cloned().collect());
            let ops: Vec<MapOp> = keys
                .iter()
                .flat_map(|k| entry_ops(map, k, Kind::Write, false))
                .collect();
            report(t, &ops);
        }
        ("clear", _) => report(t, &[MapOp::All(Kind::Write)]),
        _ => {}
    }
}
