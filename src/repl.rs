//! The interactive REPL: reads entries (several lines while a block or
//! bracket is open), evaluates them in one engine session, and prints the
//! `repr` of an expression's value. Threads keep running between entries;
//! what they print while the prompt is shown goes above the prompt line.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{
    Cmd, ConditionalEventHandler, Context, Editor, Event, EventContext, EventHandler,
    ExternalPrinter, Helper, KeyCode, KeyEvent, Modifiers, RepeatCount,
};

const PROMPT: &str = ">>> ";
/// Shown at the start of each continuation line of an unfinished entry.
const MORE: &str = "... ";

pub fn run(mut engine: thr::Engine) -> ExitCode {
    let code = if std::io::stdin().is_terminal() {
        interactive(&mut engine)
    } else {
        piped(&mut engine)
    };
    engine.shutdown();
    code
}

/// Evaluates one entry; returns the exit status if the entry called `exit()`.
fn eval(engine: &mut thr::Engine, entry: &str) -> Option<ExitCode> {
    match engine.eval_named("<stdin>", entry) {
        Ok(thr::Value::Nil) => None,
        Ok(v) => {
            engine.print(&format!("{}\n", v.repr()));
            None
        }
        Err(e) if e.kind == "Exit" => Some(ExitCode::from(e.status.clamp(0, 255) as u8)),
        Err(e) => {
            engine.eprint(&e.to_string());
            None
        }
    }
}

/// Stdin is a pipe or file: read lines ourselves (rustyline would drop an
/// unfinished entry at the end of input).
fn piped(engine: &mut thr::Engine) -> ExitCode {
    let mut entry = String::new();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        entry.push_str(&line);
        entry.push('\n');
        if thr::cli_support::is_incomplete(&entry) {
            continue;
        }
        if let Some(code) = eval(engine, &std::mem::take(&mut entry)) {
            return code;
        }
    }
    if !entry.trim().is_empty() {
        if let Some(code) = eval(engine, &entry) {
            return code;
        }
    }
    ExitCode::SUCCESS
}

fn interactive(engine: &mut thr::Engine) -> ExitCode {
    let names = Arc::new(Mutex::new(engine.names()));
    let Ok(mut editor) = Editor::<ThrHelper, DefaultHistory>::new() else {
        return piped(engine);
    };
    editor.set_helper(Some(ThrHelper {
        names: names.clone(),
    }));
    // Enter (CR, or LF from a pipe-like terminal) in an unfinished entry
    // starts a continuation line with its prompt.
    for key in [
        KeyEvent(KeyCode::Enter, Modifiers::NONE),
        KeyEvent::ctrl('J'),
    ] {
        editor.bind_sequence(key, EventHandler::Conditional(Box::new(Continue)));
    }
    let prompt_shown = Arc::new(AtomicBool::new(false));
    if let Ok(printer) = editor.create_external_printer() {
        engine.set_output(AbovePrompt {
            printer: Box::new(printer),
            prompt_shown: prompt_shown.clone(),
            partial: String::new(),
        });
    }
    let interrupt = engine.interrupt_flag();
    // Ctrl-C while an entry runs stops it; at the prompt rustyline sees it.
    let _ = ctrlc::set_handler(move || interrupt.raise());
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "Thr {} — Ctrl-D or exit() to leave",
        env!("CARGO_PKG_VERSION")
    );
    let code = loop {
        prompt_shown.store(true, Ordering::SeqCst);
        let line = editor.readline(PROMPT);
        prompt_shown.store(false, Ordering::SeqCst);
        match line {
            Ok(entry) => {
                let entry = without_prompts(&entry);
                let _ = editor.add_history_entry(entry.trim_end());
                if let Some(code) = eval(engine, &format!("{entry}\n")) {
                    break code;
                }
                *names.lock() = engine.names();
            }
            Err(ReadlineError::Interrupted) => {}
            Err(_) => break ExitCode::SUCCESS,
        }
    };
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
    code
}

/// `$XDG_DATA_HOME/thr/history`, else `~/.local/share/thr/history`.
fn history_file() -> Option<std::path::PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })?;
    Some(data.join("thr").join("history"))
}

/// Rustyline's helper: multi-line entry and tab completion.
struct ThrHelper {
    /// Names in scope and builtins, refreshed after each entry.
    names: Arc<Mutex<Vec<String>>>,
}

/// An entry's code: its text without the continuation prompts in it.
fn without_prompts(buffer: &str) -> String {
    buffer.replace(&format!("\n{MORE}"), "\n")
}

/// Enter at the end of an unfinished entry: a new line that starts with the
/// continuation prompt (as text, so the cursor stays right).
struct Continue;

impl ConditionalEventHandler for Continue {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let at_end = ctx.pos() == ctx.line().len();
        if !at_end {
            return None;
        }
        Some(
            if thr::cli_support::is_incomplete(&without_prompts(ctx.line())) {
                Cmd::Insert(1, format!("\n{MORE}"))
            } else {
                Cmd::AcceptLine
            },
        )
    }
}

/// Rustyline's validator: the entry is accepted only once its brackets and
/// blocks are closed (a paste, or Enter in the middle of a line).
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
        let start = line[..pos]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let word = &line[start..pos];
        let mut found: Vec<String> = self
            .names
            .lock()
            .iter()
            .filter(|n| n.starts_with(word))
            .cloned()
            .collect();
        found.sort();
        found.dedup();
        Ok((start, found))
    }
}

impl Hinter for ThrHelper {
    type Hint = String;
}

impl Highlighter for ThrHelper {}

impl Helper for ThrHelper {}

/// Script output while the REPL runs: straight to stdout while an entry
/// runs, and above the prompt (whole lines) while the user is typing.
struct AbovePrompt {
    printer: Box<dyn ExternalPrinter + Send>,
    prompt_shown: Arc<AtomicBool>,
    partial: String,
}

impl Write for AbovePrompt {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.prompt_shown.load(Ordering::SeqCst) && self.partial.is_empty() {
            return std::io::stdout().write(buf);
        }
        self.partial.push_str(&String::from_utf8_lossy(buf));
        if let Some(end) = self.partial.rfind('\n') {
            let lines: String = self.partial.drain(..=end).collect();
            let _ = self.printer.print(lines.trim_end_matches('\n').to_string());
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}
