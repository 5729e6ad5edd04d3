//! Running statements and blocks.

use crate::ast::{AssignOp, Block, Catch, Stmt, StmtKind, Target};
use crate::value::{Value, VarCell};

use super::{error, Frame, Interp, Outcome, Thrown, Unwind};

type Done = Result<(), Unwind>;

impl Interp {
    /// Runs a block in its own scope.
    pub(crate) fn exec_block(&mut self, block: &Block, f: &Frame) -> Done {
        self.enter_block(block, f)?;
        for stmt in &block.stmts {
            self.exec(stmt, f)?;
        }
        Ok(())
    }

    /// Runs a function body: its value is that of a final expression statement.
    pub(crate) fn exec_body(&mut self, block: &Block, f: &Frame) -> Outcome {
        self.enter_block(block, f)?;
        let Some((last, init)) = block.stmts.split_last() else {
            return Ok(Value::Nil);
        };
        for stmt in init {
            self.exec(stmt, f)?;
        }
        match &last.kind {
            StmtKind::Expr(e) => self.eval(e, f),
            _ => self.exec(last, f).map(|()| Value::Nil),
        }
    }

    /// Gives the block's captured variables fresh cells (keeping a value
    /// already bound, such as a parameter) and binds its `fn` declarations.
    #[inline]
    pub(crate) fn enter_block(&mut self, block: &Block, f: &Frame) -> Done {
        if block.cells.is_empty() && block.hoisted.is_empty() {
            return Ok(());
        }
        self.enter_block_slow(block, f)
    }

    fn enter_block_slow(&mut self, block: &Block, f: &Frame) -> Done {
        for cell in &block.cells {
            let v = &mut self.stack[f.base + cell.slot as usize];
            let initial = match std::mem::take(v) {
                Value::Cell(_) | Value::Uninit => Value::Uninit,
                bound => bound,
            };
            *v = Value::Cell(VarCell::new(initial, cell.fixed));
        }
        for &i in &block.hoisted {
            if let StmtKind::Fn(var, def) = &block.stmts[i].kind {
                let closure = self.make_closure(def, f)?;
                self.store_var(var, closure, f);
            }
        }
        Ok(())
    }

