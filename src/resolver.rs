//! The resolver: binds every variable to a frame slot, a captured cell or a
//! builtin before anything runs, and reports undeclared names (with the
//! nearest visible name, or Thr's word for another language's), misplaced
//! `break`/`return` and assignments to builtins.
//!
//! Each block is pre-scanned: its `fn` declarations are visible in the whole
//! block, and its `let`s get their slots up front, so a function body may use a
//! name declared later in an enclosing block. Code outside such bodies sees
//! names in lexical order: `let x = x + 1` reads the outer `x`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::*;
use crate::diagnostic::suggest::did_you_mean;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Other languages' names for Thr's constants.
const FOREIGN: &[(&str, &str)] = &[
    ("None", "nil"),
    ("null", "nil"),
    ("undefined", "nil"),
    ("True", "true"),
    ("False", "false"),
];

/// Resolves programs. It keeps the top-level scope between calls, so the
/// REPL's later entries see the earlier entries' declarations.
pub struct Resolver {
    builtins: HashMap<Name, u32>,
    /// The stack of functions being resolved; index 0 is the script itself.
    fns: Vec<FnCtx>,
    /// In the REPL every top-level variable lives in a cell, since a later
    /// entry may define a closure over it.
    all_globals_in_cells: bool,
    errors: Diagnostics,
    /// How deeply the expression being resolved is nested.
    nesting: usize,
    /// In the REPL: top-level slots kept for globals that a function body
    /// names before any entry declares them. The entry that declares one
    /// takes its slot, so the function sees it, as Python's globals are.
    pending: HashMap<Name, u32>,
    /// Whether too deep an expression was reported: once is enough, deeper
    /// parts of the same expression would say the same.
    too_deep_reported: bool,
}

/// The REPL's top-level names before an entry, restored if it fails.
struct Globals {
    names: HashMap<Name, u32>,
    later: HashMap<Name, Vec<u32>>,
    pending: HashMap<Name, u32>,
}

/// The deepest expression nesting accepted: the evaluator recurses once per
/// level, and this keeps it well inside a script thread's stack.
pub const MAX_NESTING: usize = 2000;

#[derive(Default)]
struct FnCtx {
    scopes: Vec<Scope>,
    n_slots: u32,
    captured: Vec<bool>,
    /// Slots assigned somewhere after their declaration.
    assigned: Vec<bool>,
    captures: Vec<Capture>,
    loops: u32,
}

#[derive(Default)]
struct Scope {
    /// Names declared so far in this block.
    names: HashMap<Name, u32>,
    /// Slots of `let`s further down this block, in order, not yet reached.
    later: HashMap<Name, Vec<u32>>,
    /// Every slot this block declares.
    slots: Vec<u32>,
}

impl FnCtx {
    fn new() -> FnCtx {
        FnCtx {
            scopes: vec![Scope::default()],
            ..FnCtx::default()
        }
    }

    fn alloc(&mut self) -> u32 {
        self.alloc_in(self.scopes.len() - 1)
    }

    /// A new slot declared by the scope at `depth` (0 is the outermost).
    fn alloc_in(&mut self, depth: usize) -> u32 {
        let slot = self.n_slots;
        self.n_slots += 1;
        self.captured.push(false);
        self.assigned.push(false);
        self.scopes[depth].slots.push(slot);
        slot
    }

    fn declare(&mut self, name: &Name) -> u32 {
        let slot = self.alloc();
        let scope = self.scopes.last_mut().expect("a scope is open");
        scope.names.insert(name.clone(), slot);
        slot
    }

    /// Finds `name` among the declarations seen so far, or, with `later`,
    /// among the `let`s not reached yet.
    fn find(&self, name: &str, later: bool) -> Option<u32> {
        self.scopes.iter().rev().find_map(|s| {
            if later {
                s.later.get(name).and_then(|v| v.first().copied())
            } else {
                s.names.get(name).copied()
            }
        })
    }
}

