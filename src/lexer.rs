//! The lexer: logos turns source text into tokens with byte spans, then a
//! layout pass decides which newlines end statements.
//!
//! Layout rules (LANGUAGE.md §2): a newline inside `(` or `[` is ignored; inside
//! `{` or at top level it ends a statement, as `;` does. Runs of terminators
//! collapse into one, and a terminator right after `{` or `,` or right before
//! `}`, `elif`, `else`, `catch` or `finally` is dropped, so blocks and map
//! literals may span lines freely.

use logos::Logos;

use crate::ast::Span;
use crate::diagnostic::Diagnostic;

/// A lexing error: what went wrong; the span is filled in by [`lex`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LexError(pub String);

impl LexError {
    fn unexpected(lex: &mut logos::Lexer<'_, Tok>) -> LexError {
        let c = lex.slice().chars().next().unwrap_or(' ');
        LexError(format!("unexpected character {c:?}"))
    }
}

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error(LexError, LexError::unexpected))]
#[logos(skip r"[ \t\r\f]+")]
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
#[logos(skip r"\\\r?\n")]
pub enum Tok {
    #[token("let")]
    Let,
    #[token("fn")]
    Fn,
    #[token("return")]
    Return,
    #[token("if")]
    If,
    #[token("elif")]
    Elif,
    #[token("else")]
    Else,
    #[token("while")]
    While,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("break")]
    Break,
    #[token("continue")]
    Continue,
    #[token("with")]
    With,
    #[token("as")]
    As,
    #[token("try")]
    Try,
    #[token("catch")]
    Catch,
    #[token("finally")]
    Finally,
    #[token("throw")]
    Throw,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("nil")]
    Nil,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("=")]
    Assign,
    #[token("+=")]
    PlusAssign,
    #[token("-=")]
    MinusAssign,
    #[token("*=")]
    StarAssign,
    #[token("/=")]
    SlashAssign,
    #[token("//=")]
    SlashSlashAssign,
    #[token("%=")]
    PercentAssign,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    SlashSlash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,

    /// A statement terminator: a newline or `;` (after layout).
    #[token(";")]
    #[token("\n")]
    Term,

    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_string())]
    Ident(String),
    #[regex(r"[0-9][0-9_]*", |lex| parse_int(lex.slice(), 10))]
    #[regex(r"0[xX][0-9a-fA-F_]+", |lex| parse_int(&lex.slice()[2..], 16))]
    Int(i64),
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9]+)?", parse_float)]
    #[regex(r"\.[0-9][0-9_]*([eE][+-]?[0-9]+)?", parse_float)]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9]+", parse_float)]
    Float(f64),
    #[regex(r#""([^"\\\n]|\\.)*""#, |lex| unescape(lex.slice()))]
    #[regex(r#"'([^'\\\n]|\\.)*'"#, |lex| unescape(lex.slice()))]
    Str(String),
    #[regex(r#""([^"\\\n]|\\.)*"#, unterminated)]
    #[regex(r#"'([^'\\\n]|\\.)*"#, unterminated)]
    Unterminated,
}

impl Tok {
    /// How the token is named in a message: `'('`, `identifier 'x'`.
    pub fn describe(&self) -> String {
        let text = match self {
            Tok::Term => return "newline or ';'".into(),
            Tok::Ident(name) => return format!("identifier '{name}'"),
            Tok::Int(i) => return format!("integer {i}"),
            Tok::Float(f) => return format!("number {f}"),
            Tok::Str(_) | Tok::Unterminated => return "string".into(),
            Tok::Let => "let",
            Tok::Fn => "fn",
            Tok::Return => "return",
            Tok::If => "if",
            Tok::Elif => "elif",
            Tok::Else => "else",
            Tok::While => "while",
            Tok::For => "for",
            Tok::In => "in",
            Tok::Break => "break",
            Tok::Continue => "continue",
            Tok::With => "with",
            Tok::As => "as",
            Tok::Try => "try",
            Tok::Catch => "catch",
            Tok::Finally => "finally",
            Tok::Throw => "throw",
            Tok::True => "true",
            Tok::False => "false",
            Tok::Nil => "nil",
            Tok::And => "and",
            Tok::Or => "or",
            Tok::Not => "not",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::Dot => ".",
            Tok::Assign => "=",
            Tok::PlusAssign => "+=",
            Tok::MinusAssign => "-=",
            Tok::StarAssign => "*=",
            Tok::SlashAssign => "/=",
            Tok::SlashSlashAssign => "//=",
            Tok::PercentAssign => "%=",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::SlashSlash => "//",
            Tok::Percent => "%",
            Tok::StarStar => "**",
        };
        format!("'{text}'")
    }
}

fn parse_int(digits: &str, radix: u32) -> Result<i64, LexError> {
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    i64::from_str_radix(&clean, radix).map_err(|_| {
        LexError("integer literal is too large for a 64-bit int (an OverflowError)".into())
    })
}

fn parse_float(lex: &mut logos::Lexer<'_, Tok>) -> Result<f64, LexError> {
    let clean: String = lex.slice().chars().filter(|&c| c != '_').collect();
    clean
        .parse()
        .map_err(|_| LexError(format!("malformed number {:?}", lex.slice())))
}

fn unterminated(_lex: &mut logos::Lexer<'_, Tok>) -> Result<(), LexError> {
    Err(LexError("unterminated string literal".into()))
}

