//! Compiling expressions: each kind of node into its closure.

use crate::ast::{BinOp, CmpOp, Expr, ExprKind, Name, Span};
use crate::format::{PercentPlan, PercentRhs};
use crate::race::probe::{probed, Probe, SiteLabel};
use crate::value::{Entries, Value};
use smallvec::SmallVec;

use super::super::ops;
use super::super::{make_key, Frame, Interp, Outcome, Unwind};
use super::calls::{call, MakeFn};
use super::cond::test;
use super::field::{read_field, FieldSite};
use super::operand::Operand;
use super::Eval;

pub(crate) fn compile(e: &Expr) -> Eval {
    let span = e.span;
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Var(_) => {
            let leaf = Operand::new(e);
            Box::new(move |me, f| leaf.get(me, f))
        }
        ExprKind::List(items) => {
            let items = operands(items);
            Box::new(move |me, f| {
                let list = Vec::with_capacity(items.len());
                Ok(Value::list(values(&items, me, f, list)?))
            })
        }
        ExprKind::Map(entries) => map_literal(entries),
        ExprKind::Neg(a) => {
            let a = compile(a);
            Box::new(move |me, f| {
                let v = a(me, f)?;
                me.locate(me.negate(v), f, span)
            })
        }
        ExprKind::Not(a) => {
            let t = test(a);
            Box::new(move |me, f| Ok(Value::bool(!t(me, f)?)))
        }
        ExprKind::Binary(op, a, b) => match (op, &b.kind) {
            (BinOp::Mod, ExprKind::List(items)) => percent_list(a, items, span),
            _ => binary(*op, Operand::new(a), Operand::new(b), span),
        },
        ExprKind::And(a, b) => {
            let (a, b) = (compile(a), compile(b));
            Box::new(move |me, f| {
                let v = a(me, f)?;
                if v.truthy() {
                    b(me, f)
                } else {
                    Ok(v)
                }
            })
        }
        ExprKind::Or(a, b) => {
            let (a, b) = (compile(a), compile(b));
            Box::new(move |me, f| {
                let v = a(me, f)?;
                if v.truthy() {
                    Ok(v)
                } else {
                    b(me, f)
                }
            })
        }
        ExprKind::Compare(..) => {
            let t = test(e);
            Box::new(move |me, f| t(me, f).map(Value::bool))
        }
        ExprKind::Call(callee, args) => call(callee, args, span),
        ExprKind::Method(recv, name, args) => super::method::compile(recv, name, args, span),
        ExprKind::Index(a, i) => {
            probed!(a.span, SiteLabel::Text(a.span), |p| index(a, i, span, p))
        }
        ExprKind::Slice(a, parts) => slice(a, parts, span),
        ExprKind::Field(a, name) => {
            probed!(a.span, SiteLabel::Text(a.span), |p| field(a, name, span, p))
        }
        ExprKind::Func(def) => {
            let make = MakeFn::new(def);
            Box::new(move |me, f| make.make(me, f))
        }
    }
}

/// Whether evaluating `e` has no effect but its value or its error: it
/// reads variables, fields and items and applies operators (no script code
/// runs inside an operator), but calls nothing, makes no container or
/// function and asks no `in` (which iterates, and iterating a queue takes
/// its items).
pub(crate) fn is_pure(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Var(_) => true,
        ExprKind::Neg(a) | ExprKind::Not(a) | ExprKind::Field(a, _) => is_pure(a),
        ExprKind::Binary(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Index(a, b) => is_pure(a) && is_pure(b),
        ExprKind::Compare(first, rest) => {
            is_pure(first)
                && rest
                    .iter()
                    .all(|(op, e)| !matches!(op, CmpOp::In | CmpOp::NotIn) && is_pure(e))
        }
        ExprKind::List(_)
        | ExprKind::Map(_)
        | ExprKind::Slice(..)
        | ExprKind::Call(..)
        | ExprKind::Method(..)
        | ExprKind::Func(_) => false,
    }
}

