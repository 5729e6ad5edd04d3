//! Thr's values: cheap to clone (a tag or one reference count) and safe to
//! share between OS threads.

mod biased;
mod compare;
pub(crate) mod cycles;
mod free;
mod rc;
mod rc_str;
mod repr;
mod shared;
mod sizes;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use indexmap::IndexMap;
use parking_lot::Mutex;

use crate::format::decimal;
use crate::interp::{Args, Function, Interp, Outcome};

pub use biased::prepare as prepare_biasing;
pub use compare::{equal, is_container, ordered, scalar_equal, Order};
use cycles::Mark;
pub use rc::{confine as confine_to_one_thread, share as share_between_threads, Rc, Weak};
pub use rc_str::RcStr;
pub use repr::float_repr;
pub use shared::{Contents, Shared};
pub use sizes::Sizes;

/// A list's items, shared between threads (see [`Shared`]).
pub type List = Rc<Shared<Vec<Value>>>;
/// A map's entries in insertion order, hashed as [`KeyHasher`] says.
pub type Entries = IndexMap<Key, Value, KeyHasher>;

/// How every map hashes its keys: with foldhash, several times faster than
/// the default SipHash on short string keys, seeded at random once per
/// process against crafted collisions (as Python seeds its string hashes).
/// Every map hashes a key alike, so a call site works out the hash of its
/// field name once and uses it with whatever map it meets.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeyHasher;

impl std::hash::BuildHasher for KeyHasher {
    type Hasher = foldhash::fast::FoldHasher<'static>;

    #[inline(always)]
    fn build_hasher(&self) -> Self::Hasher {
        // The per-hasher seed is where foldhash starts: zero would hash
        // small integers badly; any fixed value does (the shared seed is
        // the random part).
        const START: u64 = 0x243f_6a88_85a3_08d3;
        foldhash::fast::FoldHasher::with_seed(START, foldhash::SharedSeed::global_random())
    }
}
pub type Map = Rc<Shared<Entries>>;

/// A value: 16 bytes, a tag and one word. Every payload is a single 8-byte
/// integer or pointer (a bool is a `Truth`, a float a `Real`, a string
/// a thin `RcStr`, an object an `Obj`): only then does Rust return a
/// value, and an evaluation's result, in two registers. A new variant must
/// keep to that, or every evaluation goes back through memory.
#[derive(Clone, Default)]
pub enum Value {
    #[default]
    Nil,
    Bool(Truth),
    Int(i64),
    Float(Real),
    Str(RcStr),
    List(List),
    Map(Map),
    Func(Rc<Closure>),
    Native(Rc<NativeFn>),
    Error(Rc<ErrorValue>),
    /// Threads, locks, queues and the other runtime objects.
    Object(Obj),
    /// A frame slot whose variable closures share. Never seen by scripts.
    Cell(Rc<VarCell>),
    /// A declared variable whose `let` has not run yet. Never seen by scripts.
    Uninit,
}

/// A bool as a whole word. Every payload of a [`Value`] is then one
/// 8-byte integer or pointer at the value's first aligned word, which lets
/// the compiler treat a value (and a result holding one) as a pair of
/// registers: results come back in registers, not through memory. A bare
/// `bool` would sit right after the tag, and moves of results would copy
/// unaligned pieces that stall the processor's store forwarding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u64)]
pub enum Truth {
    False = 0,
    True = 1,
}

/// A float kept as its bits, for the same reason as [`Truth`]: a value's
/// payload is always an integer or a pointer, never a float register.
#[derive(Clone, Copy, Debug)]
pub struct Real(u64);

impl Real {
    pub fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl Truth {
    pub fn get(self) -> bool {
        self == Truth::True
    }
}

/// A variable shared between a frame and the closures that capture it.
/// One that is never reassigned is set once and read with a plain atomic
/// load, so threads calling a shared function do not contend on a lock.
pub enum VarCell {
    Fixed(FixedCell),
    Variable(VariableCell),
}

impl VarCell {
    /// A cell holding `v` (`Uninit` for one whose `let` has not run).
    pub(crate) fn new(v: Value, fixed: bool) -> Rc<VarCell> {
        Rc::new(if fixed {
            let cell = FixedCell::default();
            if !matches!(v, Value::Uninit) {
                cell.set(v);
            }
            VarCell::Fixed(cell)
        } else {
            VarCell::Variable(VariableCell {
                value: Mutex::new(v),
                mark: Mark::default(),
            })
        })
    }

    pub(crate) fn get(&self) -> Value {
        match self {
            VarCell::Fixed(cell) => cell.get().cloned().unwrap_or(Value::Uninit),
            VarCell::Variable(cell) => cell.value.lock().clone(),
        }
    }

