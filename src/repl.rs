//! The interactive REPL: reads entries (several lines while a block or
//! bracket is open), evaluates them in one engine session, and prints the
//! `repr` of an expression's value.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

const PROMPT: &str = ">>> ";
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
            println!("{}", v.repr());
            None
        }
        Err(e) if e.kind == "Exit" => Some(ExitCode::from(e.status.clamp(0, 255) as u8)),
        Err(e) => {
            eprint!("{e}");
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
        if thr::parser::is_incomplete(&entry) {
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
    let Ok(mut editor) = DefaultEditor::new() else {
        return piped(engine);
    };
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "Thr {} — Ctrl-D or exit() to leave",
        env!("CARGO_PKG_VERSION")
    );
    let mut entry = String::new();
    let code = loop {
        let prompt = if entry.is_empty() { PROMPT } else { MORE };
        match editor.readline(prompt) {
            Ok(line) => {
                entry.push_str(&line);
                entry.push('\n');
                if thr::parser::is_incomplete(&entry) {
                    continue;
                }
                let _ = editor.add_history_entry(entry.trim_end());
                if let Some(code) = eval(engine, &std::mem::take(&mut entry)) {
                    break code;
                }
            }
            Err(ReadlineError::Interrupted) => entry.clear(),
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
