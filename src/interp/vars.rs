//! Reading and writing variables where the resolver placed them.

use crate::ast::{Slot, Var};
use crate::value::{Key, KeyRef, Value, VarCell};

use super::{throw, Frame, Interp, Outcome, Unwind};

impl Interp {
    pub(crate) fn load_var(&self, var: &Var, f: &Frame) -> Outcome {
        let v = match var.slot {
            Slot::Local(i) => match &self.stack[f.base + i as usize] {
                Value::Cell(c) => c.get(),
                v => v.clone(),
            },
            Slot::Upvalue(i) => f.up[i as usize].get(),
            Slot::Builtin(i) => f.rt.builtins[i as usize].clone(),
            Slot::Unresolved => unreachable!("the resolver rejects undeclared names"),
        };
        if let Value::Uninit = v {
            let r = throw(
                "NameError",
                format!("'{}' is used before its `let` has run", var.name),
            );
            return self.locate(r, f, var.span);
        }
        Ok(v)
    }

    /// The cell `var` lives in, if closures share it (for `--race`).
    pub(crate) fn var_cell<'a>(
        &'a self,
        var: &Var,
        f: &'a Frame,
    ) -> Option<&'a crate::value::Rc<VarCell>> {
        match var.slot {
            Slot::Local(i) => match &self.stack[f.base + i as usize] {
                Value::Cell(c) => Some(c),
                _ => None,
            },
            Slot::Upvalue(i) => Some(&f.up[i as usize]),
            Slot::Builtin(_) | Slot::Unresolved => None,
        }
    }

    #[inline(always)]
    pub(crate) fn store_var(&mut self, var: &Var, v: Value, f: &Frame) {
        match var.slot {
            Slot::Local(i) => {
                let slot = &mut self.stack[f.base + i as usize];
                match slot {
                    Value::Cell(c) => c.set(v),
                    _ => std::mem::replace(slot, v).discard(),
                }
            }
            Slot::Upvalue(i) => f.up[i as usize].set(v),
            Slot::Builtin(_) | Slot::Unresolved => {
                unreachable!("the resolver rejects assignments to builtins")
            }
        }
    }
}

/// A value as a map key, or a `TypeError` for lists and maps.
pub fn make_key(v: Value) -> Result<Key, Unwind> {
    Key::new(v).map_err(unhashable)
}

/// A value borrowed as a map key for a lookup, or `make_key`'s error.
pub fn key_ref(v: &Value) -> Result<KeyRef<'_>, Unwind> {
    KeyRef::new(v).map_err(unhashable)
}

fn unhashable(type_name: &str) -> Unwind {
    super::error("TypeError", format!("unhashable type: '{type_name}'"))
}
