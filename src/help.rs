//! The guide's reference entries, for the REPL's `help(x)`.
//!
//! Every page of `docs/guide/` is built into the binary. An entry starts at a
//! level-3 heading whose whole text is one code span (`` ### `list.push(item)` ``):
//! its key is that code up to the first `(` or space (`list.push`), and it
//! runs to the next heading of level 1, 2 or 3.

use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// The guide's pages, in the contents' order. A new page is one more line.
const PAGES: &[&str] = &[
    include_str!("../docs/guide/tour.md"),
    include_str!("../docs/guide/syntax.md"),
    include_str!("../docs/guide/builtins.md"),
    include_str!("../docs/guide/types.md"),
    include_str!("../docs/guide/threads.md"),
    include_str!("../docs/guide/logging.md"),
    include_str!("../docs/guide/errors.md"),
    include_str!("../docs/guide/cli.md"),
    include_str!("../docs/guide/limits.md"),
    include_str!("../docs/guide/embedding.md"),
    include_str!("../docs/guide/math.md"),
    include_str!("../docs/guide/race.md"),
];

/// Every entry as (key, markdown), in guide order; parsed on first use.
static ENTRIES: LazyLock<Vec<(String, &'static str)>> =
    LazyLock::new(|| PAGES.iter().flat_map(|page| entries_of(page)).collect());

/// The guide's entry for `key` ("print", "list.push", "lock.acquire",
/// "while"), as the markdown text of its section, heading included.
pub fn entry(key: &str) -> Option<&'static str> {
    ENTRIES
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, text)| *text)
}

/// Every key that has an entry, in guide order.
pub fn keys() -> Vec<&'static str> {
    ENTRIES.iter().map(|(k, _)| k.as_str()).collect()
}

/// A heading of a page: where it starts, its level, and its key if it
/// opens an entry.
struct Heading {
    start: usize,
    level: HeadingLevel,
    key: Option<String>,
}

/// The entries of one page.
fn entries_of(page: &'static str) -> Vec<(String, &'static str)> {
    let headings = headings_of(page);
    let entry = |(i, h): (usize, &Heading)| {
        let key = h.key.clone()?;
        let end = headings[i + 1..]
            .iter()
            .find(|next| next.level <= HeadingLevel::H3)
            .map_or(page.len(), |next| next.start);
        Some((key, page[h.start..end].trim_end()))
    };
    headings.iter().enumerate().filter_map(entry).collect()
}

/// Every heading of a page, in order (a `#` line inside a code block is
/// code, not a heading: the markdown parser knows the difference).
fn headings_of(page: &str) -> Vec<Heading> {
    let mut headings = Vec::new();
    // The heading being read: its start, level and inline events.
    let mut open: Option<(usize, HeadingLevel, Vec<Event<'_>>)> = None;
    for (event, range) in Parser::new(page).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                open = Some((range.start, level, Vec::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, level, inline)) = open.take() {
                    let key = (level == HeadingLevel::H3)
                        .then(|| key_of(&inline))
                        .flatten();
                    headings.push(Heading { start, level, key });
                }
            }
            event => {
                if let Some((_, _, inline)) = &mut open {
                    inline.push(event);
                }
            }
        }
    }
    headings
}

