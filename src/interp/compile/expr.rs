//! Compiling expressions, conditions and calls.

use std::borrow::Cow;
use std::sync::Arc;

use crate::ast::{Arg, BinOp, Capture, CmpOp, Expr, ExprKind, FnDef, Name, Slot, Span, Var};
use crate::value::{Closure, Entries, Value, VarCell};

use super::super::ops::{self, int_compare};
use super::super::{make_key, Args, Frame, Interp, Outcome, Unwind};
use super::field::FieldSite;
use super::{Eval, Function, Test};

/// An operand, with the commonest leaves (a plain local, a literal) read in
/// place rather than through a closure call.
pub(crate) enum Operand {
    Local(usize, Var),
    Upvalue(usize, Var),
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
        match var.slot {
            Slot::Local(i) => Operand::Local(i as usize, var.clone()),
            Slot::Upvalue(i) => Operand::Upvalue(i as usize, var.clone()),
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
            Operand::Const(v) => Ok(copy(v)),
            Operand::Eval(e) => e(me, f),
        }
    }

    /// The operand's value, borrowed when it is a variable captured and
    /// never reassigned (a record's `self`, a shared function): reading it
    /// then touches no reference count other threads may be bouncing.
    #[inline(always)]
    pub fn get_ref<'f>(&self, me: &mut Interp, f: &Frame<'f>) -> Result<Cow<'f, Value>, Unwind> {
        if let Operand::Upvalue(i, _) = self {
            if let Some(v) = f.up[*i].get_fixed() {
                return Ok(Cow::Borrowed(v));
            }
        }
        self.get(me, f).map(Cow::Owned)
    }

    /// The operand's value, borrowed in place when it is a plain local, a
    /// captured variable never reassigned, or a literal: reading a record
    /// through it then touches no reference count.
    #[inline(always)]
    pub fn peek<'a>(&'a self, me: &'a Interp, f: &Frame<'a>) -> Option<&'a Value> {
        match self {
            Operand::Local(i, _) => match &me.stack[f.base + i] {
                Value::Cell(_) | Value::Uninit => None,
                v => Some(v),
            },
            Operand::Upvalue(i, _) => f.up[*i].get_fixed(),
            Operand::Const(v) => Some(v),
            Operand::Eval(_) => None,
        }
    }

    /// Whether the operand is read in place (see [`Operand::peek`]).
    fn peekable(&self) -> bool {
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

/// A value's clone, with ints (the commonest operands) copied inline rather
/// than through `Value::clone`, which the compiler keeps out of line.
#[inline(always)]
fn copy(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Int(*i),
        other => other.clone(),
    }
}