/// `a[i]`.
fn index<P: Probe>(a: &Expr, i: &Expr, span: Span, p: P) -> Eval {
    let (a, i) = (Operand::new(a), Operand::new(i));
    Box::new(move |me, f| {
        // A container in a variable is indexed in place, without a
        // reference count: it can't change while the index is evaluated.
        if a.peek(me, f).is_some() {
            let i = i.get(me, f)?;
            let r = match a.peek(me, f) {
                Some(a) => match list_item(a, &i) {
                    Some(v) => return Ok(v),
                    None => me.index(a, &i),
                },
                None => {
                    let a = a.get(me, f)?;
                    me.index(&a, &i)
                }
            };
            return me.locate(r, f, span);
        }
        let a = a.get(me, f)?;
        let i = i.get(me, f)?;
        let _race = p.index_read(&a, &i);
        me.locate(me.index(&a, &i), f, span)
    })
}

/// `list[i]` for an `i` within the list's length, inline: the general
/// `Interp::index` is a call, and was 3% of records' time. `None` leaves
/// everything else (a negative or wrong index, other containers) to it.
#[inline(always)]
fn list_item(a: &Value, i: &Value) -> Option<Value> {
    match (a, i) {
        (Value::List(l), Value::Int(n)) => {
            let n = usize::try_from(*n).ok()?;
            l.read(|items| items.get(n).cloned())
        }
        _ => None,
    }
}

/// `a.name`.
fn field<P: Probe>(a: &Expr, name: &Name, span: Span, p: P) -> Eval {
    let (a, site) = (Operand::new(a), FieldSite::new(name));
    Box::new(move |me, f| {
        if let Some(Value::Map(m)) = a.peek(me, f) {
            if let Some(v) = m.read(|m| site.get(m)) {
                return Ok(v);
            }
        }
        let a = a.get(me, f)?;
        let _race = p.field_read(&a, &site.name);
        let r = read_field(me, &a, &site);
        me.locate(r, f, span)
    })
}

fn map_literal(entries: &[(Expr, Expr)]) -> Eval {
    let key = |k: &Expr| match &k.kind {
        // `{name: ...}`: the key shares its text with the code's field names.
        ExprKind::Const(Value::Str(s)) => {
            let s = Value::Str(super::field::intern(s));
            Box::new(move |_: &mut Interp, _: &Frame| Ok(s.clone())) as Eval
        }
        _ => compile(k),
    };
    let entries: Box<[(Eval, Span, Eval)]> = entries
        .iter()
        .map(|(k, v)| (key(k), k.span, compile(v)))
        .collect();
    Box::new(move |me, f| {
        // Room for a few more fields, as records get their methods after the literal.
        let mut map = Entries::with_capacity_and_hasher(entries.len().max(8), Default::default());
        for (k, span, v) in entries.iter() {
            let key = k(me, f)?;
            let key = me.locate(make_key(key), f, *span)?;
            map.insert(key, v(me, f)?);
        }
        Ok(Value::map(map))
    })
}

fn slice(a: &Expr, parts: &[Option<Box<Expr>>; 3], span: Span) -> Eval {
    let a = compile(a);
    let parts: [Option<Eval>; 3] = std::array::from_fn(|i| parts[i].as_deref().map(compile));
    Box::new(move |me, f| {
        let a = a(me, f)?;
        let mut bounds = [None, None, None];
        for (b, p) in bounds.iter_mut().zip(&parts) {
            if let Some(p) = p {
                *b = Some(p(me, f)?);
            }
        }
        me.locate(ops::slice(&a, bounds), f, span)
    })
}

fn operands(items: &[Expr]) -> Box<[Operand]> {
    items.iter().map(Operand::new).collect()
}

/// The values of a list literal's items, in order, added to `out`.
fn values<C: Extend<Value>>(
    items: &[Operand],
    me: &mut Interp,
    f: &Frame,
    mut out: C,
) -> Result<C, Unwind> {
    for i in items.iter() {
        out.extend([i.get(me, f)?]);
    }
    Ok(out)
}

