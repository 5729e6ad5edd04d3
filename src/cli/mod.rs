//! The `thr` command's parts: its arguments, running a script, and the
//! commands over many runs (`check`, `test`, `explore`).

pub mod args;
pub mod run;
pub mod suite;

use std::path::Path;
use std::process::ExitCode;

/// The status of a bad command line, as Python's `python nosuch.py`.
pub const USAGE: u8 = 2;

/// Prints a command-line error and returns its status.
pub fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE)
}

/// Checks that `path` is a file this process can read: the command-line
/// error to print if not.
pub fn readable_file(path: &Path) -> Result<(), String> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!("no such file: {shown}")),
        Err(e) => Err(format!("cannot read {shown}: {e}")),
        Ok(m) if m.is_dir() => Err(format!("{shown} is a folder, not a script")),
        Ok(_) => std::fs::File::open(path)
            .map(drop)
            .map_err(|e| format!("cannot read {shown}: {e}")),
    }
}

/// Checks that a path given to `thr test` (a file or a folder) exists.
pub fn existing_path(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => std::fs::read_dir(path)
            .map(drop)
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
        _ => readable_file(path),
    }
}
