//! How deeply nested the parser will be at each token, to cap it before
//! anything deep is built. Each open bracket or block is a level, and so is
//! each operator still waiting for its operand: a unary `-` or `not`, or a
//! `**` (right-associative). Those are the only ways the parser's stack grows
//! without bound; `a + b + c` and `f()()` are reduced as they go.

use super::Tok;

/// The operators waiting at one bracket level.
#[derive(Clone, Copy, Default)]
struct Waiting {
    /// Unary `not`s: they wait through comparisons (`not a == b` is
    /// `not (a == b)`) and arithmetic.
    nots: usize,
    /// Unary `-`s and `**`s: any binary operator completes them.
    arith: usize,
}

pub struct Depth {
    /// One entry per open bracket, after the file's own level.
    levels: Vec<Waiting>,
    /// Open brackets plus every waiting operator.
    total: usize,
    after_operand: bool,
}

impl Default for Depth {
    fn default() -> Depth {
        Depth {
            levels: vec![Waiting::default()],
            total: 0,
            after_operand: false,
        }
    }
}

impl Depth {
    /// Open brackets plus every waiting operator.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Takes the next token the parser will see.
    pub fn step(&mut self, tok: &Tok) {
        let unary = !self.after_operand;
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => {
                self.levels.push(Waiting::default());
                self.total += 1;
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace => self.close(),
            Tok::Minus if unary => self.wait(|w| &mut w.arith),
            Tok::StarStar => self.wait(|w| &mut w.arith),
            Tok::Not if unary => self.wait(|w| &mut w.nots),
            Tok::Dot => {}
            tok if tok.is_atom() => {}
            Tok::Plus | Tok::Minus | Tok::Star | Tok::Slash | Tok::SlashSlash | Tok::Percent => {
                self.settle(false)
            }
            Tok::EqEq | Tok::NotEq | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge | Tok::In | Tok::Not => {
                self.settle(false)
            }
            _ => self.settle(true),
        }
        self.after_operand = tok.ends_operand();
    }

    fn level(&mut self) -> &mut Waiting {
        self.levels
            .last_mut()
            .expect("the file's level is never closed")
    }

    fn wait(&mut self, count: impl Fn(&mut Waiting) -> &mut usize) {
        *count(self.level()) += 1;
        self.total += 1;
    }

    /// A binary operator completes the waiting arithmetic; anything of lower
    /// precedence than `not` (`and`, `,`, a newline...) completes all.
    fn settle(&mut self, nots_too: bool) {
        let level = self.level();
        let done = level.arith + if nots_too { level.nots } else { 0 };
        level.arith = 0;
        if nots_too {
            level.nots = 0;
        }
        self.total -= done;
    }

    /// A closing bracket ends its level and whatever waited in it. A stray
    /// one closes nothing: the parser reports it.
    fn close(&mut self) {
        if self.levels.len() > 1 {
            let level = self.levels.pop().expect("checked above");
            self.total -= 1 + level.nots + level.arith;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::Tok;

    fn deepest(src: &str) -> usize {
        let mut depth = Depth::default();
        let mut lexer = logos::Logos::lexer(src);
        let mut most = 0;
        while let Some(Ok(tok)) = lexer.next() {
            let tok: Tok = tok;
            if tok != Tok::Term {
                depth.step(&tok);
                most = most.max(depth.total());
            }
        }
        most
    }

    #[test]
    fn brackets_and_waiting_operators_count() {
        assert_eq!(deepest("f(a[{1: 2}])"), 3);
        assert_eq!(deepest("- - - x"), 3);
        assert_eq!(deepest("not not x"), 2);
        assert_eq!(deepest("2 ** 3 ** 4"), 2);
        assert_eq!(deepest("-(-x)"), 3);
    }

    #[test]
    fn binary_operators_complete_what_waits() {
        assert_eq!(deepest("-a + -b + -c"), 1);
        assert_eq!(deepest("a - b - c"), 0);
        assert_eq!(deepest("2 ** 3 * 2 ** 3"), 1);
        // `not` waits through a comparison, so both count.
        assert_eq!(deepest("not a == -b"), 2);
        assert_eq!(deepest("not a and not b"), 1);
        assert_eq!(deepest("x not in y"), 0);
    }
}
