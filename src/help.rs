//! STAND-IN: a few hard-coded entries with the API of the guide's help
//! module, so the REPL's `help` can be built and tested before the guide
//! lands. The lead replaces this file with the guide's version (one source
//! of truth with `docs/guide/`) when merging.

/// The entries, in guide order: key and markdown section.
const ENTRIES: &[(&str, &str)] = &[
    (
        "print",
        "## print\n\n`print(*values, sep=\" \", end=\"\\n\")` writes the values, \
         as `str()` shows them, separated by `sep` and followed by `end`.\n\n\
         ```\nprint(\"a\", 1, sep=\"-\")   # a-1\n```\n",
    ),
    (
        "list.push",
        "## list.push\n\n`xs.push(x)` adds `x` at the end of the list `xs` \
         (`append` is the same method).\n\n```\nlet xs = [1]\nxs.push(2)   # xs is [1, 2]\n```\n",
    ),
    (
        "lock.acquire",
        "## lock.acquire\n\n`l.acquire(blocking=true, timeout=-1)` takes the lock, \
         waiting for it unless `blocking` is false; returns whether it got it.\n",
    ),
    (
        "while",
        "## while\n\n`while COND { ... }` runs the block as long as `COND` is true; \
         `break` leaves the loop and `continue` starts its next round.\n",
    ),
];

/// The guide's entry for `key` ("print", "list.push", "lock.acquire",
/// "while"), as the markdown text of its section, heading included.
pub fn entry(key: &str) -> Option<&'static str> {
    ENTRIES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, text)| *text)
}

/// Every key that has an entry, in guide order.
pub fn keys() -> Vec<&'static str> {
    ENTRIES.iter().map(|(k, _)| *k).collect()
}
