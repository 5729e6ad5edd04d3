//! What a syntax error most likely meant, read from the tokens around it:
//! another language's spelling (`def`, `else if`, `x++`, `if c:`), `=` where
//! `==` was meant, or a `,` missing between items. Each gives one help line.

use crate::ast::Span;
use crate::diagnostic::Diagnostic;
use crate::lexer::{Spanned, Tok};

/// Other languages' keywords, and Thr's word for each.
const FOREIGN: &[(&str, &str)] = &[
    ("def", "fn"),
    ("function", "fn"),
    ("func", "fn"),
    ("fun", "fn"),
    ("var", "let"),
    ("const", "let"),
    ("raise", "throw"),
    ("except", "catch"),
    ("elsif", "elif"),
    ("elseif", "elif"),
];

/// What a hint changes in a diagnostic.
#[derive(Default)]
pub struct Hint {
    span: Option<Span>,
    message: Option<(String, &'static str)>,
    help: Option<String>,
}

impl Hint {
    fn help(help: impl Into<String>) -> Hint {
        Hint {
            help: Some(help.into()),
            ..Hint::default()
        }
    }

    /// For what Thr spells otherwise: the message says Thr has no `what`.
    fn foreign(span: Span, what: &str, help: impl Into<String>) -> Hint {
        Hint {
            span: Some(span),
            message: Some((format!("Thr has no '{what}'"), "not Thr")),
            help: Some(help.into()),
        }
    }

    pub fn apply(self, mut d: Diagnostic) -> Diagnostic {
        if let Some(span) = self.span {
            d.span = span;
        }
        if let Some((message, label)) = self.message {
            d.message = message;
            d.label = Some(label.into());
        }
        d.help = self.help;
        d
    }
}

/// The hint for an error at token `at` (the number of tokens at the end of
/// the input), if one fits.
pub fn find(t: &Tokens, at: usize, expected: &[String]) -> Option<Hint> {
    foreign_word(t, at)
        .or_else(|| try_alone(expected))
        .or_else(|| else_if(t, at))
        .or_else(|| step_operator(t, at))
        .or_else(|| colon_before_block(t, at))
        .or_else(|| assign_in_condition(t, at))
        .or_else(|| missing_comma(t, at, expected))
}

/// `def f()`, `var x = 1`, `raise E`, `} except E {`: the word starts a
/// statement and the error is at it or just after it.
fn foreign_word(t: &Tokens, at: usize) -> Option<Hint> {
    for i in [Some(at), at.checked_sub(1)].into_iter().flatten() {
        let Some(Tok::Ident(word)) = t.get(i) else {
            continue;
        };
        if word == "mut" && i > 0 && t.get(i - 1) == Some(&Tok::Let) {
            let help = "every variable can be assigned: write 'let' alone";
            return Some(Hint::foreign(t.span(i - 1).to(t.span(i)), "let mut", help));
        }
        let thr = FOREIGN.iter().find(|(w, _)| w == word);
        if let (Some((_, thr)), true) = (thr, t.starts_statement(i)) {
            return Some(Hint::foreign(
                t.span(i),
                word,
                format!("Thr spells it '{thr}'"),
            ));
        }
    }
    None
}

/// Whether the parser, expecting `expected`, stood after a `try` block that
/// has no handler yet.
pub fn wants_handler(expected: &[String]) -> bool {
    expected == ["\"catch\"", "\"finally\""]
}

/// A `try` block followed by neither handler.
fn try_alone(expected: &[String]) -> Option<Hint> {
    wants_handler(expected).then(|| Hint {
        message: Some((
            "'try' without 'catch' or 'finally'".into(),
            "expected 'catch' or 'finally' here",
        )),
        ..Hint::default()
    })
}

fn else_if(t: &Tokens, at: usize) -> Option<Hint> {
    let after_else = at > 0 && t.get(at - 1) == Some(&Tok::Else);
    (t.get(at) == Some(&Tok::If) && after_else).then(|| {
        let span = t.span(at - 1).to(t.span(at));
        Hint::foreign(span, "else if", "Thr spells it 'elif'")
    })
}

/// `x++` fails at its second `+`; `x--` is `x - -`, which fails at what
/// follows.
fn step_operator(t: &Tokens, at: usize) -> Option<Hint> {
    let is = |i: usize, tok: Tok| t.get(i) == Some(&tok);
    let step = |first: usize, op: &str, update: &str| {
        let name = match t.get(first - 1) {
            Some(Tok::Ident(name)) => name.as_str(),
            _ => "x",
        };
        let span = t.span(first).to(t.span(first + 1));
        Hint::foreign(span, op, format!("write '{name} {update} 1'"))
    };
    if at >= 2 && is(at, Tok::Plus) && is(at - 1, Tok::Plus) && t.touch(at - 1, at) {
        return ends_operand(t.get(at - 2)).then(|| step(at - 1, "++", "+="));
    }
    let operand_follows = t.get(at).is_some_and(starts_operand);
    if at >= 3 && is(at - 1, Tok::Minus) && is(at - 2, Tok::Minus) && t.touch(at - 2, at - 1) {
        return (ends_operand(t.get(at - 3)) && !operand_follows).then(|| step(at - 2, "--", "-="));
    }
    None
}

/// `if x:` or `else:`, as in Python.
fn colon_before_block(t: &Tokens, at: usize) -> Option<Hint> {
    let head = t.statement_head(at)?;
    let block = matches!(
        head,
        Tok::If
            | Tok::Elif
            | Tok::Else
            | Tok::While
            | Tok::For
            | Tok::With
            | Tok::Try
            | Tok::Catch
            | Tok::Finally
            | Tok::Fn
    );
    (t.get(at) == Some(&Tok::Colon) && block)
        .then(|| Hint::help("drop the ':': Thr puts a block in braces, `{ ... }`"))
}

/// `if a = b {`: an assignment is a statement, not a condition.
fn assign_in_condition(t: &Tokens, at: usize) -> Option<Hint> {
    let head = t.statement_head(at)?;
    let condition = matches!(head, Tok::If | Tok::Elif | Tok::While);
    (t.get(at) == Some(&Tok::Assign) && condition).then(|| Hint::help("to compare, write '=='"))
}

/// `[1 2]`, `f(a b)`, `{a: 1 b: 2}`: two items where a `,` could have come
/// between them, on one line or inside brackets that close later (else the
/// bracket left open is the likelier cause).
fn missing_comma(t: &Tokens, at: usize, expected: &[String]) -> Option<Hint> {
    let prev = at.checked_sub(1)?;
    let comma_expected = expected.iter().any(|e| e == "\",\"");
    let two_items = ends_operand(t.get(prev)) && t.get(at).is_some_and(starts_operand);
    let together = t.same_line(prev, at) || t.innermost_open(at).is_some_and(|i| t.is_closed(i));
    (comma_expected && two_items && together)
        .then(|| Hint::help("insert a ',' before it: items are separated by commas"))
}

fn ends_operand(tok: Option<&Tok>) -> bool {
    tok.is_some_and(Tok::ends_operand)
}

/// True for what can start an item of a list, map or call after another
/// (a `(`, `[` or `-` there would continue the item instead).
fn starts_operand(tok: &Tok) -> bool {
    tok.is_atom() || matches!(tok, Tok::Fn | Tok::LBrace)
}

/// The tokens the parser saw, with the source text they came from.
pub struct Tokens<'a> {
    list: &'a [Spanned],
    text: &'a str,
}

