//! Method calls: `recv.name(args)` calls a function stored in a map (a
//! record's method), else a builtin method of the receiver.
//!
//! A receiver that is a variable or a literal is read in place, with no
//! reference to it taken: it is the same value before and after the
//! arguments are evaluated (nothing in an expression assigns a variable).
//!
//! The commonest builtin methods in loops (a list's `push` and `pop`, a
//! map's `get`, math's functions of one float) have shortcuts that skip
//! building an argument list and finding the method by name. A shortcut
//! only handles the plain success case; anything else (an empty list, an
//! unhashable key, an argument that is no number) takes the general path
//! with the arguments already evaluated, so errors read the same either way.

use crate::ast::{Arg, Expr, Name, Span};
use crate::builtins::math;
use crate::value::{is_container, Key, KeyRef, Value};

use super::super::{Args, Frame, Interp, Outcome, Unwind};
use super::calls::ArgList;
use super::field::FieldSite;
use super::operand::Operand;
use super::Eval;
use crate::race::probe::{probed, Probe, SiteLabel};

pub(crate) fn compile(recv: &Expr, name: &Name, args: &[Arg], span: Span) -> Eval {
    probed!(span, SiteLabel::Text(recv.span), |p| method(
        recv, name, args, span, p
    ))
}

fn method<P: Probe>(recv: &Expr, name: &Name, args: &[Arg], span: Span, p: P) -> Eval {
    let call = MethodCall {
        shortcut: Shortcut::of(name, args),
        recv: Operand::new(recv),
        site: FieldSite::new(name),
        args: ArgList::new(args),
        p,
    };
    Box::new(move |me, f| {
        let in_place = call.recv.peek(me, f).map(|recv| call.find(recv));
        let r = match in_place {
            Some(Found::Own(func)) => call.args.call(me, &func, f, &call.p)?,
            Some(Found::Shortcut) => call.shortcut_in_place(me, f)?,
            Some(Found::Builtin) => call
                .recv
                .with(me, f, |me, recv| call.general(me, f, recv))?,
            None => call.recv.with(me, f, |me, recv| match call.find(recv) {
                Found::Own(func) => call.args.call(me, &func, f, &call.p),
                Found::Shortcut => {
                    let (a, b) = call.shortcut_args(me, f)?;
                    Ok(call.finish(me, recv, a, b))
                }
                Found::Builtin => call.general(me, f, recv),
            })?,
        };
        me.at_call(r, f, span)
    })
}

/// What `recv.name` calls.
enum Found {
    /// A function the record holds.
    Own(Value),
    /// A builtin method with a shortcut for this receiver.
    Shortcut,
    /// A builtin method, found by name.
    Builtin,
}

/// One compiled `recv.name(args)`.
struct MethodCall<P> {
    shortcut: Shortcut,
    recv: Operand,
    site: FieldSite,
    args: ArgList,
    p: P,
}

impl<P: Probe> MethodCall<P> {
    /// What the call calls on `recv`.
    #[inline(always)]
    fn find(&self, recv: &Value) -> Found {
        if let Value::Map(m) = recv {
            let _race = self.p.field_read(recv, &self.site.name);
            if let Some(func) = m.read(|m| self.site.get(m)) {
                return Found::Own(func);
            }
        }
        match self.shortcut.applies(recv) {
            true => Found::Shortcut,
            false => Found::Builtin,
        }
    }

    /// The shortcut on the receiver read in place: its arguments first,
    /// then the receiver again. The outer error is an argument's.
    #[inline(always)]
    fn shortcut_in_place(&self, me: &mut Interp, f: &Frame) -> Result<Outcome, Unwind> {
        if let (true, Shortcut::Get) = (P::FAST, self.shortcut) {
            if let Some(v) = self.get_in_place(me, f) {
                return Ok(Ok(v));
            }
        }
        let (a, b) = self.shortcut_args(me, f)?;
        let (a, b, recv) = match self.recv.peek(me, f) {
            Some(recv) => match self.shortcut.apply(me, recv, a, b, &self.p) {
                Ok(r) => return Ok(r),
                Err((a, b)) => (a, b, recv.clone()),
            },
            None => (a, b, self.recv.get(me, f)?),
        };
        Ok(self.finish(me, &recv, a, b))
    }

    /// `map.get(key[, default])` with the map, the key and the default all
    /// read in place, so that no reference to the key is taken; `None` when
    /// one is not, or the key cannot be one (then the general path fails).
    fn get_in_place(&self, me: &Interp, f: &Frame) -> Option<Value> {
        let (Some(Value::Map(m)), [(_, key), rest @ ..]) =
            (self.recv.peek(me, f), &self.args.items[..])
        else {
            return None;
        };
        let key = KeyRef::new(key.peek(me, f)?).ok()?;
        let default = match rest {
            [(_, d)] => Some(d.peek(me, f)?),
            _ => None,
        };
        let found = m.read(|m| m.get(&key).cloned());
        Some(found.or_else(|| default.cloned()).unwrap_or_default())
    }

