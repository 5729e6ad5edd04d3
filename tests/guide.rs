//! The guide cannot rot: every example in `docs/guide/*.md` and the README
//! runs here, each as its own test named `PAGE:LINE`.
//!
//! A fence's info string is its language, then words (by spaces or commas):
//! - ```` ```thr ```` runs through the real `thr --deterministic FILE` in a
//!   fresh folder. The ```` ```output ```` block right after it is its exact
//!   stdout, then an ```` ```error ```` block its exact stderr; without them
//!   each must be empty. It must exit 0, or 1 when it has an error block, or
//!   N with `status=N`. `file=NAME` names the script (default `example.thr`);
//!   `ignore` marks a fragment that does not run.
//! - ```` ```console ```` is a shell session: each `$ ` line is a command run
//!   by `sh` (with this `thr` first on `PATH`), the lines after it its
//!   output, stdout and stderr together. In a guide page it runs in a fresh
//!   folder holding every block above it on the page that has `file=NAME`;
//!   in the README it runs in the repository's root.
//! - ```` ```rust ```` blocks are doc tests (see `src/help.rs`); other
//!   languages are shown, not run. A fence needs a language.
//!
//! And each page's links to files of the repository (`syntax.md#truth`)
//! must lead to a file that exists and a heading that is there.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use libtest_mimic::{Arguments, Failed, Trial};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = pages(root);
    let mut trials: Vec<Trial> = pages
        .iter()
        .flat_map(|page| trials_of(root, page))
        .collect();
    trials.extend(pages.iter().map(|page| links_trial(root, page)));
    libtest_mimic::run(&args, trials).exit();
}

/// The README and every page of the guide, relative to the root.
fn pages(root: &Path) -> Vec<PathBuf> {
    let guide = root.join("docs/guide");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&guide)
        .expect("docs/guide exists")
        .map(|e| e.expect("docs/guide is readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.strip_prefix(root).expect("under the root").to_path_buf())
        .collect();
    pages.sort();
    pages.insert(0, PathBuf::from("README.md"));
    pages
}

/// A fenced code block of a page.
#[derive(Clone, Debug)]
struct Block {
    line: usize,
    lang: String,
    words: Vec<String>,
    text: String,
}

impl Block {
    /// The value of `key=value` among the info string's words.
    fn attr(&self, key: &str) -> Option<&str> {
        self.words
            .iter()
            .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
    }

    fn has(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }
}

/// Every fenced code block of a markdown text, with its line.
fn blocks(text: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut open: Option<Block> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => "indented".to_string(),
                };
                let mut words = info.split([' ', ',']).filter(|w| !w.is_empty());
                open = Some(Block {
                    line: text[..range.start].lines().count() + 1,
                    lang: words.next().unwrap_or_default().to_string(),
                    words: words.map(String::from).collect(),
                    text: String::new(),
                });
            }
            Event::Text(t) => {
                if let Some(b) = &mut open {
                    b.text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => found.extend(open.take()),
            _ => {}
        }
    }
    found
}

/// The tests of one page.
fn trials_of(root: &Path, page: &Path) -> Vec<Trial> {
    let text = std::fs::read_to_string(root.join(page)).expect("the page is readable");
    let blocks = blocks(&text);
    let in_root = page == Path::new("README.md");
    let mut trials = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let b = &blocks[i];
        let name = format!("{}:{}", page.display(), b.line);
        let kind = b.lang.as_str();
        i += 1;
        let trial = match kind {
            "thr" if b.has("ignore") => continue,
            "thr" => {
                let script = Script::of(b, &blocks[i..]);
                i += script.expect.blocks;
                Trial::test(format!("{name} thr"), move || {
                    script.check(&sandbox(&name, &[]))
                })
            }
            "console" => {
                let files: Vec<Block> = blocks[..i - 1]
                    .iter()
                    .filter(|f| f.attr("file").is_some())
                    .cloned()
                    .collect();
                let session = b.text.clone();
                let root = root.to_path_buf();
                Trial::test(format!("{name} console"), move || {
                    let dir = if in_root {
                        root
                    } else {
                        sandbox(&name, &files)
                    };
                    check_session(&dir, &session)
                })
            }
            "output" | "error" => Trial::test(format!("{name} {kind}"), || {
                Err("an output or error block must follow a thr block (or its output)".into())
            }),
            "" | "indented" => Trial::test(format!("{name} fence"), || {
                Err("a code block needs a language: thr, output, error, console, rust...".into())
            }),
            _ => continue,
        };
        trials.push(trial);
    }
    trials
}

/// What a thr example must print, from the blocks after it.
#[derive(Default)]
struct Expect {
    stdout: String,
    stderr: String,
    /// How many blocks said it (the output and error blocks).
    blocks: usize,
}

impl Expect {
    /// The `output` block, then the `error` block, at the start of `next`.
    fn of(next: &[Block]) -> Expect {
        let mut expect = Expect::default();
        for (lang, slot) in [
            ("output", &mut expect.stdout),
            ("error", &mut expect.stderr),
        ] {
            if let Some(b) = next.get(expect.blocks).filter(|b| b.lang == lang) {
                *slot = b.text.clone();
                expect.blocks += 1;
            }
        }
        expect
    }
}

/// A thr example with what it must do.
struct Script {
    file: String,
    code: String,
    expect: Expect,
    status: i32,
}

