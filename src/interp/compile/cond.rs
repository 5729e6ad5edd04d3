//! Conditions: expressions only asked whether they are true, and comparisons.

use crate::ast::{CmpOp, Expr, ExprKind, Span};
use crate::value::Value;

use super::super::ops::int_compare;
use super::super::{Frame, Interp, Unwind};
use super::operand::Operand;
use super::Test;
use crate::race::probe::{probed, Probe, SiteLabel};

/// Compiles an expression whose value is only tested for truth: conditions
/// of `if` and `while`, and the operands of `not`, `and` and `or` there.
pub(crate) fn test(e: &Expr) -> Test {
    match &e.kind {
        ExprKind::Compare(first, rest) => match &rest[..] {
            [(op, right)] => compare(*op, first, right, e.span),
            _ => chain(first, rest, e.span),
        },
        ExprKind::Not(a) => {
            let t = test(a);
            Box::new(move |me, f| Ok(!t(me, f)?))
        }
        ExprKind::And(a, b) => {
            let (a, b) = (test(a), test(b));
            Box::new(move |me, f| Ok(a(me, f)? && b(me, f)?))
        }
        ExprKind::Or(a, b) => {
            let (a, b) = (test(a), test(b));
            Box::new(move |me, f| Ok(a(me, f)? || b(me, f)?))
        }
        _ => {
            let v = Operand::new(e);
            Box::new(move |me, f| Ok(v.get(me, f)?.truthy()))
        }
    }
}

/// The condition of an `if` or `while`. The commonest, a comparison of two
/// variables or literals, is checked in place rather than through a closure.
pub(crate) enum Cond {
    Compare(CmpOp, Operand, Operand, Span),
    Test(Test),
}

impl Cond {
    pub fn new(e: &Expr) -> Cond {
        match &e.kind {
            ExprKind::Compare(first, rest) if rest.len() == 1 => {
                let (op, right) = &rest[0];
                Cond::compare(*op, first, right, e.span)
            }
            _ => Cond::Test(test(e)),
        }
    }

    /// `a op b`; `in` and `not in` are never int comparisons.
    fn compare(op: CmpOp, a: &Expr, b: &Expr, span: Span) -> Cond {
        match op {
            CmpOp::In | CmpOp::NotIn => {
                let label = SiteLabel::Text(b.span);
                Cond::Test(probed!(span, label, |p| membership(op, a, b, span, p)))
            }
            _ => Cond::Compare(op, Operand::new(a), Operand::new(b), span),
        }
    }

    #[inline(always)]
    pub fn check(&self, me: &mut Interp, f: &Frame) -> Result<bool, Unwind> {
        match self {
            Cond::Compare(op, a, b, span) => {
                if let (Some(x), Some(y)) = (a.peek_int(me, f), b.peek_int(me, f)) {
                    return Ok(int_compare(*op, x, y));
                }
                let (x, y) = (a.get(me, f)?, b.get(me, f)?);
                match (&x, &y) {
                    (Value::Int(x), Value::Int(y)) => Ok(int_compare(*op, *x, *y)),
                    _ => compare_slow(me, f, *op, &x, &y, *span),
                }
            }
            Cond::Test(t) => t(me, f),
        }
    }
}

/// `a in b` or `a not in b`.
fn membership<P: Probe>(op: CmpOp, a: &Expr, b: &Expr, span: Span, p: P) -> Test {
    let (a, b) = (Operand::new(a), Operand::new(b));
    Box::new(move |me, f| {
        let (x, y) = (a.get(me, f)?, b.get(me, f)?);
        let _race = p.contains(&y, &x);
        compare_slow(me, f, op, &x, &y, span)
    })
}

/// `a op b`, with a fast path for two ints.
fn compare(op: CmpOp, a: &Expr, b: &Expr, span: Span) -> Test {
    let cond = Cond::compare(op, a, b, span);
    Box::new(move |me, f| cond.check(me, f))
}

/// A comparison of anything but two ints.
#[cold]
#[inline(never)]
fn compare_slow(
    me: &mut Interp,
    f: &Frame,
    op: CmpOp,
    x: &Value,
    y: &Value,
    span: Span,
) -> Result<bool, Unwind> {
    let r = me.compare(op, x, y);
    me.locate(r, f, span)
}

/// `a < b <= c`: each operand evaluated once, stopping at the first false.
fn chain(first: &Expr, rest: &[(CmpOp, Expr)], span: Span) -> Test {
    let first = Operand::new(first);
    let rest: Box<[(CmpOp, Operand)]> = rest.iter().map(|(op, e)| (*op, Operand::new(e))).collect();
    Box::new(move |me, f| {
        let mut left = first.get(me, f)?;
        for (op, right) in rest.iter() {
            let right = right.get(me, f)?;
            let r = match (&left, &right) {
                (Value::Int(x), Value::Int(y)) if !matches!(op, CmpOp::In | CmpOp::NotIn) => {
                    Ok(int_compare(*op, *x, *y))
                }
                _ => me.compare(*op, &left, &right),
            };
            if !me.locate(r, f, span)? {
                return Ok(false);
            }
            left = right;
        }
        Ok(true)
    })
}
