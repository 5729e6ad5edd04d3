//! Compiling statements.

use crate::ast::{AssignOp, BinOp, Catch, Expr, Name, Slot, Span, Stmt, StmtKind, Target, Var};
use crate::value::Value;

use super::super::call::as_range;
use super::super::{error, ops, raise, take_thrown, Frame, Interp, Outcome, Thrown, Unwind, Why};
use super::cond::Cond;
use super::expr;
use super::field::{read_field, FieldSite};
use super::operand::Operand;
use super::{BlockCode, Done, Exec};
use crate::race::probe::{probed, Probe, SiteLabel};

pub(crate) fn compile(stmt: &Stmt) -> Exec {
    let span = stmt.span;
    match &stmt.kind {
        StmtKind::Expr(e) => {
            let e = expr::compile(e);
            Box::new(move |me, f| e(me, f).map(drop))
        }
        StmtKind::Let(var, e) => {
            probed!(var.span, SiteLabel::Name(&var.name), |p| let_var(var, e, p))
        }
        StmtKind::Assign(target, op, e) => assign(target, *op, e),
        // Bound when its block is entered.
        StmtKind::Fn(..) => Box::new(|_, _| Ok(())),
        StmtKind::If(arms, els) => if_else(arms, els.as_ref()),
        StmtKind::While(cond, body) => {
            let (cond, body) = (Cond::new(cond), BlockCode::whole(body));
            Box::new(move |me, f| {
                while cond.check(me, f)? {
                    let ticked = me.tick();
                    me.locate(ticked, f, span)?;
                    if let Err(u) = body.run(me, f) {
                        match u.why() {
                            Why::Break => break,
                            Why::Continue => {}
                            _ => return Err(u),
                        }
                    }
                }
                Ok(())
            })
        }
        StmtKind::For(vars, iter, body) => probed!(iter.span, SiteLabel::Text(iter.span), |p| {
            for_loop(vars, iter, BlockCode::whole(body), p)
        }),
        StmtKind::Break => Box::new(|_, _| Err(Unwind::new(Why::Break))),
        StmtKind::Continue => Box::new(|_, _| Err(Unwind::new(Why::Continue))),
        StmtKind::Return(e) => match e {
            Some(e) => {
                let e = Operand::new(e);
                Box::new(move |me, f| {
                    me.ret = e.get(me, f)?;
                    Err(Unwind::new(Why::Return))
                })
            }
            None => Box::new(|me, _| {
                me.ret = Value::Nil;
                Err(Unwind::new(Why::Return))
            }),
        },
        StmtKind::Throw(e) => {
            let e = expr::compile(e);
            Box::new(move |me, f| {
                let v = e(me, f)?;
                let r = Err(thrown_value(v));
                me.locate(r, f, span)
            })
        }
        StmtKind::With(e, var, body) => probed!(e.span, SiteLabel::Text(e.span), |p| {
            with(e, var.clone(), BlockCode::whole(body), p)
        }),
        StmtKind::Try(body, catches, finally) => try_catch(body, catches, finally.as_ref()),
        StmtKind::Invalid => unreachable!("programs with syntax errors never run"),
    }
}

fn let_var<P: Probe>(var: &Var, e: &Expr, p: P) -> Exec {
    let (var, e) = (var.clone(), expr::compile(e));
    Box::new(move |me, f| {
        let v = e(me, f)?;
        p.var_write(me, f, &var);
        me.store_var(&var, v, f);
        Ok(())
    })
}

fn if_else(arms: &[(Expr, crate::ast::Block)], els: Option<&crate::ast::Block>) -> Exec {
    if let ([(cond, body)], None) = (arms, els) {
        // `if c { ... }`, the commonest shape, without the loop over arms.
        let (cond, body) = (Cond::new(cond), BlockCode::whole(body));
        return Box::new(move |me, f| match cond.check(me, f)? {
            true => body.run(me, f),
            false => Ok(()),
        });
    }
    let arms: Box<[_]> = arms
        .iter()
        .map(|(cond, body)| (Cond::new(cond), BlockCode::whole(body)))
        .collect();
    let els = els.map(BlockCode::whole);
    Box::new(move |me, f| {
        for (cond, body) in arms.iter() {
            if cond.check(me, f)? {
                return body.run(me, f);
            }
        }
        match &els {
            Some(body) => body.run(me, f),
            None => Ok(()),
        }
    })
}

