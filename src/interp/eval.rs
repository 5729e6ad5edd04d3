//! Evaluating expressions, and reading and writing variables.

use std::borrow::Cow;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::{Expr, ExprKind, Slot, Var};
use crate::value::{Key, StrKey, Value, VarCell};

use super::{throw, Args, Frame, Interp, Outcome, TraceEntry, Unwind};

impl Interp {
    pub(crate) fn eval(&mut self, e: &Expr, f: &Frame) -> Outcome {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Var(var) => self.load_var(var, f),
            ExprKind::List(items) => {
                let items = items
                    .iter()
                    .map(|i| self.eval(i, f))
                    .collect::<Result<_, _>>()?;
                Ok(Value::list(items))
            }
            ExprKind::Map(entries) => self.eval_map(entries, f),
            ExprKind::Neg(a) => {
                let v = self.eval(a, f)?;
                self.locate(self.negate(v), f, e.span)
            }
            ExprKind::Not(a) => Ok(Value::Bool(!self.operand(a, f)?.truthy())),
            ExprKind::Binary(op, a, b) => {
                let a = self.operand(a, f)?;
                let b = self.operand(b, f)?;
                if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
                    if let Some(v) = super::ops::int_fast(*op, *x, *y) {
                        return Ok(Value::Int(v));
                    }
                }
                let r = self.binary(*op, a, b);
                self.locate(r, f, e.span)
            }
            ExprKind::And(a, b) => {
                let a = self.eval(a, f)?;
                if a.truthy() {
                    self.eval(b, f)
                } else {
                    Ok(a)
                }
            }
            ExprKind::Or(a, b) => {
                let a = self.eval(a, f)?;
                if a.truthy() {
                    Ok(a)
                } else {
                    self.eval(b, f)
                }
            }
            ExprKind::Compare(first, rest) => {
                let mut left = self.operand(first, f)?;
                if let [(op, right)] = &rest[..] {
                    let right = self.operand(right, f)?;
                    if let (Value::Int(x), Value::Int(y)) = (&left, &right) {
                        return Ok(Value::Bool(super::ops::int_compare(*op, *x, *y)));
                    }
                    let r = self.compare(*op, &left, &right);
                    return self.locate(r, f, e.span).map(Value::Bool);
                }
                for (op, right) in rest {
                    let right_v = self.operand(right, f)?;
                    let r = self.compare(*op, &left, &right_v);
                    if !self.locate(r, f, e.span)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right_v;
                }
                Ok(Value::Bool(true))
            }
            ExprKind::Call(callee, args) => {
                let r = match self.callee(callee, f)? {
                    Cow::Borrowed(c) => self.call_with(c, args, f)?,
                    Cow::Owned(c) => self.call_with(&c, args, f)?,
                };
                self.at_call(r, f, e)
            }
            ExprKind::Method(recv, name, args) => {
                let recv = self.eval(recv, f)?;
                let r = match map_field(&recv, name) {
                    Some(func) => self.call_with(&func, args, f)?,
                    None => {
                        let args = self.eval_args(args, f)?;
                        self.call_method(&recv, name, args)
                    }
                };
                self.at_call(r, f, e)
            }
            ExprKind::Index(a, i) => {
                let a = self.eval(a, f)?;
                let i = self.eval(i, f)?;
                self.locate(self.index(&a, &i), f, e.span)
            }
            ExprKind::Slice(a, parts) => {
                let a = self.eval(a, f)?;
                let mut bounds = [None, None, None];
                for (b, p) in bounds.iter_mut().zip(parts) {
                    if let Some(p) = p {
                        *b = Some(self.eval(p, f)?);
                    }
                }
                self.locate(super::ops::slice(&a, bounds), f, e.span)
            }
            ExprKind::Field(a, name) => {
                let a = self.eval(a, f)?;
                let r = self.field(&a, name);
                self.locate(r, f, e.span)
            }
            ExprKind::Func(def) => self.make_closure(def, f),
        }
    }

    /// Evaluates an operand, handling the commonest leaves (a literal, a
    /// plain local) here rather than through the full [`Interp::eval`].
    #[inline(always)]
    pub(crate) fn operand(&mut self, e: &Expr, f: &Frame) -> Outcome {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Var(Var {
                slot: Slot::Local(i),
                ..
            }) => match &self.stack[f.base + *i as usize] {
                Value::Cell(_) | Value::Uninit => self.eval(e, f),
                v => Ok(v.clone()),
            },
            _ => self.eval(e, f),
        }
    }

    /// The function a call calls, borrowed when it is a builtin or a fixed
    /// captured variable (a shared function called from many threads).
    fn callee<'a>(&mut self, e: &Expr, f: &Frame<'a>) -> Result<Cow<'a, Value>, Unwind> {
        if let ExprKind::Var(var) = &e.kind {
            match var.slot {
                Slot::Builtin(i) => return Ok(Cow::Borrowed(&f.rt.builtins[i as usize])),
                Slot::Upvalue(i) => {
                    if let Some(v) = f.up[i as usize].get_fixed() {
                        return Ok(Cow::Borrowed(v));
                    }
                }
                _ => {}
            }
        }
        self.eval(e, f).map(Cow::Owned)
    }

    fn eval_map(&mut self, entries: &[(Expr, Expr)], f: &Frame) -> Outcome {
        let mut map = IndexMap::with_capacity(entries.len());
        for (k, v) in entries {
            let key = self.eval(k, f)?;
            let key = self.locate(make_key(key), f, k.span)?;
            let v = self.eval(v, f)?;
            map.insert(key, v);
        }
        Ok(Value::map(map))
    }

    pub(crate) fn eval_args(
        &mut self,
        args: &[crate::ast::Arg],
        f: &Frame,
    ) -> Result<Args, Unwind> {
        let mut out = Args::default();
        for a in args {
            let v = self.operand(&a.value, f)?;
            match &a.name {
                None => out.pos.push(v),
                Some(n) => out.kw.push((n.clone(), v)),
            }
        }
        Ok(out)
    }

    /// Places an error that left a call: at the call if it has no place yet,
    /// else notes the call in its trace.
    fn at_call(&self, r: Outcome, f: &Frame, call: &Expr) -> Outcome {
        match r {
            Err(Unwind::Error(mut t)) if t.at.is_some() => {
                t.trace.push(TraceEntry {
                    function: f.name.clone(),
                    location: f.source.location(call.span.start),
                });
                Err(Unwind::Error(t))
            }
            r => self.locate(r, f, call.span),
        }
    }

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

    pub(crate) fn store_var(&mut self, var: &Var, v: Value, f: &Frame) {
        match var.slot {
            Slot::Local(i) => {
                let slot = &mut self.stack[f.base + i as usize];
                match slot {
                    Value::Cell(c) => c.set(v),
                    _ => *slot = v,
                }
            }
            Slot::Upvalue(i) => f.up[i as usize].set(v),
            Slot::Builtin(_) | Slot::Unresolved => {
                unreachable!("the resolver rejects assignments to builtins")
            }
        }
    }

    /// Creates a closure: evaluates its defaults and takes its cells.
    pub(crate) fn make_closure(&mut self, def: &Arc<crate::ast::FnDef>, f: &Frame) -> Outcome {
        let mut defaults = Vec::with_capacity(def.params.len());
        for p in &def.params {
            defaults.push(match &p.default {
                Some(d) => Some(self.eval(d, f)?),
                None => None,
            });
        }
        let upvalues = def
            .captures
            .iter()
            .map(|c| match *c {
                crate::ast::Capture::Local(s) => self.cell_of(f.base + s as usize),
                crate::ast::Capture::Upvalue(i) => f.up[i as usize].clone(),
            })
            .collect();
        Ok(Value::Func(Arc::new(crate::value::Closure {
            def: def.clone(),
            upvalues,
            defaults: defaults.into(),
        })))
    }

    /// The cell in a stack slot, making one if the slot holds a plain value.
    fn cell_of(&mut self, index: usize) -> Arc<VarCell> {
        let slot = &mut self.stack[index];
        if let Value::Cell(c) = slot {
            return c.clone();
        }
        let cell = VarCell::new(std::mem::take(slot), false);
        *slot = Value::Cell(cell.clone());
        cell
    }
}

/// `m.name` when `m` is a map holding `name`: a method call on a record.
fn map_field(recv: &Value, name: &str) -> Option<Value> {
    match recv {
        Value::Map(m) => m.lock().get(&StrKey(name)).cloned(),
        _ => None,
    }
}

/// A value as a map key, or a `TypeError` for lists and maps.
pub fn make_key(v: Value) -> Result<Key, Unwind> {
    Key::new(v).map_err(|t| super::error("TypeError", format!("unhashable type: '{t}'")))
}
