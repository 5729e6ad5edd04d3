//! Freeing values that nest without recursion.
//!
//! Dropping a value normally drops what it holds, and that what it holds,
//! one native stack frame per level: a list nested ten million deep, or a
//! chain of a million closures each capturing the one before, would
//! overflow the stack. Lists, maps and closures instead hand what they hold
//! to [`free_all`], which frees with a worklist: each value whose last
//! reference goes is emptied into the same list first, so the nested ones
//! are freed by the loop, never by a deeper drop.

use std::sync::Arc;

use super::{Closure, Value, VarCell};

/// Drops `values` and everything only they hold, without recursing.
pub fn free_all(mut values: Vec<Value>) {
    while let Some(v) = values.pop() {
        match v {
            Value::List(l) => {
                if let Some(mut shared) = Arc::into_inner(l) {
                    shared.take_all(&mut values);
                }
            }
            Value::Map(m) => {
                if let Some(mut shared) = Arc::into_inner(m) {
                    shared.take_all(&mut values);
                }
            }
            Value::Func(c) => {
                if let Some(mut closure) = Arc::into_inner(c) {
                    closure.take_all(&mut values);
                }
            }
            Value::Cell(c) => take_cell(c, &mut values),
            other => drop(other),
        }
    }
}

/// Moves a cell's value into `out` if this was the cell's last reference.
fn take_cell(cell: Arc<VarCell>, out: &mut Vec<Value>) {
    let value = match Arc::into_inner(cell) {
        Some(VarCell::Fixed(once)) => once.into_inner(),
        Some(VarCell::Variable(m)) => Some(m.into_inner()),
        None => None,
    };
    out.extend(value);
}

impl Closure {
    /// Moves the values it captured and its defaults into `out`.
    fn take_all(&mut self, out: &mut Vec<Value>) {
        for cell in std::mem::take(&mut self.upvalues) {
            take_cell(cell, out);
        }
        out.extend(
            std::mem::take(&mut self.defaults)
                .into_vec()
                .into_iter()
                .flatten(),
        );
    }
}

impl Drop for Closure {
    fn drop(&mut self) {
        let mut doomed = Vec::new();
        self.take_all(&mut doomed);
        free_all(doomed);
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
            m.insert(super::super::Key(Value::Int(i)), Value::list(vec![v]));
            v = Value::map(m);
        }
        drop(v);
    }
}
