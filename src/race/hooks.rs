//! The container layer's hooks ([`Shared`]'s operations call them): an
//! operation no probe described precisely reads or writes the whole
//! container, at the thread's current place. With no detector alive each
//! hook is one untaken branch.

use std::any::Any;

use crate::value::{Contents, Entries, Shared, Value};

use super::loc::Kind;
use super::shadow::{self, ListOp, MapOp};
use super::thread;

/// While it lives, the container layer's hooks leave one container alone:
/// a probe reports what the operation under way does more precisely.
pub struct Quiet(usize);

impl Drop for Quiet {
    fn drop(&mut self) {
        let before = self.0;
        thread::with(|t| t.quiet = before);
    }
}

/// Makes the hooks leave the container at `addr` alone, for as long as the
/// guard lives.
pub fn quiet(addr: usize) -> Option<Quiet> {
    thread::with(|t| Quiet(std::mem::replace(&mut t.quiet, addr)))
}

/// `c` is read whole.
#[inline]
pub fn on_read<T: Contents>(c: &Shared<T>) {
    if super::live() {
        whole(c, Kind::Read);
    }
}

/// `c` is written whole.
#[inline]
pub fn on_write<T: Contents>(c: &Shared<T>) {
    if super::live() {
        whole(c, Kind::Write);
    }
}

/// `c`'s length is read: that alone, not its items.
#[inline]
pub fn on_len<T: Contents>(c: &Shared<T>) -> Option<Quiet> {
    if super::live() {
        length(c)
    } else {
        None
    }
}

/// `c` is freed: its shadow goes.
#[inline]
pub fn on_free<T: Contents>(c: &Shared<T>) {
    if super::live() {
        shadow::forget(c as *const Shared<T> as usize);
    }
}

#[inline(never)]
fn whole(c: &dyn Any, kind: Kind) {
    thread::with(|t| {
        if t.quiet == c as *const dyn Any as *const () as usize {
            return;
        }
        let here = t.here;
        if let Some(list) = c.downcast_ref::<Shared<Vec<Value>>>() {
            shadow::list(t, list, here, None, &[ListOp::All(kind)]);
        } else if let Some(map) = c.downcast_ref::<Shared<Entries>>() {
            shadow::map(t, map, here, None, &[MapOp::All(kind)]);
        }
    });
}

#[inline(never)]
fn length(c: &dyn Any) -> Option<Quiet> {
    let addr = c as *const dyn Any as *const () as usize;
    thread::with(|t| {
        if t.quiet == addr {
            return;
        }
        let here = t.here;
        if let Some(list) = c.downcast_ref::<Shared<Vec<Value>>>() {
            shadow::list(t, list, here, None, &[ListOp::Len(Kind::Read)]);
        } else if let Some(map) = c.downcast_ref::<Shared<Entries>>() {
            shadow::map(t, map, here, None, &[MapOp::Keys(Kind::Read)]);
        }
    })?;
    quiet(addr)
}
