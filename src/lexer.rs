//! The lexer: logos turns source text into tokens with byte spans, then a
//! layout pass decides which newlines end statements.
//!
//! Layout rules (LANGUAGE.md §2): a newline inside `(` or `[` is ignored; inside
//! `{` or at top level it ends a statement, as `;` does. Runs of terminators
//! collapse into one, and a terminator right after `{` or `,` or right before
//! `}`, `elif`, `else`, `catch` or `finally` is dropped, so blocks and map
//! literals may span lines freely.
//!
//! The layout pass also caps nesting ([`MAX_DEPTH`]): the parser's stack and
//! every later pass over the tree grow with it, so hostile input is stopped
//! here, before anything deep is built.

use logos::Logos;

mod depth;

use crate::ast::Span;
use crate::diagnostic::{Diagnostic, Diagnostics};
use depth::Depth;

/// A lexing error: what went wrong, what to write instead, and the token the
/// bad text stands for, if any, so that parsing goes on as if it were right
/// (a bad literal is still a value, `&&` still an `and`) and reports nothing
/// more there. The span is filled in by [`lex`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LexError {
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
    stands_for: Option<Tok>,
}

impl LexError {
    fn new(message: impl Into<String>, stands_for: Option<Tok>) -> LexError {
        LexError {
            message: message.into(),
            label: None,
            help: None,
            stands_for,
        }
    }

    fn unexpected(lex: &mut logos::Lexer<'_, Tok>) -> LexError {
        let c = lex.slice().chars().next().unwrap_or(' ');
        LexError::new(format!("unexpected character {c:?}"), None)
    }

    /// Another language's operator, where Thr has a word.
    fn foreign(op: &str, word: Tok) -> LexError {
        let mut help = format!("Thr spells it {}", word.describe());
        if reported_once(op) {
            help.push_str(&format!(": change every '{op}' in the file"));
        }
        LexError {
            message: format!("Thr has no '{op}'"),
            label: Some("not Thr".into()),
            help: Some(help),
            stands_for: Some(word),
        }
    }

    /// A bad string literal: it still stands for a string.
    fn in_string(message: impl Into<String>) -> LexError {
        LexError::new(message, Some(Tok::Str(String::new())))
    }

    /// A bad number: it still stands for a number.
    fn in_number(message: impl Into<String>) -> LexError {
        LexError::new(message, Some(Tok::Int(0)))
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
    #[token("&&", |_| foreign("&&", Tok::And))]
    And,
    #[token("or")]
    #[token("||", |_| foreign("||", Tok::Or))]
    Or,
    #[token("not")]
    #[token("!", |_| foreign("!", Tok::Not))]
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
    /// True for a name or a literal: an operand all by itself.
    pub fn is_atom(&self) -> bool {
        matches!(
            self,
            Tok::Ident(_)
                | Tok::Int(_)
                | Tok::Float(_)
                | Tok::Str(_)
                | Tok::True
                | Tok::False
                | Tok::Nil
        )
    }

    /// True for what can end an operand: an atom or a closing bracket.
    pub fn ends_operand(&self) -> bool {
        self.is_atom() || matches!(self, Tok::RParen | Tok::RBracket | Tok::RBrace)
    }

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
        LexError::in_number("integer literal is too large for a 64-bit int (an OverflowError)")
    })
}

fn parse_float(lex: &mut logos::Lexer<'_, Tok>) -> Result<f64, LexError> {
    let clean: String = lex.slice().chars().filter(|&c| c != '_').collect();
    clean
        .parse()
        .map_err(|_| LexError::in_number(format!("malformed number {:?}", lex.slice())))
}

/// Another language's operator (`&&`): an error, standing for Thr's word.
fn foreign(op: &str, word: Tok) -> Result<(), LexError> {
    Err(LexError::foreign(op, word))
}