    /// The value of a fixed cell, borrowed: no reference count changes.
    pub(crate) fn get_fixed(&self) -> Option<&Value> {
        match self {
            VarCell::Fixed(cell) => cell.get(),
            VarCell::Variable(_) => None,
        }
    }

    pub(crate) fn set(&self, v: Value) {
        match self {
            // The resolver proved a fixed variable is stored once per cell.
            VarCell::Fixed(cell) => cell.set(v),
            VarCell::Variable(cell) => *cell.value.lock() = v,
        }
    }
}

/// A variable that may be reassigned: its value behind a lock.
pub struct VariableCell {
    value: Mutex<Value>,
    mark: Mark,
}

/// A fixed cell's value: set once, then read without a lock and borrowed
/// for as long as a reader likes. Only the cycle collector takes it back,
/// from a cell no thread can reach any more ([`FixedCell::take_unreachable`]).
///
/// A state byte guards the value, as a `OnceLock` would, but setting it
/// costs one compare-and-swap (a plain store while values are confined to
/// one thread) where `OnceLock` went through `Once`'s out-of-line state
/// machine: a record's `let self` sets one per record.
#[derive(Default)]
pub struct FixedCell {
    state: std::sync::atomic::AtomicU8,
    /// `Nil` until set.
    value: std::cell::UnsafeCell<Value>,
    mark: Mark,
}

/// [`FixedCell`]'s states: each goes only to the next, but for the cycle
/// collector's taking it back (to `EMPTY`).
const EMPTY: u8 = 0;
const SETTING: u8 = 1;
const SET: u8 = 2;

// SAFETY: the value is written once, by the one thread that moved the state
// from `EMPTY` to `SETTING`, and read only after the state is `SET`
// (acquire, pairing with the writer's release); the one exception,
// `take_unreachable`, is for a cell nobody else can reach.
unsafe impl Sync for FixedCell {}

impl FixedCell {
    pub(crate) fn get(&self) -> Option<&Value> {
        if self.state.load(std::sync::atomic::Ordering::Acquire) != SET {
            return None;
        }
        // SAFETY: set, and never written again while reachable.
        Some(unsafe { &*self.value.get() })
    }

    /// Sets the value; a second setting is ignored, as `OnceLock::set`'s is.
    fn set(&self, v: Value) {
        if !rc::claim(&self.state, EMPTY, SETTING) {
            return;
        }
        // SAFETY: this thread alone moved the state off `EMPTY`: no other
        // writes, and readers wait for `SET`.
        unsafe { *self.value.get() = v };
        self.state.store(SET, std::sync::atomic::Ordering::Release);
    }

    fn into_inner(mut self) -> Option<Value> {
        let v = std::mem::take(self.value.get_mut());
        (*self.state.get_mut() == SET).then_some(v)
    }

    /// Takes the value back out, to break a reference cycle.
    ///
    /// # Safety
    ///
    /// No other thread may reach this cell, nor hold a value borrowed from
    /// it, while this runs or afterwards: the cycle collector calls it only
    /// with every script thread stopped, for cells that nothing outside the
    /// garbage it found refers to ([`cycles`]).
    unsafe fn take_unreachable(&self) -> Option<Value> {
        let was = self.state.swap(EMPTY, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: by the contract above, nothing else reads or writes it.
        let v = std::mem::take(unsafe { &mut *self.value.get() });
        (was == SET).then_some(v)
    }
}

/// The cells a function captured: the first two kept inline, so that a
/// record's method (which captures `self`) is one allocation.
pub type Upvalues = smallvec::SmallVec<[Rc<VarCell>; 2]>;

/// A function value: its code, the cells it captured, its evaluated defaults.
pub struct Closure {
    pub(crate) func: Arc<Function>,
    pub(crate) upvalues: Upvalues,
    /// Empty when no parameter has a default, so making it allocates nothing.
    pub(crate) defaults: Box<[Option<Value>]>,
    mark: Mark,
}

impl Closure {
    /// A function value, known to the cycle collector if it can be part of
    /// a cycle (it captured a variable or has a default that is a container
    /// or a function).
    pub(crate) fn value(
        func: Arc<Function>,
        upvalues: Upvalues,
        defaults: Box<[Option<Value>]>,
    ) -> Value {
        let c = Rc::new(Closure {
            func,
            upvalues,
            defaults,
            mark: Mark::default(),
        });
        if !c.upvalues.is_empty() || c.defaults.iter().flatten().any(cycles::is_node) {
            cycles::track_func(&c);
        }
        Value::Func(c)
    }
}

pub type NativeBody = dyn Fn(&mut Interp, Args) -> Outcome + Send + Sync;

/// A function written in Rust: a builtin, a bound method or a host function.
pub struct NativeFn {
    pub name: RcStr,
    pub body: Box<NativeBody>,
    /// The same function for a call with exactly one positional argument,
    /// taking it directly: `len(xs)` then builds no argument list.
    pub unary: Option<fn(&mut Interp, Value) -> Outcome>,
}

impl NativeFn {
    pub fn value(
        name: &str,
        body: impl Fn(&mut Interp, Args) -> Outcome + Send + Sync + 'static,
    ) -> Value {
        NativeFn::with_unary(name, body, None)
    }