    pub(crate) fn exec(&mut self, stmt: &Stmt, f: &Frame) -> Done {
        self.preemption_point();
        match &stmt.kind {
            StmtKind::Expr(e) => self.eval(e, f).map(drop),
            StmtKind::Let(var, e) => {
                let v = self.eval(e, f)?;
                self.store_var(var, v, f);
                Ok(())
            }
            StmtKind::Assign(target, op, e) => self.assign(target, *op, e, f),
            StmtKind::Fn(..) => Ok(()),
            StmtKind::If(arms, els) => {
                for (cond, body) in arms {
                    if self.operand(cond, f)?.truthy() {
                        return self.exec_block(body, f);
                    }
                }
                match els {
                    Some(body) => self.exec_block(body, f),
                    None => Ok(()),
                }
            }
            StmtKind::While(cond, body) => {
                while self.operand(cond, f)?.truthy() {
                    let ticked = self.tick();
                    self.locate(ticked, f, stmt.span)?;
                    match self.exec_block(body, f) {
                        Err(Unwind::Break) => break,
                        Err(Unwind::Continue) | Ok(()) => {}
                        Err(other) => return Err(other),
                    }
                }
                Ok(())
            }
            StmtKind::For(vars, iter, body) => {
                let items = self.eval(iter, f)?;
                let r = self.for_each(&items, |me, item| {
                    me.tick()?;
                    me.enter_block(body, f)?;
                    me.bind_loop_vars(vars, item, f)?;
                    match body.stmts.iter().try_for_each(|s| me.exec(s, f)) {
                        Err(Unwind::Break) => Ok(false),
                        Err(Unwind::Continue) | Ok(()) => Ok(true),
                        Err(other) => Err(other),
                    }
                });
                self.locate(r, f, iter.span)
            }
            StmtKind::Break => Err(Unwind::Break),
            StmtKind::Continue => Err(Unwind::Continue),
            StmtKind::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e, f)?,
                    None => Value::Nil,
                };
                Err(Unwind::Return(v))
            }
            StmtKind::Throw(e) => {
                let v = self.eval(e, f)?;
                let r = Err(self.thrown_value(v));
                self.locate(r, f, stmt.span)
            }
            StmtKind::With(e, var, body) => self.exec_with(e, var.as_ref(), body, f),
            StmtKind::Try(body, catches, finally) => {
                let r = self.exec_block(body, f);
                let r = match r {
                    Err(Unwind::Error(t)) => self.catch(t, catches, f),
                    other => other,
                };
                match finally {
                    Some(fin) => self.exec_block(fin, f).and(r),
                    None => r,
                }
            }
            StmtKind::Invalid => unreachable!("programs with syntax errors never run"),
        }
    }

    /// Binds `for x in ...` or unpacks `for k, v in ...`.
    fn bind_loop_vars(&mut self, vars: &[crate::ast::Var], item: Value, f: &Frame) -> Done {
        if let [var] = vars {
            self.store_var(var, item, f);
            return Ok(());
        }
        let parts = match &item {
            Value::List(l) => l.lock().clone(),
            other => {
                return super::throw(
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
            return super::throw(
                "ValueError",
                format!(
                    "expected {} values to unpack, got {}",
                    vars.len(),
                    parts.len()
                ),
            );
        }
        for (var, v) in vars.iter().zip(parts) {
            self.store_var(var, v, f);
        }
        Ok(())
    }

    /// The error that `throw v` raises.
    fn thrown_value(&self, v: Value) -> Unwind {
        match v {
            Value::Error(e) => {
                let (at, trace) = e.origin.get().cloned().unwrap_or_default();
                Unwind::Error(Box::new(Thrown {
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

    fn catch(&mut self, t: Box<Thrown>, catches: &[Catch], f: &Frame) -> Done {
        let matches = |c: &&Catch| match &c.kind {
            None => true,
            Some(k) => &**k == "Error" || **k == *t.error.kind,
        };
        let Some(c) = catches.iter().find(matches) else {
            return Err(Unwind::Error(t));
        };
        let _ = t.error.origin.set((t.at.clone(), t.trace.clone()));
        self.enter_block(&c.body, f)?;
        if let Some(var) = &c.var {
            self.store_var(var, Value::Error(t.error.clone()), f);
        }
        c.body.stmts.iter().try_for_each(|s| self.exec(s, f))
    }

    fn exec_with(
        &mut self,
        e: &crate::ast::Expr,
        var: Option<&crate::ast::Var>,
        body: &Block,
        f: &Frame,
    ) -> Done {
        let subject = self.eval(e, f)?;
        let entered = match &subject {
            Value::Object(o) => o.enter(self),
            _ => None,
        };
        let entered = entered.unwrap_or_else(|| {
            super::throw(
                "TypeError",
                format!(
                    "{} cannot be used in `with` (use a lock, rlock, condition or semaphore)",
                    subject.a_type()
                ),
            )
        });
        let acquired = self.locate(entered, f, e.span)?;
        let Value::Object(obj) = &subject else {
            unreachable!("only objects can be entered")
        };
        self.enter_block(body, f)?;
        if let Some(var) = var {
            self.store_var(var, acquired, f);
        }
        let r = body.stmts.iter().try_for_each(|s| self.exec(s, f));
        let released = obj.exit(self);
        let released = self.locate(released, f, e.span);
        r.and(released.map(drop))
    }

    fn assign(&mut self, target: &Target, op: AssignOp, e: &crate::ast::Expr, f: &Frame) -> Done {
        match target {
            Target::Var(var) => {
                let v = self.new_value(op, e, f, var.span, |me| me.load_var(var, f))?;
                self.preemption_point();
                self.store_var(var, v, f);
                Ok(())
            }
            Target::Index(obj, index) => {
                let obj = self.eval(obj, f)?;
                let index = self.eval(index, f)?;
                let v = self.new_value(op, e, f, e.span, |me| me.index(&obj, &index))?;
                self.preemption_point();
                let r = self.set_index(&obj, index, v);
                self.locate(r, f, e.span)
            }
            Target::Field(obj, name) => {
                let obj = self.eval(obj, f)?;
                let v = self.new_value(op, e, f, e.span, |me| me.field(&obj, name))?;
                self.preemption_point();
                let r = self.set_field(&obj, name, v);
                self.locate(r, f, e.span)
            }
        }
    }

    /// The value an assignment stores: the right side, or for `x op= e` the
    /// old value (read by `old`) combined with it. Errors are placed at the
    /// target (`at`) and the right side.
    fn new_value(
        &mut self,
        op: AssignOp,
        e: &crate::ast::Expr,
        f: &Frame,
        at: crate::ast::Span,
        old: impl FnOnce(&mut Self) -> Outcome,
    ) -> Outcome {
        let AssignOp::Update(bin) = op else {
            return self.operand(e, f);
        };
        let span = e.span.to(at);
        let old = old(self);
        let old = self.locate(old, f, span)?;
        let rhs = self.operand(e, f)?;
        let r = self.binary(bin, old, rhs);
        self.locate(r, f, span)
    }
}
