//! Freeing values that nest without recursion, and without allocating.
//!
//! Dropping a value normally drops what it holds, and that what it holds,
//! one native stack frame per level: a list nested ten million deep, or a
//! chain of a million closures each capturing the one before, would
//! overflow the stack. So a list, map or closure whose last reference goes
//! checks whether it holds the last reference to anything that nests; if
//! so, [`free`] takes over: it keeps a stack of the contents still being
//! freed, each given up one value at a time (the containers' own storage,
//! moved, never copied), and a nested container whose last reference it
//! meets joins the stack instead of being dropped in place. A chain of
//! containers keeps that stack one entry long: a container all of whose
//! values are handed out leaves it before its last value's contents join.
//! Freeing never needs memory it might not get, beyond that stack: should
//! even that fail to grow, the rest is leaked rather than the process
//! aborted.

use super::shared::Contents;
use super::{Closure, Key, Value, VarCell};
use crate::value::Rc;

/// Contents being freed, handing out their values one at a time.
pub enum Pending {
    Items(std::vec::IntoIter<Value>),
    Entries(indexmap::map::IntoValues<Key, Value>),
    /// What a closure captured, and its default values.
    Captured(
        smallvec::IntoIter<[Rc<VarCell>; 2]>,
        std::vec::IntoIter<Option<Value>>,
    ),
}

impl Pending {
    /// The next value to free, if any is left.
    fn next(&mut self) -> Option<Value> {
        match self {
            Pending::Items(items) => items.next(),
            Pending::Entries(values) => values.next(),
            Pending::Captured(cells, defaults) => cells
                .by_ref()
                .find_map(take_cell)
                .or_else(|| defaults.by_ref().flatten().next()),
        }
    }

    fn is_done(&self) -> bool {
        match self {
            Pending::Items(items) => items.len() == 0,
            Pending::Entries(values) => values.len() == 0,
            Pending::Captured(cells, defaults) => cells.len() == 0 && defaults.len() == 0,
        }
    }
}

/// Whether dropping `v` here would free something that nests: its last
/// reference is this one. Another thread letting go at the same moment can
/// only make a drop that was thought shared free it after all, one level
/// deep, which frees what it holds through [`free`] again.
pub fn owns_nested(v: &Value) -> bool {
    match v {
        Value::List(l) => Rc::strong_count(l) == 1,
        Value::Map(m) => Rc::strong_count(m) == 1,
        Value::Func(c) => Rc::strong_count(c) == 1,
        Value::Cell(c) => Rc::strong_count(c) == 1,
        _ => false,
    }
}

/// Frees `first` and everything only it holds, without recursing.
pub fn free(first: Pending) {
    let mut stack = vec![first];
    while let Some(top) = stack.last_mut() {
        let Some(v) = top.next() else {
            stack.pop();
            continue;
        };
        if top.is_done() {
            stack.pop();
        }
        let Some(nested) = contents_of(v) else {
            continue;
        };
        if stack.try_reserve(1).is_ok() {
            stack.push(nested);
        } else {
            std::mem::forget(nested);
        }
    }
}

/// The contents of `v` if this was its last reference (they are freed with
/// the worklist); otherwise `v` is simply dropped.
fn contents_of(v: Value) -> Option<Pending> {
    match v {
        Value::List(l) => Rc::into_inner(l).map(|mut shared| shared.take().into_pending()),
        Value::Map(m) => Rc::into_inner(m).map(|mut shared| shared.take().into_pending()),
        Value::Func(c) => Rc::into_inner(c).map(|mut closure| closure.take()),
        Value::Cell(c) => take_cell(c).and_then(contents_of),
        _ => None,
    }
}

/// A cell's value if this was the cell's last reference.
fn take_cell(cell: Rc<VarCell>) -> Option<Value> {
    match Rc::into_inner(cell)? {
        VarCell::Fixed(cell) => cell.into_inner(),
        VarCell::Variable(cell) => Some(cell.value.into_inner()),
    }
}

impl Closure {
    /// What it captured and its defaults, to free.
    fn take(&mut self) -> Pending {
        let cells = std::mem::take(&mut self.upvalues).into_iter();
        let defaults = std::mem::take(&mut self.defaults).into_vec().into_iter();
        Pending::Captured(cells, defaults)
    }

    fn owns_nested(&self) -> bool {
        let captured = self.upvalues.iter().any(|c| {
            Rc::strong_count(c) == 1
                && match &**c {
                    VarCell::Fixed(cell) => cell.get().is_some_and(owns_nested),
                    VarCell::Variable(cell) => owns_nested(&cell.value.lock()),
                }
        });
        captured || self.defaults.iter().flatten().any(owns_nested)
    }
}

impl Drop for Closure {
    fn drop(&mut self) {
        if self.owns_nested() {
            free(self.take());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_nested_millions_deep_frees_without_recursing() {
        let mut v = Value::list(Vec::new());
        for _ in 0..2_000_000 {
            v = Value::list(vec![v]);
        }
        drop(v);
    }

    #[test]
    fn maps_and_lists_nested_in_turn_free_without_recursing() {
        let mut v = Value::map(Default::default());
        for i in 0..1_000_000 {
            let mut m = super::super::Entries::default();
            m.insert(Key(Value::Int(i)), Value::list(vec![v, Value::Int(i)]));
            v = Value::map(m);
        }
        drop(v);
    }
}