/// The text of a quoted literal with its escapes replaced.
fn unescape(quoted: &str) -> Result<String, LexError> {
    let body = &quoted[1..quoted.len() - 1];
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(c @ ('\\' | '"' | '\'')) => out.push(c),
            Some('u') => out.push(unicode_escape(&mut chars)?),
            Some(c) => return Err(LexError(format!("unknown escape sequence \\{c}"))),
            None => return Err(LexError("a string cannot end with a lone \\".into())),
        }
    }
    Ok(out)
}

/// Reads the `{1F600}` of a `\u{1F600}` escape.
fn unicode_escape(chars: &mut std::str::Chars<'_>) -> Result<char, LexError> {
    let bad = || LexError("a \\u escape must look like \\u{1F600}".into());
    if chars.next() != Some('{') {
        return Err(bad());
    }
    let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
    let code = u32::from_str_radix(&hex, 16).map_err(|_| bad())?;
    char::from_u32(code).ok_or_else(|| LexError(format!("\\u{{{hex}}} is not a valid character")))
}

pub type Spanned = (usize, Tok, usize);

/// Lexes a whole source: the tokens after layout, and every lexing error.
/// Bad characters are skipped so the parser can report more errors after them.
pub fn lex(src: &str) -> (Vec<Spanned>, Vec<Diagnostic>) {
    let mut layout = Layout::default();
    let mut errors = Vec::new();
    let mut lexer = Tok::lexer(src);
    while let Some(tok) = lexer.next() {
        let span = lexer.span();
        match tok {
            Ok(tok) => layout.push(span.start, tok, span.end),
            Err(LexError(message)) => {
                errors.push(Diagnostic::syntax(message, Span::new(span.start, span.end)));
                // A bad literal still stands for a value, so the parser does
                // not report a second error where it was.
                match lexer.slice().chars().next() {
                    Some('"' | '\'') => layout.push(span.start, Tok::Str(String::new()), span.end),
                    Some(c) if c.is_ascii_digit() || c == '.' => {
                        layout.push(span.start, Tok::Int(0), span.end)
                    }
                    _ => {}
                }
            }
        }
    }
    (layout.tokens, errors)
}

#[derive(Clone, Copy, PartialEq)]
enum Bracket {
    Round,
    Square,
    Curly,
}

/// The layout pass: tracks open brackets and places statement terminators.
#[derive(Default)]
struct Layout {
    tokens: Vec<Spanned>,
    open: Vec<Bracket>,
}

impl Layout {
    fn push(&mut self, start: usize, tok: Tok, end: usize) {
        match tok {
            Tok::Term => return self.push_term(start, end),
            Tok::LParen => self.open.push(Bracket::Round),
            Tok::LBracket => self.open.push(Bracket::Square),
            Tok::LBrace => self.open.push(Bracket::Curly),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                self.open.pop();
            }
            _ => {}
        }
        if matches!(
            tok,
            Tok::RBrace | Tok::Elif | Tok::Else | Tok::Catch | Tok::Finally
        ) && self.last_is(|t| *t == Tok::Term)
        {
            self.tokens.pop();
        }
        self.tokens.push((start, tok, end));
    }

    fn push_term(&mut self, start: usize, end: usize) {
        let inside_parens = matches!(self.open.last(), Some(Bracket::Round | Bracket::Square));
        let redundant = self.tokens.is_empty()
            || self.last_is(|t| matches!(t, Tok::Term | Tok::LBrace | Tok::Comma));
        if !inside_parens && !redundant {
            self.tokens.push((start, Tok::Term, end));
        }
    }

    fn last_is(&self, pred: impl Fn(&Tok) -> bool) -> bool {
        self.tokens.last().is_some_and(|(_, t, _)| pred(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        let (toks, errors) = lex(src);
        assert!(errors.is_empty(), "{errors:?}");
        toks.into_iter().map(|(_, t, _)| t).collect()
    }

    #[test]
    fn newlines_inside_parens_are_ignored() {
        assert_eq!(
            kinds("f(1,\n2)\n"),
            vec![
                Tok::Ident("f".into()),
                Tok::LParen,
                Tok::Int(1),
                Tok::Comma,
                Tok::Int(2),
                Tok::RParen,
                Tok::Term
            ]
        );
    }

    #[test]
    fn terminators_collapse_and_vanish_around_braces() {
        assert_eq!(
            kinds("{\n\n x;;\n}\nelse"),
            vec![Tok::LBrace, Tok::Ident("x".into()), Tok::RBrace, Tok::Else]
        );
    }

    #[test]
    fn numbers_and_strings() {
        assert_eq!(
            kinds(r#"1_000 0xff 2.75 .5 1e-3 "a\n\u{41}" 'b'"#),
            vec![
                Tok::Int(1000),
                Tok::Int(255),
                Tok::Float(2.75),
                Tok::Float(0.5),
                Tok::Float(0.001),
                Tok::Str("a\nA".into()),
                Tok::Str("b".into())
            ]
        );
    }

    #[test]
    fn bad_input_is_reported_and_skipped() {
        let (toks, errors) = lex("let x = 1 $ 2\n\"abc");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].message, "unexpected character '$'");
        assert_eq!(errors[1].message, "unterminated string literal");
        assert_eq!(toks.len(), 7);
        assert_eq!(toks[6].1, Tok::Str(String::new()));
    }

    #[test]
    fn too_large_integer() {
        let (_, errors) = lex("99999999999999999999");
        assert!(errors[0]
            .message
            .starts_with("integer literal is too large"));
    }
}