    /// A builtin whose calls with one positional argument may go to `unary`
    /// instead of `body`: the two must agree on every such call.
    pub fn with_unary(
        name: &str,
        body: impl Fn(&mut Interp, Args) -> Outcome + Send + Sync + 'static,
        unary: Option<fn(&mut Interp, Value) -> Outcome>,
    ) -> Value {
        Value::Native(Rc::new(NativeFn {
            name: name.into(),
            body: Box::new(body),
            unary,
        }))
    }
}

/// An error value: what `error(kind, message)` makes and `catch` binds.
#[derive(Clone, Debug)]
pub struct ErrorValue {
    pub kind: RcStr,
    pub message: String,
    /// Where it was first thrown, set when it is caught: throwing it again
    /// reports that place and stack, as Python's `raise e` does.
    pub origin: std::sync::OnceLock<crate::interp::Origin>,
}

impl ErrorValue {
    pub fn new(kind: &str, message: impl Into<String>) -> ErrorValue {
        ErrorValue {
            kind: kind.into(),
            message: message.into(),
            origin: std::sync::OnceLock::new(),
        }
    }
}

impl PartialEq for ErrorValue {
    fn eq(&self, other: &ErrorValue) -> bool {
        self.kind == other.kind && self.message == other.message
    }
}

/// A value's handle on a runtime object: one pointer wide, where
/// `Arc<dyn Object>` is two, so that a value fits in 16 bytes. Objects are
/// made rarely and used through a method call, so the extra step costs
/// little; every other value is smaller for it.
#[derive(Clone)]
pub struct Obj(Rc<Arc<dyn Object>>);

impl std::ops::Deref for Obj {
    type Target = Arc<dyn Object>;
    fn deref(&self) -> &Arc<dyn Object> {
        &self.0
    }
}

/// A runtime object (thread, lock, queue...): named fields and methods.
pub trait Object: std::any::Any + Send + Sync {
    fn type_name(&self) -> &'static str;
    /// The text form, e.g. `<lock unlocked>`.
    fn repr(&self) -> String;
    /// Reads a field; `None` means there is no such field.
    fn field(&self, _interp: &mut Interp, _name: &str) -> Option<Outcome> {
        None
    }
    /// Writes a field; `None` means the field cannot be written.
    fn set_field(&self, _interp: &mut Interp, _name: &str, _v: Value) -> Option<Outcome> {
        None
    }
    /// Calls a method; `None` means there is no such method.
    fn call_method(&self, _interp: &mut Interp, _name: &str, _args: Args) -> Option<Outcome> {
        None
    }
    /// Acquires the object for `with`, returning what `acquire()` returns;
    /// `None` when the object cannot be used in `with`.
    fn enter(&self, _interp: &mut Interp) -> Option<Outcome> {
        None
    }
    /// Releases what [`Object::enter`] acquired.
    fn exit(&self, _interp: &mut Interp) -> Outcome {
        Ok(Value::Nil)
    }
    /// `for x in obj`: the items, if the object is iterable.
    fn iter(&self) -> Option<Box<dyn ItemSource>> {
        None
    }
    /// `obj[i]`, if the object can be indexed.
    fn item(&self, _index: &Value) -> Option<Outcome> {
        None
    }
    /// Whether the object counts as true (`if obj`).
    fn truthy(&self) -> bool {
        true
    }
    /// `len(obj)`, if the object has a length (an error if it cannot be
    /// counted in an int).
    fn length(&self) -> Option<Result<usize, crate::interp::Unwind>> {
        None
    }
    /// What `==` compares: two handles are equal when they are the same
    /// thing (a timer is the thread it runs on).
    fn identity(&self) -> usize {
        self as *const Self as *const () as usize
    }
    /// `self == other`: identity, unless the object is a value compared by
    /// content (a range). Must agree with [`Object::hash_key`].
    fn equals(&self, other: &dyn Object) -> bool {
        self.identity() == other.identity()
    }
    /// What a map hashes it by: equal objects give equal keys.
    fn hash_key(&self) -> u64 {
        self.identity() as u64
    }
    /// `x in self`, if the object can answer it without iterating.
    fn contains(&self, _x: &Value) -> Option<bool> {
        None
    }
    /// The methods it has, for bound-method values and completion.
    fn methods(&self) -> &'static [&'static str] {
        &[]
    }
    /// The fields it has, for `dir()` and completion.
    fn fields(&self) -> &'static [&'static str] {
        &[]
    }
}

