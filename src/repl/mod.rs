//! The interactive REPL: reads entries (several lines while a block or
//! bracket is open), evaluates them in one engine session, and prints the
//! `repr` of an expression's value, kept in `_`. Threads keep running
//! between entries; what they print while the prompt is shown goes above
//! it ([`screen`]). Leaving waits for the non-daemon threads, as a script's
//! end does.

mod complete;
mod editor;
mod help;
mod highlight;
mod screen;
mod syntax;
mod terminal;

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::Editor;

use editor::{without_prompts, Globals, ThrHelper};
use screen::Screen;

const PROMPT: &str = ">>> ";
/// Shown at the start of each continuation line of an unfinished entry.
const MORE: &str = "... ";

/// Gives the engine the REPL's own builtins (`help`). Before anything runs
/// in its session: registering starts a new session.
pub fn prepare(engine: &mut thr::Engine) {
    help::register(engine);
}

/// Runs the REPL on an engine [`prepare`]d for it.
pub fn run(engine: thr::Engine, colour: bool) -> ExitCode {
    let interactive = std::io::stdin().is_terminal();
    let mut repl = Repl {
        engine,
        entries: 0,
        interactive,
        colour,
        echo_off: None,
    };
    let status = match interactive {
        true => repl.interactive(),
        false => repl.piped(),
    };
    repl.leave(status)
}

/// The REPL's session.
struct Repl {
    engine: thr::Engine,
    /// Entries run so far: each is named `<stdin-N>` in locations.
    entries: u64,
    interactive: bool,
    /// Whether the entry being typed is coloured (`--color`, `NO_COLOR`).
    colour: bool,
    /// Keeps keys from echoing while entries run, on a terminal the editor
    /// fully drives, until the REPL has left (keys typed while it waits
    /// for threads do not garble the screen either).
    echo_off: Option<terminal::EchoOff>,
}

impl Repl {
    /// Runs one entry; returns the exit status if it called `exit()`.
    fn eval(&mut self, entry: &str) -> Option<u8> {
        if let Some(reply) = command(entry.trim()) {
            self.engine.print(&reply);
            return None;
        }
        self.entries += 1;
        let name = format!("<stdin-{}>", self.entries);
        match self.engine.eval_named(&name, entry) {
            Ok(thr::Value::Nil) => None,
            Ok(v) => {
                self.engine.print(&format!("{}\n", v.repr()));
                self.engine.set_var("_", v);
                None
            }
            Err(e) if e.kind == "Exit" => Some(e.status.clamp(0, 255) as u8),
            Err(e) => {
                self.engine.eprint(&e.to_string());
                None
            }
        }
    }

    /// Stdin is a pipe or file: read lines ourselves (rustyline would drop an
    /// unfinished entry at the end of input).
    fn piped(&mut self) -> u8 {
        let mut entry = String::new();
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            entry.push_str(&line);
            entry.push('\n');
            if thr::cli_support::is_incomplete(&entry) {
                continue;
            }
            if let Some(status) = self.eval(&std::mem::take(&mut entry)) {
                return status;
            }
        }
        if !entry.trim().is_empty() {
            if let Some(status) = self.eval(&entry) {
                return status;
            }
        }
        0
    }

    fn interactive(&mut self) -> u8 {
        let globals = Globals::default();
        let screen = Screen::new();
        let Ok(mut editor) = editor::new(Some(screen.clone()), globals.clone(), self.colour) else {
            return self.piped();
        };
        // The screen needs the editor's printer: without one (an unusual
        // terminal, or stdout not one), output goes straight out.
        match editor.create_external_printer() {
            Ok(printer) => {
                screen.start_doorbell(printer);
                self.echo_off = Some(terminal::EchoOff::new());
                self.engine.set_output(screen.writer(false));
                if std::io::stderr().is_terminal() {
                    self.engine.set_error_output(screen.writer(true));
                }
            }
            Err(_) => match editor::new(None, globals.clone(), self.colour) {
                Ok(plain) => editor = plain,
                Err(_) => return self.piped(),
            },
        }
        let interrupt = self.engine.interrupt_flag();
        // Ctrl-C while an entry runs stops it; at the prompt rustyline sees it.
        let _ = ctrlc::set_handler(move || interrupt.raise());
        let history = history_file();
        if let Some(h) = &history {
            let _ = editor.load_history(h);
        }
        println!(
            "Thr {} — Ctrl-D or exit() to leave, help for help",
            env!("CARGO_PKG_VERSION")
        );
        let status = self.read_eval(&mut editor, &screen, &globals);
        if let Some(h) = &history {
            if let Some(dir) = h.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = editor.save_history(h);
        }
        status
    }

    /// Reads and runs entries until Ctrl-D or `exit()`.
    fn read_eval(
        &mut self,
        editor: &mut Editor<ThrHelper, DefaultHistory>,
        screen: &Arc<Screen>,
        globals: &Globals,
    ) -> u8 {
        loop {
            *globals.lock() = self.engine.globals();
            screen.show_prompt();
            let line = editor.readline(PROMPT);
            screen.hide_prompt();
            match line {
                Ok(entry) => {
                    let entry = without_prompts(&entry);
                    let _ = editor.add_history_entry(entry.trim_end());
                    if let Some(status) = self.eval(&format!("{entry}\n")) {
                        return status;
                    }
                }
                Err(ReadlineError::Interrupted) => {}
                Err(_) => return 0,
            }
        }
    }

    /// Leaves as a script's end does: waits for the non-daemon threads,
    /// saying which when interactive (Ctrl-C leaves them), and reports a
    /// deadlock among them.
    fn leave(&mut self, status: u8) -> ExitCode {
        let left = self.engine.threads_left();
        if self.interactive && !left.is_empty() {
            self.engine.eprint(&format!(
                "waiting for {} to end (Ctrl-C to leave them)\n",
                left.join(", ")
            ));
        }
        match self.engine.shutdown() {
            Ok(()) => ExitCode::from(status),
            // Left by Ctrl-C, as a shell reports a program it interrupted.
            Err(e) if e.kind == "InterruptError" => ExitCode::from(130),
            Err(e) => {
                self.engine.eprint(e.rendered());
                ExitCode::from(1)
            }
        }
    }
}

/// The REPL's own words, typed alone: what they print.
fn command(entry: &str) -> Option<String> {
    match entry {
        "help" => Some(help::topics()),
        "exit" | "quit" => Some("Use exit() or Ctrl-D (end of input) to leave.\n".into()),
        _ => None,
    }
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