    /// The shortcut's arguments, evaluated; `Nil` for those not given.
    #[inline(always)]
    fn shortcut_args(&self, me: &mut Interp, f: &Frame) -> Result<(Value, Value), Unwind> {
        let items = &self.args.items;
        let a = match items.first() {
            Some((_, a)) => a.get(me, f)?,
            None => Value::Nil,
        };
        let b = match items.get(1) {
            Some((_, b)) => b.get(me, f)?,
            None => Value::Nil,
        };
        Ok((a, b))
    }

    /// The shortcut, else the general path with the arguments it was given.
    fn finish(&self, me: &mut Interp, recv: &Value, a: Value, b: Value) -> Outcome {
        let (a, b) = match self.shortcut.apply(me, recv, a, b, &self.p) {
            Ok(r) => return r,
            Err(args) => args,
        };
        let mut args = Args::default();
        args.pos
            .extend([a, b].into_iter().take(self.args.items.len()));
        self.call_general(me, recv, args)
    }

    /// The builtin method found by name. The outer error is an argument's.
    fn general(&self, me: &mut Interp, f: &Frame, recv: &Value) -> Result<Outcome, Unwind> {
        let args = self.args.values(me, f)?;
        Ok(self.call_general(me, recv, args))
    }

    fn call_general(&self, me: &mut Interp, recv: &Value, args: Args) -> Outcome {
        let _race = self.p.method(recv, &self.site.name, &args);
        let _call = self.p.call();
        me.call_builtin_method(recv, &self.site.name, args)
    }
}

#[derive(Clone, Copy)]
enum Shortcut {
    None,
    /// `list.push(x)`, `list.append(x)`
    Push,
    /// `list.pop()`
    Pop,
    /// `map.get(key)`, `map.get(key, default)`
    Get,
    /// `math.sqrt(x)` and the other functions of one float
    Math(math::RealFn),
}

impl Shortcut {
    fn of(name: &str, args: &[Arg]) -> Shortcut {
        if args.iter().any(|a| a.name.is_some()) {
            return Shortcut::None;
        }
        match (name, args.len()) {
            ("push" | "append", 1) => Shortcut::Push,
            ("pop", 0) => Shortcut::Pop,
            ("get", 1 | 2) => Shortcut::Get,
            (_, 1) => math::RealFn::of(name).map_or(Shortcut::None, Shortcut::Math),
            _ => Shortcut::None,
        }
    }

    /// Whether it is for this receiver.
    #[inline]
    fn applies(self, recv: &Value) -> bool {
        match (self, recv) {
            (Shortcut::Push | Shortcut::Pop, Value::List(_)) => true,
            (Shortcut::Get, Value::Map(_)) => true,
            (Shortcut::Math(_), recv) => math::is_math(recv),
            _ => false,
        }
    }

    /// The call's result on a receiver it applies to, with the arguments
    /// `a` and `b` (`Nil` if not given); `Err` gives them back when the
    /// general path must run.
    #[inline(always)]
    fn apply<P: Probe>(
        self,
        me: &Interp,
        recv: &Value,
        a: Value,
        b: Value,
        p: &P,
    ) -> Result<Outcome, (Value, Value)> {
        match (self, recv) {
            (Shortcut::Push, Value::List(l)) => {
                b.discard();
                let race = p.quiet(recv);
                let sizes = me.sizes();
                let at = l.write(|items| {
                    sizes.push(items, a)?;
                    Ok(items.len() - 1)
                });
                drop(race);
                Ok(at.map(|at| {
                    p.pushed(recv, at);
                    Value::Nil
                }))
            }
            (Shortcut::Pop, Value::List(l)) => {
                let race = p.quiet(recv);
                let (popped, at) = l.write(|items| (items.pop(), items.len()));
                drop(race);
                let popped = popped.ok_or((a, b))?;
                p.popped(recv, at);
                Ok(Ok(popped))
            }
            // An unhashable key gets the method's own error.
            (Shortcut::Get, Value::Map(m)) if !is_container(&a) => {
                let key = Key(a);
                let _race = p.key_read(recv, &key);
                let found = m.read(|m| m.get(&key).cloned());
                Ok(Ok(found.unwrap_or(b)))
            }
            (Shortcut::Math(func), _) => match a.as_f64() {
                Some(x) => Ok(func.call(x)),
                None => Err((a, b)),
            },
            _ => Err((a, b)),
        }
    }
}