pub(crate) fn compile(e: &Expr) -> Eval {
    let span = e.span;
    match &e.kind {
        ExprKind::Const(v) => {
            let v = v.clone();
            Box::new(move |_, _| Ok(v.clone()))
        }
        ExprKind::Var(var) => {
            let var = var.clone();
            Box::new(move |me, f| me.load_var(&var, f))
        }
        ExprKind::List(items) => {
            let items: Box<[Operand]> = items.iter().map(Operand::new).collect();
            Box::new(move |me, f| {
                let mut list = Vec::with_capacity(items.len());
                for i in items.iter() {
                    list.push(i.get(me, f)?);
                }
                Ok(Value::list(list))
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
            Box::new(move |me, f| Ok(Value::Bool(!t(me, f)?)))
        }
        ExprKind::Binary(op, a, b) => binary(*op, Operand::new(a), Operand::new(b), span),
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
            Box::new(move |me, f| t(me, f).map(Value::Bool))
        }
        ExprKind::Call(callee, args) => call(callee, args, span),
        ExprKind::Method(recv, name, args) => super::method::compile(recv, name, args, span),
        ExprKind::Index(a, i) => {
            let (a, i) = (Operand::new(a), Operand::new(i));
            Box::new(move |me, f| {
                // A container in a variable is indexed in place, without a
                // reference count: it can't change while the index is evaluated.
                if a.peek(me, f).is_some() {
                    let i = i.get(me, f)?;
                    let r = match a.peek(me, f) {
                        Some(a) => me.index(a, &i),
                        None => {
                            let a = a.get(me, f)?;
                            me.index(&a, &i)
                        }
                    };
                    return me.locate(r, f, span);
                }
                let a = a.get_ref(me, f)?;
                let i = i.get(me, f)?;
                me.locate(me.index(&a, &i), f, span)
            })
        }
        ExprKind::Slice(a, parts) => slice(a, parts, span),
        ExprKind::Field(a, name) => {
            let (a, site) = (Operand::new(a), FieldSite::new(name));
            Box::new(move |me, f| {
                if let Some(Value::Map(m)) = a.peek(me, f) {
                    if let Some(v) = site.get(&m.lock()) {
                        return Ok(v);
                    }
                }
                let a = a.get_ref(me, f)?;
                let r = read_field(me, &a, &site);
                me.locate(r, f, span)
            })
        }
        ExprKind::Func(def) => {
            let make = MakeFn::new(def);
            Box::new(move |me, f| make.make(me, f))
        }
    }
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

/// `a op b`, with the operator chosen here and a fast path for two ints
/// whose result is a plain int.
fn binary(op: BinOp, a: Operand, b: Operand, span: Span) -> Eval {
    match op {
        BinOp::Add => arith(op, a, b, span, i64::checked_add),
        BinOp::Sub => arith(op, a, b, span, i64::checked_sub),
        BinOp::Mul => arith(op, a, b, span, i64::checked_mul),
        BinOp::Mod => arith(op, a, b, span, ops::int_mod),
        BinOp::FloorDiv => arith(op, a, b, span, ops::int_floor_div),
        BinOp::Div | BinOp::Pow => arith(op, a, b, span, |_, _| None),
    }
}

fn arith<F>(op: BinOp, a: Operand, b: Operand, span: Span, fast: F) -> Eval
where
    F: Fn(i64, i64) -> Option<i64> + Copy + Send + Sync + 'static,
{
    // When both operands are variables or literals, ints are read in place.
    let peekable = a.peekable() && b.peekable();
    Box::new(move |me, f| {
        if peekable {
            if let (Some(x), Some(y)) = (a.peek_int(me, f), b.peek_int(me, f)) {
                if let Some(v) = fast(x, y) {
                    return Ok(Value::Int(v));
                }
            }
        }
        let x = a.get(me, f)?;
        let y = b.get(me, f)?;
        if let (Value::Int(x), Value::Int(y)) = (&x, &y) {
            if let Some(v) = fast(*x, *y) {
                return Ok(Value::Int(v));
            }
        }
        binary_slow(me, f, op, x, y, span)
    })
}

/// Any operands but two ints with a plain int result.
#[cold]
#[inline(never)]
fn binary_slow(me: &mut Interp, f: &Frame, op: BinOp, x: Value, y: Value, span: Span) -> Outcome {
    let r = me.binary(op, x, y);
    me.locate(r, f, span)
}

/// Compiles an expression whose value is only tested for truth: conditions
/// of `if` and `while`, and the operands of `not`, `and` and `or` there.
pub(crate) fn test(e: &Expr) -> Test {
    match &e.kind {
        ExprKind::Compare(first, rest) => match &rest[..] {
            [(op, right)] => compare(*op, Operand::new(first), Operand::new(right), e.span),
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
                Cond::compare(*op, Operand::new(first), Operand::new(right), e.span)
            }
            _ => Cond::Test(test(e)),
        }
    }

    /// `a op b`; `in` and `not in` are never int comparisons.
    fn compare(op: CmpOp, a: Operand, b: Operand, span: Span) -> Cond {
        match op {
            CmpOp::In | CmpOp::NotIn => Cond::Test(Box::new(move |me, f| {
                let (x, y) = (a.get(me, f)?, b.get(me, f)?);
                compare_slow(me, f, op, &x, &y, span)
            })),
            _ => Cond::Compare(op, a, b, span),
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

/// `a op b`, with a fast path for two ints.
fn compare(op: CmpOp, a: Operand, b: Operand, span: Span) -> Test {
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
    #[inline]
    pub fn call(&self, me: &mut Interp, callee: &Value, f: &Frame) -> Result<Outcome, Unwind> {
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
                Ok(me.call_closure_at(c, base, None, f.rt))
            }
            Value::Native(n) if self.positional && self.items.len() == 1 => match n.unary {
                Some(unary) => {
                    let v = self.items[0].1.get(me, f)?;
                    Ok(unary(me, v))
                }
                None => self.call_with_list(me, callee, f),
            },
            _ => self.call_with_list(me, callee, f),
        }
    }

    /// Calls with the arguments gathered into an argument list.
    fn call_with_list(
        &self,
        me: &mut Interp,
        callee: &Value,
        f: &Frame,
    ) -> Result<Outcome, Unwind> {
        let args = self.values(me, f)?;
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
fn call(callee: &Expr, args: &[Arg], span: Span) -> Eval {
    let args = ArgList::new(args);
    let slot = match &callee.kind {
        ExprKind::Var(var) => var.slot,
        _ => Slot::Unresolved,
    };
    match slot {
        Slot::Builtin(i) => Box::new(move |me, f| {
            let r = args.call(me, &f.rt.builtins[i as usize], f)?;
            me.at_call(r, f, span)
        }),
        Slot::Upvalue(i) => {
            let callee = compile(callee);
            Box::new(move |me, f| {
                let r = match f.up[i as usize].get_fixed() {
                    Some(c) => args.call(me, c, f)?,
                    None => {
                        let c = callee(me, f)?;
                        args.call(me, &c, f)?
                    }
                };
                me.at_call(r, f, span)
            })
        }
        _ => {
            let callee = Operand::new(callee);
            Box::new(move |me, f| {
                let c = callee.get(me, f)?;
                let r = args.call(me, &c, f)?;
                me.at_call(r, f, span)
            })
        }
    }
}

/// `recv.name`: a record's field found through the site's cache, else any
/// other field or bound method.
#[inline]
pub(crate) fn read_field(me: &mut Interp, recv: &Value, site: &FieldSite) -> Outcome {
    if let Value::Map(m) = recv {
        if let Some(v) = site.get(&m.lock()) {
            return Ok(v);
        }
    }
    me.field(recv, &site.name)
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
        Ok(Value::Func(Arc::new(Closure {
            func: self.func.clone(),
            upvalues,
            defaults: defaults.into(),
        })))
    }
}

/// The cell in a stack slot, making one if the slot holds a plain value.
fn cell_of(me: &mut Interp, index: usize) -> Arc<VarCell> {
    let slot = &mut me.stack[index];
    if let Value::Cell(c) = slot {
        return c.clone();
    }
    let cell = VarCell::new(std::mem::take(slot), false);
    *slot = Value::Cell(cell.clone());
    cell
}
