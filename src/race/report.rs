//! Race reports: which location, which two accesses (kind, thread, place
//! and call stack of each), written to the error output as they are found,
//! each pair of source places once.

use crate::ast::Name;
use crate::value::{Key, Value};

use super::loc::{Access, Clash, Kind};
use super::site::SiteId;
use super::thread::{ThreadRace, STACK_DEPTH};

/// A shared location, by the name the code gave its variable or container.
pub enum Place {
    Var(Name),
    Item(Option<Name>, usize),
    Len(Option<Name>),
    /// A map's entry, reached as a field (`m.total`) or by index (`m['a b']`).
    Entry(Option<Name>, Key, bool),
    Keys(Option<Name>),
}

/// A race found: where, and the two accesses.
pub struct Found {
    pub place: Place,
    pub clash: Clash,
}

impl Place {
    fn container(name: &Option<Name>, what: &str) -> String {
        match name {
            Some(n) => format!("`{n}`"),
            None => format!("a {what}"),
        }
    }

    /// The location, as a report names it: `` `xs[3]` ``, `` `m.total` ``,
    /// `` the length of `xs` ``.
    fn describe(&self) -> String {
        match self {
            Place::Var(name) => format!("`{name}`"),
            Place::Item(Some(n), i) => format!("`{n}[{i}]`"),
            Place::Item(None, i) => format!("item {i} of a list"),
            Place::Entry(Some(n), key, true) => match field_name(key) {
                Some(field) => format!("`{n}.{field}`"),
                None => format!("`{n}[{}]`", key.0.repr()),
            },
            Place::Entry(Some(n), key, false) => format!("`{n}[{}]`", key.0.repr()),
            Place::Entry(None, key, _) => format!("entry {} of a map", key.0.repr()),
            Place::Len(name) => format!("the length of {}", Place::container(name, "list")),
            Place::Keys(name) => format!("the keys of {}", Place::container(name, "map")),
        }
    }

    /// What an access of `kind` did here: `write of `counter``.
    fn action(&self, kind: Kind) -> String {
        let of = |noun: &str, what: &str, place: &Option<Name>| {
            format!("{noun} {}", Place::container(place, what))
        };
        match (kind, self) {
            (Kind::Append, Place::Len(n)) => of("append to", "list", n),
            (Kind::Insert, Place::Keys(n)) => of("new key in", "map", n),
            (Kind::Remove, Place::Keys(n)) => of("removal of a key from", "map", n),
            _ => format!("{} of {}", noun(kind), self.describe()),
        }
    }
}

/// A key that reads as a field name (`m.total`).
fn field_name(key: &Key) -> Option<&str> {
    let Value::Str(s) = &key.0 else { return None };
    let mut chars = s.chars();
    let first = chars.next()?;
    let word =
        (first.is_alphabetic() || first == '_') && chars.all(|c| c.is_alphanumeric() || c == '_');
    word.then_some(s)
}

fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Read => "read",
        Kind::Write => "write",
        Kind::Append => "append",
        Kind::Insert => "insertion of a key",
        Kind::Remove => "removal of a key",
    }
}

impl ThreadRace {
    /// Reports each race found whose pair of places is new.
    pub fn report(&mut self, found: Vec<Found>) {
        for f in found {
            let (now, earlier) = (f.clash.now, f.clash.earlier);
            if !self.det.first_time(now.site, earlier.site) {
                continue;
            }
            let text = format!(
                "DataRace: {} by {}\n{}races with an earlier {} by {}\n{}{}\n",
                f.place.action(now.kind()),
                self.det.thread_name(self.tid),
                self.stack_text(now.site, 2),
                noun(earlier.kind()),
                self.det.thread_name(earlier.epoch.tid()),
                self.det.stack_text(earlier, 2),
                "no lock, join or other synchronisation orders them",
            );
            self.det.emit(&self.rt, &text);
        }
    }

    /// The current stack, with the innermost frame at `site`, indented by
    /// `indent` spaces.
    pub fn stack_text(&self, site: SiteId, indent: usize) -> String {
        let calls: Vec<SiteId> = self.calls().collect();
        let deep = calls.len() > STACK_DEPTH;
        let kept = &calls[..calls.len().min(STACK_DEPTH)];
        self.det.frames_text(site, kept, deep, indent)
    }
}

impl super::Detector {
    /// The stack of an earlier access, indented by `indent` spaces.
    pub fn stack_text(&self, a: Access, indent: usize) -> String {
        let calls = self.stack_of(a.epoch.tid(), a.stack());
        let deep = calls.last() == Some(&0);
        let kept = &calls[..calls.len() - deep as usize];
        self.frames_text(a.site, kept, deep, indent)
    }

    /// `at PLACE` then `called from PLACE` for each call site.
    fn frames_text(&self, site: SiteId, calls: &[SiteId], deep: bool, indent: usize) -> String {
        let pad = " ".repeat(indent);
        // An access inside a builtin is at the builtin's call, already the place.
        let calls = calls.strip_prefix(&[site]).unwrap_or(calls);
        let mut out = format!("{pad}at {}\n", self.sites.place(site));
        for &call in calls {
            out.push_str(&format!("{pad}called from {}\n", self.sites.place(call)));
        }
        if deep {
            out.push_str(&format!("{pad}... (earlier calls not kept)\n"));
        }
        out
    }
}