/// Items of an iterable object, taken one at a time (a queue may block).
pub trait ItemSource {
    fn next(&mut self, interp: &mut Interp) -> Result<Option<Value>, crate::interp::Unwind>;
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(s.into())
    }

    pub fn float(f: f64) -> Value {
        Value::Float(Real(f.to_bits()))
    }

    pub fn bool(b: bool) -> Value {
        Value::Bool(if b { Truth::True } else { Truth::False })
    }

    pub fn object(o: Arc<dyn Object>) -> Value {
        Value::Object(Obj(Rc::new(o)))
    }

    /// Drops the value, deciding inline that an int, float, bool or nil has
    /// nothing to free: the compiler keeps `Value`'s drop glue out of line,
    /// so dropping one on a hot path would otherwise always be a call.
    #[inline(always)]
    pub fn discard(self) {
        match self {
            Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Uninit => {
                std::mem::forget(self)
            }
            other => drop(other),
        }
    }

    /// A new list, known to the cycle collector.
    pub fn list(items: Vec<Value>) -> Value {
        let l = Rc::new(Shared::new(items));
        cycles::track_list(&l);
        Value::List(l)
    }

    /// A new map, known to the cycle collector.
    pub fn map(entries: Entries) -> Value {
        let m = Rc::new(Shared::new(entries));
        cycles::track_map(&m);
        Value::Map(m)
    }

    /// The name `type(x)` returns.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Func(_) | Value::Native(_) => "fn",
            Value::Error(_) => "error",
            Value::Object(o) => o.type_name(),
            Value::Cell(_) | Value::Uninit => "internal",
        }
    }

    /// The type name with its article, for messages: `an int`, `a str`.
    pub fn a_type(&self) -> String {
        let name = self.type_name();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name}")
    }

    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil | Value::Uninit => false,
            Value::Bool(b) => b.get(),
            Value::Int(i) => *i != 0,
            Value::Float(f) => f.get() != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truthy(),
            _ => true,
        }
    }

    /// The number as a float, for mixed arithmetic (bools count as ints).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(f.get()),
            Value::Bool(b) => Some(b.get() as i64 as f64),
            _ => None,
        }
    }

    /// The value as an int, if it is one (bools count, as in Python).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(b.get() as i64),
            _ => None,
        }
    }

    /// `str(x)` as a value: a string is itself, and an int's digits go
    /// straight into the new string, with no `String` in between.
    pub fn str_value(&self) -> Value {
        match self {
            Value::Str(_) => self.clone(),
            Value::Int(i) => Value::str(decimal(*i).as_str()),
            _ => Value::str(&self.to_str()),
        }
    }

    /// `str(x)`: strings as they are, everything else as `repr`.
    pub fn to_str(&self) -> String {
        let mut out = String::new();
        self.append_str(&mut out);
        out
    }

    /// Appends `str(x)` to `out`, so callers building text need no
    /// intermediate string.
    pub fn append_str(&self, out: &mut String) {
        let _ = self.append_str_checked::<std::convert::Infallible>(out, &mut |_| Ok(()));
    }

    /// Appends `str(x)` to `out`, calling `check` with the length written
    /// as it goes (see [`Value::append_repr_checked`]).
    pub fn append_str_checked<E>(
        &self,
        out: &mut String,
        check: &mut dyn FnMut(usize) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Value::Str(s) => out.push_str(s),
            Value::Error(e) => {
                out.push_str(&e.kind);
                out.push_str(": ");
                out.push_str(&e.message);
            }
            _ => return self.append_repr_checked(out, check),
        }
        check(out.len())
    }

    /// `repr(x)`, as Python prints it with Thr's names.
    pub fn repr(&self) -> String {
        let mut out = String::new();
        self.append_repr(&mut out);
        out
    }

    /// Appends `repr(x)` to `out`.
    pub fn append_repr(&self, out: &mut String) {
        let _ = self.append_repr_checked::<std::convert::Infallible>(out, &mut |_| Ok(()));
    }

    /// Appends `repr(x)` to `out`, calling `check` with the length written
    /// so far every so often; an error from it stops the writing. Text a
    /// script asks for goes through here, so that printing a huge value
    /// keeps to the size limit and the deadline.
    pub fn append_repr_checked<E>(
        &self,
        out: &mut String,
        check: &mut dyn FnMut(usize) -> Result<(), E>,
    ) -> Result<(), E> {
        repr::write_repr(self, out, check)
    }
}

