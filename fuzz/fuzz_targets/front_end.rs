//! Feeds arbitrary bytes through the lexer, parser and resolver, and renders
//! the errors they report (`Engine::check`): none of them may panic,
//! whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = thr::Engine::new().check("<fuzz>", &text);
    let _ = thr::cli_support::is_incomplete(&text);
});
