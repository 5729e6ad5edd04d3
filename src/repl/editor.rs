//! The line editor: rustyline set up for Thr entries. Enter continues an
//! unfinished entry on a `... ` line, whose first key brings the
//! indentation of the brackets still open (one level less for a closing
//! bracket); Tab at the start of a line indents and elsewhere completes;
//! the line is coloured as it is typed.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;

use parking_lot::Mutex;
use rustyline::completion::Completer;
use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{
    Cmd, ConditionalEventHandler, Context, Editor, Event, EventContext, EventHandler, Helper,
    KeyCode, KeyEvent, Modifiers, RepeatCount,
};

use super::screen::Screen;
use super::{complete, highlight, syntax, MORE};

/// One level of indentation.
const INDENT: &str = "    ";

/// The session's names and values, for completion; refreshed after each entry.
pub type Globals = Arc<Mutex<Vec<(String, thr::Value)>>>;

/// A continuation line just started by Enter, while nothing is typed on
/// it: the editor's text then, and how many brackets are open.
///
/// The line gets its indentation with its first key, not at once: a line
/// typed ahead or pasted (without bracketed paste) brings its own, and
/// rustyline gives a key handler no way to take text back and leave the
/// cursor after what replaces it.
type Fresh = Arc<Mutex<Option<(String, usize)>>>;

/// An editor for the REPL. With `screen`, script output is drawn above the
/// prompt (which needs the prompt highlighter called even when colours are
/// off, so colours are forced and `colour` is honoured here).
pub fn new(
    screen: Option<Arc<Screen>>,
    globals: Globals,
    colour: bool,
) -> rustyline::Result<Editor<ThrHelper, DefaultHistory>> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .color_mode(match screen {
            Some(_) => ColorMode::Forced,
            None => ColorMode::Enabled,
        })
        .build();
    let mut editor = Editor::with_config(config)?;
    editor.set_helper(Some(ThrHelper {
        globals,
        screen,
        colour,
        brackets: Cell::new(false),
    }));
    let fresh = Fresh::default();
    // Enter (CR, or LF from a pipe-like terminal).
    for key in [
        KeyEvent(KeyCode::Enter, Modifiers::NONE),
        KeyEvent::ctrl('J'),
    ] {
        let handler = Continue {
            fresh: fresh.clone(),
        };
        editor.bind_sequence(key, EventHandler::Conditional(Box::new(handler)));
    }
    let tab = KeyEvent(KeyCode::Tab, Modifiers::NONE);
    editor.bind_sequence(tab, EventHandler::Conditional(Box::new(Indent)));
    let first = FirstKey { fresh };
    editor.bind_sequence(Event::Any, EventHandler::Conditional(Box::new(first)));
    Ok(editor)
}

/// An entry's code: the editor's text without the continuation prompts.
pub fn without_prompts(text: &str) -> String {
    text.replace(&format!("\n{MORE}"), "\n")
}

fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c == ' ' || c == '\t')
}

/// Enter at the end of an unfinished entry: a new line that starts with the
/// continuation prompt (as text, so the cursor stays right).
struct Continue {
    fresh: Fresh,
}

impl ConditionalEventHandler for Continue {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let text = ctx.line();
        if ctx.pos() != text.len() {
            return None;
        }
        if !thr::cli_support::is_incomplete(&without_prompts(text)) {
            return Some(Cmd::AcceptLine);
        }
        let depth = syntax::depth(text, text.len());
        *self.fresh.lock() = Some((format!("{text}\n{MORE}"), depth));
        Some(Cmd::Insert(1, format!("\n{MORE}")))
    }
}

/// The first key typed on a line Enter started: a character comes after
/// the indentation of the brackets open, one level less for a closing
/// bracket; a blank (a pasted line's own indentation) comes alone.
struct FirstKey {
    fresh: Fresh,
}

impl ConditionalEventHandler for FirstKey {
    fn handle(&self, evt: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let (text, depth) = self.fresh.lock().take()?;
        if text != ctx.line() || ctx.pos() != text.len() {
            return None;
        }
        let Some(KeyEvent(KeyCode::Char(c), Modifiers::NONE)) = evt.get(0) else {
            return None;
        };
        if c.is_whitespace() || c.is_control() {
            return None;
        }
        let depth = match c {
            '}' | ')' | ']' => depth.saturating_sub(1),
            _ => depth,
        };
        Some(Cmd::Insert(1, format!("{}{c}", INDENT.repeat(depth))))
    }
}

/// Tab on a blank start of line indents; elsewhere it completes (the default).
struct Indent;

impl ConditionalEventHandler for Indent {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let (text, pos) = (ctx.line(), ctx.pos());
        let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[line_start..pos];
        let code = line.strip_prefix(MORE).filter(|_| line_start > 0);
        is_blank(code.unwrap_or(line)).then(|| Cmd::Insert(1, INDENT.into()))
    }
}

/// Rustyline's helper: completion, colours, multi-line entries, and the
/// screen's output drawn above the prompt.
pub struct ThrHelper {
    globals: Globals,
    screen: Option<Arc<Screen>>,
    colour: bool,
    /// Whether to mark the matching bracket (not in the final drawing).
    brackets: Cell<bool>,
}

/// The entry is accepted only once its brackets and blocks are closed (a
/// paste, or Enter in the middle of a line).
impl Validator for ThrHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(
            if thr::cli_support::is_incomplete(&without_prompts(ctx.input())) {
                ValidationResult::Incomplete
            } else {
                ValidationResult::Valid(None)
            },
        )
    }
}

impl Completer for ThrHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(complete::complete(line, pos, &self.globals.lock()))
    }
}

impl Hinter for ThrHelper {
    type Hint = String;
}

impl Highlighter for ThrHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        match self.colour {
            true => Cow::Owned(highlight::highlight(line, pos, self.brackets.get())),
            false => Cow::Borrowed(line),
        }
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _: bool) -> Cow<'b, str> {
        match &self.screen {
            Some(screen) => Cow::Owned(screen.paint(prompt)),
            None => Cow::Borrowed(prompt),
        }
    }

    fn highlight_char(&self, _: &str, _: usize, kind: CmdKind) -> bool {
        self.brackets.set(kind != CmdKind::ForcedRefresh);
        self.colour
    }
}

impl Helper for ThrHelper {}
