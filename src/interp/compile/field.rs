//! Fields of records (maps with string keys) read and written at one place
//! in the code, with a cache of where the field was found last time.
//!
//! Records made by one constructor keep each field at the same position, so
//! `self.balance` at one site nearly always finds `balance` where it did
//! before: checking that position needs no hashing. This is the idea of
//! CPython 3.11's specialised attribute loads. The cache is only a hint: the
//! key at the cached position is always compared with the name.

use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock};

use crate::ast::{BinOp, Name};
use indexmap::map::RawEntryApiV1;

use crate::value::{Entries, Key, KeyHasher, Sizes, StrKey, Value};

use super::super::{ops, Interp, Outcome, Unwind};

pub(crate) struct FieldSite {
    pub name: Name,
    /// The name's hash as a map key ([`KeyHasher`]): a lookup by the site
    /// hashes nothing.
    hash: u64,
    last: AtomicU32,
}

impl FieldSite {
    pub fn new(name: &Name) -> FieldSite {
        FieldSite {
            name: intern(name),
            hash: KeyHasher.hash_one(StrKey(name)),
            last: AtomicU32::new(0),
        }
    }

    /// The position of this site's field in `m`, if it has one.
    #[inline]
    pub fn find(&self, m: &Entries) -> Option<usize> {
        let i = self.last.load(Relaxed) as usize;
        match m.get_index(i) {
            Some((k, _)) if self.is(k) => Some(i),
            _ => self.look_up(m),
        }
    }

    // Out of line, so that `find` stays small enough to be inlined at
    // every field read.
    #[inline(never)]
    fn look_up(&self, m: &Entries) -> Option<usize> {
        let i = m
            .raw_entry_v1()
            .index_from_hash(self.hash, |k| self.is(k))?;
        self.last.store(i as u32, Relaxed);
        Some(i)
    }

    #[inline]
    fn is(&self, k: &Key) -> bool {
        // `RcStr`'s equality: the same word or allocation first, the text
        // only for two heap strings.
        matches!(&k.0, Value::Str(s) if *s == self.name)
    }

    /// The field's value in a map, if it has it.
    #[inline]
    pub fn get(&self, m: &Entries) -> Option<Value> {
        self.find(m).map(|i| m[i].clone())
    }

    /// `m.name = m.name op y` in place, for two numbers with a plain result
    /// (see [`ops::number_fast`]); `false` leaves the map as it was.
    #[inline]
    pub fn update_number(&self, m: &mut Entries, op: BinOp, y: &Value) -> bool {
        let Some(i) = self.find(m) else {
            return false;
        };
        let slot = &mut m[i];
        match ops::number_fast(op, slot, y) {
            Some(v) => {
                // The value replaced is a number: nothing to free.
                std::mem::replace(slot, v).discard();
                true
            }
            None => false,
        }
    }

    /// Sets the field, adding it if it is new (within `sizes`); returns
    /// the value replaced.
    pub fn set(&self, m: &mut Entries, v: Value, sizes: Sizes) -> Result<Option<Value>, Unwind> {
        match self.find(m) {
            Some(i) => Ok(Some(std::mem::replace(&mut m[i], v))),
            // `find` looked the name up: it is new to the map.
            None => sizes
                .add(m, Key(Value::Str(self.name.clone())), v)
                .map(|()| None),
        }
    }
}

/// One shared copy of each field name and string-literal map key in the
/// compiled code, so that a field found at its cached position is
/// recognised by address, without comparing text. Only names seen by the
/// compiler go here: the table grows with the code, not with the data, and
/// lets go of the names no code or value holds any more when a run ends
/// ([`forget_unused_names`]).
pub(crate) fn intern(name: &str) -> Name {
    let mut names = interned().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.get(name) {
        return n.clone();
    }
    let n: Name = name.into();
    names.insert(n.clone());
    n
}

fn interned() -> &'static Mutex<HashSet<Name>> {
    static NAMES: OnceLock<Mutex<HashSet<Name>>> = OnceLock::new();
    NAMES.get_or_init(Default::default)
}

/// Drops the names only the table still holds: their code and every value
/// made with them are gone. A host that compiles ever-new code (a REPL, a
/// server running one script after another) would otherwise keep every
/// name it ever saw. A name dropped here and met again is interned anew;
/// a site comparing it falls back to its text, so nothing depends on the
/// copy.
pub(crate) fn forget_unused_names() {
    let mut names = interned().lock().unwrap_or_else(|e| e.into_inner());
    names.retain(|n| Name::strong_count(n) != 1);
}

/// How many names the table holds (for tests).
pub fn interned_names() -> usize {
    interned().lock().unwrap_or_else(|e| e.into_inner()).len()
}

/// `recv.name`: a record's field found through the site's cache, else any
/// other field or bound method.
#[inline]
pub(crate) fn read_field(me: &mut Interp, recv: &Value, site: &FieldSite) -> Outcome {
    if let Value::Map(m) = recv {
        if let Some(v) = m.read(|m| site.get(m)) {
            return Ok(v);
        }
    }
    me.field(recv, &site.name)
}
