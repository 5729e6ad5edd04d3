//! Where REPL output lands on the terminal. While an entry runs, what
//! scripts print goes straight to the terminal. While the prompt is shown,
//! it is kept here and drawn above the prompt by the editor itself, when it
//! next draws the prompt (see [`Screen::paint`]), so what the user is typing
//! stays whole below it. A line printed in part (`print("a", end="")`) is
//! shown at once, on its own row above the prompt, and completed in place
//! when the rest of it comes.
//!
//! Why drawing happens in the prompt's highlighter: the editor's own way to
//! print from other threads (its external printer) takes text that is fixed
//! when it is sent, and text sent just as the user presses Enter stays
//! queued until the next prompt, behind later output. Here the printer only
//! rings a doorbell (a message that moves the cursor up a row and back, so
//! it shows nothing) that makes the editor redraw the prompt; the redraw
//! asks the highlighter for the prompt, and gets the output waiting at that
//! moment above it. The editor positions the cursor from the end of what it
//! wrote, so rows written before the prompt are simply left above it. Output
//! still waiting when the prompt goes away is written out then.

use std::io::Write;
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};
use rustyline::ExternalPrinter;
use unicode_width::UnicodeWidthChar;

use super::terminal;

/// The doorbell: the cursor goes up a row and comes back down to where it was.
const DOORBELL: &str = "\x1b[A\n";

pub struct Screen {
    state: Mutex<State>,
    /// Wakes the doorbell thread.
    bell: Condvar,
}

#[derive(Default)]
struct State {
    /// The editor shows the prompt.
    prompt: bool,
    /// The last line on the terminal, unfinished (no newline yet).
    partial: String,
    /// Output that came while the prompt was shown, not drawn yet.
    pending: String,
    /// The doorbell should ring.
    ring: bool,
}

impl State {
    /// Whether the output so far ends in the middle of a line.
    fn line_open(&self) -> bool {
        match self.pending.is_empty() {
            true => !self.partial.is_empty(),
            false => !self.pending.ends_with('\n'),
        }
    }
}

impl Screen {
    pub fn new() -> Arc<Screen> {
        Arc::new(Screen {
            state: Mutex::default(),
            bell: Condvar::new(),
        })
    }

    /// Starts the thread that rings the editor's doorbell when output is
    /// waiting. It alone may block on the editor's printer, never a script
    /// thread.
    pub fn start_doorbell(self: &Arc<Screen>, mut printer: impl ExternalPrinter + Send + 'static) {
        let screen = self.clone();
        let _ = std::thread::Builder::new()
            .name("thr-repl-doorbell".into())
            .spawn(move || loop {
                {
                    let mut s = screen.state.lock();
                    // Rung while the prompt is shown only: once it is gone,
                    // the doorbell would be written straight out, and would
                    // move the cursor off a line printed in part.
                    while !(s.ring && s.prompt) {
                        screen.bell.wait(&mut s);
                    }
                    s.ring = false;
                }
                if printer.print(DOORBELL.into()).is_err() {
                    return;
                }
            });
    }

    /// A writer for script output (`err`: for error reports).
    pub fn writer(self: &Arc<Screen>, err: bool) -> ScreenWriter {
        ScreenWriter {
            screen: self.clone(),
            err,
        }
    }

    /// Before the editor shows the prompt: an unfinished line stays on its
    /// own row above it.
    pub fn show_prompt(&self) {
        let mut s = self.state.lock();
        if !s.partial.is_empty() {
            write_out(&mut std::io::stdout(), "\n");
        }
        s.prompt = true;
    }

    /// After the editor has read an entry: the cursor is at the start of a
    /// fresh row, where output waiting to be drawn goes now.
    pub fn hide_prompt(&self) {
        let mut s = self.state.lock();
        s.prompt = false;
        s.ring = false;
        s.partial.clear();
        let pending = std::mem::take(&mut s.pending);
        write_out(&mut std::io::stdout(), &pending);
        advance(&mut s.partial, &pending);
    }

