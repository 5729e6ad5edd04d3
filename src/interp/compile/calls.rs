//! Calls, their arguments, and the closures function literals make.

use std::sync::Arc;

use crate::ast::{Arg, Capture, Expr, ExprKind, FnDef, Name, Slot, Span};
use crate::value::{Closure, Value, VarCell};

use super::super::{Args, Frame, Interp, Origin, Outcome, TraceEntry, Unwind};
use super::expr::compile;
use super::operand::Operand;
use super::{Eval, Function};
use crate::race::probe::{probed, Probe, SiteLabel};

/// A call's arguments: all positional (the fast case), or some by name.
pub(crate) struct ArgList {
    pub positional: bool,
    pub items: Box<[(Option<Name>, Operand)]>,
}

impl ArgList {
    pub fn new(args: &[Arg]) -> ArgList {
        ArgList {
            positional: args.iter().all(|a| a.name.is_none()),
            items: args
                .iter()
                .map(|a| (a.name.clone(), Operand::new(&a.value)))
                .collect(),
        }
    }

    /// Evaluates the arguments and calls: positional arguments to a script
    /// function go straight into its frame, with no allocation. The outer
    /// `Err` is an error in an argument, the inner result the call's.
    #[inline(always)]
    pub fn call<P: Probe>(
        &self,
        me: &mut Interp,
        callee: &Value,
        f: &Frame,
        p: &P,
    ) -> Result<Outcome, Unwind> {
        match callee {
            Value::Func(c) if self.positional => {
                let base = me.stack.len();
                for (_, a) in self.items.iter() {
                    match a.get(me, f) {
                        Ok(v) => me.stack.push(v),
                        Err(u) => {
                            me.stack.truncate(base);
                            return Err(u);
                        }
                    }
                }
                let _race = p.call();
                Ok(me.call_closure_at(c, base, None, f.rt))
            }
            Value::Native(n) if self.positional && self.items.len() == 1 => match n.unary {
                Some(unary) => {
                    let v = self.items[0].1.get(me, f)?;
                    let _race = p.call();
                    Ok(crate::panic::guard(|| unary(me, v)))
                }
                None => self.call_with_list(me, callee, f, p),
            },
            _ => self.call_with_list(me, callee, f, p),
        }
    }

    /// Calls with the arguments gathered into an argument list.
    fn call_with_list<P: Probe>(
        &self,
        me: &mut Interp,
        callee: &Value,
        f: &Frame,
        p: &P,
    ) -> Result<Outcome, Unwind> {
        let args = self.values(me, f)?;
        let _race = p.call();
        Ok(me.call_value_in(callee, args, f.rt))
    }

    pub fn values(&self, me: &mut Interp, f: &Frame) -> Result<Args, Unwind> {
        let mut out = Args::default();
        for (name, a) in self.items.iter() {
            let v = a.get(me, f)?;
            match name {
                None => out.pos.push(v),
                Some(n) => out.kw.push((n.clone(), v)),
            }
        }
        Ok(out)
    }
}

/// `callee(args)`, reading a builtin or a function declared once (a fixed
/// captured variable) in place, without touching its reference count:
/// threads calling one shared function would otherwise contend on it.
pub(crate) fn call(callee: &Expr, args: &[Arg], span: Span) -> Eval {
    probed!(span, SiteLabel::Text(callee.span), |p| call_with(
        callee, args, span, p
    ))
}

fn call_with<P: Probe>(callee: &Expr, args: &[Arg], span: Span, p: P) -> Eval {
    let args = ArgList::new(args);
    let slot = match &callee.kind {
        ExprKind::Var(var) => var.slot,
        _ => Slot::Unresolved,
    };
    match slot {
        Slot::Builtin(i) if starts_a_thread(callee) => Box::new(move |me, f| {
            let a = args.values(me, f)?;
            me.spawn_site = Some(site(f, span));
            let r = me.call_value_in(&f.rt.builtins[i as usize], a, f.rt);
            me.at_call(r, f, span)
        }),
        Slot::Builtin(i) => Box::new(move |me, f| {
            let r = args.call(me, &f.rt.builtins[i as usize], f, &p)?;
            me.at_call(r, f, span)
        }),
        // A function declared once is called from its cell, in place; a
        // closure of its own, as the commonest call of all (recursion).
        Slot::Upvalue(i) => {
            let callee = compile(callee);
            Box::new(move |me, f| {
                let r = match f.up[i as usize].get_fixed() {
                    Some(c) => args.call(me, c, f, &p)?,
                    None => {
                        let c = callee(me, f)?;
                        args.call(me, &c, f, &p)?
                    }
                };
                me.at_call(r, f, span)
            })
        }
        _ => {
            let callee = compile(callee);
            Box::new(move |me, f| {
                let c = callee(me, f)?;
                let r = args.call(me, &c, f, &p)?;
                me.at_call(r, f, span)
            })
        }
    }
}

/// Whether a call is to the builtin `spawn` or `timer`, whose thread is told
/// where it was made (its call stack ends there).
fn starts_a_thread(callee: &Expr) -> bool {
    matches!(&callee.kind, ExprKind::Var(v) if matches!(&*v.name, "spawn" | "timer"))
}

/// A call's place, as the first entry of a new thread's call stack.
fn site(f: &Frame, span: Span) -> Origin {
    let entry = TraceEntry {
        function: f.name.clone(),
        location: format!("{} (spawned here)", f.source.location(span.start)),
    };
    (Some((f.source.clone(), span)), vec![entry])
}

/// Makes closures of one function literal or declaration: evaluates its
/// defaults in the creating frame and takes the cells it captures.
pub(crate) struct MakeFn {
    func: Arc<Function>,
    defaults: Box<[Option<Eval>]>,
}

impl MakeFn {
    pub fn new(def: &Arc<FnDef>) -> MakeFn {
        MakeFn {
            func: Function::new(def),
            defaults: match def.params.iter().any(|p| p.default.is_some()) {
                true => def
                    .params
                    .iter()
                    .map(|p| p.default.as_ref().map(compile))
                    .collect(),
                false => Box::new([]),
            },
        }
    }

    pub fn make(&self, me: &mut Interp, f: &Frame) -> Outcome {
        let mut defaults = Vec::with_capacity(self.defaults.len());
        for d in self.defaults.iter() {
            defaults.push(match d {
                Some(d) => Some(d(me, f)?),
                None => None,
            });
        }
        let upvalues = self
            .func
            .def
            .captures
            .iter()
            .map(|c| match *c {
                Capture::Local(s) => cell_of(me, f.base + s as usize),
                Capture::Upvalue(i) => f.up[i as usize].clone(),
            })
            .collect();
        Ok(Closure::value(self.func.clone(), upvalues, defaults.into()))
    }
}

/// The cell in a stack slot, making one if the slot holds a plain value.
fn cell_of(me: &mut Interp, index: usize) -> crate::value::Rc<VarCell> {
    let slot = &mut me.stack[index];
    if let Value::Cell(c) = slot {
        return c.clone();
    }
    let cell = VarCell::new(std::mem::take(slot), false);
    *slot = Value::Cell(cell.clone());
    cell
}
