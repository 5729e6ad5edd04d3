//! The syntax tree the parser builds and the resolver annotates.
//!
//! Every node carries a byte [`Span`] into its source. Variable references start
//! out [`Slot::Unresolved`]; the resolver fills in where each one lives before
//! anything runs, so the evaluator never looks a name up by string.

use std::sync::Arc;

use crate::diagnostic::SourceFile;
use crate::value::Value;

/// A byte range of the source, half open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

pub type Name = crate::value::RcStr;

/// Where a variable lives at run time, as decided by the resolver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Unresolved,
    /// A slot of the current call frame (it may hold a shared cell).
    Local(u32),
    /// A cell the enclosing closure captured.
    Upvalue(u32),
    /// An entry of the engine's builtin table.
    Builtin(u32),
}

/// A use or declaration of a variable.
#[derive(Clone, Debug)]
pub struct Var {
    pub name: Name,
    pub span: Span,
    pub slot: Slot,
}

impl Var {
    pub fn new(name: &str, span: Span) -> Var {
        Var {
            name: name.into(),
            span,
            slot: Slot::Unresolved,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// Takes the node's kind out, leaving `nil` (an `Expr` cannot be taken
    /// apart by moving: it has a `Drop`).
    pub fn take_kind(&mut self) -> ExprKind {
        std::mem::replace(&mut self.kind, ExprKind::Const(Value::Nil))
    }

    /// Moves the node's children, if any, onto `out`.
    fn take_children(&mut self, out: &mut Vec<Expr>) {
        match self.take_kind() {
            ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::Func(_) => {}
            ExprKind::List(items) => out.extend(items),
            ExprKind::Map(entries) => out.extend(entries.into_iter().flat_map(|(k, v)| [k, v])),
            ExprKind::Neg(a) | ExprKind::Not(a) | ExprKind::Field(a, _) => out.push(*a),
            ExprKind::Binary(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Index(a, b) => out.extend([*a, *b]),
            ExprKind::Compare(first, rest) => {
                out.push(*first);
                out.extend(rest.into_iter().map(|(_, e)| e));
            }
            ExprKind::Call(f, args) | ExprKind::Method(f, _, args) => {
                out.push(*f);
                out.extend(args.into_iter().map(|a| a.value));
            }
            ExprKind::Slice(a, parts) => {
                out.push(*a);
                out.extend(parts.into_iter().flatten().map(|p| *p));
            }
        }
    }
}

/// A long chain (`1 + 1 + ... + 1`, `f()()()...`) is a tree as deep as the
/// chain is long, and dropping it recursively would overflow the stack: the
/// children are dropped from a list instead. (The resolver rejects such a
/// tree; it must still be freed, on whatever stack parsed it.)
impl Drop for Expr {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        self.take_children(&mut pending);
        while let Some(mut e) = pending.pop() {
            e.take_children(&mut pending);
        }
    }
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A literal, already made into a value.
    Const(Value),
    Var(Var),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `a < b <= c` chains as in Python.
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    Call(Box<Expr>, Vec<Arg>),
    /// `recv.name(args)`: a function field of a map, or a builtin method.
    Method(Box<Expr>, Name, Vec<Arg>),
    Index(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, [Option<Box<Expr>>; 3]),
    Field(Box<Expr>, Name),
    Func(Arc<FnDef>),
}

/// A call argument, positional or `name=value`.
#[derive(Clone, Debug)]
pub struct Arg {
    pub name: Option<Name>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub var: Var,
    pub default: Option<Expr>,
}

/// A function literal or declaration.
#[derive(Clone, Debug)]
pub struct FnDef {
    pub name: Name,
    pub params: Vec<Param>,
    pub body: Block,
    pub span: Span,
    /// Frame size, set by the resolver.
    pub n_slots: u32,
    /// What the closure captures from the frame that creates it.
    pub captures: Vec<Capture>,
    pub source: Arc<SourceFile>,
}

/// One captured cell: a slot of the creating frame, or one of its upvalues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    Local(u32),
    Upvalue(u32),
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// Slots declared in this block that closures capture: each entry into the
    /// block gives them fresh shared cells (set by the resolver).
    pub cells: Vec<CellSlot>,
    /// Indices of `fn` declarations, bound on entry so the whole block sees them.
    pub hoisted: Vec<usize>,
}

/// A captured variable's slot, and whether it is ever assigned after its
/// declaration: a variable set once lives in a cell read without a lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellSlot {
    pub slot: u32,
    pub fixed: bool,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Update(BinOp),
}

#[derive(Clone, Debug)]
pub enum Target {
    Var(Var),
    Index(Expr, Expr),
    Field(Expr, Name),
}

#[derive(Clone, Debug)]
pub struct Catch {
    /// `catch Kind ...`: only errors of that kind.
    pub kind: Option<Name>,
    pub var: Option<Var>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    Expr(Expr),
    Let(Var, Expr),
    Assign(Target, AssignOp, Expr),
    Fn(Var, Arc<FnDef>),
    If(Vec<(Expr, Block)>, Option<Block>),
    While(Expr, Block),
    For(Vec<Var>, Expr, Block),
    Break,
    Continue,
    Return(Option<Expr>),
    Throw(Expr),
    With(Expr, Option<Var>, Block),
    Try(Block, Vec<Catch>, Option<Block>),
    /// Where the parser recovered from a syntax error; never run.
    Invalid,
}

/// A parsed script: its top-level block runs as the body of a function.
#[derive(Clone, Debug)]
pub struct Program {
    pub body: Block,
    pub n_slots: u32,
    pub source: Arc<SourceFile>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deep_tree_drops_on_a_small_stack() {
        let leaf = || Expr {
            kind: ExprKind::Const(Value::Int(1)),
            span: Span::default(),
        };
        let deep = (0..1_000_000).fold(leaf(), |a, _| Expr {
            kind: ExprKind::Binary(BinOp::Add, Box::new(a), Box::new(leaf())),
            span: Span::default(),
        });
        // Dropped recursively, a million levels would need far more than 64 KB.
        std::thread::Builder::new()
            .stack_size(64 << 10)
            .spawn(move || drop(deep))
            .unwrap()
            .join()
            .unwrap();
    }
}
