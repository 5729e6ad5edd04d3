//! The parser: runs the LALRPOP grammar over the lexer's tokens and turns
//! its errors into diagnostics. Also holds the small tree-building helpers the
//! grammar's actions call.

use std::sync::Arc;

use lalrpop_util::{ErrorRecovery, ParseError};

use crate::ast::*;
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::lexer::{self, Tok};
use crate::value::Value;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, unused_parens)]
    grammar,
    "/thr.rs"
);

type Recovered = ErrorRecovery<usize, Tok, Diagnostic>;

/// Parses a whole source. On failure, returns every error found: lexing
/// errors and each syntax error the parser recovered from.
pub fn parse(source: &Arc<SourceFile>) -> Result<Program, Vec<Diagnostic>> {
    let (tokens, mut diagnostics) = lexer::lex(&source.text);
    let brackets = Brackets::of(&tokens);
    let eof = source.text.len();
    let (program, mut errors) = run_parser(source, tokens);
    // Recovering from an error inside a block can lose the block's closing
    // brace, and then the end of the input looks unexpected too: after a
    // real error, such an error is only its echo.
    if errors.iter().any(|e| !at_eof(e)) {
        errors.retain(|e| !at_eof(e));
    }
    let explain = |e| brackets.explain(describe(e, eof), source);
    diagnostics.extend(errors.into_iter().map(explain));
    match program {
        Some(program) if diagnostics.is_empty() => Ok(program),
        _ => Err(diagnostics),
    }
}

type SyntaxError = ParseError<usize, Tok, Diagnostic>;

/// Runs the grammar: the program, unless an error stopped it, and every
/// syntax error in source order (those recovered from, then the last).
fn run_parser(
    source: &Arc<SourceFile>,
    tokens: Vec<lexer::Spanned>,
) -> (Option<Program>, Vec<SyntaxError>) {
    let mut recovered = Vec::new();
    let result = grammar::ProgramParser::new().parse(
        &mut recovered,
        source,
        tokens.into_iter().map(Ok::<_, Diagnostic>),
    );
    let mut errors: Vec<SyntaxError> = recovered.into_iter().map(|r: Recovered| r.error).collect();
    match result {
        Ok(program) => (Some(program), errors),
        Err(e) => {
            errors.push(e);
            (None, errors)
        }
    }
}

fn at_eof(e: &SyntaxError) -> bool {
    matches!(e, ParseError::UnrecognizedEof { .. })
}

/// Where the source's brackets open and close, to say which one a syntax
/// error left open (the usual cause of an error on a later line).
struct Brackets(Vec<(usize, Tok)>);

impl Brackets {
    fn of(tokens: &[lexer::Spanned]) -> Brackets {
        let is_bracket = |t: &Tok| {
            matches!(
                t,
                Tok::LParen
                    | Tok::RParen
                    | Tok::LBracket
                    | Tok::RBracket
                    | Tok::LBrace
                    | Tok::RBrace
            )
        };
        Brackets(
            tokens
                .iter()
                .filter(|(_, t, _)| is_bracket(t))
                .map(|(l, t, _)| (*l, t.clone()))
                .collect(),
        )
    }

    /// The `(` or `[` still open where `at` is, if any: a newline inside
    /// one does not end a statement, so the next line runs on into it.
    fn open_at(&self, at: usize) -> Option<(usize, &Tok)> {
        let mut open = Vec::new();
        for (pos, tok) in self.0.iter().take_while(|(p, _)| *p < at) {
            match tok {
                Tok::LParen | Tok::LBracket | Tok::LBrace => open.push((*pos, tok)),
                _ => {
                    open.pop();
                }
            }
        }
        open.pop()
            .filter(|(_, t)| matches!(t, Tok::LParen | Tok::LBracket))
    }

    /// Adds a note naming the bracket left open before an error on a later line.
    fn explain(&self, d: Diagnostic, source: &SourceFile) -> Diagnostic {
        let Some((pos, tok)) = self.open_at(d.span.start as usize) else {
            return d;
        };
        let (open_line, _) = source.line_col(pos as u32);
        let (error_line, _) = source.line_col(d.span.start);
        if open_line == error_line {
            return d;
        }
        d.with_note(format!(
            "the {} at {} is never closed",
            tok.describe(),
            source.location(pos as u32)
        ))
    }
}

