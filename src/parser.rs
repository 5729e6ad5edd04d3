//! The parser: runs the LALRPOP grammar over the lexer's tokens and turns
//! its errors into diagnostics (`report`, with `hints` at what was meant).
//! Also holds the small tree-building helpers the grammar's actions call,
//! and the checks they make (a parameter declared twice...).

mod hints;
mod report;

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;

use lalrpop_util::{ErrorRecovery, ParseError};

use crate::ast::*;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, MAX_SHOWN};
use crate::lexer::{self, Tok};
use crate::value::Value;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, unused_parens)]
    grammar,
    "/thr.rs"
);

type SyntaxError = ParseError<usize, Tok, Diagnostic>;

/// Parses a whole source. On failure, returns every error found: lexing
/// errors and each syntax error the parser recovered from, in source order.
pub fn parse(source: &Arc<SourceFile>) -> Result<Program, Diagnostics> {
    let lexed = lexer::lex(&source.text);
    if lexed.too_deep {
        // The tokens stop early: the parser would only say so.
        return Err(lexed.errors);
    }
    let (program, mut found) = run_parser(source, &lexed.tokens);
    found.drop_handler_echoes(&source.text);
    let reporter = report::Reporter::new(source, &lexed.tokens);
    let errors = lexed
        .errors
        .merge(found.into_diagnostics(|e| reporter.describe(e)));
    match program {
        Some(program) if errors.is_empty() => Ok(program),
        _ => Err(errors),
    }
}

/// Parsing stops after this many syntax errors: each costs the parser time
/// in proportion to its nesting, and a flood of them says nothing more.
const MAX_COUNTED: usize = 10_000;

/// Runs the grammar: the program, unless an error stopped it, and the
/// syntax errors met.
fn run_parser(
    source: &Arc<SourceFile>,
    tokens: &[lexer::Spanned],
) -> (Option<Program>, SyntaxErrors) {
    let mut found = SyntaxErrors::default();
    let seen = found.seen.clone();
    let tokens = tokens.iter().take_while(|_| seen.get() < MAX_COUNTED);
    let result = grammar::ProgramParser::new().parse(
        &mut found,
        source,
        tokens.cloned().map(Ok::<_, Diagnostic>),
    );
    match result {
        Ok(program) => (Some(program), found),
        Err(e) => {
            found.add(e);
            (None, found)
        }
    }
}

/// True when the source stops in the middle of a construct (an open block,
/// bracket or string), so the REPL should read another line.
pub fn is_incomplete(text: &str) -> bool {
    let source = SourceFile::new("<input>", text);
    let lexed = lexer::lex(text);
    let unterminated = lexed
        .errors
        .iter()
        .any(|d| d.message.starts_with("unterminated"));
    if unterminated || lexed.too_deep {
        return false;
    }
    // Incomplete only if the end of the input is the one problem: an error
    // before it means the entry is wrong, and more lines will not fix it.
    let (_, found) = run_parser(&source, &lexed.tokens);
    let last = lexed.tokens.last().map(|(start, _, _)| *start);
    found.only_at_end() || found.awaits_handler(last)
}

/// The syntax errors met while parsing, as LALRPOP gives them: the first
/// [`MAX_SHOWN`] kept, the rest counted, and the first error at the end of
/// the input apart from them.
#[derive(Default)]
pub struct SyntaxErrors {
    kept: Vec<SyntaxError>,
    more: usize,
    /// How many errors so far, shared with the token stream that stops at
    /// [`MAX_COUNTED`].
    seen: Rc<Cell<usize>>,
    /// Recovering from an error inside a block can lose the block's closing
    /// brace, and then the end of the input looks unexpected too: after a
    /// real error, an error here is only its echo.
    at_end: Option<SyntaxError>,
}

impl SyntaxErrors {
    fn add(&mut self, e: SyntaxError) {
        if matches!(e, ParseError::UnrecognizedEof { .. }) {
            self.at_end.get_or_insert(e);
            return;
        }
        self.seen.set(self.seen.get() + 1);
        if self.kept.len() < MAX_SHOWN {
            self.kept.push(e);
        } else {
            self.more += 1;
        }
    }

    /// Drops the echo of a `try` without a handler: recovering from
    /// `try { } except { }` leaves the parser still after the block, so a
    /// second error on the same line wants the handler again.
    fn drop_handler_echoes(&mut self, text: &str) {
        let wanting_handler = |e: &SyntaxError| match e {
            ParseError::UnrecognizedToken {
                token: (at, _, _),
                expected,
            } if hints::wants_handler(expected) => Some(*at),
            _ => None,
        };
        let mut last: Option<usize> = None;
        self.kept.retain(|e| {
            let at = wanting_handler(e);
            let echo = match (last, at) {
                (Some(before), Some(at)) => text
                    .get(before..at)
                    .is_some_and(|between| !between.contains('\n')),
                _ => false,
            };
            last = at;
            !echo
        });
    }

