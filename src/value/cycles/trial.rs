//! Trial deletion over a set of objects, with the world stopped: which of
//! them only the others refer to, and nothing outside reaches.
//!
//! Each member's reference count, less the references the members' own
//! contents hold, is what refers to it from outside the set: a thread's
//! variables, an object outside it, a host. A member with any such
//! reference is reachable, and so is everything reachable from it through
//! the members; the rest is garbage: cycles, and what only they hold.
//! The cells closures share are members too, found through the closures.
//! While the collection runs, each member's [`Mark`] holds its place in
//! the set (CPython keeps its counts in the object header the same way).
//!
//! Counting is exact because nothing moves meanwhile: script threads are
//! stopped where they hold only counted references (and what those reach),
//! and a thread that is not attached can only drop references, which makes
//! a member look more referenced, never less.

use super::super::{Closure, Entries, Shared, Value, VarCell};
use super::registry::Tracked;
use super::Mark;
use crate::value::Rc;

/// A member, held for the collection (one more reference, discounted).
enum Held {
    List(Rc<Shared<Vec<Value>>>),
    Map(Rc<Shared<Entries>>),
    Func(Rc<Closure>),
    Cell(Rc<VarCell>),
}

/// A reference from a member to an object that may be another.
#[derive(Clone, Copy)]
enum Edge<'a> {
    /// A list, map or function: a member only if the registry gave it.
    Object(&'a Mark),
    /// A captured variable: a member once a member closure refers to it.
    Cell(&'a Rc<VarCell>),
}

/// What a collection found.
pub struct Outcome {
    /// The registry entries of the members that live on, and their size
    /// (objects and the values they hold).
    pub survivors: Vec<Tracked>,
    pub size: usize,
    /// How many objects (and cells) were garbage.
    pub freed: usize,
    /// The garbage, emptied, and what it held: dropping it frees them. It
    /// must be dropped with the world running again.
    pub garbage: Garbage,
}

/// Emptied garbage and its former contents, to drop.
#[derive(Default)]
pub struct Garbage {
    _held: Vec<Held>,
    _lists: Vec<Vec<Value>>,
    _maps: Vec<Entries>,
    _values: Vec<Value>,
}

/// Finds and empties the garbage among `members`. Every attached thread
/// but the caller must be stopped.
pub fn collect(members: Vec<Tracked>) -> Outcome {
    let mut set = Set::of(members);
    set.discount_inner();
    set.mark_reachable();
    set.split()
}

/// The members, in the order their marks number them from 1.
struct Set {
    held: Vec<Held>,
    /// References to each member from outside the set, once discounted.
    outside: Vec<u32>,
    reachable: Vec<bool>,
    /// Objects and values looked at: the work the survivors cost.
    sizes: Vec<u32>,
}

impl Set {
    /// The members still alive (a dead one's entry is dropped), marked.
    fn of(members: Vec<Tracked>) -> Set {
        // Collected in place: a registry entry and a member are one size.
        let held: Vec<Held> = members.into_iter().filter_map(|t| t.upgrade()).collect();
        let mut outside = Vec::with_capacity(held.len());
        for (i, h) in held.iter().enumerate() {
            h.mark().set(i as u32 + 1);
            outside.push(count(h.strong_count()));
        }
        Set {
            reachable: vec![false; held.len()],
            sizes: Vec::new(),
            held,
            outside,
        }
    }

    /// Takes from each member's count the references the members hold,
    /// adding the cells member closures captured as they are found.
    fn discount_inner(&mut self) {
        let mut found = Vec::new();
        let mut i = 0;
        while i < self.held.len() {
            let outside = &mut self.outside;
            let size = self.held[i].edges(|edge| {
                let at = match edge {
                    Edge::Object(mark) => mark.get(),
                    Edge::Cell(c) => match c.mark().get() {
                        0 => {
                            // The first reference to it: it joins the set.
                            let at = outside.len() as u32 + 1;
                            c.mark().set(at);
                            found.push(c.clone());
                            outside.push(count(Rc::strong_count(c)));
                            at
                        }
                        at => at,
                    },
                };
                if at != 0 {
                    let n = &mut outside[at as usize - 1];
                    // Each edge is a reference the count includes; should
                    // the count run out, the references were misread, and
                    // the member is kept whatever the rest says.
                    *n = n.checked_sub(1).unwrap_or(u32::MAX);
                }
            });
            self.sizes.push(u32::try_from(size).unwrap_or(u32::MAX));
            if !found.is_empty() {
                self.held.extend(found.drain(..).map(Held::Cell));
            }
            i += 1;
        }
        self.reachable.resize(self.held.len(), false);
    }

    /// Marks what is referenced from outside, and what that reaches.
    fn mark_reachable(&mut self) {
        let mut stack = Vec::new();
        for (i, &n) in self.outside.iter().enumerate() {
            if n > 0 {
                self.reachable[i] = true;
                stack.push(i);
            }
        }
        while let Some(i) = stack.pop() {
            let reachable = &mut self.reachable;
            self.held[i].edges(|edge| {
                let at = match edge {
                    Edge::Object(mark) => mark.get(),
                    Edge::Cell(c) => c.mark().get(),
                };
                if at != 0 && !reachable[at as usize - 1] {
                    reachable[at as usize - 1] = true;
                    stack.push(at as usize - 1);
                }
            });
        }
    }

    /// Unmarks the members, keeps the survivors' entries and empties the
    /// garbage.
    fn split(mut self) -> Outcome {
        let held = std::mem::take(&mut self.held);
        let mut out = Outcome {
            survivors: Vec::with_capacity(held.len()),
            size: 0,
            freed: 0,
            garbage: Garbage::default(),
        };
        for (i, h) in held.into_iter().enumerate() {
            h.mark().set(0);
            if self.reachable[i] {
                out.survivors.extend(h.tracked());
                out.size += self.sizes[i] as usize;
                continue;
            }
            out.freed += 1;
            h.empty(&mut out.garbage);
            out.garbage._held.push(h);
        }
        out
    }
}

/// A member's references, less the collection's own. So many that they do
/// not fit (they never do in practice) stay so many: the member is kept.
fn count(strong: usize) -> u32 {
    u32::try_from(strong - 1).unwrap_or(u32::MAX)
}

impl Drop for Set {
    /// Unmarks what a collection that did not finish left marked: the next
    /// one would take it for a member.
    fn drop(&mut self) {
        self.held.iter().for_each(|h| h.mark().set(0));
    }
}

impl Tracked {
    fn upgrade(self) -> Option<Held> {
        match self {
            Tracked::List(w) => w.upgrade().map(Held::List),
            Tracked::Map(w) => w.upgrade().map(Held::Map),
            Tracked::Func(w) => w.upgrade().map(Held::Func),
        }
    }
}

impl<'a> Edge<'a> {
    /// The reference `v` is, if it refers to an object that can be in a
    /// cycle.
    fn of(v: &'a Value) -> Option<Edge<'a>> {
        match v {
            Value::List(l) => Some(Edge::Object(&l.mark)),
            Value::Map(m) => Some(Edge::Object(&m.mark)),
            Value::Func(c) => Some(Edge::Object(&c.mark)),
            Value::Cell(c) => Some(Edge::Cell(c)),
            _ => None,
        }
    }
}

/// Whether `v` refers to an object that can be in a cycle.
pub fn is_node(v: &Value) -> bool {
    Edge::of(v).is_some()
}

impl VarCell {
    fn mark(&self) -> &Mark {
        match self {
            VarCell::Fixed(cell) => &cell.mark,
            VarCell::Variable(cell) => &cell.mark,
        }
    }
}

impl Held {
    fn mark(&self) -> &Mark {
        match self {
            Held::List(l) => &l.mark,
            Held::Map(m) => &m.mark,
            Held::Func(c) => &c.mark,
            Held::Cell(c) => c.mark(),
        }
    }

    fn strong_count(&self) -> usize {
        match self {
            Held::List(l) => Rc::strong_count(l),
            Held::Map(m) => Rc::strong_count(m),
            Held::Func(c) => Rc::strong_count(c),
            Held::Cell(c) => Rc::strong_count(c),
        }
    }

    /// Its registry entry, if it has one (a cell does not).
    fn tracked(&self) -> Option<Tracked> {
        match self {
            Held::List(l) => Some(Tracked::list(l)),
            Held::Map(m) => Some(Tracked::map(m)),
            Held::Func(c) => Some(Tracked::func(c)),
            Held::Cell(_) => None,
        }
    }

    /// Calls `f` with every reference it holds to an object that can be
    /// in a cycle, once per reference. Returns its size: the values looked
    /// at, plus one.
    fn edges(&self, mut f: impl FnMut(Edge<'_>)) -> usize {
        let mut value = |v: &Value| Edge::of(v).into_iter().for_each(&mut f);
        match self {
            Held::List(l) => l.inspect(|items| {
                items.iter().for_each(&mut value);
                items.len() + 1
            }),
            Held::Map(m) => m.inspect(|entries| {
                for (k, v) in entries {
                    value(&k.0);
                    value(v);
                }
                2 * entries.len() + 1
            }),
            Held::Func(c) => {
                c.defaults.iter().flatten().for_each(&mut value);
                c.upvalues.iter().for_each(|cell| f(Edge::Cell(cell)));
                c.defaults.len() + c.upvalues.len() + 1
            }
            Held::Cell(c) => {
                match &**c {
                    VarCell::Fixed(cell) => cell.get().into_iter().for_each(&mut value),
                    VarCell::Variable(cell) => value(&cell.value.lock()),
                }
                2
            }
        }
    }

    /// Takes out what an unreachable object holds, into `garbage`: that
    /// breaks every cycle it is on. A closure holds nothing that is not in
    /// a cell or a container (its defaults were made before it, so no
    /// cycle runs through them alone), and is left as it is.
    fn empty(&self, garbage: &mut Garbage) {
        match self {
            Held::List(l) => garbage._lists.push(l.empty_unreachable()),
            Held::Map(m) => garbage._maps.push(m.empty_unreachable()),
            Held::Func(_) => {}
            Held::Cell(c) => {
                let v = match &**c {
                    // SAFETY: the cell is garbage: every reference to it is
                    // held by other garbage, which no thread can reach (see
                    // the module), so nobody else uses it now or later.
                    VarCell::Fixed(cell) => unsafe { cell.take_unreachable() },
                    VarCell::Variable(cell) => Some(std::mem::take(&mut *cell.value.lock())),
                };
                garbage._values.extend(v);
            }
        }
    }
}