fn for_loop<P: Probe>(vars: &[Var], iter: &Expr, body: BlockCode, p: P) -> Exec {
    let (vars, span, iter) = (vars.to_vec(), iter.span, expr::compile(iter));
    Box::new(move |me, f| {
        let items = iter(me, f)?;
        if let (Some(range), [var]) = (as_range(&items), &vars[..]) {
            // The commonest loop counts in place, without an iterator.
            let r = count(me, f, range.ints(), var, &body);
            return me.locate(r, f, span);
        }
        let each = |me: &mut Interp, item| {
            me.tick()?;
            body.enter(me, f)?;
            bind_loop_vars(me, &vars, item, f)?;
            pass(body.run_entered(me, f))
        };
        let r = match P::FAST.then(|| unshared(&items)).flatten() {
            // A list nothing else holds (`for w in line.split(" ")`) gives
            // its items up: none is copied, and no lock is taken per item.
            Some(owned) => each_of(me, owned, each),
            None => p.for_each(me, &items, each),
        };
        me.locate(r, f, span)
    })
}

/// Runs `each` on `items` until it returns `false`.
fn each_of(
    me: &mut Interp,
    items: Vec<Value>,
    mut each: impl FnMut(&mut Interp, Value) -> Result<bool, Unwind>,
) -> Done {
    for item in items {
        if !each(me, item)? {
            break;
        }
    }
    Ok(())
}

/// The items of a list only `v` holds, taken out of it: no other code can
/// reach the list, so nothing can see it emptied. (The cycle collector's
/// weak reference to it is upgraded only while this thread is stopped at a
/// safepoint, never in the middle of this.)
fn unshared(v: &Value) -> Option<Vec<Value>> {
    let Value::List(l) = v else {
        return None;
    };
    if crate::value::Rc::strong_count(l) != 1 {
        return None;
    }
    Some(l.write(std::mem::take))
}

/// `for var in range(...) { body }`.
fn count(
    me: &mut Interp,
    f: &Frame,
    ints: impl Iterator<Item = i64>,
    var: &Var,
    body: &BlockCode,
) -> Done {
    for i in ints {
        me.tick()?;
        body.enter(me, f)?;
        me.store_var(var, Value::Int(i), f);
        if !pass(body.run_entered(me, f))? {
            break;
        }
    }
    Ok(())
}

/// Whether a loop goes on after its body ran: not after a `break`.
#[inline(always)]
fn pass(r: Done) -> Result<bool, Unwind> {
    match r {
        Ok(()) => Ok(true),
        Err(u) => match u.why() {
            Why::Break => Ok(false),
            Why::Continue => Ok(true),
            _ => Err(u),
        },
    }
}

/// Binds `for x in ...` or unpacks `for k, v in ...`.
fn bind_loop_vars(me: &mut Interp, vars: &[Var], item: Value, f: &Frame) -> Done {
    if let [var] = vars {
        me.store_var(var, item, f);
        return Ok(());
    }
    let parts = match (unshared(&item), &item) {
        (Some(parts), _) => parts,
        (None, Value::List(l)) => l.snapshot(),
        (None, other) => {
            return super::super::throw(
                "TypeError",
                format!(
                    "cannot unpack {} into {} variables",
                    other.a_type(),
                    vars.len()
                ),
            )
        }
    };
    if parts.len() != vars.len() {
        return super::super::throw(
            "ValueError",
            format!(
                "expected {} values to unpack, got {}",
                vars.len(),
                parts.len()
            ),
        );
    }
    for (var, v) in vars.iter().zip(parts) {
        me.store_var(var, v, f);
    }
    Ok(())
}

/// The error that `throw v` raises.
fn thrown_value(v: Value) -> Unwind {
    match v {
        Value::Error(e) => {
            let (at, trace) = e.origin.get().cloned().unwrap_or_default();
            raise(Box::new(Thrown {
                error: e,
                at,
                trace,
            }))
        }
        Value::Str(s) => error("Error", s.to_string()),
        other => error(
            "TypeError",
            format!(
                "can only throw an error or a string, not {}",
                other.type_name()
            ),
        ),
    }
}

/// One compiled `catch` clause.
struct CatchCode {
    kind: Option<Name>,
    var: Option<Var>,
    body: BlockCode,
}

impl CatchCode {
    fn new(c: &Catch) -> CatchCode {
        CatchCode {
            kind: c.kind.clone(),
            var: c.var.clone(),
            body: BlockCode::whole(&c.body),
        }
    }

    fn matches(&self, t: &Thrown) -> bool {
        // A thread that met a bug in Thr ends: nothing it planned for holds.
        // One the host's deadline or budget stopped ends too: caught, it
        // would run on past them.
        if matches!(
            &*t.error.kind,
            crate::panic::INTERNAL_ERROR | "TimeoutError"
        ) {
            return false;
        }
        match &self.kind {
            None => true,
            Some(k) => &**k == "Error" || **k == *t.error.kind,
        }
    }
}

