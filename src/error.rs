//! The error type the engine returns to Rust callers.

use std::fmt;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::interp::Thrown;

/// A script failure: its kind (`TypeError`, `SyntaxError`...), message and
/// place, with the full rendered diagnostic as its `Display`.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    pub kind: String,
    pub message: String,
    /// `file:line:col`, when the error has a place.
    pub location: Option<String>,
    /// The exit status a command-line run ends with.
    pub status: i32,
    rendered: String,
}

impl Error {
    pub(crate) fn new(kind: &str, message: impl Into<String>, rendered: String) -> Error {
        Error {
            kind: kind.to_string(),
            message: message.into(),
            location: None,
            status: 1,
            rendered,
        }
    }

    /// Errors found before running (syntax, undeclared names): all rendered,
    /// the first one summarised.
    pub(crate) fn from_diagnostics(diags: &Diagnostics, source: &SourceFile, color: bool) -> Error {
        let rendered = diags.render(source, color);
        let first = &diags[0];
        Error {
            kind: first.kind.clone(),
            message: first.message.clone(),
            location: Some(source.location(first.span.start)),
            status: 1,
            rendered,
        }
    }

    /// An uncaught runtime error, with its thread and call stack.
    pub(crate) fn from_thrown(t: &Thrown, thread: &str, color: bool) -> Error {
        let kind = t.error.kind.to_string();
        let message = t.error.message.clone();
        let stack = format!(
            "  thread {thread}, most recent call last:\n{}",
            stack_lines(&t.trace)
        );
        let (mut rendered, location) = match &t.at {
            Some((source, span)) => {
                let d = Diagnostic::new(&kind, &message, *span);
                (d.render(source, color), Some(source.location(span.start)))
            }
            None => (format!("{kind}: {message}\n"), None),
        };
        rendered.push_str(&stack);
        if kind == crate::panic::INTERNAL_ERROR {
            rendered.push_str(crate::panic::NOTE);
        }
        let status = if kind == "InterruptError" {
            Error::INTERRUPTED
        } else {
            1
        };
        Error {
            kind,
            message,
            location,
            status,
            rendered,
        }
    }

    /// Script output that could not be written stopped the run. A closed
    /// pipe (`thr x.thr | head -1`) is no mistake to report, only a reason
    /// to stop: its report is empty. Any other failure (a full disk) is
    /// reported.
    pub(crate) fn lost_output(e: std::io::Error) -> Error {
        let message = format!("cannot write the script's output: {e}");
        let rendered = match e.kind() {
            std::io::ErrorKind::BrokenPipe => String::new(),
            _ => format!("error: {message}\n"),
        };
        Error::new("IOError", message, rendered)
    }

    /// `exit(status)` with a non-zero status.
    pub(crate) fn exit(status: i32) -> Error {
        Error {
            kind: "Exit".into(),
            message: format!("the script called exit({status})"),
            location: None,
            status,
            rendered: String::new(),
        }
    }

    /// The status of a run stopped by Ctrl-C, as Python's after an uncaught
    /// `KeyboardInterrupt` (128 + SIGINT).
    pub const INTERRUPTED: i32 = 130;

    /// The error with `more` reported after it.
    pub(crate) fn followed_by(mut self, more: &str) -> Error {
        self.rendered.push_str(more);
        self
    }

    /// The error reported, with `other`'s kind, message and status: the
    /// run ended for `other`'s reason.
    pub(crate) fn kind_of(self, other: Error) -> Error {
        Error {
            rendered: self.rendered,
            ..other
        }
    }

    /// The error, once its report is written: only what follows is left.
    pub(crate) fn reported(mut self) -> Error {
        self.rendered.clear();
        self
    }

    /// The full diagnostic text, as printed to stderr.
    pub fn rendered(&self) -> &str {
        &self.rendered
    }
}

/// A script file's text: UTF-8, without the byte-order mark some editors
/// write first. Invalid UTF-8 is a `SyntaxError` at its line and column.
pub fn source_text<'a>(name: &str, bytes: &'a [u8], color: bool) -> Result<&'a str, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        // The text up to the bad byte is the same in the lossy copy, where
        // the bad bytes became one U+FFFD to point at.
        let at = e.valid_up_to();
        let source = SourceFile::new(name, String::from_utf8_lossy(bytes));
        let message = format!("invalid UTF-8: byte 0x{:02x} is not text", bytes[at]);
        let span = crate::ast::Span::new(at, at + '\u{FFFD}'.len_utf8());
        let d = Diagnostic::new("SyntaxError", &message, span).with_label("save the file as UTF-8");
        Error::from_diagnostics(&d.into(), &source, color)
    })
}

/// The call stack, most recent call last. As Python does, a run of the same
/// entry (deep recursion) prints three times, then how often it repeats.
fn stack_lines(trace: &[crate::interp::TraceEntry]) -> String {
    const SHOWN: usize = 3;
    let mut out = String::new();
    let mut previous: Option<String> = None;
    let mut repeats = 0;
    let flush = |out: &mut String, repeats: usize| {
        if repeats > SHOWN {
            out.push_str(&format!(
                "    [Previous line repeated {} more times]\n",
                repeats - SHOWN
            ));
        }
    };
    for entry in trace.iter().rev() {
        let line = format!("    {} at {}\n", entry.function, entry.location);
        if previous.as_ref() == Some(&line) {
            repeats += 1;
        } else {
            flush(&mut out, repeats);
            repeats = 1;
        }
        if repeats <= SHOWN {
            out.push_str(&line);
        }
        previous = Some(line);
    }
    flush(&mut out, repeats);
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rendered.is_empty() {
            write!(f, "{}: {}", self.kind, self.message)
        } else {
            f.write_str(&self.rendered)
        }
    }
}

impl std::error::Error for Error {}
