//! The terminal settings the REPL needs outside the line editor.

use rustix::termios::{tcgetattr, tcgetwinsize, tcsetattr, LocalModes, OptionalActions, Termios};

/// Keeps the terminal from echoing keys while an entry runs, while it lives. Keys typed ahead are then shown once, when the editor
/// reads them at their prompt, instead of also in the middle of the
/// running entry's output. The editor saves and restores these settings
/// around each prompt; dropping this restores the original ones.
pub struct EchoOff {
    saved: Option<Termios>,
}

impl EchoOff {
    pub fn new() -> EchoOff {
        let stdin = std::io::stdin();
        let saved = tcgetattr(&stdin).ok();
        if let Some(mut quiet) = saved.clone() {
            quiet.local_modes.remove(LocalModes::ECHO);
            let _ = tcsetattr(&stdin, OptionalActions::Now, &quiet);
        }
        EchoOff { saved }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, saved);
        }
    }
}

/// The terminal's width in columns (80 when it cannot be told).
pub fn columns() -> usize {
    match tcgetwinsize(std::io::stdout()) {
        Ok(size) if size.ws_col > 0 => size.ws_col as usize,
        _ => 80,
    }
}