fn try_catch(
    body: &crate::ast::Block,
    catches: &[Catch],
    finally: Option<&crate::ast::Block>,
) -> Exec {
    let body = BlockCode::whole(body);
    let catches: Box<[CatchCode]> = catches.iter().map(CatchCode::new).collect();
    let finally = finally.map(BlockCode::whole);
    Box::new(move |me, f| {
        let r = match body.run(me, f) {
            Err(u) if u.is(Why::Error) => catch(me, take_thrown(), &catches, f),
            other => other,
        };
        match &finally {
            Some(fin) => me.finally(r, |me| fin.run(me, f)),
            None => r,
        }
    })
}

fn catch(me: &mut Interp, t: Box<Thrown>, catches: &[CatchCode], f: &Frame) -> Done {
    let Some(c) = catches.iter().find(|c| c.matches(&t)) else {
        return Err(raise(t));
    };
    let _ = t.error.origin.set((t.at.clone(), t.trace.clone()));
    c.body.enter(me, f)?;
    if let Some(var) = &c.var {
        me.store_var(var, Value::Error(t.error.clone()), f);
    }
    c.body.run_entered(me, f)
}

fn with<P: Probe>(e: &Expr, var: Option<Var>, body: BlockCode, p: P) -> Exec {
    let (span, e) = (e.span, expr::compile(e));
    Box::new(move |me, f| {
        let subject = e(me, f)?;
        p.at();
        let (obj, entered) = match &subject {
            Value::Object(o) => (Some(o), o.enter(me)),
            _ => (None, None),
        };
        let entered = entered.unwrap_or_else(|| {
            super::super::throw(
                "TypeError",
                format!(
                    "{} cannot be used in `with` (use a lock, rlock, condition or semaphore)",
                    subject.a_type()
                ),
            )
        });
        let acquired = me.locate(entered, f, span)?;
        let obj = obj.expect("only objects can be entered");
        body.enter(me, f)?;
        if let Some(var) = &var {
            me.store_var(var, acquired, f);
        }
        let r = body.run_entered(me, f);
        let unwinding = r.is_err();
        me.finally(r, |me| {
            let released = obj.exit(me);
            // A block on its way out is reported as it left, not as its
            // release failed (a deadlocked `condition.wait()` leaves the
            // lock unheld, and the release would hide the deadlock).
            if unwinding {
                return Ok(());
            }
            me.locate(released, f, span).map(drop)
        })
    })
}

fn assign(target: &Target, op: AssignOp, e: &Expr) -> Exec {
    match target {
        Target::Var(var) => probed!(var.span, SiteLabel::Name(&var.name), |p| {
            assign_var(var, NewValue::new(op, e), p)
        }),
        Target::Index(obj, index) => probed!(obj.span, SiteLabel::Text(obj.span), |p| {
            assign_index(obj, index, NewValue::new(op, e), e.span, p)
        }),
        Target::Field(obj, name) => probed!(obj.span, SiteLabel::Text(obj.span), |p| {
            assign_field(obj, name, NewValue::new(op, e), e.span, p)
        }),
    }
}

fn assign_var<P: Probe>(var: &Var, value: NewValue, p: P) -> Exec {
    // An update's read is part of its write, for the race probe.
    let (var, old) = (var.clone(), Operand::unprobed(var));
    Box::new(move |me, f| {
        if value.int_update(me, f, &var) {
            return Ok(());
        }
        if let Some(done) = value.str_append(me, f, &var) {
            return done;
        }
        let v = value.get(me, f, var.span, |me| old.get(me, f))?;
        me.preemption_point();
        p.var_write(me, f, &var);
        me.store_var(&var, v, f);
        Ok(())
    })
}

fn assign_index<P: Probe>(obj: &Expr, index: &Expr, value: NewValue, span: Span, p: P) -> Exec {
    let (obj, index) = (Operand::new(obj), Operand::new(index));
    Box::new(move |me, f| {
        // `xs[i] = v` on a container in a variable: set in place. An index
        // read in place is not copied: reading it has no effect, so it may
        // wait until the right side is done.
        if value.update.is_none() && obj.peek(me, f).is_some() {
            let owned = match index.peek(me, f) {
                Some(_) => None,
                None => Some(index.get(me, f)?),
            };
            let v = value.rhs.get(me, f)?;
            me.preemption_point();
            let in_place = (obj.peek(me, f), owned.as_ref().or(index.peek(me, f)));
            let r = if let (Some(obj), Some(i)) = in_place {
                me.set_index(obj, i, v)
            } else {
                let obj = obj.get(me, f)?;
                let i = match owned {
                    Some(i) => i,
                    None => index.get(me, f)?,
                };
                me.set_index(&obj, &i, v)
            };
            return me.locate(r, f, span);
        }
        obj.with(me, f, |me, obj| {
            let index = index.get(me, f)?;
            let v = value.get(me, f, span, |me| {
                let _race = p.quiet(obj);
                me.index(obj, &index)
            })?;
            me.preemption_point();
            let _race = p.index_write(obj, &index);
            let r = me.set_index(obj, &index, v);
            me.locate(r, f, span)
        })
    })
}

