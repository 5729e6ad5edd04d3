//! Method calls: `recv.name(args)` calls a function stored in a map (a
//! record's method), else a builtin method of the receiver.
//!
//! The commonest builtin methods in loops (a list's `push` and `pop`, a
//! map's `get`) have shortcuts that skip building an argument list and
//! finding the method by name. A shortcut only handles the plain success
//! case; anything else (an empty list, an unhashable key) takes the general
//! path, so errors read the same either way.

use crate::ast::{Arg, Expr, Name, Span};
use crate::value::Value;

use super::super::{make_key, Frame, Interp, Outcome, Unwind};
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
    let shortcut = Shortcut::of(name, args);
    let (recv, site, args) = (Operand::new(recv), FieldSite::new(name), ArgList::new(args));
    Box::new(move |me, f| {
        let r = recv.with(me, f, |me, recv| {
            let found = match recv {
                Value::Map(m) => {
                    let _race = p.field_read(recv, &site.name);
                    m.read(|m| site.get(m))
                }
                _ => None,
            };
            Ok(match found {
                Some(func) => args.call(me, &func, f, &p)?,
                None => match shortcut.run(me, recv, &args, f, &p)? {
                    Some(r) => r,
                    None => {
                        let args = args.values(me, f)?;
                        let _race = p.method(recv, &site.name, &args);
                        let _call = p.call();
                        me.call_builtin_method(recv, &site.name, args)
                    }
                },
            })
        })?;
        me.at_call(r, f, span)
    })
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
            _ => Shortcut::None,
        }
    }

    /// The call's result if the shortcut applies to this receiver; `None`
    /// leaves the call to the general path with nothing evaluated yet. The
    /// outer error is an argument's, the inner result the call's.
    #[inline]
    fn run<P: Probe>(
        self,
        me: &mut Interp,
        recv: &Value,
        args: &ArgList,
        f: &Frame,
        p: &P,
    ) -> Result<Option<Outcome>, Unwind> {
        match (self, recv) {
            (Shortcut::Push, Value::List(l)) => {
                let v = args.items[0].1.get(me, f)?;
                let race = p.quiet(recv);
                let sizes = me.sizes();
                let pushed = l.write(|items| {
                    sizes.push(items, v)?;
                    Ok(items.len() - 1)
                });
                drop(race);
                Ok(Some(pushed.map(|at| {
                    p.pushed(recv, at);
                    Value::Nil
                })))
            }
            (Shortcut::Pop, Value::List(l)) => {
                let race = p.quiet(recv);
                let (popped, at) = l.write(|items| (items.pop(), items.len()));
                drop(race);
                let Some(popped) = popped else {
                    return Ok(None);
                };
                p.popped(recv, at);
                Ok(Some(Ok(popped)))
            }
            (Shortcut::Get, Value::Map(m)) => {
                let key = args.items[0].1.get(me, f)?;
                let default = match args.items.get(1) {
                    Some((_, d)) => d.get(me, f)?,
                    None => Value::Nil,
                };
                let key = match make_key(key) {
                    Ok(key) => key,
                    Err(u) => return Ok(Some(Err(u))),
                };
                let _race = p.key_read(recv, &key);
                Ok(Some(Ok(m
                    .read(|m| m.get(&key).cloned())
                    .unwrap_or(default))))
            }
            _ => Ok(None),
        }
    }
}
