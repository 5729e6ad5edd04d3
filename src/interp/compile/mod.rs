//! Compiles the resolved syntax tree into closures, once, before it runs.
//!
//! Each node becomes a boxed closure that does its own job and calls its
//! children's closures directly. Decisions a tree walker would make at every
//! visit are made here once: which kind of node it is, whether an operand is
//! a plain local or a literal, which operator to apply, where a callee lives.
//! The closures share the runtime helpers of the other `interp` modules
//! (operators, calls, fields, iteration) for everything but the fast paths.

mod calls;
mod cond;
mod expr;
mod field;
mod method;
mod operand;
mod stmt;

pub(crate) use field::forget_unused_names;
pub use field::interned_names;

use std::sync::Arc;

use crate::ast::{Block, CellSlot, FnDef, Program, StmtKind, Var};
use crate::value::{Value, VarCell};

use super::{Frame, Interp, Outcome, Unwind};

type Done = Result<(), Unwind>;
/// A compiled expression.
pub(crate) type Eval = Box<dyn Fn(&mut Interp, &Frame) -> Outcome + Send + Sync>;
/// A compiled statement.
pub(crate) type Exec = Box<dyn Fn(&mut Interp, &Frame) -> Done + Send + Sync>;
/// A compiled condition: an expression only ever asked whether it is true.
pub(crate) type Test = Box<dyn Fn(&mut Interp, &Frame) -> Result<bool, Unwind> + Send + Sync>;

/// A function's compiled body, shared by every closure made from it.
pub struct Function {
    pub def: Arc<FnDef>,
    body: Body,
}

impl Function {
    fn new(def: &Arc<FnDef>) -> Arc<Function> {
        let _race = crate::race::compiling_function(&def.source, &def.name);
        Arc::new(Function {
            def: def.clone(),
            body: Body::new(&def.body),
        })
    }

    /// Runs the body in `frame`, whose parameters are bound.
    #[inline]
    pub(crate) fn run(&self, me: &mut Interp, frame: &Frame) -> Outcome {
        self.body.run(me, frame)
    }
}

/// A compiled program, ready to run as the body of the outermost frame.
pub(crate) struct CompiledProgram {
    pub body: Body,
}

impl CompiledProgram {
    pub fn new(program: &Program) -> CompiledProgram {
        CompiledProgram {
            body: Body::new(&program.body),
        }
    }
}

/// A block run as a function body: its value is that of a final expression
/// statement, as in Rust.
pub(crate) struct Body {
    block: BlockCode,
    tail: Option<Tail>,
}

/// The expression giving a body its value: a final expression statement,
/// or a final `return`, which (as a statement) is a preemption point.
struct Tail {
    value: Eval,
    statement: bool,
}

impl Body {
    fn new(block: &Block) -> Body {
        let tail = match block.stmts.last().map(|s| &s.kind) {
            Some(StmtKind::Expr(e)) => Some(Tail {
                value: crate::race::probe::placed(e.span, expr::compile(e)),
                statement: false,
            }),
            // A final `return e` is the body's value, with no unwinding.
            Some(StmtKind::Return(Some(e))) => Some(Tail {
                value: crate::race::probe::placed(e.span, expr::compile(e)),
                statement: true,
            }),
            _ => None,
        };
        let run = block.stmts.len() - tail.is_some() as usize;
        Body {
            block: BlockCode::new(block, run),
            tail,
        }
    }

    #[inline]
    pub fn run(&self, me: &mut Interp, f: &Frame) -> Outcome {
        self.block.run(me, f)?;
        match &self.tail {
            Some(tail) => {
                if tail.statement {
                    me.preemption_point();
                }
                (tail.value)(me, f)
            }
            None => Ok(Value::Nil),
        }
    }
}

/// A block's statements, with what entering it sets up: fresh cells for its
/// captured variables and its `fn` declarations bound (hoisted).
pub(crate) struct BlockCode {
    cells: Box<[CellSlot]>,
    hoisted: Box<[(Var, calls::MakeFn)]>,
    stmts: Box<[Exec]>,
}

impl BlockCode {
    /// Compiles the first `n` statements of `block`.
    fn new(block: &Block, n: usize) -> BlockCode {
        let hoisted = block
            .hoisted
            .iter()
            .filter_map(|&i| match &block.stmts[i].kind {
                StmtKind::Fn(var, def) => Some((var.clone(), calls::MakeFn::new(def))),
                _ => None,
            })
            .collect();
        BlockCode {
            cells: block.cells.clone().into(),
            hoisted,
            stmts: block.stmts[..n]
                .iter()
                .map(|s| crate::race::probe::placed(s.span, stmt::compile(s)))
                .collect(),
        }
    }

    fn whole(block: &Block) -> BlockCode {
        BlockCode::new(block, block.stmts.len())
    }

    /// Enters the block and runs it.
    pub fn run(&self, me: &mut Interp, f: &Frame) -> Done {
        self.enter(me, f)?;
        self.run_entered(me, f)
    }

    /// Runs the statements of a block already entered.
    #[inline]
    fn run_entered(&self, me: &mut Interp, f: &Frame) -> Done {
        for s in self.stmts.iter() {
            me.preemption_point();
            s(me, f)?;
        }
        Ok(())
    }

    #[inline]
    fn enter(&self, me: &mut Interp, f: &Frame) -> Done {
        if self.cells.is_empty() && self.hoisted.is_empty() {
            return Ok(());
        }
        self.enter_slow(me, f)
    }

    /// Gives the block's captured variables fresh cells (keeping a value
    /// already bound, such as a parameter) and binds its `fn` declarations.
    fn enter_slow(&self, me: &mut Interp, f: &Frame) -> Done {
        for cell in self.cells.iter() {
            let v = &mut me.stack[f.base + cell.slot as usize];
            let initial = match std::mem::take(v) {
                Value::Cell(_) | Value::Uninit => Value::Uninit,
                bound => bound,
            };
            *v = Value::Cell(VarCell::new(initial, cell.fixed));
        }
        for (var, make) in self.hoisted.iter() {
            let closure = make.make(me, f)?;
            me.store_var(var, closure, f);
        }
        Ok(())
    }
}