impl Script {
    /// The script of block `b`, with what the `next` blocks expect of it.
    fn of(b: &Block, next: &[Block]) -> Script {
        let expect = Expect::of(next);
        let failing = !expect.stderr.is_empty();
        Script {
            file: b.attr("file").unwrap_or("example.thr").to_string(),
            code: b.text.clone(),
            status: b
                .attr("status")
                .map_or(failing as i32, |s| s.parse().expect("status=N is a number")),
            expect,
        }
    }

    /// Runs the script deterministically in `dir` and compares, as `thr
    /// test` does: the expectations go beside it as its golden files.
    fn check(&self, dir: &Path) -> Result<(), Failed> {
        let case = thr::cli_support::Case {
            script: dir.join(&self.file),
        };
        std::fs::write(&case.script, &self.code)?;
        for (ext, text) in [
            ("out", self.expect.stdout.clone()),
            ("err", self.expect.stderr.clone()),
            ("status", self.status.to_string()),
        ] {
            std::fs::write(case.script.with_extension(ext), text)?;
        }
        let out = run(dir, thr(), &["--deterministic", &self.file])?;
        let got = thr::cli_support::Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.status.code().unwrap_or(-1),
            timed_out: false,
        };
        thr::cli_support::check(&case, &got, false).map_err(Failed::from)
    }
}

/// Runs a console session in `dir`: its transcript must be the block's text.
fn check_session(dir: &Path, session: &str) -> Result<(), Failed> {
    let out = run(dir, Path::new("sh"), &["-c", &transcript_script(session)])?;
    let got = String::from_utf8_lossy(&out.stdout);
    if got == session {
        return Ok(());
    }
    Err(format!(
        "the session differs (- expected, + got):\n{}",
        thr::cli_support::diff(session, &got, false)
    )
    .into())
}

/// A shell script that echoes each `$ ` command of a session, then runs it
/// with stderr on stdout, so its output is the session's transcript. Each
/// command sees the exit status of the one before (for `echo $?`).
fn transcript_script(session: &str) -> String {
    let mut script = String::from("exec 2>&1\nstatus=0\n");
    for line in session.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            let quoted = line.replace('\'', r"'\''");
            script.push_str(&format!(
                "printf '%s\\n' '{quoted}'\n(exit $status); {command}\nstatus=$?\n"
            ));
        }
    }
    script
}

/// The `thr` binary under test.
fn thr() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_thr"))
}

/// Runs `program` in `dir` with no input, `thr` first on `PATH`, and a
/// home of its own (the REPL keeps its history there). A run that hangs is
/// stopped by `timeout`.
fn run(dir: &Path, program: &Path, args: &[&str]) -> Result<std::process::Output, Failed> {
    let bin = thr().parent().expect("thr is in a folder");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let paths = std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&path));
    let out = Command::new("timeout")
        .arg("60")
        .arg(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", std::env::join_paths(paths)?)
        .env("HOME", dir)
        .env_remove("XDG_DATA_HOME")
        .stdin(Stdio::null())
        .output()?;
    if out.status.code() == Some(124) {
        return Err("still running after 60 s: stopped".into());
    }
    Ok(out)
}

/// A fresh folder for the test `name`, holding `files`.
fn sandbox(name: &str, files: &[Block]) -> PathBuf {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("guide")
        .join(slug);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the target folder is writable");
    for f in files {
        let file = f.attr("file").expect("only blocks with file=NAME");
        std::fs::write(dir.join(file), &f.text).expect("the sandbox is writable");
    }
    dir
}

/// The test that every relative link of a page leads somewhere: the file
/// exists and, for `file#anchor`, has a heading with that anchor.
fn links_trial(root: &Path, page: &Path) -> Trial {
    let (root, page) = (root.to_path_buf(), page.to_path_buf());
    Trial::test(format!("{} links", page.display()), move || {
        let text = std::fs::read_to_string(root.join(&page))?;
        let dir = page.parent().unwrap_or(Path::new(""));
        let broken: Vec<String> = links(&text)
            .into_iter()
            .filter(|link| !link_resolves(&root, dir, &page, link))
            .collect();
        if broken.is_empty() {
            Ok(())
        } else {
            Err(format!("broken links: {}", broken.join(", ")).into())
        }
    })
}

/// The destinations of a page's links that point into the repository.
fn links(text: &str) -> Vec<String> {
    Parser::new(text)
        .filter_map(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .filter(|d| !d.contains("://") && !d.starts_with("mailto:"))
        .collect()
}

fn link_resolves(root: &Path, dir: &Path, page: &Path, link: &str) -> bool {
    let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
    let target = if file.is_empty() {
        page.to_path_buf()
    } else {
        dir.join(file)
    };
    let Ok(text) = std::fs::read_to_string(root.join(&target)) else {
        return root.join(&target).exists() && anchor.is_empty();
    };
    anchor.is_empty() || anchors(&text).iter().any(|a| a == anchor)
}

/// The anchors GitHub gives a page's headings: the heading's text in lower
/// case, without punctuation other than `-` and `_`, spaces made `-`.
fn anchors(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut heading: Option<String> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = &mut heading {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => found.extend(heading.take().map(|h| slug(&h))),
            _ => {}
        }
    }
    found
}

fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}
