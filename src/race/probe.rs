//! Probes: what instrumented code tells the detector, from the places the
//! compiler knows (which variable, which container through which
//! expression, which call).
//!
//! The compiler builds each instrumented construct twice over one generic
//! builder: with [`NoProbe`], whose methods do nothing and vanish when
//! inlined, for a normal run; with an [`At`] for a run with the detector on.
//! The code of a normal run is then exactly what it was without a detector.

use crate::ast::{Name, Span, Var};
use crate::interp::{make_key, Args, Frame, Interp, Unwind};
use crate::value::Rc;
use crate::value::{Key, Value, VarCell};

use super::hooks::{quiet, Quiet};
use super::loc::Kind;
use super::methods;
use super::shadow::{self, ListOp, MapOp};
use super::site::{self, Label, SiteId};
use super::thread;

/// Builds `$build` with the probe of a new site at `$span` (labelled
/// `$label`) when the code is instrumented, else with [`NoProbe`].
macro_rules! probed {
    ($span:expr, $label:expr, |$p:ident| $build:expr) => {
        match $crate::race::probe::at($span, $label) {
            Some($p) => $build,
            None => {
                let $p = $crate::race::NoProbe;
                $build
            }
        }
    };
}
pub(crate) use probed;

pub use super::site::Label as SiteLabel;

/// What instrumented code reports; every method of a [`NoProbe`] does nothing.
pub trait Probe: Send + Sync + 'static {
    /// Whether fast paths that read and write a container under one lock
    /// (reporting neither) may be taken.
    const FAST: bool = true;

    /// A call whose arguments are evaluated begins: this site is on the
    /// stack until the guard goes.
    #[inline(always)]
    fn call(&self) -> Option<Call> {
        None
    }

    /// The thread is at this site (what it does next is reported here).
    #[inline(always)]
    fn at(&self) {}

    /// `var` is about to be stored.
    #[inline(always)]
    fn var_write(&self, _me: &Interp, _f: &Frame, _var: &Var) {}

    /// `obj[index]` is about to be read.
    #[inline(always)]
    fn index_read(&self, _obj: &Value, _index: &Value) -> Option<Quiet> {
        None
    }

    /// `obj[index]` is about to be stored.
    #[inline(always)]
    fn index_write(&self, _obj: &Value, _index: &Value) -> Option<Quiet> {
        None
    }

    /// `obj.name` is about to be read.
    #[inline(always)]
    fn field_read(&self, _obj: &Value, _name: &Name) -> Option<Quiet> {
        None
    }

    /// `obj.name` is about to be stored.
    #[inline(always)]
    fn field_write(&self, _obj: &Value, _name: &Name) -> Option<Quiet> {
        None
    }

    /// An operation on `obj` that is reported otherwise (an update's read
    /// of the old value, reported as part of its write) is about to run.
    #[inline(always)]
    fn quiet(&self, _obj: &Value) -> Option<Quiet> {
        None
    }

    /// `list.push(x)` put its item at `at`.
    #[inline(always)]
    fn pushed(&self, _list: &Value, _at: usize) {}

    /// `list.pop()` took its last item, which was at `at`.
    #[inline(always)]
    fn popped(&self, _list: &Value, _at: usize) {}

    /// `map.get(key)` is about to read an entry.
    #[inline(always)]
    fn key_read(&self, _map: &Value, _key: &Key) -> Option<Quiet> {
        None
    }

    /// Builtin method `name` of `recv` is about to run with `args`.
    #[inline(always)]
    fn method(&self, _recv: &Value, _name: &str, _args: &Args) -> Option<Quiet> {
        None
    }

    /// `item in container` is about to be asked.
    #[inline(always)]
    fn contains(&self, _container: &Value, _item: &Value) -> Option<Quiet> {
        None
    }

    /// `for x in items { body }`.
    #[inline(always)]
    fn for_each(
        &self,
        me: &mut Interp,
        items: &Value,
        body: impl FnMut(&mut Interp, Value) -> Result<bool, Unwind>,
    ) -> Result<(), Unwind> {
        me.for_each(items, body)
    }
}

/// A call under way, on the thread's stack while it lives.
pub struct Call(());

impl Drop for Call {
    fn drop(&mut self) {
        thread::with(|t| t.pop());
    }
}

/// The probe of code not instrumented.
pub struct NoProbe;

impl Probe for NoProbe {}

/// The probe of an instrumented site: its number, and what the code there
/// calls the container or lock it reaches.
pub struct At {
    site: SiteId,
    label: Option<Name>,
}

/// The probe of a new site at `span`, if the code being compiled is
/// instrumented.
pub fn at(span: Span, label: Label) -> Option<At> {
    site::site(span, label).map(|(site, label)| At { site, label })
}

impl At {
    fn list(&self, list: &Value, ops: impl FnOnce(usize) -> Vec<ListOp>) {
        if let Value::List(l) = list {
            thread::with(|t| {
                let ops = ops(l.len());
                shadow::list(t, l, self.site, self.label.as_ref(), &ops);
            });
        }
    }

    fn map(&self, map: &Value, ops: impl FnOnce(&crate::value::Map) -> Vec<MapOp<'static>>) {
        if let Value::Map(m) = map {
            thread::with(|t| {
                let ops = ops(m);
                shadow::map(t, m, self.site, self.label.as_ref(), &ops);
            });
        }
    }
}

impl Probe for At {
    const FAST: bool = false;

    fn call(&self) -> Option<Call> {
        thread::with(|t| {
            t.here = self.site;
            t.push();
            Call(())
        })
    }

    fn at(&self) {
        thread::with(|t| t.here = self.site);
    }

