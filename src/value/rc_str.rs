//! Strings as values hold them: one allocation with the reference count,
//! the length and the text, reached through a one-word pointer (a value
//! stays two words). The count is atomic only when threads share values
//! (see [`super::rc`]).

use std::alloc::Layout;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use super::rc::Count;

#[repr(C)]
struct Header {
    count: Count,
    len: usize,
}

/// An immutable, reference-counted string.
pub struct RcStr {
    ptr: NonNull<Header>,
}

// SAFETY: the text never changes after it is made, and the count is
// changed as `super::rc` allows.
unsafe impl Send for RcStr {}
unsafe impl Sync for RcStr {}

/// The allocation for `len` bytes of text, and where the text starts in it.
fn layout(len: usize) -> Option<(Layout, usize)> {
    let (layout, at) = Layout::new::<Header>()
        .extend(Layout::array::<u8>(len).ok()?)
        .ok()?;
    Some((layout.pad_to_align(), at))
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
    pub unsafe fn try_init_with_unchecked(
        len: usize,
        init: impl FnOnce(&mut [MaybeUninit<u8>]),
    ) -> Option<RcStr> {
        let (layout, at) = layout(len)?;
        // SAFETY: the layout is never zero-sized: it holds a header.
        let ptr = NonNull::new(unsafe { std::alloc::alloc(layout) })?;
        // SAFETY: fresh memory of `layout`, written before it is read.
        unsafe {
            ptr.cast::<Header>().write(Header {
                count: Count::new(1),
                len,
            });
            let text = std::slice::from_raw_parts_mut(ptr.as_ptr().add(at).cast(), len);
            init(text);
        }
        Some(RcStr { ptr: ptr.cast() })
    }

    fn header(&self) -> &Header {
        // SAFETY: the allocation lives while a reference does.
        unsafe { self.ptr.as_ref() }
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.header().len
    }

    #[inline(always)]
    pub fn as_str(&self) -> &str {
        let len = self.len();
        let at = std::mem::size_of::<Header>();
        // SAFETY: `len` bytes of UTF-8 follow the header (whose size is a
        // multiple of its alignment, so nothing pads between).
        unsafe {
            let text = self.ptr.as_ptr().cast::<u8>().add(at);
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(text, len))
        }
    }

    pub fn ptr_eq(a: &RcStr, b: &RcStr) -> bool {
        a.ptr == b.ptr
    }

    pub fn strong_count(this: &RcStr) -> usize {
        this.header().count.get()
    }

    #[cold]
    #[inline(never)]
    fn free(&mut self) {
        let (layout, _) = layout(self.len()).expect("a string made has a layout");
        // SAFETY: the last reference is going; the allocation was made with
        // this layout.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr().cast(), layout) }
    }
}

impl Clone for RcStr {
    #[inline(always)]
    fn clone(&self) -> RcStr {
        self.header().count.increment();
        RcStr { ptr: self.ptr }
    }
}

impl Drop for RcStr {
    #[inline(always)]
    fn drop(&mut self) {
        if self.header().count.decrement() {
            self.free();
        }
    }
}

impl From<&str> for RcStr {
    fn from(text: &str) -> RcStr {
        RcStr::try_alloc(text).unwrap_or_else(|| {
            std::alloc::handle_alloc_error(
                layout(text.len()).map_or(Layout::new::<Header>(), |l| l.0),
            )
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
    fn eq(&self, other: &RcStr) -> bool {
        RcStr::ptr_eq(self, other) || self.as_str() == other.as_str()
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
        let a = RcStr::from("key");
        let b = RcStr::from(String::from("key"));
        assert!(!RcStr::ptr_eq(&a, &b));
        assert_eq!(a, b);
        assert_eq!(a.cmp(&RcStr::from("kez")), std::cmp::Ordering::Less);
        let set: HashSet<RcStr> = [a].into_iter().collect();
        assert!(set.contains("key"));
    }
}
