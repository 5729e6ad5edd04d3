//! Strings as values hold them, in one word (a value stays two words):
//!
//! - **Short strings** (up to 7 bytes on a 64-bit machine: words, keys,
//!   field names) are kept in the word itself, the low bit set, the length
//!   in the next three bits and the text in the other bytes. Making,
//!   copying and dropping one touches no memory and no count, and two
//!   compare as one integer.
//! - **Longer strings** point to one allocation with the reference count,
//!   the length and the text. The count is atomic only when threads share
//!   values (see [`super::rc`]).
//!
//! Every string short enough is kept inline, so a heap string is never
//! equal to an inline one.

use std::alloc::Layout;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use super::rc::Count;

#[repr(C)]
struct Header {
    count: Count,
    /// The length in bytes, with [`ASCII`] set when every byte is ASCII.
    len: usize,
}

/// The bit of a heap string's `len` that says its text is all ASCII, so
/// that its length in characters and its `s[i]` cost no pass over it:
/// checked as the string is made, when its bytes are in the cache. (No
/// string is made long enough to need the bit, or [`GROWN`], as a length.)
const ASCII: usize = 1 << (usize::BITS - 1);
/// The bit of a heap string's `len` that says it was grown by
/// [`RcStr::try_append`]: its allocation has [`room`] for more text.
const GROWN: usize = 1 << (usize::BITS - 2);
const FLAGS: usize = ASCII | GROWN;

/// The bytes of text a heap string of `len` bytes has room for: its length,
/// or for a grown one (64 at least) its length rounded up to a quarter of
/// the power of two below it. The room stays the same while the string
/// grows into it, a grown string wastes a quarter of its length at most,
/// and one built piece by piece is copied about four times per doubling.
fn room(len: usize, grown: usize) -> usize {
    if grown == 0 {
        return len;
    }
    if len <= 64 {
        return 64;
    }
    // 2^(bits - 1) < len <= 2^bits: four steps of 2^(bits - 3) to the next.
    let bits = usize::BITS - (len - 1).leading_zeros();
    let step = 1usize << (bits - 3);
    len.div_ceil(step) * step
}

/// An immutable string, inline or reference-counted.
pub struct RcStr {
    /// A heap string's header (aligned, so its low bit is clear), or an
    /// inline string's bits (never a pointer, never read as one).
    ptr: NonNull<Header>,
}

// SAFETY: the text never changes after it is made, and the count is
// changed as `super::rc` allows.
unsafe impl Send for RcStr {}
unsafe impl Sync for RcStr {}

/// Bytes in the word.
const WORD: usize = std::mem::size_of::<usize>();
/// The longest text kept inline.
const INLINE_MAX: usize = WORD - 1;
/// Where an inline string's tag byte (the word's low byte) is, and where
/// its text starts.
const TAG_AT: usize = if cfg!(target_endian = "little") {
    0
} else {
    WORD - 1
};
const TEXT_AT: usize = if cfg!(target_endian = "little") { 1 } else { 0 };

/// The allocation for a header and `len` bytes of text after it.
fn layout(len: usize) -> Option<Layout> {
    if len & FLAGS != 0 {
        return None;
    }
    let (layout, _) = Layout::new::<Header>()
        .extend(Layout::array::<u8>(len).ok()?)
        .ok()?;
    Some(layout.pad_to_align())
}

impl RcStr {
    /// A string of `text`; `None` when memory runs out.
    pub fn try_alloc(text: &str) -> Option<RcStr> {
        // SAFETY: all `len` bytes are written, with text that is UTF-8.
        unsafe {
            RcStr::try_init_with_unchecked(text.len(), |buf| {
                std::ptr::copy_nonoverlapping(text.as_ptr(), buf.as_mut_ptr().cast(), text.len())
            })
        }
    }