fn assign_field<P: Probe>(obj: &Expr, name: &Name, value: NewValue, span: Span, p: P) -> Exec {
    let (obj, site) = (Operand::new(obj), FieldSite::new(name));
    Box::new(move |me, f| {
        if P::FAST {
            if let Some(done) = value.on_record(
                me,
                f,
                FieldTarget {
                    obj: &obj,
                    site: &site,
                    at: span,
                },
            ) {
                return done;
            }
        }
        obj.with(me, f, |me, obj| {
            let v = value.get(me, f, span, |me| {
                let _race = p.quiet(obj);
                read_field(me, obj, &site)
            })?;
            me.preemption_point();
            let _race = p.field_write(obj, &site.name);
            store_field(me, f, obj, &site, v, span)
        })
    })
}

/// The field `obj.name` a statement assigns, read in place; errors are
/// placed at `at`.
#[derive(Clone, Copy)]
struct FieldTarget<'a> {
    obj: &'a Operand,
    site: &'a FieldSite,
    at: Span,
}

/// `obj.name = v`, errors placed at `span`.
fn store_field(
    me: &mut Interp,
    f: &Frame,
    obj: &Value,
    site: &FieldSite,
    v: Value,
    span: Span,
) -> Done {
    if let Value::Map(m) = obj {
        // The value replaced is freed after the lock is let go.
        let sizes = me.sizes();
        let old = m.write(|m| site.set(m, v, sizes));
        return me.locate(old.map(drop), f, span);
    }
    let r = me.set_field(obj, &site.name, v);
    me.locate(r, f, span)
}

/// The value an assignment stores: the right side, or for `x op= e` the old
/// value combined with it.
struct NewValue {
    update: Option<BinOp>,
    rhs: Operand,
    /// The right side has no effect but its value (or its error), so it
    /// may be evaluated before the old value is read.
    pure: bool,
    span: Span,
}

impl NewValue {
    fn new(op: AssignOp, e: &Expr) -> NewValue {
        NewValue {
            update: match op {
                AssignOp::Set => None,
                AssignOp::Update(bin) => Some(bin),
            },
            rhs: Operand::new(e),
            pure: expr::is_pure(e),
            span: e.span,
        }
    }

    /// `i += 1` on a local int, read, computed and written in place: only
    /// the int is rewritten, never the whole value. The frame's own slot
    /// (not a captured cell) is seen by no other thread, so a preemption
    /// point between the read and the write changes nothing.
    #[inline(always)]
    fn int_update(&self, me: &mut Interp, f: &Frame, var: &Var) -> bool {
        let (Some(bin), Slot::Local(i)) = (self.update, var.slot) else {
            return false;
        };
        let Value::Int(x) = me.stack[f.base + i as usize] else {
            return false;
        };
        let Some(v) = self
            .rhs
            .peek_int(me, f)
            .and_then(|y| ops::int_fast(bin, x, y))
        else {
            return false;
        };
        me.preemption_point();
        if let Value::Int(x) = &mut me.stack[f.base + i as usize] {
            *x = v;
        }
        true
    }