impl<'a> Tokens<'a> {
    pub fn new(list: &'a [Spanned], text: &'a str) -> Tokens<'a> {
        Tokens { list, text }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The index of the token that starts at `offset`.
    pub fn index_at(&self, offset: usize) -> usize {
        self.list.partition_point(|t| t.0 < offset)
    }

    pub fn get(&self, i: usize) -> Option<&'a Tok> {
        self.list.get(i).map(|(_, tok, _)| tok)
    }

    pub fn span(&self, i: usize) -> Span {
        let (l, _, r) = &self.list[i];
        Span::new(*l, *r)
    }

    /// The text between tokens `i` and `j`, if both exist.
    fn between(&self, i: usize, j: usize) -> Option<&'a str> {
        let (end, start) = (self.list.get(i)?.2, self.list.get(j)?.0);
        self.text.get(end..start)
    }

    /// True when tokens `i` and `j` have nothing between them.
    fn touch(&self, i: usize, j: usize) -> bool {
        self.between(i, j) == Some("")
    }

    fn same_line(&self, i: usize, j: usize) -> bool {
        self.between(i, j).is_some_and(|gap| !gap.contains('\n'))
    }

    fn starts_statement(&self, i: usize) -> bool {
        i == 0 || matches!(self.get(i - 1), Some(Tok::Term | Tok::LBrace | Tok::RBrace))
    }

    /// The first token of the statement token `at` is in.
    fn statement_head(&self, at: usize) -> Option<&'a Tok> {
        self.get(self.scan_back(at, true).map_or(0, |i| i + 1))
    }

    /// The innermost bracket still open at token `at`.
    pub fn innermost_open(&self, at: usize) -> Option<usize> {
        self.scan_back(at, false)
    }

    /// True when the bracket that token `open` opens is closed later.
    pub fn is_closed(&self, open: usize) -> bool {
        let mut depth = 0usize;
        for (_, tok, _) in &self.list[open..] {
            match tok {
                Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
                Tok::RParen | Tok::RBracket | Tok::RBrace if depth == 1 => return true,
                Tok::RParen | Tok::RBracket | Tok::RBrace => depth -= 1,
                _ => {}
            }
        }
        false
    }

    /// Goes back from token `at` over balanced brackets to the first opening
    /// bracket left open, or, with `to_terminator`, to a statement's end.
    fn scan_back(&self, at: usize, to_terminator: bool) -> Option<usize> {
        let mut depth = 0usize;
        for i in (0..at.min(self.list.len())).rev() {
            match &self.list[i].1 {
                Tok::RParen | Tok::RBracket | Tok::RBrace => depth += 1,
                Tok::LParen | Tok::LBracket | Tok::LBrace if depth == 0 => return Some(i),
                Tok::LParen | Tok::LBracket | Tok::LBrace => depth -= 1,
                Tok::Term if depth == 0 && to_terminator => return Some(i),
                _ => {}
            }
        }
        None
    }
}