    /// A string of `len` bytes that `init` writes; `None` when memory runs
    /// out.
    ///
    /// # Safety
    /// `init` writes every byte, and the bytes are UTF-8.
    #[inline]
    pub unsafe fn try_init_with_unchecked(
        len: usize,
        init: impl FnOnce(&mut [MaybeUninit<u8>]),
    ) -> Option<RcStr> {
        if len <= INLINE_MAX {
            let mut word = [MaybeUninit::new(0u8); WORD];
            init(&mut word[TEXT_AT..TEXT_AT + len]);
            word[TAG_AT] = MaybeUninit::new(1 | (len as u8) << 1);
            // SAFETY: every byte was set: zero, then the text and the tag.
            let bits = usize::from_ne_bytes(unsafe {
                std::mem::transmute::<[MaybeUninit<u8>; WORD], [u8; WORD]>(word)
            });
            return Some(RcStr::inline(bits));
        }
        // SAFETY: the caller's promises, passed on.
        unsafe { RcStr::try_alloc_heap(len, init) }
    }

    /// An inline string of `bits` (low bit set).
    #[inline(always)]
    fn inline(bits: usize) -> RcStr {
        // SAFETY: the low bit is set, so the bits are not zero.
        let ptr = unsafe { NonNull::new_unchecked(std::ptr::without_provenance_mut(bits)) };
        RcStr { ptr }
    }

    /// # Safety
    /// As [`RcStr::try_init_with_unchecked`]'s.
    unsafe fn try_alloc_heap(
        len: usize,
        init: impl FnOnce(&mut [MaybeUninit<u8>]),
    ) -> Option<RcStr> {
        let s = RcStr::allocate(len)?;
        // SAFETY: the allocation has room for `len` bytes of text, which
        // `init` writes, as UTF-8, before anything reads them.
        unsafe {
            let text = s.text_ptr();
            init(std::slice::from_raw_parts_mut(text.cast(), len));
            let ascii = std::slice::from_raw_parts(text, len).is_ascii();
            s.set_len(len | if ascii { ASCII } else { 0 });
        }
        Some(s)
    }

    /// A heap string with room for `room` bytes of text, held once, its
    /// length 0 until [`RcStr::set_len`]; `None` when memory runs out.
    fn allocate(room: usize) -> Option<RcStr> {
        let layout = layout(room)?;
        // SAFETY: the layout is never zero-sized: it holds a header.
        let ptr = NonNull::new(unsafe { std::alloc::alloc(layout) })?.cast::<Header>();
        // SAFETY: fresh memory of `layout`, which starts with a header.
        unsafe {
            ptr.write(Header {
                count: Count::new(1),
                len: 0,
            })
        };
        Some(RcStr { ptr })
    }

    /// Where a heap string's text starts: right after its header (whose
    /// size is a multiple of its alignment, so nothing pads between).
    #[inline(always)]
    fn text_ptr(&self) -> *mut u8 {
        // SAFETY: within the allocation, which holds a header and text.
        unsafe { self.ptr.as_ptr().cast::<u8>().add(size_of::<Header>()) }
    }

    /// Sets a heap string's length and flags.
    ///
    /// # Safety
    /// The only reference to the string, whose allocation has room for, and
    /// holds, that many bytes of UTF-8 text, ASCII if [`ASCII`] is set.
    unsafe fn set_len(&self, len: usize) {
        (*self.ptr.as_ptr()).len = len;
    }

    /// The word, as bits.
    #[inline(always)]
    fn bits(&self) -> usize {
        self.ptr.as_ptr().addr()
    }

    #[inline(always)]
    fn is_inline(&self) -> bool {
        self.bits() & 1 == 1
    }

    /// A heap string's header.
    #[inline(always)]
    fn header(&self) -> &Header {
        debug_assert!(!self.is_inline());
        // SAFETY: a heap string's allocation lives while a reference does.
        unsafe { self.ptr.as_ref() }
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        match self.is_inline() {
            true => (self.bits() >> 1) & 0b111,
            false => self.header().len & !FLAGS,
        }
    }

    /// Whether every byte is ASCII: then a byte is a character.
    #[inline]
    pub fn is_ascii(&self) -> bool {
        match self.is_inline() {
            true => self.as_str().is_ascii(),
            false => self.header().len & ASCII != 0,
        }
    }

    /// How many characters (code points) it has.
    #[inline]
    pub fn char_count(&self) -> usize {
        match self.is_ascii() {
            true => self.len(),
            false => self.as_str().chars().count(),
        }
    }

