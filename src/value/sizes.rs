//! How large strings, lists and maps may grow: the one place that checks.
//!
//! Every builtin that makes a string, list or map whose size a script
//! controls (`+`, `*`, `join`, `replace`, `%`, `push`, `extend`, `m[k] = v`,
//! `list(range(n))`...) asks [`Sizes`] first. Past the run's limit it is a
//! `MemoryError`; within it, the memory is asked for with fallible
//! allocation, so a request the system refuses is a `MemoryError` too,
//! never an abort of the whole process (and of the program embedding it).

use crate::value::RcStr;

use crate::interp::{error, Unwind};

use super::{Entries, Key, Value};

/// The size limits of a run (see [`crate::Limits`]).
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Bytes in one string.
    pub string: usize,
    /// Items in one list.
    pub list: usize,
    /// Entries in one map.
    pub map: usize,
}

impl Sizes {
    /// Checks that a string of `len` bytes may be made.
    pub fn check_string(&self, len: usize) -> Result<(), Unwind> {
        check(len, self.string, "a string", "bytes", "max_string_size")
    }

    /// Checks that a list of `len` items may be made.
    pub fn check_list(&self, len: usize) -> Result<(), Unwind> {
        check(len, self.list, "a list", "items", "max_list_size")
    }

    /// Checks that a map of `len` entries may be made.
    pub fn check_map(&self, len: usize) -> Result<(), Unwind> {
        check(len, self.map, "a map", "entries", "max_map_size")
    }

    /// A string of `parts` one after another, `len` bytes in all, copied
    /// once: a short one into a stack buffer (cheaper than the zeroed
    /// allocation of a string built in place), a long one straight into the
    /// new string's own allocation, asked for fallibly.
    pub fn str_of_parts<'a>(
        &self,
        len: usize,
        parts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Value, Unwind> {
        const SHORT: usize = 128;
        let put = |buf: &mut [u8]| {
            let mut at = 0;
            for p in parts {
                buf[at..at + p.len()].copy_from_slice(p.as_bytes());
                at += p.len();
            }
        };
        self.check_string(len)?;
        if len <= SHORT {
            let mut buf = [0u8; SHORT];
            put(&mut buf[..len]);
            // SAFETY: whole strings put together are UTF-8 (checking it
            // again cost as much as the copy).
            return Ok(Value::str(unsafe {
                std::str::from_utf8_unchecked(&buf[..len])
            }));
        }
        // SAFETY: `put` writes all `len` bytes, and the parts are whole
        // strings, so the bytes are UTF-8.
        let s = unsafe {
            RcStr::try_init_with_unchecked(len, |buf| {
                let buf = &mut *(buf as *mut [std::mem::MaybeUninit<u8>] as *mut [u8]);
                put(buf)
            })
        };
        s.map(Value::Str)
            .ok_or_else(|| out_of_memory("a string", len, "bytes"))
    }

    /// `text` with its ASCII letters made upper or lower case, copied once,
    /// straight into the new string (`upper()` and `lower()` of ASCII text;
    /// Unicode's own rules change other letters).
    pub fn ascii_case(&self, text: &str, upper: bool) -> Result<Value, Unwind> {
        let len = text.len();
        self.check_string(len)?;
        // SAFETY: every byte is written (copied, then changed in place); a
        // case change of an ASCII letter is an ASCII letter and every other
        // byte is kept, so UTF-8 stays UTF-8.
        let s = unsafe {
            RcStr::try_init_with_unchecked(len, |buf| {
                std::ptr::copy_nonoverlapping(text.as_ptr(), buf.as_mut_ptr().cast(), len);
                let bytes = &mut *(buf as *mut [std::mem::MaybeUninit<u8>] as *mut [u8]);
                match upper {
                    true => bytes.make_ascii_uppercase(),
                    false => bytes.make_ascii_lowercase(),
                }
            })
        };
        s.map(Value::Str)
            .ok_or_else(|| out_of_memory("a string", len, "bytes"))
    }

    /// A string of `text`, whose size was not known before it was built.
    pub fn string(&self, text: &str) -> Result<Value, Unwind> {
        self.check_string(text.len())?;
        RcStr::try_alloc(text)
            .map(Value::Str)
            .ok_or_else(|| out_of_memory("a string", text.len(), "bytes"))
    }

    /// Room for `extra` more items in `items`.
    pub fn grow_list(&self, items: &mut Vec<Value>, extra: usize) -> Result<(), Unwind> {
        let len = items.len().saturating_add(extra);
        self.check_list(len)?;
        items
            .try_reserve(extra)
            .map_err(|_| out_of_memory("a list", len, "items"))
    }

    /// An empty list with room for `n` items.
    pub fn new_list(&self, n: usize) -> Result<Vec<Value>, Unwind> {
        let mut items = Vec::new();
        self.grow_list(&mut items, n)?;
        Ok(items)
    }

    /// Adds `item` at the end of `items`.
    pub fn push(&self, items: &mut Vec<Value>, item: Value) -> Result<(), Unwind> {
        if items.len() >= self.list || items.len() == items.capacity() {
            self.grow_list(items, 1)?;
        }
        items.push(item);
        Ok(())
    }

    /// Adds the entry `key: v`, the key being new to `m`.
    pub fn add(&self, m: &mut Entries, key: Key, v: Value) -> Result<(), Unwind> {
        self.grow_map(m, 1)?;
        m.insert(key, v);
        Ok(())
    }

    /// Room for `extra` more entries in `m`.
    pub fn grow_map(&self, m: &mut Entries, extra: usize) -> Result<(), Unwind> {
        let len = m.len().saturating_add(extra);
        self.check_map(len)?;
        m.try_reserve(extra)
            .map_err(|_| out_of_memory("a map", len, "entries"))
    }
}

fn check(len: usize, limit: usize, what: &str, unit: &str, name: &str) -> Result<(), Unwind> {
    if len <= limit {
        return Ok(());
    }
    Err(error(
        "MemoryError",
        format!("{what} of {len} {unit} is past the limit of {limit} ({name})"),
    ))
}

#[cold]
fn out_of_memory(what: &str, len: usize, unit: &str) -> Unwind {
    error(
        "MemoryError",
        format!("out of memory: {what} of {len} {unit} could not be made"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::take_thrown;

    const SMALL: Sizes = Sizes {
        string: 200,
        list: 3,
        map: 2,
    };

    #[test]
    fn sizes_past_the_limit_are_memory_errors() {
        assert!(SMALL.str_of_parts(200, ["x"; 200]).is_ok());
        assert!(SMALL.str_of_parts(201, ["x"; 201]).is_err());
        let t = take_thrown();
        assert_eq!(&*t.error.kind, "MemoryError");
        assert_eq!(
            t.error.message,
            "a string of 201 bytes is past the limit of 200 (max_string_size)"
        );
        let mut items = vec![Value::Nil; 3];
        assert!(SMALL.grow_list(&mut items, 1).is_err());
        assert_eq!(
            take_thrown().error.message,
            "a list of 4 items is past the limit of 3 (max_list_size)"
        );
    }

    #[test]
    fn memory_the_system_refuses_is_a_memory_error() {
        let huge = Sizes {
            string: usize::MAX,
            list: usize::MAX,
            map: usize::MAX,
        };
        assert!(huge.new_list(usize::MAX / 2).is_err());
        assert_eq!(&*take_thrown().error.kind, "MemoryError");
        assert!(huge.str_of_parts(isize::MAX as usize, ["x"]).is_err());
        assert_eq!(&*take_thrown().error.kind, "MemoryError");
    }
}