impl Resolver {
    /// `builtins` names the engine's builtin table, in order.
    pub fn new(builtins: &[Name], repl: bool) -> Resolver {
        Resolver {
            builtins: builtins
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i as u32))
                .collect(),
            fns: vec![FnCtx::new()],
            all_globals_in_cells: repl,
            errors: Diagnostics::default(),
            nesting: 0,
            pending: HashMap::new(),
            too_deep_reported: false,
        }
    }

    /// Resolves a program (or one REPL entry), setting every slot in place.
    /// A REPL entry that fails leaves the top-level names as they were.
    pub fn resolve(&mut self, program: &mut Program) -> Result<(), Diagnostics> {
        let saved = self.all_globals_in_cells.then(|| self.save_globals());
        let first_new_slot = self.fns[0].n_slots;
        self.prescan(&mut program.body);
        for stmt in &mut program.body.stmts {
            self.stmt(stmt);
        }
        let repl = self.all_globals_in_cells;
        let top = &mut self.fns[0];
        program.n_slots = top.n_slots;
        let scope = &top.scopes[0];
        program.body.cells = (first_new_slot..top.n_slots)
            .filter(|&s| top.captured[s as usize] && scope.slots.contains(&s))
            .map(|slot| CellSlot {
                slot,
                // A later REPL entry may assign any top-level variable.
                fixed: !repl && !top.assigned[slot as usize],
            })
            .collect();
        self.too_deep_reported = false;
        if self.errors.is_empty() {
            return Ok(());
        }
        if let Some(saved) = saved {
            self.restore_globals(saved);
        }
        // An assignment's value is resolved before its target.
        Err(std::mem::take(&mut self.errors).in_source_order())
    }

    /// The top-level names declared so far, with their slots.
    pub fn global_slots(&self) -> Vec<(Name, u32)> {
        let names = &self.fns[0].scopes[0].names;
        names.iter().map(|(n, &s)| (n.clone(), s)).collect()
    }

    /// Takes back the declaration of a REPL global whose `let` never ran (its
    /// entry failed first): the name is undeclared again, and its slot kept
    /// for the entry that declares it next, as for a late-bound global.
    pub fn undeclare(&mut self, name: &str) {
        if let Some(slot) = self.fns[0].scopes[0].names.remove(name) {
            self.pending.insert(name.into(), slot);
        }
    }

    /// The slot of REPL global `name`, declaring it if it is new.
    pub fn declare_global(&mut self, name: &str) -> u32 {
        let slot = self.global_slot(name);
        self.fns[0].scopes[0].names.insert(name.into(), slot);
        slot
    }

    fn save_globals(&self) -> Globals {
        let top = &self.fns[0].scopes[0];
        Globals {
            names: top.names.clone(),
            later: top.later.clone(),
            pending: self.pending.clone(),
        }
    }

    fn restore_globals(&mut self, saved: Globals) {
        let top = &mut self.fns[0].scopes[0];
        top.names = saved.names;
        top.later = saved.later;
        self.pending = saved.pending;
    }

    /// The slot a REPL entry's top-level declaration of `name` binds: the
    /// global's own if it has one (declaring it again rebinds it, so the
    /// functions using it see the new value), else a new one.
    fn global_slot(&mut self, name: &str) -> u32 {
        let top = &self.fns[0].scopes[0];
        let known = top.names.get(name).copied();
        let known = known.or_else(|| top.later.get(name).and_then(|v| v.first().copied()));
        if let Some(slot) = known.or_else(|| self.pending.remove(name)) {
            return slot;
        }
        let slot = self.fns[0].alloc_in(0);
        self.fns[0].captured[slot as usize] = true;
        slot
    }

    /// In the REPL, a name a function body uses before any entry declares
    /// it: a top-level slot kept for it, which the entry that declares the
    /// name takes. Elsewhere, `None`: the name is not declared.
    fn late_global(&mut self, name: &str) -> Option<u32> {
        if !self.all_globals_in_cells || self.fns.len() == 1 {
            return None;
        }
        if let Some(&slot) = self.pending.get(name) {
            return Some(slot);
        }
        let slot = self.fns[0].alloc_in(0);
        self.fns[0].captured[slot as usize] = true;
        self.pending.insert(name.into(), slot);
        Some(slot)
    }

    fn cur(&mut self) -> &mut FnCtx {
        self.fns
            .last_mut()
            .expect("the script context is never popped")
    }

    fn error(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    /// Declares the block's `fn`s and reserves slots for its `let`s.
    fn prescan(&mut self, block: &mut Block) {
        let repl_top =
            self.all_globals_in_cells && self.fns.len() == 1 && self.cur().scopes.len() == 1;
        for (i, stmt) in block.stmts.iter_mut().enumerate() {
            match &mut stmt.kind {
                StmtKind::Fn(var, _) if repl_top => {
                    var.slot = Slot::Local(self.declare_global(&var.name));
                    block.hoisted.push(i);
                }
                StmtKind::Fn(var, _) => {
                    var.slot = Slot::Local(self.cur().declare(&var.name));
                    block.hoisted.push(i);
                }
                StmtKind::Let(var, _) => {
                    let slot = if repl_top {
                        self.global_slot(&var.name)
                    } else {
                        self.cur().alloc()
                    };
                    var.slot = Slot::Local(slot);
                    let scope = self.cur().scopes.last_mut().expect("a scope is open");
                    let later = scope.later.entry(var.name.clone()).or_default();
                    if !later.contains(&slot) {
                        later.push(slot);
                    }
                }
                _ => {}
            }
        }
    }

    /// Resolves a block in a new scope whose first names are `vars` (loop
    /// variables, parameters, `as` and `catch` bindings).
    fn block(&mut self, block: &mut Block, vars: &mut [&mut Var]) {
        self.cur().scopes.push(Scope::default());
        for var in vars.iter_mut() {
            var.slot = Slot::Local(self.cur().declare(&var.name));
        }
        self.prescan(block);
        for stmt in &mut block.stmts {
            self.stmt(stmt);
        }
        let ctx = self.cur();
        let scope = ctx.scopes.pop().expect("pushed above");
        block.cells = scope
            .slots
            .into_iter()
            .filter(|&s| ctx.captured[s as usize])
            .map(|slot| CellSlot {
                slot,
                fixed: !ctx.assigned[slot as usize],
            })
            .collect();
    }

    fn stmt(&mut self, stmt: &mut Stmt) {
        match &mut stmt.kind {
            StmtKind::Expr(e) | StmtKind::Throw(e) => self.expr(e),
            StmtKind::Let(var, e) => {
                self.expr(e);
                let scope = self.cur().scopes.last_mut().expect("a scope is open");
                if let Some(pending) = scope.later.get_mut(&var.name) {
                    pending.retain(|&s| Slot::Local(s) != var.slot);
                }
                if let Slot::Local(slot) = var.slot {
                    scope.names.insert(var.name.clone(), slot);
                }
            }
            StmtKind::Assign(target, _, e) => {
                self.expr(e);
                self.target(target);
            }
            StmtKind::Fn(_, def) => self.function(def),
            StmtKind::If(arms, els) => {
                for (cond, body) in arms {
                    self.expr(cond);
                    self.block(body, &mut []);
                }
                if let Some(b) = els {
                    self.block(b, &mut []);
                }
            }
            StmtKind::While(cond, body) => {
                self.expr(cond);
                self.loop_body(body, &mut []);
            }
            StmtKind::For(vars, iter, body) => {
                self.expr(iter);
                let mut refs: Vec<&mut Var> = vars.iter_mut().collect();
                self.loop_body(body, &mut refs);
            }
            StmtKind::Break | StmtKind::Continue => {
                if self.cur().loops == 0 {
                    let word = if matches!(stmt.kind, StmtKind::Break) {
                        "break"
                    } else {
                        "continue"
                    };
                    self.error(Diagnostic::syntax(
                        format!("'{word}' outside a loop"),
                        stmt.span,
                    ));
                }
            }
            StmtKind::Return(e) => {
                if self.fns.len() == 1 {
                    self.error(
                        Diagnostic::syntax("'return' outside a function", stmt.span)
                            .with_note("to end the script early, call exit()"),
                    );
                }
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            StmtKind::With(e, var, body) => {
                self.expr(e);
                let mut refs: Vec<&mut Var> = var.iter_mut().collect();
                self.block(body, &mut refs);
            }
            StmtKind::Try(body, catches, finally) => {
                self.block(body, &mut []);
                for c in catches {
                    let mut refs: Vec<&mut Var> = c.var.iter_mut().collect();
                    self.block(&mut c.body, &mut refs);
                }
                if let Some(f) = finally {
                    self.block(f, &mut []);
                }
            }
            StmtKind::Invalid => {}
        }
    }

    fn loop_body(&mut self, body: &mut Block, vars: &mut [&mut Var]) {
        self.cur().loops += 1;
        self.block(body, vars);
        self.cur().loops -= 1;
    }

    fn target(&mut self, target: &mut Target) {
        match target {
            Target::Var(var) => {
                self.var(var);
                self.mark_assigned(&var.name);
                if let Slot::Builtin(_) = var.slot {
                    let msg = format!("cannot assign to builtin '{}'", var.name);
                    self.error(
                        Diagnostic::new("NameError", msg, var.span)
                            .with_note(format!("declare your own with `let {} = ...`", var.name)),
                    );
                }
            }
            Target::Index(a, i) => {
                self.expr(a);
                self.expr(i);
            }
            Target::Field(a, _) => self.expr(a),
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        if self.nesting == MAX_NESTING {
            if std::mem::replace(&mut self.too_deep_reported, true) {
                return;
            }
            self.error(
                Diagnostic::syntax(
                    format!("expression nested more than {MAX_NESTING} levels deep"),
                    Span::new(e.span.start as usize, e.span.start as usize + 1),
                )
                .with_label("too deeply nested")
                .with_note("split it into smaller expressions with `let`"),
            );
            return;
        }
        self.nesting += 1;
        self.expr_inner(e);
        self.nesting -= 1;
    }

    fn expr_inner(&mut self, e: &mut Expr) {
        match &mut e.kind {
            ExprKind::Const(_) => {}
            ExprKind::Var(var) => self.var(var),
            ExprKind::List(items) => items.iter_mut().for_each(|i| self.expr(i)),
            ExprKind::Map(entries) => {
                for (k, v) in entries {
                    self.expr(k);
                    self.expr(v);
                }
            }
            ExprKind::Neg(a) | ExprKind::Not(a) | ExprKind::Field(a, _) => self.expr(a),
            ExprKind::Binary(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Index(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Compare(first, rest) => {
                self.expr(first);
                rest.iter_mut().for_each(|(_, e)| self.expr(e));
            }
            ExprKind::Call(f, args) | ExprKind::Method(f, _, args) => {
                self.expr(f);
                args.iter_mut().for_each(|a| self.expr(&mut a.value));
            }
            ExprKind::Slice(a, parts) => {
                self.expr(a);
                parts.iter_mut().flatten().for_each(|p| self.expr(p));
            }
            ExprKind::Func(def) => self.function(def),
        }
    }

    fn function(&mut self, def: &mut Arc<FnDef>) {
        let def = Arc::get_mut(def).expect("a freshly parsed function is not shared yet");
        for p in &mut def.params {
            if let Some(d) = &mut p.default {
                self.expr(d);
            }
        }
        self.fns.push(FnCtx {
            scopes: Vec::new(),
            ..FnCtx::default()
        });
        let mut params: Vec<&mut Var> = def.params.iter_mut().map(|p| &mut p.var).collect();
        self.block(&mut def.body, &mut params);
        let ctx = self.fns.pop().expect("pushed above");
        def.n_slots = ctx.n_slots;
        def.captures = ctx.captures;
    }

    fn var(&mut self, var: &mut Var) {
        var.slot = self.lookup(&var.name).unwrap_or_else(|| {
            let d = Diagnostic::new(
                "NameError",
                format!("name '{}' is not defined", var.name),
                var.span,
            )
            .with_label("not declared anywhere");
            let d = self.what_was_meant(d, &var.name);
            self.error(d);
            Slot::Unresolved
        });
    }

    /// Thr's word for another language's name, else the nearest name in
    /// sight (skipped once errors are only counted), else how to declare it.
    fn what_was_meant(&self, d: Diagnostic, name: &str) -> Diagnostic {
        if let Some((_, thr)) = FOREIGN.iter().find(|(other, _)| *other == name) {
            return d.with_help(format!("Thr spells it '{thr}'"));
        }
        if name == "self" || name == "this" {
            return d.with_help(format!(
                "Thr has no '{name}': pass the map to the function, or let the function capture it"
            ));
        }
        let near = (!self.errors.is_full()).then(|| did_you_mean(name, self.names_in_sight()));
        match near.flatten() {
            Some(near) => d.with_help(format!("did you mean '{near}'?")),
            None => d.with_note(format!("declare it first with `let {name} = ...`")),
        }
    }

    /// Every name a use here could mean: declared in an enclosing block of
    /// any enclosing function (before or after this point), or a builtin.
    fn names_in_sight(&self) -> impl Iterator<Item = &str> {
        let scopes = self.fns.iter().flat_map(|f| &f.scopes);
        let declared = scopes.flat_map(|s| s.names.keys().chain(s.later.keys()));
        declared.chain(self.builtins.keys()).map(|n| &**n)
    }

    /// Records that the variable `name` now resolves to is assigned.
    fn mark_assigned(&mut self, name: &str) {
        if let Some((depth, slot)) = self.find_declaration(name) {
            self.fns[depth].assigned[slot as usize] = true;
        }
    }

    /// The function depth and slot a name resolves to, if it is a variable:
    /// one declared above; else a builtin if there is one, unless a later
    /// `let` of an enclosing function shadows it (that body runs later);
    /// else a `let` further down.
    fn find_declaration(&self, name: &str) -> Option<(usize, u32)> {
        let find = |later| {
            (0..self.fns.len())
                .rev()
                .find_map(|d| self.fns[d].find(name, later).map(|s| (d, s)))
        };
        if let Some(found) = find(false) {
            return Some(found);
        }
        let later = find(true)?;
        let innermost = self.fns.len() - 1;
        if later.0 == innermost && self.builtins.contains_key(name) {
            return None;
        }
        Some(later)
    }

    /// Finds a name in the function stack, threading a capture through every
    /// function between its declaration and the current one.
    fn lookup(&mut self, name: &str) -> Option<Slot> {
        let (depth, slot) = match self.find_declaration(name) {
            Some(found) => found,
            None => match self.builtins.get(name) {
                Some(&i) => return Some(Slot::Builtin(i)),
                None => (0, self.late_global(name)?),
            },
        };
        let innermost = self.fns.len() - 1;
        if depth == innermost {
            return Some(Slot::Local(slot));
        }
        self.fns[depth].captured[slot as usize] = true;
        let mut from = Capture::Local(slot);
        for d in depth + 1..=innermost {
            let caps = &mut self.fns[d].captures;
            let index = caps.iter().position(|c| *c == from).unwrap_or_else(|| {
                caps.push(from);
                caps.len() - 1
            });
            from = Capture::Upvalue(index as u32);
        }
        match from {
            Capture::Upvalue(i) => Some(Slot::Upvalue(i)),
            Capture::Local(_) => unreachable!("at least one function boundary was crossed"),
        }
    }
}