    #[inline(always)]
    pub fn as_str(&self) -> &str {
        let len = self.len();
        let text = match self.is_inline() {
            // The bytes of the word itself, which `self` holds.
            true => (&raw const self.ptr).cast::<u8>().wrapping_add(TEXT_AT),
            false => self.text_ptr().cast_const(),
        };
        // SAFETY: `len` bytes of UTF-8 at `text`, living as long as `self`.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(text, len)) }
    }

    /// The same string: the same allocation, or the same inline text.
    #[inline(always)]
    pub fn ptr_eq(a: &RcStr, b: &RcStr) -> bool {
        a.ptr == b.ptr
    }

    /// Whether this is a heap string and its only reference, which
    /// [`RcStr::try_append`] may grow.
    #[inline]
    pub fn is_unique_heap(&self) -> bool {
        !self.is_inline() && self.header().count.get() == 1
    }

    /// References to a heap string; an inline one counts as held once.
    pub fn strong_count(this: &RcStr) -> usize {
        match this.is_inline() {
            true => 1,
            false => this.header().count.get(),
        }
    }

    /// `self` followed by `more`, when `self` is a heap string and its only
    /// reference: written into `self`'s room when it has enough, else into
    /// a new string with [`room`] to grow, so a string built piece by
    /// piece is copied a logarithmic number of times.
    /// `Err(self)`, unchanged, when it is shared or inline, or memory runs
    /// out. (The caller checks the size limit.)
    pub fn try_append(self, more: &str) -> Result<RcStr, RcStr> {
        if !self.is_unique_heap() {
            return Err(self);
        }
        let (len, flags) = (self.len(), self.header().len & FLAGS);
        let new_len = len + more.len();
        let ascii = if more.is_ascii() { flags & ASCII } else { 0 };
        if flags & GROWN != 0 && new_len <= room(len, GROWN) {
            // SAFETY: the only reference, so nobody reads the string while
            // it changes; its allocation has room for `new_len` bytes.
            unsafe { self.write_at(len, more, new_len | GROWN | ascii) };
            return Ok(self);
        }
        let Some(grown) = RcStr::allocate(room(new_len, GROWN)) else {
            return Err(self);
        };
        // SAFETY: the new string has room for `new_len` bytes; the first
        // `len` are copied from `self`, the rest from `more`.
        unsafe {
            std::ptr::copy_nonoverlapping(self.text_ptr(), grown.text_ptr(), len);
            grown.write_at(len, more, new_len | GROWN | ascii);
        }
        Ok(grown)
    }

    /// Writes `more` at byte `at` of the text, and the header's new `len`.
    ///
    /// # Safety
    /// As [`RcStr::set_len`]'s, for the text with `more` at `at`.
    unsafe fn write_at(&self, at: usize, more: &str, len: usize) {
        std::ptr::copy_nonoverlapping(more.as_ptr(), self.text_ptr().add(at), more.len());
        self.set_len(len);
    }

    #[cold]
    #[inline(never)]
    fn free(&mut self) {
        let room = room(self.len(), self.header().len & GROWN);
        let layout = layout(room).expect("a string made has a layout");
        // SAFETY: the last reference is going; the allocation was made with
        // this layout.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr().cast(), layout) }
    }
}

impl Clone for RcStr {
    #[inline(always)]
    fn clone(&self) -> RcStr {
        if !self.is_inline() {
            self.header().count.increment();
        }
        RcStr { ptr: self.ptr }
    }
}

impl Drop for RcStr {
    #[inline(always)]
    fn drop(&mut self) {
        if !self.is_inline() && self.header().count.decrement() {
            self.free();
        }
    }
}

impl From<&str> for RcStr {
    fn from(text: &str) -> RcStr {
        RcStr::try_alloc(text).unwrap_or_else(|| {
            std::alloc::handle_alloc_error(layout(text.len()).unwrap_or(Layout::new::<Header>()))
        })
    }
}

impl From<String> for RcStr {
    fn from(text: String) -> RcStr {
        text.as_str().into()
    }
}

impl std::ops::Deref for RcStr {
    type Target = str;
    #[inline(always)]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for RcStr {
    fn borrow(&self) -> &str {
        self
    }
}

impl PartialEq for RcStr {
    #[inline]
    fn eq(&self, other: &RcStr) -> bool {
        // Equal short texts are the same bits; a short one never equals a
        // long one.
        RcStr::ptr_eq(self, other)
            || (!self.is_inline() && !other.is_inline() && self.as_str() == other.as_str())
    }
}