/// The key of a heading that is one code span: its code up to the first
/// `(` or space.
fn key_of(inline: &[Event<'_>]) -> Option<String> {
    match inline {
        [Event::Code(code)] => code.split(['(', ' ']).next().map(str::to_string),
        _ => None,
    }
}

/// The Rust examples of the embedding page and the README, compiled and
/// run by `cargo test` as doc tests (`tests/guide.rs` runs the rest).
#[cfg(doctest)]
#[doc = include_str!("../docs/guide/embedding.md")]
pub struct EmbeddingPage;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct Readme;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins;
    use crate::value::Value;

    /// The keys in `wanted` that have no entry.
    fn missing(wanted: impl IntoIterator<Item = String>) -> Vec<String> {
        wanted.into_iter().filter(|k| entry(k).is_none()).collect()
    }

    /// One value of each type that has methods or fields, made by a script.
    const SAMPLES: &[&str] = &[
        "[]",
        "{}",
        "''",
        "error('ValueError', 'bad')",
        "current_thread()",
        "timer(1, print)",
        "lock()",
        "rlock()",
        "condition()",
        "semaphore()",
        "bounded_semaphore()",
        "event()",
        "barrier(1)",
        "local()",
        "queue()",
        "log",
        "math",
    ];

    /// The sample of type `name`, as a script writes it.
    fn sample_of(engine: &mut crate::Engine, name: &str) -> Option<&'static str> {
        SAMPLES.iter().copied().find(|code| {
            let v = engine.eval(code).expect("every sample runs");
            v.type_name() == name
        })
    }

    #[test]
    fn every_builtin_has_an_entry() {
        let names = builtins::table().into_iter().map(|(n, _)| n.to_string());
        assert_eq!(missing(names), Vec::<String>::new());
    }

    #[test]
    fn every_method_of_list_map_and_str_has_an_entry() {
        let families = [
            ("list", builtins::list::METHODS),
            ("map", builtins::map::METHODS),
            ("str", builtins::string::METHODS),
        ];
        let keys = families
            .iter()
            .flat_map(|(t, methods)| methods.iter().map(move |m| format!("{t}.{m}")));
        assert_eq!(missing(keys), Vec::<String>::new());
    }

    #[test]
    fn every_primitive_and_each_of_its_methods_has_an_entry() {
        let mut engine = crate::Engine::new();
        let mut keys = Vec::new();
        for code in SAMPLES {
            if let Value::Object(o) = engine.eval(code).expect("every sample runs") {
                keys.push(o.type_name().to_string());
                let methods = o.methods().iter();
                keys.extend(methods.map(|m| format!("{}.{m}", o.type_name())));
            }
        }
        assert_eq!(missing(keys), Vec::<String>::new());
    }

    #[test]
    fn every_statement_has_an_entry() {
        let statements = [
            "let", "fn", "if", "while", "for", "break", "continue", "return", "throw", "try",
            "catch", "finally", "with",
        ];
        assert_eq!(missing(statements.map(String::from)), Vec::<String>::new());
    }

    /// The other direction: a documented `type.name` is a method or a field
    /// a script can read.
    #[test]
    fn every_documented_method_and_field_exists() {
        let mut engine = crate::Engine::new();
        for key in keys() {
            let Some((type_name, name)) = key.split_once('.') else {
                continue;
            };
            let sample = sample_of(&mut engine, type_name)
                .unwrap_or_else(|| panic!("{key}: no sample of type {type_name}"));
            if type_name != "local" {
                let code = format!("({sample}).{name}");
                assert!(engine.eval(&code).is_ok(), "{key}: {code} fails");
            }
        }
    }

    #[test]
    fn keys_are_unique() {
        let mut keys = keys();
        let count = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), count, "a key has two entries");
    }

    #[test]
    fn every_entry_has_an_example_that_runs() {
        let runs = |text: &str| {
            Parser::new(text).any(|e| match e {
                Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info))) => {
                    let mut words = info.split([',', ' ']);
                    words.next() == Some("thr") && !words.any(|w| w == "ignore")
                }
                _ => false,
            })
        };
        let without: Vec<_> = keys()
            .into_iter()
            .filter(|k| !runs(entry(k).unwrap()))
            .collect();
        assert_eq!(without, Vec::<&str>::new());
    }

    #[test]
    fn an_entry_runs_to_the_next_heading_of_level_three_or_less() {
        let push = entry("list.push").expect("list.push has an entry");
        assert!(push.starts_with("### `list.push(item)`"), "{push}");
        assert!(!push[3..].contains("\n### "), "{push}");
        assert!(entry("list.nothing").is_none());
    }
}
