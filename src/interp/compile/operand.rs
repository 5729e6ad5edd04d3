//! Operands: the leaves of expressions read in place where they can be.

use crate::ast::{Expr, ExprKind, Slot, Var};
use crate::value::Value;

use super::super::{Frame, Interp, Outcome, Unwind};
use super::expr::compile;
use super::Eval;

/// An operand, with the commonest leaves (a plain local, a literal, a
/// builtin) read in place rather than through a closure call.
pub(crate) enum Operand {
    Local(usize, Var),
    Upvalue(usize, Var),
    /// A builtin: the run's table never changes.
    Builtin(usize),
    Const(Value),
    Eval(Eval),
}

impl Operand {
    pub fn new(e: &Expr) -> Operand {
        match &e.kind {
            ExprKind::Const(v) => Operand::Const(v.clone()),
            ExprKind::Var(var) => Operand::var(var),
            _ => Operand::Eval(compile(e)),
        }
    }

    /// A variable as an operand.
    pub fn var(var: &Var) -> Operand {
        if let Some(read) = crate::race::probe::var_read(var) {
            return Operand::Eval(read); // race probe
        }
        Operand::unprobed(var)
    }

    /// A variable as an operand whose reads no race probe reports (an
    /// update's read: its write is reported).
    pub fn unprobed(var: &Var) -> Operand {
        match var.slot {
            Slot::Local(i) => Operand::Local(i as usize, var.clone()),
            Slot::Upvalue(i) => Operand::Upvalue(i as usize, var.clone()),
            Slot::Builtin(i) => Operand::Builtin(i as usize),
            _ => {
                let var = var.clone();
                Operand::Eval(Box::new(move |me, f| me.load_var(&var, f)))
            }
        }
    }

    #[inline(always)]
    pub fn get(&self, me: &mut Interp, f: &Frame) -> Outcome {
        match self {
            Operand::Local(i, var) => match &me.stack[f.base + i] {
                // A captured or not yet declared variable.
                Value::Cell(_) | Value::Uninit => me.load_var(var, f),
                v => Ok(copy(v)),
            },
            Operand::Upvalue(_, var) => me.load_var(var, f),
            Operand::Builtin(i) => Ok(f.rt.builtins[*i].clone()),
            Operand::Const(v) => Ok(copy(v)),
            Operand::Eval(e) => e(me, f),
        }
    }

    /// Runs `k` on the operand's value, borrowed when it is a variable
    /// captured and never reassigned (a record's `self`, a shared function)
    /// or a builtin: reading it then touches no reference count other
    /// threads may be bouncing.
    #[inline(always)]
    pub fn with<R>(
        &self,
        me: &mut Interp,
        f: &Frame,
        k: impl FnOnce(&mut Interp, &Value) -> Result<R, Unwind>,
    ) -> Result<R, Unwind> {
        let fixed = match self {
            Operand::Upvalue(i, _) => f.up[*i].get_fixed(),
            Operand::Builtin(i) => Some(&f.rt.builtins[*i]),
            _ => None,
        };
        let owned;
        let v = match fixed {
            Some(v) => v,
            None => {
                owned = self.get(me, f)?;
                &owned
            }
        };
        k(me, v)
    }

    /// The operand's value, borrowed in place when it is a plain local, a
    /// captured variable never reassigned, a builtin or a literal: reading a
    /// record through it then touches no reference count.
    #[inline(always)]
    pub fn peek<'a>(&'a self, me: &'a Interp, f: &Frame<'a>) -> Option<&'a Value> {
        match self {
            Operand::Local(i, _) => match &me.stack[f.base + i] {
                Value::Cell(_) | Value::Uninit => None,
                v => Some(v),
            },
            Operand::Upvalue(i, _) => f.up[*i].get_fixed(),
            Operand::Builtin(i) => Some(&f.rt.builtins[*i]),
            Operand::Const(v) => Some(v),
            Operand::Eval(_) => None,
        }
    }

    /// Whether the operand is read in place (see [`Operand::peek`]).
    pub fn peekable(&self) -> bool {
        !matches!(self, Operand::Eval(_))
    }

    /// The operand's value if it is an int that can be read in place, with
    /// no clone, drop or call: the fast path of arithmetic and comparisons.
    #[inline(always)]
    pub fn peek_int(&self, me: &Interp, f: &Frame) -> Option<i64> {
        match self {
            Operand::Local(i, _) => match me.stack[f.base + i] {
                Value::Int(x) => Some(x),
                _ => None,
            },
            Operand::Const(Value::Int(x)) => Some(*x),
            _ => None,
        }
    }
}

/// A value's clone, with ints and floats (the commonest operands) copied
/// inline rather than through `Value::clone`, which the compiler keeps out
/// of line.
#[inline(always)]
fn copy(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Int(*i),
        Value::Float(x) => Value::Float(*x),
        other => other.clone(),
    }
}
