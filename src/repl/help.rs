//! `help` at the prompt: the guide's entry for a builtin, method, primitive
//! or statement ([`thr::help`]), rendered from markdown as terminal text.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use thr::cli_support::{Args, NativeFn};
use thr::Value;

/// Makes `help(x)` a builtin of the engine's sessions.
pub fn register(engine: &mut thr::Engine) {
    let help = NativeFn::value("help", |interp, args: Args| {
        let [x] = args.bind("help", ["x"], 0)?;
        let text = match x {
            None => topics(),
            Some(v) => about(&v),
        };
        interp.rt.print(&text);
        Ok(Value::Nil)
    });
    engine.register_value("help", help);
}

/// `help` with no argument: the topics, and how to ask for one.
pub fn topics() -> String {
    let keys = thr::cli_support::help_keys();
    let (methods, words): (Vec<&str>, Vec<&str>) = keys.iter().partition(|k| k.contains('.'));
    format!(
        "Help is kept for these builtins, primitives and statements:\n{}\
         and for these methods and fields:\n{}\
         Ask for one with help(print), help(xs.push) for a value's method, \
         or help(\"while\") for a statement.\n",
        wrap(&words),
        wrap(&methods),
    )
}

/// Words joined into lines of at most 76 columns, indented by two.
fn wrap(words: &[&str]) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for w in words {
        if !line.is_empty() && line.len() + w.len() + 1 > 76 {
            out.push_str(&format!("  {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

/// `help(x)`: the entry for what `x` is, or says there is none. A method's
/// bare name (`help("push")`) finds the method of the one type that has
/// it, or lists the types that do.
fn about(v: &Value) -> String {
    let key = key_of(v);
    if let Some(markdown) = thr::cli_support::help_entry(&key) {
        return render(markdown);
    }
    let suffix = format!(".{key}");
    let owners: Vec<&str> = thr::cli_support::help_keys()
        .into_iter()
        .filter(|k| k.ends_with(&suffix))
        .collect();
    match owners.as_slice() {
        [one] => render(thr::cli_support::help_entry(one).unwrap_or_default()),
        [] => format!("No help for {key}. Type help to see the topics.\n"),
        many => format!(
            "{key} is a method of several types: {}. Ask for one, as help(\"{}\").\n",
            many.join(", "),
            many[0]
        ),
    }
}

/// The guide's key for a value: a builtin's or bound method's name
/// (`print`, `list.push`), a string's text (`"while"`), or the type of
/// anything else (`lock` for a lock).
fn key_of(v: &Value) -> String {
    match v {
        Value::Native(f) => f.name.to_string(),
        Value::Str(s) => s.to_string(),
        Value::Func(_) => v.repr(),
        other => other.type_name().to_string(),
    }
}

/// Markdown as plain terminal text: headings underlined, code blocks
/// indented, inline code without its backticks, lists with dashes.
pub fn render(markdown: &str) -> String {
    let mut out = String::new();
    let mut heading = None;
    let mut in_code = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(out.len()),
            Event::End(TagEnd::Heading(_)) => {
                let start = heading.take().unwrap_or(out.len());
                let width = out[start..].chars().count();
                out.push_str(&format!("\n{}\n\n", "-".repeat(width)));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = true;
                // An example's output follows its code: say which is which.
                if matches!(kind, CodeBlockKind::Fenced(lang) if &*lang == "output") {
                    out.push_str("  Output:\n");
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                out.push('\n');
            }
            Event::Text(text) if in_code => {
                for line in text.lines() {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::Start(Tag::Item) => out.push_str("  - "),
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::List(_)) => out.push_str("\n\n"),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            _ => {}
        }
    }
    format!("{}\n", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_plain_text() {
        let md = "## list.push\n\n`xs.push(x)` adds\n`x` at the end.\n\n```\nxs.push(2)\n```\n```output\nnil\n```\n\n- one\n- two\n";
        assert_eq!(
            render(md),
            "list.push\n---------\n\nxs.push(x) adds x at the end.\n\n    xs.push(2)\n\n  Output:\n    nil\n\n  - one\n  - two\n"
        );
    }

    #[test]
    fn values_name_their_entries() {
        let mut engine = thr::Engine::new();
        let xs_push = engine.eval("[1].push").unwrap();
        assert_eq!(key_of(&xs_push), "list.push");
        let print = engine.eval("print").unwrap();
        assert_eq!(key_of(&print), "print");
        assert_eq!(key_of(&Value::str("while")), "while");
        assert_eq!(key_of(&engine.eval("lock()").unwrap()), "lock");
        let entry = thr::cli_support::help_entry("print").expect("print has an entry");
        assert_eq!(about(&print), render(entry));
        let push = thr::cli_support::help_entry("list.push").expect("push has an entry");
        assert_eq!(about(&Value::str("push")), render(push));
        assert_eq!(
            about(&Value::str("pop")),
            "pop is a method of several types: list.pop, map.pop. Ask for one, as help(\"list.pop\").\n"
        );
        let own = engine.eval("fn own() {}; own").unwrap();
        assert_eq!(
            about(&own),
            "No help for <fn own>. Type help to see the topics.\n"
        );
    }
}
