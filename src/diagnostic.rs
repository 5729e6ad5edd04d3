//! Diagnostics: every error a user sees, from a bad character to an uncaught
//! error in a thread, rendered with ariadne as `Kind: message`, the source line
//! with its span underlined, and notes (thread, call stack).

pub mod suggest;

use std::sync::Arc;

use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};

use crate::ast::Span;

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
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..offset].chars().count();
        (line + 1, col + 1)
    }

    /// `file:line:col` of a byte offset.
    pub fn location(&self, offset: u32) -> String {
        let (line, col) = self.line_col(offset);
        format!("{}:{line}:{col}", self.name)
    }
}

/// One problem found in a source: a kind (`SyntaxError`, `NameError`...), a
/// message, the span it concerns, and optional label and notes.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub kind: String,
    pub message: String,
    pub span: Span,
    pub label: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(kind: &str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            kind: kind.to_string(),
            message: message.into(),
            span,
            label: None,
            notes: Vec::new(),
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
            (span.start as usize).min(end)..end
        };
        let mut report = Report::build(
            ReportKind::Custom(&self.kind, ariadne::Color::Red),
            (name, clamp(self.span)),
        )
        .with_config(
            Config::default()
                .with_color(color)
                .with_index_type(IndexType::Byte),
        )
        .with_message(&self.message);
        for (span, text) in labels {
            report = report.with_label(Label::new((name, clamp(*span))).with_message(text));
        }
        for note in &self.notes {
            report = report.with_note(note);
        }
        let mut out = Vec::new();
        report
            .finish()
            .write((name, Source::from(source.text.as_str())), &mut out)
            .expect("writing a report to memory cannot fail");
        let text = String::from_utf8_lossy(&out).into_owned();
        if color {
            text
        } else {
            strip_ansi(&text)
        }
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