    /// An error the grammar recovered from (at the next statement).
    pub fn recovered(&mut self, r: ErrorRecovery<usize, Tok, Diagnostic>) {
        self.add(r.error);
    }

    /// An error a tree-building helper found.
    fn report(&mut self, error: Diagnostic) {
        self.add(ParseError::User { error });
    }

    fn only_at_end(&self) -> bool {
        self.kept.is_empty() && self.more == 0 && self.at_end.is_some()
    }

    /// True when the one error is a `try` block ending the input with its
    /// newline, and no handler yet: the next line may bring the `catch`.
    fn awaits_handler(&self, last: Option<usize>) -> bool {
        let [ParseError::UnrecognizedToken {
            token: (at, Tok::Term, _),
            expected,
        }] = self.kept.as_slice()
        else {
            return false;
        };
        self.more == 0 && Some(*at) == last && hints::wants_handler(expected)
    }

    fn into_diagnostics(self, describe: impl Fn(SyntaxError) -> Diagnostic) -> Diagnostics {
        let mut out = Diagnostics::default();
        let errors = if self.kept.is_empty() {
            Vec::from_iter(self.at_end)
        } else {
            self.kept
        };
        for e in errors {
            out.push(describe(e));
        }
        out.add_more(self.more);
        if self.seen.get() >= MAX_COUNTED {
            out.stop();
        }
        out
    }
}

/// The name of a function literal, in messages and call stacks.
pub const ANONYMOUS: &str = "<fn>";

pub fn span(l: usize, r: usize) -> Span {
    Span::new(l, r)
}

/// Builds a call; `recv.name(args)` becomes a method call. Keyword
/// arguments come after the positional ones, each name once (Python's rules).
pub fn call(mut callee: Expr, args: Vec<Arg>, span: Span, errors: &mut SyntaxErrors) -> Expr {
    check_args(&args, errors);
    let kind = match callee.take_kind() {
        ExprKind::Field(recv, name) => ExprKind::Method(recv, name, args),
        kind => ExprKind::Call(
            Box::new(Expr {
                kind,
                span: callee.span,
            }),
            args,
        ),
    };
    Expr { kind, span }
}

fn check_args(args: &[Arg], errors: &mut SyntaxErrors) {
    let mut names = HashSet::new();
    let mut keyword_seen = false;
    for arg in args {
        match &arg.name {
            Some(name) if !names.insert(name) => errors.report(
                Diagnostic::syntax(format!("keyword argument '{name}' repeated"), arg.span)
                    .with_label("given a second time here"),
            ),
            Some(_) => keyword_seen = true,
            None if keyword_seen => errors.report(
                Diagnostic::syntax("positional argument follows keyword argument", arg.span)
                    .with_label("positional, after a keyword argument")
                    .with_help("put the positional arguments first"),
            ),
            None => {}
        }
    }
}

pub fn func(
    name: &str,
    (params, body): (Vec<Param>, Block),
    span: Span,
    source: &Arc<SourceFile>,
    errors: &mut SyntaxErrors,
) -> Arc<FnDef> {
    let mut names = HashSet::new();
    let mut after_default = false;
    for p in &params {
        if after_default && p.default.is_none() {
            // Python's rule: a call could never leave the earlier one out.
            errors.report(
                Diagnostic::syntax(
                    "parameter without a default follows parameter with a default",
                    p.var.span,
                )
                .with_label("needs a default, or to come first"),
            );
        }
        after_default |= p.default.is_some();
        if !names.insert(&p.var.name) {
            errors.report(
                Diagnostic::syntax(
                    format!(
                        "duplicate parameter '{}' in function definition",
                        p.var.name
                    ),
                    p.var.span,
                )
                .with_label("declared a second time here"),
            );
        }
    }
    Arc::new(FnDef {
        name: name.into(),
        params,
        body,
        span,
        n_slots: 0,
        captures: Vec::new(),
        source: source.clone(),
    })
}

/// A bare identifier key `{name: 1}` is the string `"name"`.
pub fn map_key(key: Expr) -> Expr {
    match &key.kind {
        ExprKind::Var(v) => Expr {
            kind: ExprKind::Const(Value::str(&v.name)),
            span: key.span,
        },
        _ => key,
    }
}

/// The left side of an assignment, or an error if it is not assignable.
pub fn assign_target(mut e: Expr, errors: &mut SyntaxErrors) -> Target {
    match e.take_kind() {
        ExprKind::Var(v) => Target::Var(v),
        ExprKind::Index(a, i) => Target::Index(*a, *i),
        ExprKind::Field(a, name) => Target::Field(*a, name),
        _ => {
            errors.report(
                Diagnostic::syntax("cannot assign to this expression", e.span)
                    .with_label("only a variable, `a[i]` or `a.name` can be assigned"),
            );
            Target::Var(Var::new("<invalid>", e.span))
        }
    }
}

