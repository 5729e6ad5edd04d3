//! Syntax errors as users read them: the unexpected token and what could
//! have come instead, a hint at what was meant (`hints`), and the bracket
//! left open when that is the likely cause.

use lalrpop_util::ParseError;

use super::hints::{self, Tokens};
use super::SyntaxError;
use crate::ast::Span;
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::lexer::{Spanned, Tok};

pub struct Reporter<'a> {
    source: &'a SourceFile,
    tokens: Tokens<'a>,
}

impl<'a> Reporter<'a> {
    pub fn new(source: &'a SourceFile, tokens: &'a [Spanned]) -> Reporter<'a> {
        Reporter {
            source,
            tokens: Tokens::new(tokens, &source.text),
        }
    }

    pub fn describe(&self, error: SyntaxError) -> Diagnostic {
        // The end of the input is shown at the end of its last line.
        let text = &self.source.text;
        let eof = text.len() - usize::from(text.ends_with('\n'));
        match error {
            ParseError::User { error } => error,
            ParseError::InvalidToken { location } => {
                Diagnostic::syntax("invalid token", Span::new(location, location + 1))
            }
            ParseError::UnrecognizedEof { location, expected } => {
                let d = Diagnostic::syntax(
                    format!("unexpected end of input{}", expected_list(&expected)),
                    Span::new(location.min(eof), eof),
                )
                .with_label("the input ends here");
                self.explain(d, self.tokens.len(), &expected, true)
            }
            ParseError::UnrecognizedToken {
                token: (l, tok, r),
                expected,
            } => {
                let d = unexpected_token(l, &tok, r, &expected);
                self.explain(d, self.tokens.index_at(l), &expected, false)
            }
            ParseError::ExtraToken { token: (l, tok, r) } => unexpected_token(l, &tok, r, &[]),
        }
    }

    /// Adds what was likely meant, or else the bracket left open before the
    /// error: a `(` or `[` on an earlier line (a newline inside one does not
    /// end a statement, so the next line ran on into it), or any bracket
    /// still open at the end of the input.
    fn explain(&self, d: Diagnostic, at: usize, expected: &[String], at_end: bool) -> Diagnostic {
        if let Some(hint) = hints::find(&self.tokens, at, expected) {
            return hint.apply(d);
        }
        let Some(open) = self.tokens.innermost_open(at) else {
            return d;
        };
        let tok = self.tokens.get(open).expect("an open bracket is a token");
        let pos = self.tokens.span(open).start;
        let opened = self.source.line_col(pos).0;
        let failed = self.source.line_col(d.span.start).0;
        let paren = matches!(tok, Tok::LParen | Tok::LBracket);
        if opened == failed || !(at_end || paren) || self.tokens.is_closed(open) {
            return d;
        }
        d.with_note(format!(
            "the {} at {} is never closed",
            tok.describe(),
            self.source.location(pos)
        ))
    }
}

fn unexpected_token(l: usize, tok: &Tok, r: usize, expected: &[String]) -> Diagnostic {
    Diagnostic::syntax(
        format!("unexpected {}{}", tok.describe(), expected_list(expected)),
        Span::new(l, r),
    )
    .with_label("not expected here")
}

/// What may follow an operand: a long list of these is "an operator".
const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">=", "and", "or", "not",
    "in", "(", "[", ".", "=", "+=", "-=", "*=", "/=", "//=", "%=",
];
/// What may start an expression.
const OPERANDS: &[&str] = &[
    "identifier",
    "integer",
    "float",
    "string",
    "true",
    "false",
    "nil",
    "(",
    "[",
    "{",
    "fn",
    "not",
    "-",
];
/// What may start a statement that is not an expression.
const STATEMENTS: &[&str] = &[
    "let", "if", "while", "for", "break", "continue", "return", "throw", "with", "try",
];

/// `, expected one of 'x', 'y'` from LALRPOP's quoted terminal names; a
/// long list is summed up: `, expected an operator, ',' or ')'`.
fn expected_list(expected: &[String]) -> String {
    let names: Vec<&str> = expected.iter().map(|e| e.trim_matches('"')).collect();
    let quote = |bare: &&str| match *bare {
        "newline" | "identifier" | "integer" | "float" | "string" => bare.to_string(),
        _ => format!("'{}'", bare.replace("\\\"", "\"")),
    };
    let mut parts: Vec<String> = Vec::new();
    let mut rest = names.clone();
    if names.len() > 8 {
        if names.contains(&"+") {
            parts.push("an operator".into());
            rest.retain(|n| !OPERATORS.contains(n));
        }
        if names.contains(&"identifier") {
            let statements = names.contains(&"let");
            parts.push(
                if statements {
                    "an expression or statement"
                } else {
                    "an expression"
                }
                .into(),
            );
            rest.retain(|n| !OPERANDS.contains(n) && !STATEMENTS.contains(n));
        }
    }
    parts.extend(rest.iter().map(quote));
    match parts.as_slice() {
        [] => String::new(),
        [one] => format!(", expected {one}"),
        [first @ .., last] if names.len() > 8 => {
            format!(", expected {} or {last}", first.join(", "))
        }
        _ => format!(", expected one of {}", parts.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(names: &[&str]) -> String {
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        expected_list(&quoted)
    }

    #[test]
    fn short_lists_are_spelt_out() {
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["}"]), ", expected '}'");
        assert_eq!(
            list(&["elif", "newline"]),
            ", expected one of 'elif', newline"
        );
    }

    #[test]
    fn long_lists_are_summed_up() {
        let mut after_operand: Vec<&str> = OPERATORS.to_vec();
        after_operand.extend([",", ")"]);
        assert_eq!(list(&after_operand), ", expected an operator, ',' or ')'");
        assert_eq!(list(OPERANDS), ", expected an expression");
        let mut anything: Vec<&str> = OPERANDS.to_vec();
        anything.extend(STATEMENTS);
        assert_eq!(list(&anything), ", expected an expression or statement");
        let mut item: Vec<&str> = OPERANDS.to_vec();
        item.push("]");
        assert_eq!(list(&item), ", expected an expression or ']'");
    }
}