/// `fmt % [a, b]`, the commonest formatting: the list would only carry the
/// arguments, so for a string `fmt` they are formatted from the stack and
/// no list is made. Anything else gets the list, and `%`'s usual meaning.
fn percent_list(fmt: &Expr, items: &[Expr], span: Span) -> Eval {
    if let ExprKind::Const(Value::Str(text)) = &fmt.kind {
        if let Some(plan) = PercentPlan::new(text) {
            let items = operands(items);
            return Box::new(move |me, f| {
                let args = values(&items, me, f, SmallVec::<[Value; 8]>::new())?;
                let r = ops::percent_planned(&plan, &args, me.sizes().string);
                me.locate(r, f, span)
            });
        }
    }
    let (fmt, items) = (Operand::new(fmt), operands(items));
    Box::new(move |me, f| {
        let fmt = fmt.get(me, f)?;
        let args = values(&items, me, f, SmallVec::<[Value; 8]>::new())?;
        match &fmt {
            Value::Str(s) => {
                let r = ops::percent(s, PercentRhs::Items(&args), me.sizes().string);
                me.locate(r, f, span)
            }
            _ => apply_slow(me, f, BinOp::Mod, fmt, Value::list(args.into_vec()), span),
        }
    })
}

/// `a op b`, with the operator's int and float fast paths chosen here, so
/// that each operator's closure has its own inlined copy.
fn binary(op: BinOp, a: Operand, b: Operand, span: Span) -> Eval {
    use ops::float_fast;
    match op {
        BinOp::Add => arith(op, a, b, span, i64::checked_add, |x, y| {
            float_fast(BinOp::Add, x, y)
        }),
        BinOp::Sub => arith(op, a, b, span, i64::checked_sub, |x, y| {
            float_fast(BinOp::Sub, x, y)
        }),
        BinOp::Mul => arith(op, a, b, span, i64::checked_mul, |x, y| {
            float_fast(BinOp::Mul, x, y)
        }),
        BinOp::Div => arith(
            op,
            a,
            b,
            span,
            |_, _| None,
            |x, y| float_fast(BinOp::Div, x, y),
        ),
        BinOp::Mod => arith(op, a, b, span, ops::int_mod, |_, _| None),
        BinOp::FloorDiv => arith(op, a, b, span, ops::int_floor_div, |_, _| None),
        BinOp::Pow => arith(op, a, b, span, |_, _| None, |_, _| None),
    }
}

/// When both operands are variables or literals, ints are read in place;
/// two ints, or floats mixed with ints, are computed inline.
fn arith<F, G>(op: BinOp, a: Operand, b: Operand, span: Span, int: F, float: G) -> Eval
where
    F: Fn(i64, i64) -> Option<i64> + Copy + Send + Sync + 'static,
    G: Fn(f64, f64) -> Option<f64> + Copy + Send + Sync + 'static,
{
    let peekable = a.peekable() && b.peekable();
    Box::new(move |me, f| {
        if peekable {
            if let (Some(x), Some(y)) = (a.peek_int(me, f), b.peek_int(me, f)) {
                if let Some(v) = int(x, y) {
                    return Ok(Value::Int(v));
                }
            }
        }
        let x = a.get(me, f)?;
        let y = b.get(me, f)?;
        let v = match (&x, &y) {
            (Value::Int(i), Value::Int(j)) => match int(*i, *j) {
                Some(v) => Some(Value::Int(v)),
                // Two ints divide into a float, as `Interp::binary` has it.
                None if op == BinOp::Div => float(*i as f64, *j as f64).map(Value::float),
                None => None,
            },
            _ => ops::float_pair(&x, &y)
                .and_then(|(x, y)| float(x, y))
                .map(Value::float),
        };
        match v {
            Some(v) => {
                // Numbers: nothing to free, and no call to find that out.
                x.discard();
                y.discard();
                Ok(v)
            }
            None => apply_slow(me, f, op, x, y, span),
        }
    })
}

/// `x op y` on values, with errors placed at `span`: two numbers with a
/// plain result inline, anything else out of line.
#[inline(always)]
pub(crate) fn apply(
    me: &mut Interp,
    f: &Frame,
    op: BinOp,
    x: Value,
    y: Value,
    span: Span,
) -> Outcome {
    match ops::number_fast(op, &x, &y) {
        Some(v) => {
            x.discard();
            y.discard();
            Ok(v)
        }
        None => apply_slow(me, f, op, x, y, span),
    }
}

#[cold]
#[inline(never)]
fn apply_slow(me: &mut Interp, f: &Frame, op: BinOp, x: Value, y: Value, span: Span) -> Outcome {
    let r = me.binary(op, x, y);
    me.locate(r, f, span)
}