fn unterminated(_lex: &mut logos::Lexer<'_, Tok>) -> Result<(), LexError> {
    Err(LexError::in_string("unterminated string literal"))
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
            Some(c) => {
                return Err(LexError::in_string(format!(
                    "unknown escape sequence \\{c}"
                )))
            }
            None => return Err(LexError::in_string("a string cannot end with a lone \\")),
        }
    }
    Ok(out)
}

/// Reads the `{1F600}` of a `\u{1F600}` escape.
fn unicode_escape(chars: &mut std::str::Chars<'_>) -> Result<char, LexError> {
    let bad = || LexError::in_string("a \\u escape must look like \\u{1F600}");
    if chars.next() != Some('{') {
        return Err(bad());
    }
    // One to six hex digits, then the closing brace.
    let mut hex = String::new();
    loop {
        match chars.next() {
            Some('}') => break,
            Some(c) if c.is_ascii_hexdigit() && hex.len() < 6 => hex.push(c),
            _ => return Err(bad()),
        }
    }
    let code = u32::from_str_radix(&hex, 16).map_err(|_| bad())?;
    char::from_u32(code)
        .ok_or_else(|| LexError::in_string(format!("\\u{{{hex}}} is not a valid character")))
}

pub type Spanned = (usize, Tok, usize);

/// The deepest nesting accepted (see [`depth`]): open brackets and blocks,
/// and unary operators and `**`s waiting for their operand. No honest script
/// comes near; Python's own parser stops at 200 nested brackets.
pub const MAX_DEPTH: usize = 200;

/// A lexed source: the tokens after layout, and the errors found.
pub struct Lexed {
    pub tokens: Vec<Spanned>,
    pub errors: Diagnostics,
    /// Lexing stopped at a nesting deeper than [`MAX_DEPTH`]: the tokens end
    /// there, and parsing them would only report that they end early.
    pub too_deep: bool,
}

/// Lexes a whole source. Bad characters are skipped so the parser can report
/// more errors after them; another language's operator (`&&`) is reported
/// once per file.
pub fn lex(src: &str) -> Lexed {
    let mut layout = Layout::default();
    let mut errors = Diagnostics::default();
    let mut foreign_seen: Vec<&str> = Vec::new();
    let mut lexer = Tok::lexer(src);
    while let Some(tok) = lexer.next() {
        let span = lexer.span();
        let tok = match tok {
            Ok(tok) => tok,
            Err(e) => {
                let once = reported_once(lexer.slice());
                if !(once && foreign_seen.contains(&lexer.slice())) {
                    foreign_seen.extend(once.then(|| lexer.slice()));
                    let mut d = Diagnostic::syntax(e.message, Span::new(span.start, span.end));
                    (d.label, d.help) = (e.label, e.help);
                    errors.push(d);
                }
                match e.stands_for {
                    Some(tok) => tok,
                    None => continue,
                }
            }
        };
        layout.push(span.start, tok, span.end);
        if layout.depth.total() > MAX_DEPTH {
            errors.push(too_deep(Span::new(span.start, span.end)));
            return Lexed {
                tokens: layout.tokens,
                errors,
                too_deep: true,
            };
        }
    }
    Lexed {
        tokens: layout.tokens,
        errors,
        too_deep: false,
    }
}

