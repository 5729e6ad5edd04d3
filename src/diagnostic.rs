//! Diagnostics: every error a user sees, from a bad character to an uncaught
//! error in a thread, rendered with ariadne as `Kind: message`, the source line
//! with its span underlined, notes (thread, call stack) and a help line.

mod excerpt;
pub mod suggest;

use std::sync::Arc;

use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};

use crate::ast::Span;
use excerpt::Excerpt;

/// A source text with its name, shared by everything parsed from it.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(SourceFile {
            name: name.into(),
            text,
            line_starts,
        })
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let col = self.text[start..offset].chars().count();
        (line + 1, col + 1)
    }

    /// The 0-based line a byte offset is on.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Where a 0-based line starts and ends, without its newline.
    fn line_span(&self, line: usize) -> (usize, usize) {
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        (start, end)
    }

    /// `file:line:col` of a byte offset.
    pub fn location(&self, offset: u32) -> String {
        let (line, col) = self.line_col(offset);
        format!("{}:{line}:{col}", self.name)
    }
}

/// One problem found in a source: a kind (`SyntaxError`, `NameError`...), a
/// message, the span it concerns, and optional label, notes and help (what
/// to write instead).
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub kind: String,
    pub message: String,
    pub span: Span,
    pub label: Option<String>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(kind: &str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            kind: kind.to_string(),
            message: message.into(),
            span,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn syntax(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new("SyntaxError", message, span)
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// The full text: header, `file:line:col`, the marked source line, notes.
    pub fn render(&self, source: &SourceFile, color: bool) -> String {
        let label = self.label.clone().unwrap_or_else(|| self.message.clone());
        self.render_labels(source, &[(self.span, label)], color)
    }

    /// Like [`Diagnostic::render`], with several marked spans of one source,
    /// each with its own label (a deadlock marks every waiting thread).
    pub fn render_labels(
        &self,
        source: &SourceFile,
        labels: &[(Span, String)],
        color: bool,
    ) -> String {
        let name = source.name.as_str();
        let clamp = |span: Span| {
            let end = (span.end as usize).min(source.text.len());
            ((span.start as usize).min(end), end)
        };
        let spans: Vec<_> = labels.iter().map(|(span, _)| clamp(*span)).collect();
        let (start, end) = clamp(self.span);
        let excerpt = Excerpt::new(source, start, &spans);
        let range = |(s, e): (usize, usize)| excerpt.map(s)..excerpt.map(e);
        let mut report = Report::build(
            ReportKind::Custom(&self.kind, ariadne::Color::Red),
            (name, range((start, end))),
        )
        .with_config(
            Config::default()
                .with_color(color)
                .with_index_type(IndexType::Byte),
        )
        .with_message(&self.message);
        for (span, (_, text)) in spans.iter().zip(labels) {
            report = report.with_label(Label::new((name, range(*span))).with_message(text));
        }
        for note in &self.notes {
            report = report.with_note(note);
        }
        if let Some(help) = &self.help {
            report = report.with_help(help);
        }
        let mut out = Vec::new();
        report
            .finish()
            .write((name, Source::from(excerpt.text.as_str())), &mut out)
            .expect("writing a report to memory cannot fail");
        let text = String::from_utf8_lossy(&out).into_owned();
        let text = if color { text } else { strip_ansi(&text) };
        excerpt.real_header(text, source, start)
    }
}

/// Most errors a report shows; a flood of errors (a file of stray `)`) is
/// summed up after them in one line.
pub const MAX_SHOWN: usize = 20;

/// The errors found in one source: the first [`MAX_SHOWN`] in source order,
/// and how many more there were. The rest are only counted, so a flood costs
/// neither memory nor time to report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics {
    shown: Vec<Diagnostic>,
    more: usize,
    /// Checking stopped before the end of the source (after too many errors).
    stopped: bool,
}

impl Diagnostics {
    /// Adds an error found after all those already added.
    pub fn push(&mut self, d: Diagnostic) {
        if self.is_full() {
            self.more += 1;
        } else {
            self.shown.push(d);
        }
    }

    /// Counts `n` more errors, found after all those added, without keeping them.
    pub fn add_more(&mut self, n: usize) {
        self.more += n;
    }

    /// Records that checking stopped before the end of the source.
    pub fn stop(&mut self) {
        self.stopped = true;
    }

    /// True when the next error will only be counted: work that only
    /// improves its wording (a suggestion) can be skipped.
    pub fn is_full(&self) -> bool {
        self.shown.len() >= MAX_SHOWN
    }

    /// The same errors, in source order.
    pub fn in_source_order(self) -> Diagnostics {
        self.merge(Diagnostics::default())
    }

    /// Both lists together, in source order.
    pub fn merge(self, other: Diagnostics) -> Diagnostics {
        let mut all = self.shown;
        all.extend(other.shown);
        all.sort_by_key(|d| d.span.start);
        // Each list's uncounted errors come after its shown ones, so the
        // first MAX_SHOWN of both lists are the first of all.
        let overflow = all.len().saturating_sub(MAX_SHOWN);
        all.truncate(MAX_SHOWN);
        Diagnostics {
            shown: all,
            more: self.more + other.more + overflow,
            stopped: self.stopped || other.stopped,
        }
    }

    /// Every shown error, rendered, then `... and N more errors`.
    pub fn render(&self, source: &SourceFile, color: bool) -> String {
        let mut text: String = self.shown.iter().map(|d| d.render(source, color)).collect();
        let more = match self.more {
            0 => String::new(),
            1 => "... and 1 more error".into(),
            n => format!("... and {n} more errors"),
        };
        match (more.is_empty(), self.stopped) {
            (true, false) => {}
            (false, false) => text.push_str(&format!("{more}\n")),
            (_, true) => text.push_str(&format!("{more}; the rest was not checked\n")),
        }
        text
    }
}

impl std::ops::Deref for Diagnostics {
    type Target = [Diagnostic];

    fn deref(&self) -> &[Diagnostic] {
        &self.shown
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        let mut all = Diagnostics::default();
        all.push(d);
        all
    }
}

/// Removes colour escapes: ariadne colours a custom report kind even when
/// colour is off.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\x1b') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        rest = after.find('m').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let src = SourceFile::new("t.thr", "ab\n\u{e9}x = 1\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(3), (2, 1));
        assert_eq!(src.line_col(5), (2, 2));
        assert_eq!(src.location(5), "t.thr:2:2");
    }

    #[test]
    fn render_names_kind_location_and_marks_the_span() {
        let src = SourceFile::new("t.thr", "let x = 1\nprint(y)\n");
        let d = Diagnostic::new("NameError", "name 'y' is not defined", Span::new(16, 17));
        let text = d.render(&src, false);
        assert!(
            text.starts_with("NameError: name 'y' is not defined"),
            "{text}"
        );
        assert!(text.contains("t.thr:2:7"), "{text}");
        assert!(text.contains("print(y)"), "{text}");
    }
}