/// A map key: any value but a list or map, hashed so that `1`, `1.0` and
/// `true` are the same key, as in Python.
#[derive(Clone)]
pub struct Key(pub Value);

impl Key {
    /// Makes a key, or names the unhashable type.
    pub fn new(v: Value) -> Result<Key, &'static str> {
        match v {
            Value::List(_) | Value::Map(_) => Err(v.type_name()),
            v => Ok(Key(v)),
        }
    }

    pub fn str(s: &str) -> Key {
        Key(Value::str(s))
    }
}

/// Any key borrowed for a lookup, hashed and compared as `Key` would be:
/// looking up `m[k]` takes no reference to `k`. It must not be a list or a
/// map (see [`KeyRef::new`]).
pub struct KeyRef<'a>(&'a Value);

impl<'a> KeyRef<'a> {
    /// `v` as a key, or the unhashable type's name.
    pub fn new(v: &'a Value) -> Result<KeyRef<'a>, &'static str> {
        match v {
            Value::List(_) | Value::Map(_) => Err(v.type_name()),
            v => Ok(KeyRef(v)),
        }
    }
}

impl Hash for KeyRef<'_> {
    #[inline]
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_key(self.0, h);
    }
}

impl indexmap::Equivalent<Key> for KeyRef<'_> {
    #[inline]
    fn equivalent(&self, key: &Key) -> bool {
        keys_equal(self.0, &key.0)
    }
}

/// A string key borrowed for a lookup, so reading `m.name` allocates nothing.
pub struct StrKey<'a>(pub &'a str);

impl Hash for StrKey<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_str(self.0, h);
    }
}

/// Hashes a string key: its bytes in one write. `str`'s own `Hash` adds a
/// second write of a terminator byte, which only composite keys need, and
/// each write has a fixed cost as large as a short key's bytes.
fn hash_str<H: Hasher>(s: &str, h: &mut H) {
    h.write(s.as_bytes());
}

impl indexmap::Equivalent<Key> for StrKey<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        matches!(&key.0, Value::Str(s) if **s == *self.0)
    }
}

impl PartialEq for Key {
    #[inline]
    fn eq(&self, other: &Key) -> bool {
        keys_equal(&self.0, &other.0)
    }
}

impl Eq for Key {}

impl Hash for Key {
    #[inline]
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_key(&self.0, h);
    }
}

/// Whether two keys are the same key.
#[inline]
fn keys_equal(x: &Value, y: &Value) -> bool {
    // Int and string keys, the common ones, compare here.
    match (x, y) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        // Keys are never containers: comparing them takes no lock.
        (x, y) => scalar_equal(x, y),
    }
}

/// Hashes a key so that equal keys (`1`, `1.0`, `true`) hash alike.
#[inline]
fn hash_key<H: Hasher>(v: &Value, h: &mut H) {
    match v {
        Value::Str(s) => hash_str(s, h),
        Value::Float(f) if f.get().fract() != 0.0 || !f.get().is_finite() => {
            f.get().to_bits().hash(h)
        }
        Value::Float(f) => (f.get() as i64).hash(h),
        Value::Int(i) => i.hash(h),
        Value::Bool(b) => (b.get() as i64).hash(h),
        Value::Nil => 0u8.hash(h),
        Value::Func(c) => (Rc::as_ptr(c) as usize).hash(h),
        Value::Native(n) => (Rc::as_ptr(n) as usize).hash(h),
        Value::Error(e) => (Rc::as_ptr(e) as usize).hash(h),
        Value::Object(o) => o.hash_key().hash(h),
        _ => 1u8.hash(h),
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.repr())
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.repr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_payload_starts_at_the_first_aligned_word() {
        // The layout `Truth` exists for: a bool's byte after the tag would
        // make moves of results copy unaligned pieces (see `Truth`).
        for b in [false, true] {
            let v = Value::bool(b);
            let byte_8 = unsafe { *(&v as *const Value as *const u8).add(8) };
            assert_eq!(byte_8, b as u8);
        }
        assert_eq!(std::mem::size_of::<Value>(), 16);
        assert_eq!(std::mem::size_of::<crate::interp::Outcome>(), 16);
        assert_eq!(std::mem::size_of::<crate::interp::Unwind>(), 0);
    }
}
