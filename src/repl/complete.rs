//! Tab completion that knows the session's values: after `xs.` the list's
//! methods, after `m.` a map's fields and methods, after `log.` its
//! functions; elsewhere keywords, variables and builtins. Only names and
//! map fields are followed to find the value: nothing is called.

use thr::Value;

use super::syntax::{self, KEYWORDS};

/// Where the word being completed starts in `line`, and its completions.
pub fn complete(line: &str, pos: usize, globals: &[(String, Value)]) -> (usize, Vec<String>) {
    let before = &line[..pos];
    let start = before.rfind(|c: char| !is_word(c)).map_or(0, |i| {
        i + before[i..].chars().next().map_or(1, char::len_utf8)
    });
    let word = &before[start..];
    if syntax::in_string(line, pos) || word.starts_with(|c: char| c.is_ascii_digit()) {
        return (start, Vec::new());
    }
    let names = match before[..start].strip_suffix('.') {
        Some(receiver) => match value_of(chain(receiver), globals) {
            Some(v) => thr::cli_support::attributes(&v),
            None => Vec::new(),
        },
        None => {
            let words = KEYWORDS.iter().map(|k| k.to_string());
            let mut names: Vec<String> = words
                .chain(globals.iter().map(|(n, _)| n.clone()))
                .collect();
            names.sort();
            names.dedup();
            names
        }
    };
    let found = names.into_iter().filter(|n| n.starts_with(word)).collect();
    (start, found)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The dotted names just before the `.` being completed (`m.sub` of
/// `f(m.sub.`), or "" when something else (a call, a literal) ends there.
fn chain(receiver: &str) -> &str {
    let start = receiver
        .rfind(|c: char| !(is_word(c) || c == '.'))
        .map_or(0, |i| {
            i + receiver[i..].chars().next().map_or(1, char::len_utf8)
        });
    let chain = &receiver[start..];
    let after_value = receiver[..start].ends_with([')', ']', '"', '\'']);
    match after_value || chain.starts_with(|c: char| c.is_ascii_digit()) {
        true => "",
        false => chain,
    }
}

/// The value `a.b.c` names: a variable or builtin, then map fields.
fn value_of(chain: &str, globals: &[(String, Value)]) -> Option<Value> {
    let mut names = chain.split('.');
    let first = names.next().filter(|n| !n.is_empty())?;
    let mut v = globals.iter().rev().find(|(n, _)| n == first)?.1.clone();
    for name in names {
        let field = match &v {
            Value::Map(m) => m.read(|m| m.get(&thr::cli_support::StrKey(name)).cloned()),
            _ => None,
        };
        v = field?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globals() -> Vec<(String, Value)> {
        let mut engine = thr::Engine::new();
        engine
            .eval("let xs = [1]; let m = {name: 'x', sub: {deep: 1}}; let xylo = 2")
            .unwrap();
        engine.globals()
    }

    fn names(line: &str) -> Vec<String> {
        complete(line, line.len(), &globals()).1
    }

    #[test]
    fn completes_methods_fields_keywords_and_names_by_value() {
        assert_eq!(names("xs.pu"), ["push"]);
        assert_eq!(complete("print(xs.pu", 11, &globals()).0, 9);
        assert!(names("m.").starts_with(&["clear".into(), "contains".into()]));
        assert!(names("m.").contains(&"name".to_string()));
        assert_eq!(names("m.sub.d"), ["deep"]);
        assert!(names("log.").contains(&"debug".to_string()));
        assert_eq!(names("whi"), ["while"]);
        assert_eq!(names("xy"), ["xylo"]);
        assert_eq!(names("x"), ["xs", "xylo"]);
    }

    #[test]
    fn calls_literals_and_strings_are_not_completed() {
        assert!(names("f().pu").is_empty());
        assert!(names("1.").is_empty());
        assert!(names("print(\"xs.pu").is_empty());
        assert!(names("nope.").is_empty());
    }
}
