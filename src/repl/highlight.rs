//! Colours for the entry being typed (ANSI escapes, which take no room on
//! screen), and the bracket matching the one at the cursor.

use super::syntax::{self, Kind};

const RESET: &str = "\x1b[0m";
/// The bracket matching the one at the cursor: bold and underlined.
const MATCH: &str = "\x1b[1;4m";

fn colour(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Keyword => Some("\x1b[1;35m"),
        Kind::Constant => Some("\x1b[36m"),
        Kind::Str => Some("\x1b[32m"),
        Kind::Comment => Some("\x1b[90m"),
        Kind::Prompt | Kind::Open | Kind::Close | Kind::Other => None,
    }
}

/// `text` with colours, and with the bracket matching the one at `pos`
/// marked when `brackets` is set.
pub fn highlight(text: &str, pos: usize, brackets: bool) -> String {
    let partner = brackets
        .then(|| syntax::matching_bracket(text, pos))
        .flatten();
    let mut out = String::with_capacity(text.len() * 2);
    let mut end = 0;
    for piece in syntax::pieces(text) {
        out.push_str(&text[end..piece.range.start]);
        let style = match partner == Some(piece.range.start) {
            true => Some(MATCH),
            false => colour(piece.kind),
        };
        let body = &text[piece.range.clone()];
        match style {
            Some(style) => out.extend([style, body, RESET]),
            None => out.push_str(body),
        }
        end = piece.range.end;
    }
    out.push_str(&text[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_strings_numbers_and_the_matching_bracket_are_marked() {
        assert_eq!(
            highlight("let s = \"x\" # c", 0, true),
            "\x1b[1;35mlet\x1b[0m s = \x1b[32m\"x\"\x1b[0m \x1b[90m# c\x1b[0m"
        );
        assert_eq!(
            highlight("f(1)", 4, true),
            "f\x1b[1;4m(\x1b[0m\x1b[36m1\x1b[0m)"
        );
        assert_eq!(highlight("f(1)", 4, false), "f(\x1b[36m1\x1b[0m)");
    }
}
