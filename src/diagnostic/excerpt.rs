//! The text a report shows: the source lines its spans touch, each line
//! longer than [`MAX_WIDTH`] cut to a window around the marked place, so a
//! report stays small however long the line (a 40 KB line of `)` would
//! otherwise be printed whole for every error on it).

use super::SourceFile;

/// The longest line shown whole, in bytes.
const MAX_WIDTH: usize = 160;
/// How much of a cut line is kept before the marked place.
const BEFORE: usize = 60;
/// Stands for the part of a line that was cut.
const CUT: &str = "…";

/// Lines of a source, ready for ariadne: the lines before the first shown one
/// are left empty, so line numbers stay right, and offsets into the source
/// map to offsets into [`Excerpt::text`].
pub struct Excerpt {
    pub text: String,
    windows: Vec<Window>,
}

/// The part of one source line that is shown, and where it lands.
struct Window {
    line_start: usize,
    start: usize,
    end: usize,
    /// Where `start` is in the excerpt's text.
    at: usize,
}

impl Excerpt {
    /// The lines from the first to the last that `spans` touch; a cut line
    /// keeps the part around `anchor` (the report's own place) if it is on
    /// that line, else around its first marked place.
    pub fn new(source: &SourceFile, anchor: usize, spans: &[(usize, usize)]) -> Excerpt {
        let first = spans
            .iter()
            .map(|s| s.0)
            .min()
            .unwrap_or(anchor)
            .min(anchor);
        let last = spans
            .iter()
            .map(|s| s.1)
            .max()
            .unwrap_or(anchor)
            .max(anchor);
        let (first, last) = (source.line_index(first), source.line_index(last));
        let mut excerpt = Excerpt {
            text: "\n".repeat(first),
            windows: Vec::new(),
        };
        for line in first..=last {
            let (start, end) = source.line_span(line);
            let marks = spans
                .iter()
                .flat_map(|&(s, e)| [s, e])
                .filter(|p| (start..=end).contains(p));
            let focus = if (start..=end).contains(&anchor) {
                anchor
            } else {
                marks.min().unwrap_or(start)
            };
            excerpt.push_line(&source.text, start, end, focus);
        }
        excerpt
    }

    fn push_line(&mut self, text: &str, line_start: usize, line_end: usize, focus: usize) {
        let (start, end) = if line_end - line_start <= MAX_WIDTH {
            (line_start, line_end)
        } else {
            let start = focus.saturating_sub(BEFORE).max(line_start);
            let end = (start + MAX_WIDTH).min(line_end);
            (char_start(text, start), char_start(text, end))
        };
        if start > line_start {
            self.text.push_str(CUT);
        }
        self.windows.push(Window {
            line_start,
            start,
            end,
            at: self.text.len(),
        });
        self.text
            .extend(text[start..end].chars().map(no_line_break));
        if end < line_end {
            self.text.push_str(CUT);
        }
        self.text.push('\n');
    }

    /// Where a source offset lands in the excerpt: a place in a cut part
    /// lands on the `…` that stands for it.
    pub fn map(&self, offset: usize) -> usize {
        let i = self.windows.partition_point(|w| w.line_start <= offset);
        let Some(w) = self.windows.get(i.saturating_sub(1)) else {
            return 0;
        };
        if offset < w.start {
            w.at - CUT.len()
        } else if offset > w.end {
            w.at + (w.end - w.start) + CUT.len()
        } else {
            w.at + (offset - w.start)
        }
    }

    /// The 1-based column ariadne will print for `offset`, which differs from
    /// the source's when the start of its line was cut.
    pub fn column(&self, offset: usize) -> usize {
        let at = self.map(offset);
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        self.text[line_start..at].chars().count() + 1
    }

    /// A report ariadne rendered from this excerpt, with the source's column
    /// of `offset` in its `file:line:col` header (ariadne counts it in the
    /// cut line).
    pub fn real_header(&self, report: String, source: &SourceFile, offset: usize) -> String {
        let (line, col) = source.line_col(offset as u32);
        let shown = self.column(offset);
        match report.split_once('\n') {
            Some((message, rest)) if shown != col => {
                let name = &source.name;
                let (shown, real) = (
                    format!(" {name}:{line}:{shown} "),
                    format!(" {name}:{line}:{col} "),
                );
                format!("{message}\n{}", rest.replacen(&shown, &real, 1))
            }
            _ => report,
        }
    }
}

/// The start of the character `i` falls in.
fn char_start(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// ariadne also breaks lines at these characters, the lexer does not: each
/// becomes a space of the same length, so lines and offsets stay the lexer's.
fn no_line_break(c: char) -> char {
    match c {
        '\r' | '\x0B' | '\x0C' => ' ',
        '\u{85}' => '\u{A0}',
        '\u{2028}' | '\u{2029}' => '\u{2002}',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_kept_whole_and_earlier_lines_left_empty() {
        let src = SourceFile::new("t", "a\nbcd\ne\n");
        let ex = Excerpt::new(&src, 3, &[(3, 4)]);
        assert_eq!(ex.text, "\nbcd\n");
        assert_eq!(ex.map(3), 2);
        assert_eq!(ex.column(3), 2);
    }

    #[test]
    fn a_long_line_is_cut_around_the_place() {
        let line = "x".repeat(1000);
        let src = SourceFile::new("t", format!("{line}\n"));
        let ex = Excerpt::new(&src, 500, &[(500, 501)]);
        assert_eq!(ex.text, format!("{CUT}{}{CUT}\n", "x".repeat(MAX_WIDTH)));
        assert_eq!(ex.map(500), CUT.len() + BEFORE);
        assert_eq!(ex.column(500), BEFORE + 2);
        assert_eq!(ex.map(0), 0);
        assert_eq!(ex.map(1000), CUT.len() + MAX_WIDTH + CUT.len());
    }

    #[test]
    fn cuts_fall_between_characters() {
        let line = "é".repeat(500);
        let src = SourceFile::new("t", line.as_str());
        let ex = Excerpt::new(&src, 501, &[(501, 503)]);
        assert!(ex.text.starts_with(CUT), "{}", ex.text);
    }

    #[test]
    fn other_line_breaks_become_spaces() {
        let src = SourceFile::new("t", "a\rb\u{2028}c");
        assert_eq!(Excerpt::new(&src, 0, &[(0, 1)]).text, "a b\u{2002}c\n");
    }
}