/// Operators that are likely all over a file once they are anywhere: only
/// the first of each is reported.
fn reported_once(op: &str) -> bool {
    matches!(op, "&&" | "||")
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::syntax(format!("nested more than {MAX_DEPTH} levels deep"), span)
        .with_label("too deeply nested")
        .with_note("each bracket, block and unary operator still open is a level")
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
    depth: Depth,
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
        self.depth.step(&tok);
        self.tokens.push((start, tok, end));
    }

    fn push_term(&mut self, start: usize, end: usize) {
        let inside_parens = matches!(self.open.last(), Some(Bracket::Round | Bracket::Square));
        let redundant = self.tokens.is_empty()
            || self.last_is(|t| matches!(t, Tok::Term | Tok::LBrace | Tok::Comma));
        if !inside_parens && !redundant {
            self.depth.step(&Tok::Term);
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
        let lexed = lex(src);
        assert!(lexed.errors.is_empty(), "{:?}", lexed.errors);
        lexed.tokens.into_iter().map(|(_, t, _)| t).collect()
    }

    fn messages(src: &str) -> Vec<String> {
        lex(src).errors.iter().map(|d| d.message.clone()).collect()
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
        let Lexed { tokens, errors, .. } = lex("let x = 1 $ 2\n\"abc");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].message, "unexpected character '$'");
        assert_eq!(errors[1].message, "unterminated string literal");
        assert_eq!(tokens.len(), 7);
        assert_eq!(tokens[6].1, Tok::Str(String::new()));
    }

    #[test]
    fn too_large_integer() {
        assert_eq!(
            messages("99999999999999999999"),
            ["integer literal is too large for a 64-bit int (an OverflowError)"]
        );
    }

    #[test]
    fn a_unicode_escape_needs_its_brace_and_at_most_six_digits() {
        let bad = "a \\u escape must look like \\u{1F600}";
        assert_eq!(messages(r#""\u{1F600""#), [bad]);
        assert_eq!(messages(r#""\u{1F600"#), ["unterminated string literal"]);
        assert_eq!(messages(r#""\u{}""#), [bad]);
        assert_eq!(messages(r#""\u{1000000}""#), [bad]);
        assert_eq!(messages(r#""\u{1F6x0}""#), [bad]);
        assert_eq!(
            messages(r#""\u{D800}""#),
            ["\\u{D800} is not a valid character"]
        );
        assert_eq!(kinds(r#""\u{10FFFF}""#), [Tok::Str("\u{10FFFF}".into())]);
    }

    #[test]
    fn other_languages_operators_stand_for_thr_words() {
        let lexed = lex("!a && b && c || d");
        let toks: Vec<Tok> = lexed.tokens.into_iter().map(|(_, t, _)| t).collect();
        let v = |n: &str| Tok::Ident(n.into());
        assert_eq!(
            toks,
            [
                Tok::Not,
                v("a"),
                Tok::And,
                v("b"),
                Tok::And,
                v("c"),
                Tok::Or,
                v("d")
            ]
        );
        // `&&` and `||` are reported once each, `!` every time.
        let found: Vec<_> = lexed
            .errors
            .iter()
            .map(|d| (d.span.start, d.message.as_str(), d.help.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                (0, "Thr has no '!'", "Thr spells it 'not'"),
                (
                    3,
                    "Thr has no '&&'",
                    "Thr spells it 'and': change every '&&' in the file"
                ),
                (
                    13,
                    "Thr has no '||'",
                    "Thr spells it 'or': change every '||' in the file"
                ),
            ]
        );
        assert_eq!(kinds("a != b"), [v("a"), Tok::NotEq, v("b")]);
    }

    #[test]
    fn nesting_is_capped() {
        let at_cap = "(".repeat(MAX_DEPTH);
        let lexed = lex(&at_cap);
        assert!(!lexed.too_deep && lexed.errors.is_empty());
        let over = format!("{at_cap}(((");
        let lexed = lex(&over);
        assert!(lexed.too_deep);
        assert_eq!(lexed.tokens.len(), MAX_DEPTH + 1);
        assert_eq!(lexed.errors.len(), 1);
        assert_eq!(lexed.errors[0].message, "nested more than 200 levels deep");
        assert_eq!(lexed.errors[0].span, Span::new(MAX_DEPTH, MAX_DEPTH + 1));
        let blocks = "if x {\n".repeat(MAX_DEPTH + 1);
        assert!(lex(&blocks).too_deep);
        assert!(lex(&"- ".repeat(MAX_DEPTH + 1)).too_deep);
        // Closed brackets and completed operators no longer count.
        let flat = "(x) + -y\n".repeat(10 * MAX_DEPTH);
        assert!(!lex(&flat).too_deep);
    }
}