    /// What the editor draws for `prompt`, with the cursor at the start of
    /// the prompt's row: the output waiting, then the prompt. An unfinished
    /// line drawn before is drawn again, with what came since.
    pub fn paint(&self, prompt: &str) -> String {
        let mut s = self.state.lock();
        s.ring = false;
        if s.pending.is_empty() {
            return prompt.to_string();
        }
        let pending = std::mem::take(&mut s.pending);
        let mut out = String::new();
        if !s.partial.is_empty() {
            let up = rows(&s.partial, terminal::columns());
            out.push_str(&format!("\x1b[{up}A\r\x1b[J{}", s.partial));
        }
        out.push_str(&pending);
        advance(&mut s.partial, &pending);
        if !s.partial.is_empty() {
            out.push('\n');
        }
        out.push_str(prompt);
        out
    }

    fn write(&self, text: &str, err: bool) {
        let mut s = self.state.lock();
        // An error report starts on a line of its own.
        let newline = err && s.line_open();
        if s.prompt {
            if newline {
                s.pending.push('\n');
            }
            s.pending.push_str(text);
            s.ring = true;
            self.bell.notify_one();
            return;
        }
        if newline {
            write_out(&mut std::io::stdout(), "\n");
            s.partial.clear();
        }
        match err {
            true => write_out(&mut std::io::stderr(), text),
            false => write_out(&mut std::io::stdout(), text),
        }
        advance(&mut s.partial, text);
    }
}

/// Script output (or error reports) through the [`Screen`].
pub struct ScreenWriter {
    screen: Arc<Screen>,
    err: bool,
}

impl Write for ScreenWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.screen.write(&String::from_utf8_lossy(buf), self.err);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn write_out(w: &mut impl Write, text: &str) {
    // A closed terminal must not kill a script thread; the text is dropped.
    let _ = w.write_all(text.as_bytes());
    let _ = w.flush();
}

/// Moves the unfinished last line past `text`.
fn advance(partial: &mut String, text: &str) {
    match text.rfind('\n') {
        Some(end) => *partial = text[end + 1..].to_string(),
        None => partial.push_str(text),
    }
}

/// How many terminal rows a line of `text` takes, `columns` wide.
fn rows(text: &str, columns: usize) -> usize {
    let (mut rows, mut col) = (1, 0);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let width = match c {
            '\r' => {
                col = 0;
                continue;
            }
            // An escape sequence (colours) takes no room: skip to its end.
            '\x1b' => {
                chars.find(|c| c.is_ascii_alphabetic());
                continue;
            }
            '\t' => 8 - col % 8,
            c => c.width().unwrap_or(0),
        };
        if col + width > columns {
            rows += 1;
            col = width;
        } else {
            col += width;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_takes_a_row_per_terminal_width_it_fills() {
        assert_eq!(rows("", 10), 1);
        assert_eq!(rows("0123456789", 10), 1);
        assert_eq!(rows("0123456789x", 10), 2);
        assert_eq!(rows("\x1b[31mred\x1b[0m", 3), 1);
        assert_eq!(rows("12345\r12", 5), 1);
        assert_eq!(rows("日本語", 4), 2);
    }

    #[test]
    fn output_while_the_prompt_is_shown_is_painted_above_it() {
        let screen = Screen::new();
        screen.state.lock().prompt = true;
        screen.write("progress", false);
        assert_eq!(screen.paint(">>> "), "progress\n>>> ");
        // The rest of the line redraws the row it started on.
        screen.write("...done\nnext", false);
        assert_eq!(
            screen.paint(">>> "),
            "\x1b[1A\r\x1b[Jprogress...done\nnext\n>>> "
        );
        // An error report starts on a row of its own.
        screen.write("Error: boom\n", true);
        assert_eq!(
            screen.paint(">>> "),
            "\x1b[1A\r\x1b[Jnext\nError: boom\n>>> "
        );
        assert_eq!(screen.paint(">>> "), ">>> ");
    }
}