/// `catch Kind`, `catch Kind as e`, `catch e` or bare `catch`.
pub fn catch_clause(
    first: Option<Var>,
    alias: Option<Var>,
    body: Block,
    span: Span,
    errors: &mut SyntaxErrors,
) -> Catch {
    let is_kind = |v: &Var| v.name.starts_with(|c: char| c.is_ascii_uppercase());
    match (first, alias) {
        (Some(kind), var) if is_kind(&kind) => Catch {
            kind: Some(kind.name),
            var,
            body,
            span,
        },
        (var, None) | (None, var) => Catch {
            kind: None,
            var,
            body,
            span,
        },
        (Some(var), Some(alias)) => {
            errors.report(
                Diagnostic::syntax(
                    format!(
                        "'{}' is not an error kind (kinds start with an upper-case letter)",
                        var.name
                    ),
                    var.span,
                )
                .with_label("expected an error kind such as ValueError"),
            );
            Catch {
                kind: None,
                var: Some(alias),
                body,
                span,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Diagnostics {
        parse(&SourceFile::new("t.thr", text)).expect_err("a syntax error")
    }

    fn helps(text: &str) -> Vec<Option<String>> {
        errors(text).iter().map(|d| d.help.clone()).collect()
    }

    #[test]
    fn the_repl_reads_on_while_only_the_end_is_missing() {
        for open in [
            "fn f() {",
            "let x = (1 +",
            "if x { } elif",
            "try { x }",
            "try { x }\n",
            "[1,\n2,",
        ] {
            assert!(is_incomplete(open), "{open}");
        }
        let deep = "(".repeat(lexer::MAX_DEPTH + 1);
        for done in [
            "try { x } catch e { }",
            "try { x }\ny",
            "print(1))",
            "\"abc",
            "x y",
            deep.as_str(),
        ] {
            assert!(!is_incomplete(done), "{done}");
        }
    }

    /// The last line of the report: how many more errors there were.
    fn more(found: &Diagnostics) -> String {
        let source = SourceFile::new("t.thr", "");
        let report = found.render(&source, false);
        report.lines().last().unwrap_or_default().to_string()
    }

    #[test]
    fn at_most_max_shown_errors_are_kept_and_the_rest_counted() {
        let found = errors(&")\n".repeat(MAX_SHOWN + 5));
        assert_eq!(found.len(), MAX_SHOWN);
        assert_eq!(more(&found), "... and 5 more errors");
        let lexed_and_parsed = errors(&"$\n)\n".repeat(MAX_SHOWN));
        assert_eq!(
            more(&lexed_and_parsed),
            format!("... and {MAX_SHOWN} more errors")
        );
        // In source order: the bad character, then the bracket.
        assert!(lexed_and_parsed[0]
            .message
            .starts_with("unexpected character"));
        assert!(lexed_and_parsed[1].message.starts_with("unexpected ')'"));
    }

    #[test]
    fn a_try_needs_a_handler() {
        let found = errors("try { x }\nprint(1)");
        assert_eq!(found[0].message, "'try' without 'catch' or 'finally'");
        assert!(parse(&SourceFile::new("t", "try { x }\nfinally { y }")).is_ok());
        assert!(parse(&SourceFile::new("t", "try { x }\ncatch e { y }")).is_ok());
    }

    #[test]
    fn hints_stay_quiet_where_they_do_not_fit() {
        // `def` as a plain name, `:` in a slice, `=` as a keyword argument,
        // two items where no `,` may come, `+ +` apart.
        let quiet = [
            "let def = 1\nprint(def + )",
            "if xs[1:] { y z }",
            "if f(a=1) { y z }",
            "let x = 1 2",
            "x + + 1",
        ];
        for text in quiet {
            assert_eq!(helps(text), [None], "{text}");
        }
    }

    #[test]
    fn every_hint_looks_only_at_tokens_that_exist() {
        let ends = [
            "[1", "[1 2", "x--", "x++", "if x", "if x =", "if x:", "f(a b", "else if",
        ];
        for text in ends {
            let found = errors(text);
            assert!(!found.is_empty(), "{text}");
        }
        assert_eq!(helps("x--"), [Some("write 'x -= 1'".to_string())]);
    }

    #[test]
    fn a_comma_is_suggested_across_lines_only_inside_closed_brackets() {
        let comma = Some("insert a ',' before it: items are separated by commas".to_string());
        assert_eq!(helps("print(a\n  b)"), [comma]);
        let open = errors("let xs = [1, 2\nprint(xs)");
        assert_eq!(open[0].help, None);
        assert_eq!(open[0].notes, ["the '[' at t.thr:1:10 is never closed"]);
    }
}