    /// `s += e` on a local string that no other reference holds, with a
    /// pure `e`: a string `e` is appended in place, the string's own
    /// allocation grown (as CPython does), where `s + e` copies all of
    /// `s`; a string built piece by piece in a loop costs its length, not
    /// its length squared. `None` when that does not apply, and nothing
    /// was evaluated. As for [`NewValue::int_update`], a frame's own slot
    /// is seen by no other thread.
    #[inline(always)]
    fn str_append(&self, me: &mut Interp, f: &Frame, var: &Var) -> Option<Done> {
        let (Some(BinOp::Add), Slot::Local(i), true) = (self.update, var.slot, self.pure) else {
            return None;
        };
        let at = f.base + i as usize;
        if !matches!(&me.stack[at], Value::Str(s) if s.is_unique_heap()) {
            return None;
        }
        // Pure: evaluated before the old value is read, which nobody sees.
        Some(self.rhs.get(me, f).and_then(|y| {
            let span = self.span.to(var.span);
            let appended = match (&me.stack[at], &y) {
                (Value::Str(s), Value::Str(t)) => {
                    let r = me.sizes().check_string(s.len() + t.len());
                    me.locate(r, f, span)?;
                    me.preemption_point();
                    let Value::Str(s) = std::mem::take(&mut me.stack[at]) else {
                        unreachable!("a string was there")
                    };
                    // Put back either way: grown, or as it was.
                    let grown = s.try_append(t);
                    let done = grown.is_ok();
                    me.stack[at] = Value::Str(grown.unwrap_or_else(|s| s));
                    done
                }
                _ => false,
            };
            if !appended {
                let v = expr::apply(me, f, BinOp::Add, me.stack[at].clone(), y, span)?;
                me.preemption_point();
                me.stack[at] = v;
            }
            Ok(())
        }))
    }

    /// `obj.name = e` or `obj.name op= e` on a record read in place (a
    /// local, a captured variable never reassigned) without a count of
    /// references taken; `None` when that does not apply, and nothing was
    /// evaluated. (Not for the race detector, which reports the general
    /// path's steps.)
    #[inline(always)]
    fn on_record(&self, me: &mut Interp, f: &Frame, t: FieldTarget) -> Option<Done> {
        t.obj.peek(me, f)?;
        match self.update {
            None => Some(self.set_in_place(me, f, t)),
            // Not when exploring schedules, which may switch threads
            // between the read and the write.
            Some(bin) if self.pure && !me.explores() => Some(self.update_in_place(me, f, t, bin)),
            Some(_) => None,
        }
    }

    /// `obj.name = e`, `obj` read in place before and after `e`.
    fn set_in_place(&self, me: &mut Interp, f: &Frame, t: FieldTarget) -> Done {
        let FieldTarget { obj, site, at } = t;
        let v = self.rhs.get(me, f)?;
        me.preemption_point();
        match obj.peek(me, f) {
            Some(Value::Map(m)) => {
                let sizes = me.sizes();
                let old = m.write(|m| site.set(m, v, sizes));
                me.locate(old.map(drop), f, at)
            }
            _ => {
                let obj = obj.get(me, f)?;
                store_field(me, f, &obj, site, v, at)
            }
        }
    }

    /// `obj.name op= e` with a pure `e`: `e` first, then, for two numbers,
    /// the field read, computed and written under one lock, which no other
    /// thread can split. What the fast path does not cover (a string
    /// field, a missing one) goes on with `e`'s value, as the general path
    /// would; only their order differs, which a pure `e` cannot show.
    fn update_in_place(&self, me: &mut Interp, f: &Frame, t: FieldTarget, bin: BinOp) -> Done {
        let FieldTarget { obj, site, at } = t;
        let y = match self.rhs.get(me, f) {
            Ok(y) => y,
            Err(u) => return self.target_first(me, f, t, u),
        };
        if let Some(Value::Map(m)) = obj.peek(me, f) {
            if m.write(|m| site.update_number(m, bin, &y)) {
                y.discard();
                return Ok(());
            }
        }
        let obj = obj.get(me, f)?;
        let span = self.span.to(at);
        let old = read_field(me, &obj, site);
        let old = me.locate(old, f, span)?;
        let v = expr::apply(me, f, bin, old, y, span)?;
        store_field(me, f, &obj, site, v, at)
    }

    /// The right side of an update failed: the target's own error comes
    /// first, as the general path (which reads the target first) has it.
    #[cold]
    fn target_first(&self, me: &mut Interp, f: &Frame, t: FieldTarget, u: Unwind) -> Done {
        if !u.is(Why::Error) {
            return Err(u);
        }
        let thrown = take_thrown();
        let obj = t.obj.get(me, f)?;
        let old = read_field(me, &obj, t.site);
        me.locate(old, f, self.span.to(t.at))?;
        Err(raise(thrown))
    }

    /// Errors are placed at the target (`at`) and the right side.
    #[inline]
    fn get(
        &self,
        me: &mut Interp,
        f: &Frame,
        at: Span,
        old: impl FnOnce(&mut Interp) -> Outcome,
    ) -> Outcome {
        let Some(bin) = self.update else {
            return self.rhs.get(me, f);
        };
        let span = self.span.to(at);
        let old = old(me);
        let old = me.locate(old, f, span)?;
        let rhs = self.rhs.get(me, f)?;
        expr::apply(me, f, bin, old, rhs, span)
    }
}