impl Eq for RcStr {}

impl PartialOrd for RcStr {
    fn partial_cmp(&self, other: &RcStr) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RcStr {
    fn cmp(&self, other: &RcStr) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for RcStr {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl std::fmt::Debug for RcStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl std::fmt::Display for RcStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_keeps_its_text_through_clones() {
        for text in ["", "a", "héllo wörld", &"x".repeat(1000)] {
            let s = RcStr::from(text);
            let t = s.clone();
            drop(s);
            assert_eq!(t.as_str(), text);
            assert_eq!(t.len(), text.len());
            assert_eq!(RcStr::strong_count(&t), 1);
        }
    }

    #[test]
    fn strings_compare_and_hash_by_text() {
        use std::collections::HashSet;
        for text in ["key", "a longer key"] {
            let a = RcStr::from(text);
            let b = RcStr::from(String::from(text));
            // Two short strings of one text are the same word; two long
            // ones are two allocations.
            assert_eq!(RcStr::ptr_eq(&a, &b), text.len() <= INLINE_MAX);
            assert_eq!(a, b);
            assert_eq!(a.cmp(&RcStr::from("kez")), text.cmp("kez"));
            let set: HashSet<RcStr> = [a].into_iter().collect();
            assert!(set.contains(text));
        }
    }

    #[test]
    fn a_grown_strings_room_holds_while_it_grows_into_it() {
        for len in 8..20_000 {
            let r = room(len, GROWN);
            assert!(r >= len && r <= (len + len / 4).max(64), "{len}: {r}");
            assert_eq!(room(r, GROWN), r, "{len}");
            assert_eq!(room(len, 0), len);
        }
        assert_eq!(room(1 << 30, GROWN), 1 << 30);
        assert_eq!(room((1 << 30) + 1, GROWN), (1 << 30) + (1 << 28));
    }

    #[test]
    fn appending_grows_only_a_string_nobody_else_holds() {
        let inline = RcStr::from("short");
        assert!(inline.try_append("er").is_err());
        let s = RcStr::from("a heap string");
        let shared = s.clone();
        let s = s.try_append("!").expect_err("shared");
        drop(shared);
        let mut s = s.try_append("!").expect("unique");
        let mut text = String::from("a heap string!");
        // Through the first rooms' ends (64, 128) byte by byte.
        for i in 0..150 {
            let piece = if i == 100 { "é" } else { "x" };
            s = s.try_append(piece).expect("unique");
            text.push_str(piece);
            assert_eq!(s.as_str(), text);
            assert_eq!(s.is_ascii(), text.is_ascii());
            assert_eq!(s.char_count(), text.chars().count());
        }
        let copy = RcStr::from(text.as_str());
        assert_eq!(s, copy);
        assert!(RcStr::ptr_eq(&s.clone(), &s));
    }

    #[test]
    fn short_strings_are_inline_and_longer_ones_are_not() {
        let texts = [
            "",
            "a",
            "é",
            "ab\0cd",
            "1234567",
            "12345678",
            "héllo",
            "héllo!",
            "a longer text, all ASCII",
            "a longer text, not all ASCII: ü",
        ];
        for text in texts {
            let s = RcStr::from(text);
            assert_eq!(s.is_inline(), text.len() <= INLINE_MAX, "{text:?}");
            assert_eq!(s.as_str(), text);
            assert_eq!(s.len(), text.len());
            assert_eq!(s.is_ascii(), text.is_ascii(), "{text:?}");
            assert_eq!(s.char_count(), text.chars().count(), "{text:?}");
            let moved = [s.clone(), s];
            assert_eq!(moved[1].as_str(), text);
            assert_eq!(moved[0], moved[1]);
        }
        // Equal texts are equal whichever way they were made.
        let joined = unsafe {
            RcStr::try_init_with_unchecked(2, |buf| {
                buf[0].write(b'o');
                buf[1].write(b'k');
            })
        };
        assert_eq!(joined, Some(RcStr::from("ok")));
        assert_ne!(RcStr::from("ok"), RcStr::from("ko"));
        assert_ne!(RcStr::from("1234567"), RcStr::from("12345678"));
    }
}
