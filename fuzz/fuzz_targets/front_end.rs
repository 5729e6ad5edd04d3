//! Feeds arbitrary bytes through the lexer, parser and resolver: none of
//! them may panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thr::diagnostic::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let source = SourceFile::new("<fuzz>", text.as_ref());
    if let Ok(mut program) = thr::parser::parse(&source) {
        let names: Vec<_> = thr::builtins::table().into_iter().map(|(n, _)| n).collect();
        let _ = thr::resolver::Resolver::new(&names, false).resolve(&mut program);
    }
    let _ = thr::parser::is_incomplete(&text);
});
