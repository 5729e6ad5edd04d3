//! The entry being typed, read as tokens: for its colours, its matching
//! brackets and the indentation of its next line. The editor's text holds
//! the continuation prompts; each line is read on its own (no token spans
//! lines), after its prompt.

use std::ops::Range;

use logos::Logos;
use thr::cli_support::Tok;

use super::MORE;

/// The words that are keywords, for completion.
pub const KEYWORDS: &[&str] = &[
    "let", "fn", "return", "if", "elif", "else", "while", "for", "in", "break", "continue", "with",
    "as", "try", "catch", "finally", "throw", "true", "false", "nil", "and", "or", "not",
];

/// What a piece of the text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A continuation prompt written into the text.
    Prompt,
    Keyword,
    /// A number, `true`, `false` or `nil`.
    Constant,
    Str,
    Comment,
    Open,
    Close,
    /// Names, operators, punctuation and what does not lex.
    Other,
}

/// A piece of the editor's text, by byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub range: Range<usize>,
    pub kind: Kind,
}

/// The pieces of `text`, in order; the gaps between them are blanks.
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, line) in text.split('\n').enumerate() {
        let code = match line.strip_prefix(MORE) {
            Some(code) if i > 0 => {
                out.push(Piece {
                    range: start..start + MORE.len(),
                    kind: Kind::Prompt,
                });
                code
            }
            _ => line,
        };
        let base = start + line.len() - code.len();
        line_pieces(code, base, &mut out);
        start += line.len() + 1;
    }
    out
}

/// The pieces of one line of code that starts at `base` in the text.
fn line_pieces(code: &str, base: usize, out: &mut Vec<Piece>) {
    let mut end = 0;
    for (tok, span) in Tok::lexer(code).spanned() {
        comment(code, end..span.start, base, out);
        end = span.end;
        out.push(Piece {
            range: base + span.start..base + span.end,
            kind: tok.map_or(Kind::Other, |t| kind(&t)),
        });
    }
    comment(code, end..code.len(), base, out);
}

/// A comment in the gap `gap` between tokens, if there is one.
fn comment(code: &str, gap: Range<usize>, base: usize, out: &mut Vec<Piece>) {
    if let Some(at) = code[gap.clone()].find('#') {
        out.push(Piece {
            range: base + gap.start + at..base + gap.end,
            kind: Kind::Comment,
        });
    }
}

fn kind(tok: &Tok) -> Kind {
    match tok {
        Tok::Int(_) | Tok::Float(_) | Tok::True | Tok::False | Tok::Nil => Kind::Constant,
        Tok::Str(_) | Tok::Unterminated => Kind::Str,
        Tok::LParen | Tok::LBracket | Tok::LBrace => Kind::Open,
        Tok::RParen | Tok::RBracket | Tok::RBrace => Kind::Close,
        Tok::Let
        | Tok::Fn
        | Tok::Return
        | Tok::If
        | Tok::Elif
        | Tok::Else
        | Tok::While
        | Tok::For
        | Tok::In
        | Tok::Break
        | Tok::Continue
        | Tok::With
        | Tok::As
        | Tok::Try
        | Tok::Catch
        | Tok::Finally
        | Tok::Throw
        | Tok::And
        | Tok::Or
        | Tok::Not => Kind::Keyword,
        _ => Kind::Other,
    }
}

/// How many brackets are open before byte `pos` of `text`.
pub fn depth(text: &str, pos: usize) -> usize {
    pieces(text)
        .iter()
        .take_while(|p| p.range.start < pos)
        .fold(0usize, |d, p| match p.kind {
            Kind::Open => d + 1,
            Kind::Close => d.saturating_sub(1),
            _ => d,
        })
}

/// The bracket matching the one at the cursor (just before it, else just
/// after it), by byte offset.
pub fn matching_bracket(text: &str, pos: usize) -> Option<usize> {
    let pieces = pieces(text);
    let brackets: Vec<&Piece> = pieces
        .iter()
        .filter(|p| matches!(p.kind, Kind::Open | Kind::Close))
        .collect();
    let at = |start: usize| brackets.iter().position(|p| p.range.start == start);
    let here = pos.checked_sub(1).and_then(at).or_else(|| at(pos))?;
    let step = |p: &Piece| if p.kind == Kind::Open { 1 } else { -1 };
    let mut depth = 0i32;
    let forward = brackets[here].kind == Kind::Open;
    let order: Box<dyn Iterator<Item = &&Piece>> = match forward {
        true => Box::new(brackets[here..].iter()),
        false => Box::new(brackets[..=here].iter().rev()),
    };
    for p in order {
        depth += step(p);
        if depth == 0 {
            return Some(p.range.start);
        }
    }
    None
}

/// Whether byte `pos` is inside a string of `text`.
pub fn in_string(text: &str, pos: usize) -> bool {
    pieces(text)
        .iter()
        .any(|p| p.kind == Kind::Str && p.range.start < pos && pos <= p.range.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&str, Kind)> {
        pieces(text)
            .into_iter()
            .map(|p| (&text[p.range], p.kind))
            .collect()
    }

    #[test]
    fn every_keyword_lexes_as_one() {
        for k in KEYWORDS {
            let toks: Vec<_> = Tok::lexer(k).collect();
            assert!(
                matches!(&toks[..], [Ok(t)] if !matches!(t, Tok::Ident(_))),
                "{k}"
            );
        }
    }

    #[test]
    fn lines_are_read_after_their_prompt() {
        assert_eq!(
            kinds("if x { # c\n... \"s\" 1 }"),
            vec![
                ("if", Kind::Keyword),
                ("x", Kind::Other),
                ("{", Kind::Open),
                ("# c", Kind::Comment),
                ("... ", Kind::Prompt),
                ("\"s\"", Kind::Str),
                ("1", Kind::Constant),
                ("}", Kind::Close),
            ]
        );
    }

    #[test]
    fn brackets_match_across_lines_and_not_in_strings() {
        let text = "f([1, \")\"], {\n... })";
        assert_eq!(matching_bracket(text, 3), Some(9));
        assert_eq!(matching_bracket(text, 10), Some(2));
        assert_eq!(matching_bracket(text, text.len()), Some(1));
        assert_eq!(matching_bracket(text, 5), None);
        assert_eq!(depth(text, text.len() - 2), 2);
        assert_eq!(depth(text, text.len()), 0);
        assert!(in_string(text, 7));
        assert!(!in_string(text, 3));
    }
}
