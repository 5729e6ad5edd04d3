//! Hostile input for the front end (issue 14): `thr check` on a file built to
//! exhaust it answers with a short report and exits 1, instead of
//! overflowing its stack, running for minutes or printing megabytes.

use std::process::Command;

/// What `thr check NAME` printed on stderr, after checking that it exited
/// with status 1 (not a signal) and printed nothing on stdout.
fn check(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("thr-hostile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_thr"))
        .args(["check", name])
        .current_dir(&dir)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1), "{:?}", out.status);
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

fn first_lines(text: &str, n: usize) -> Vec<&str> {
    text.lines().take(n).collect()
}

#[test]
fn blocks_nested_400000_deep_stop_at_the_cap() {
    let text = "if true {\n".repeat(400_000) + &"}\n".repeat(400_000);
    let report = check("deep.thr", &text);
    assert_eq!(
        first_lines(&report, 7),
        [
            "SyntaxError: nested more than 200 levels deep",
            "     ╭─[ deep.thr:201:9 ]",
            "     │",
            " 201 │ if true {",
            "     │         ┬  ",
            "     │         ╰── too deeply nested",
            "     │ ",
        ]
    );
    assert!(report.len() < 1000, "{} bytes", report.len());
}

#[test]
fn a_flood_of_stray_brackets_is_summed_up() {
    // 40 KB: 20,000 `)`, then `;)` 10,000 times, all on one line.
    let text = ")".repeat(20_000) + &";)".repeat(10_000);
    let report = check("parens.thr", &text);
    let cut = ")".repeat(160);
    assert_eq!(
        first_lines(&report, 6),
        [
            "SyntaxError: unexpected ')', expected an expression or statement",
            "   ╭─[ parens.thr:1:1 ]",
            "   │",
            &format!(" 1 │ {cut}…"),
            "   │ ┬  ",
            "   │ ╰── not expected here",
        ]
    );
    assert_eq!(report.matches("SyntaxError").count(), 20);
    // Parsing stops after 10,000 errors.
    let end = "... and 9980 more errors; the rest was not checked\n";
    assert!(report.ends_with(end), "{report}");
    // Each report shows a window of the line, not the line.
    assert!(report.len() < 20 * 500, "{} bytes", report.len());
}

#[test]
fn fewer_errors_are_all_counted() {
    // 10 KB: one error for the run of `)`, then one for each `;)`.
    let text = ")".repeat(5_000) + &";)".repeat(2_500);
    let report = check("parens10.thr", &text);
    assert_eq!(report.matches("SyntaxError").count(), 20);
    assert!(report.ends_with("... and 2481 more errors\n"), "{report}");
}

#[test]
fn a_long_chain_is_refused_and_freed() {
    let text = "1 + ".repeat(1_000_000) + "1\n";
    let report = check("chain.thr", &text);
    assert_eq!(
        first_lines(&report, 2),
        [
            "SyntaxError: expression nested more than 2000 levels deep",
            "   ╭─[ chain.thr:1:1 ]",
        ]
    );
}