    fn var_write(&self, me: &Interp, f: &Frame, var: &Var) {
        if let Some(cell) = me.var_cell(var, f) {
            variable(cell, self.site, &var.name, Kind::Write);
        }
    }

    fn index_read(&self, obj: &Value, index: &Value) -> Option<Quiet> {
        self.index(obj, index, Kind::Read, false)
    }

    fn index_write(&self, obj: &Value, index: &Value) -> Option<Quiet> {
        self.index(obj, index, Kind::Write, false)
    }

    fn field_read(&self, obj: &Value, name: &Name) -> Option<Quiet> {
        self.index(obj, &Value::Str(name.clone()), Kind::Read, true)
    }

    fn field_write(&self, obj: &Value, name: &Name) -> Option<Quiet> {
        self.index(obj, &Value::Str(name.clone()), Kind::Write, true)
    }

    fn quiet(&self, obj: &Value) -> Option<Quiet> {
        quiet(address(obj)?)
    }

    fn pushed(&self, list: &Value, at: usize) {
        self.list(list, |_| {
            vec![ListOp::Len(Kind::Append), ListOp::Item(at, Kind::Write)]
        });
    }

    fn popped(&self, list: &Value, at: usize) {
        self.list(list, |_| {
            vec![ListOp::Len(Kind::Write), ListOp::Item(at, Kind::Write)]
        });
    }

    fn key_read(&self, map: &Value, key: &Key) -> Option<Quiet> {
        self.index(map, &key.0, Kind::Read, false)
    }

    fn method(&self, recv: &Value, name: &str, args: &Args) -> Option<Quiet> {
        match recv {
            Value::List(_) => self.list(recv, |len| methods::list(name, args, len, recv)),
            Value::Map(m) => {
                thread::with(|t| {
                    methods::map(t, m, self.site, self.label.as_ref(), name, args);
                });
            }
            _ => return None,
        }
        quiet(address(recv)?)
    }

    fn contains(&self, container: &Value, item: &Value) -> Option<Quiet> {
        match container {
            Value::Map(_) => self.index(container, item, Kind::Read, false),
            _ => None,
        }
    }

    fn for_each(
        &self,
        me: &mut Interp,
        items: &Value,
        mut body: impl FnMut(&mut Interp, Value) -> Result<bool, Unwind>,
    ) -> Result<(), Unwind> {
        match items {
            // Each item read is reported here, with the loop's check of the
            // length; the reads themselves are quiet, but not the body.
            Value::List(_) => {
                let mut i = 0;
                let mut reading = self.quiet(items);
                me.for_each(items, |me, item| {
                    reading = None;
                    self.list(items, |_| {
                        vec![ListOp::Len(Kind::Read), ListOp::Item(i, Kind::Read)]
                    });
                    i += 1;
                    let go_on = body(me, item)?;
                    reading = self.quiet(items);
                    Ok(go_on)
                })
            }
            // The keys, read once, as `Interp::for_each` does.
            Value::Map(m) => {
                self.map(items, |_| vec![MapOp::Keys(Kind::Read)]);
                let keys: Vec<Value> = {
                    let _q = self.quiet(items);
                    m.read(|m| m.keys().map(|k| k.0.clone()).collect())
                };
                for k in keys {
                    if !body(me, k)? {
                        break;
                    }
                }
                Ok(())
            }
            _ => me.for_each(items, body),
        }
    }
}

impl At {
    /// Reports `obj[index]` (a list's item or a map's entry; `obj.index`
    /// when `field`), then quiets the operation that does it.
    fn index(&self, obj: &Value, index: &Value, kind: Kind, field: bool) -> Option<Quiet> {
        match obj {
            Value::List(_) => self.list(obj, |len| methods::item_ops(index, len, kind)),
            Value::Map(m) => {
                let key = make_key(index.clone()).ok()?;
                thread::with(|t| {
                    let ops = methods::entry_ops(m, &key, kind, field);
                    shadow::map(t, m, self.site, self.label.as_ref(), &ops);
                });
            }
            _ => return None,
        }
        quiet(address(obj)?)
    }
}

/// Compiled code that first places the thread at `span`, when the code is
/// instrumented (what it does that no probe reports is reported there).
pub fn placed<R: 'static>(span: Span, code: Code<R>) -> Code<R> {
    match at(span, Label::None) {
        None => code,
        Some(p) => Box::new(move |me, f| {
            p.at();
            code(me, f)
        }),
    }
}

/// Compiled code: an expression or a statement.
pub type Code<R> = Box<dyn Fn(&mut Interp, &Frame) -> R + Send + Sync>;

/// The address a container's shadow is kept under.
fn address(v: &Value) -> Option<usize> {
    match v {
        Value::List(l) => Some(Rc::as_ptr(l) as usize),
        Value::Map(m) => Some(Rc::as_ptr(m) as usize),
        _ => None,
    }
}

/// An access to a captured variable (one never reassigned is no access).
pub fn variable(cell: &Rc<VarCell>, site: SiteId, name: &Name, kind: Kind) {
    if let VarCell::Variable(_) = **cell {
        thread::with(|t| shadow::cell(t, cell, site, name, kind));
    }
}

/// A read of `var` that reports itself, if the code is instrumented.
pub fn var_read(var: &Var) -> Option<Code<crate::interp::Outcome>> {
    use crate::ast::Slot;
    if !matches!(var.slot, Slot::Local(_) | Slot::Upvalue(_)) {
        return None;
    }
    let (site, _) = site::site(var.span, Label::Name(&var.name))?;
    let var = var.clone();
    Some(Box::new(move |me, f| {
        let v = me.load_var(&var, f)?;
        if let Some(cell) = me.var_cell(&var, f) {
            variable(cell, site, &var.name, Kind::Read);
        }
        Ok(v)
    }))
}