/// True when the source stops in the middle of a construct (an open block,
/// bracket or string), so the REPL should read another line.
pub fn is_incomplete(text: &str) -> bool {
    let source = SourceFile::new("<input>", text);
    let (tokens, lex_errors) = lexer::lex(text);
    if lex_errors
        .iter()
        .any(|d| d.message.starts_with("unterminated"))
    {
        return false;
    }
    // Incomplete only if the end of the input is the one problem: an error
    // before it means the entry is wrong, and more lines will not fix it.
    let (_, errors) = run_parser(&source, tokens);
    !errors.is_empty() && errors.iter().all(at_eof)
}

fn describe(error: ParseError<usize, Tok, Diagnostic>, eof: usize) -> Diagnostic {
    match error {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => {
            Diagnostic::syntax("invalid token", Span::new(location, location + 1))
        }
        ParseError::UnrecognizedEof { location, expected } => Diagnostic::syntax(
            format!("unexpected end of input{}", expected_list(&expected)),
            Span::new(location.min(eof), eof),
        )
        .with_label("the input ends here"),
        ParseError::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => unexpected_token(l, &tok, r, &expected),
        ParseError::ExtraToken { token: (l, tok, r) } => unexpected_token(l, &tok, r, &[]),
    }
}

fn unexpected_token(l: usize, tok: &Tok, r: usize, expected: &[String]) -> Diagnostic {
    Diagnostic::syntax(
        format!("unexpected {}{}", tok.describe(), expected_list(expected)),
        Span::new(l, r),
    )
    .with_label("not expected here")
}

/// `, expected one of 'x', 'y'` from LALRPOP's quoted terminal names.
fn expected_list(expected: &[String]) -> String {
    let names: Vec<String> = expected
        .iter()
        .map(|e| {
            let bare = e.trim_matches('"');
            match bare {
                "newline" => "newline".to_string(),
                "identifier" | "integer" | "float" | "string" => bare.to_string(),
                _ => format!("'{}'", bare.replace("\\\"", "\"")),
            }
        })
        .collect();
    match names.len() {
        0 => String::new(),
        1 => format!(", expected {}", names[0]),
        _ if names.len() > 8 => ", expected an expression or statement".to_string(),
        _ => format!(", expected one of {}", names.join(", ")),
    }
}

/// The name of a function literal, in messages and call stacks.
pub const ANONYMOUS: &str = "<fn>";

pub fn span(l: usize, r: usize) -> Span {
    Span::new(l, r)
}

/// Builds a call; `recv.name(args)` becomes a method call.
pub fn call(callee: Expr, args: Vec<Arg>, span: Span) -> Expr {
    let kind = match callee.kind {
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

pub fn func(
    name: &str,
    (params, body): (Vec<Param>, Block),
    span: Span,
    source: &Arc<SourceFile>,
) -> Arc<FnDef> {
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
    match key.kind {
        ExprKind::Var(v) => Expr {
            kind: ExprKind::Const(Value::str(&v.name)),
            span: key.span,
        },
        _ => key,
    }
}

/// The left side of an assignment, or an error if it is not assignable.
pub fn assign_target(e: Expr, errors: &mut Vec<Recovered>) -> Target {
    match e.kind {
        ExprKind::Var(v) => Target::Var(v),
        ExprKind::Index(a, i) => Target::Index(*a, *i),
        ExprKind::Field(a, name) => Target::Field(*a, name),
        _ => {
            errors.push(user_error(
                Diagnostic::syntax("cannot assign to this expression", e.span)
                    .with_label("only a variable, `a[i]` or `a.name` can be assigned"),
            ));
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
    errors: &mut Vec<Recovered>,
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
            errors.push(user_error(
                Diagnostic::syntax(
                    format!(
                        "'{}' is not an error kind (kinds start with an upper-case letter)",
                        var.name
                    ),
                    var.span,
                )
                .with_label("expected an error kind such as ValueError"),
            ));
            Catch {
                kind: None,
                var: Some(alias),
                body,
                span,
            }
        }
    }
}

fn user_error(error: Diagnostic) -> Recovered {
    ErrorRecovery {
        error: ParseError::User { error },
        dropped_tokens: Vec::new(),
    }
}
