//! The operations the pairs race, with what each does to its container.

use Items::{Any, Compared, Strings};

/// One operation a thread runs in a loop: Thr statements, with `l` (or `m`)
/// the shared container and `t` the thread's tracker (see the templates).
pub struct Op {
    pub name: &'static str,
    pub code: &'static str,
    pub effect: Effect,
    pub items: Items,
}

/// What an operation does to the container.
#[derive(Clone, Copy, PartialEq)]
pub enum Effect {
    /// Only reads it.
    Reads,
    /// Changes it in a way the thread records exactly; `keeps` when it never
    /// takes out an item it did not put in itself.
    Records { keeps: bool },
    /// Takes out items nobody can record (`clear`, `l[i] = v`): the pair is
    /// checked with the weaker invariants.
    Destroys,
}

impl Effect {
    pub fn keeps(self) -> bool {
        matches!(self, Effect::Reads | Effect::Records { keeps: true })
    }
}

/// Which item forms an operation runs with.
#[derive(Clone, Copy, PartialEq)]
pub enum Items {
    /// Strings, and one-item lists too: it compares items, and comparing
    /// containers takes another path (snapshots, commits that can fail).
    Compared,
    /// Strings, and one-item lists when its partner compares them.
    Any,
    /// Strings only (`join`).
    Strings,
}

const READS: Effect = Effect::Reads;
const KEEPS: Effect = Effect::Records { keeps: true };
const TAKES: Effect = Effect::Records { keeps: false };
const DESTROYS: Effect = Effect::Destroys;

/// A table of operations, each `name EFFECT ITEMS "code"`.
macro_rules! ops {
    ($($name:ident $effect:ident $items:ident $code:literal)*) => {
        &[$(Op { name: stringify!($name), code: $code, effect: $effect, items: $items }),*]
    };
}

/// List operations. `item(name)` makes an item in the run's form,
/// `some_init()` one of the ten initial items; `t.fresh()` makes a new item
/// of this thread's own, `t.added(x)` / `t.removed(x)` record what the
/// operation did, `t.expect(e, text)` accepts exactly that error and
/// `t.gone(e, text)` also only when the partner may remove initial items.
pub const LIST_OPS: &[Op] = ops![
    // Mutating operations, recorded exactly.
    push KEEPS Any "let x = t.fresh(); l.push(x); t.added(x)"
    append KEEPS Any "let x = t.fresh(); l.append(x); t.added(x)"
    pop TAKES Any r#"
        try { t.removed(l.pop()) } catch IndexError as e {
            t.expect(e, "IndexError: pop from empty list")
        }
    "#
    pop_front TAKES Any r#"
        try { t.removed(l.pop(0)) } catch IndexError as e {
            t.expect(e, "IndexError: pop from empty list")
        }
    "#
    pop_at TAKES Any r#"
        try { t.removed(l.pop(randint(-12, 12))) } catch IndexError as e {
            if str(e) != "IndexError: pop from empty list" {
                t.expect_index(e, "pop")
            }
        }
    "#
    insert_front KEEPS Any "let x = t.fresh(); l.insert(0, x); t.added(x)"
    insert_at KEEPS Any "let x = t.fresh(); l.insert(randint(-15, 15), x); t.added(x)"
    // Issue 11's first and third bugs: another thread's pop or insert
    // between finding the item and removing it.
    push_remove KEEPS Compared r#"
        let x = t.fresh()
        l.push(x)
        t.added(x)
        try { l.remove(x); t.removed(x) } catch ValueError as e {
            t.expect(e, "ValueError: list.remove(x): x not in list")
        }
    "#
    // Both threads may try to remove the same initial item: one wins.
    remove_init TAKES Compared r#"
        let x = some_init()
        try { l.remove(x); t.removed(x) } catch ValueError as e {
            t.expect(e, "ValueError: list.remove(x): x not in list")
        }
    "#
    extend KEEPS Any r#"
        let x = t.fresh()
        let y = t.fresh()
        l.extend([x, y])
        t.added(x)
        t.added(y)
    "#
    // Issue 11's second bug: pushes lost to a sort.
    sort KEEPS Compared "l.sort()"
    sort_reverse KEEPS Compared "l.sort(reverse=true)"
    sort_key KEEPS Compared r#"
        try { l.sort(key=fn(x) { name_of(x) }) } catch ValueError as e {
            t.expect(e, "ValueError: list modified during sort")
        }
    "#
    reverse KEEPS Any "l.reverse()"
    shuffle KEEPS Any "shuffle(l)"
    // Mutating operations that destroy what cannot be recorded.
    set_index DESTROYS Any r#"
        let x = t.fresh()
        try { l[randint(-12, 12)] = x; t.added(x) } catch IndexError as e {
            t.expect_index(e, "list")
        }
    "#
    clear DESTROYS Any "l.clear()"
    // Reading operations, each checking what it read.
    index READS Compared r#"
        let x = some_init()
        try {
            let i = l.index(x)
            if type(i) != "int" or i < 0 { t.fail("index gave %r" % i) }
        } catch ValueError as e { t.gone(e, "ValueError: %r is not in list" % [x]) }
    "#
    contains READS Compared r#"
        let x = some_init()
        if not l.contains(x) and t.steady { t.fail("%r not found" % [x]) }
        if l.contains(item("Z0")) { t.fail("Z0 found") }
    "#
    count READS Compared r#"
        let n = l.count(some_init())
        if n > 1 or (t.steady and n != 1) { t.fail("count gave %d" % n) }
    "#
    copy READS Any "t.snapshot(l.copy(), true)"
    get_index READS Any r#"
        try {
            let x = l[randint(-10, 9)]
            if not legit(x) { t.fail("foreign item %r" % [x]) }
        } catch IndexError as e { t.gone_index(e) }
    "#
    slice READS Any "t.snapshot(l[:], true); t.snapshot(l[2:-2], false)"
    concat READS Any "t.snapshot(l + [], true); t.snapshot([] + l, true)"
    repeat READS Compared r#"
        let twice = l * 2
        let n = len(twice) // 2
        if twice[:n] != twice[n:] { t.fail("the halves of l * 2 differ: %r" % [twice]) }
        t.snapshot(twice[:n], true)
    "#
    in READS Compared r#"
        let x = some_init()
        if x not in l and t.steady { t.fail("%r not in the list" % [x]) }
        if item("Z0") in l { t.fail("Z0 in the list") }
    "#
    equal READS Compared r#"
        if not (l == l) or l != l { t.fail("the list differs from itself") }
        if [l] != [l] { t.fail("[l] differs from itself") }
        if l == [item("Z0")] { t.fail("the list equals [Z0]") }
    "#
    less READS Compared r#"
        if l < l or not (l <= l) { t.fail("the list is less than itself") }
        # Every item is less than "~".
        if not (l < [item("~")]) { t.fail("the list is not less than [~]") }
    "#
    len READS Any r#"
        let n = len(l)
        if n < 0 or (t.steady and n < 10) { t.fail("len gave %d" % n) }
    "#
    str READS Any r#"
        let s = str(l)
        if s[0] != "[" or s[-1] != "]" { t.fail("str gave %s" % s) }
        let x = repr(some_init())
        if t.steady and x not in s { t.fail("%s not in %s" % [x, s]) }
    "#
    iterate READS Any r#"
        let check = t.sampled()
        for x in l {
            if check and not legit(x) { t.fail("foreign item %r" % [x]) }
        }
    "#
    sorted READS Compared r#"
        let s = sorted(l)
        if t.sampled() {
            for i in range(1, len(s)) {
                if s[i - 1] > s[i] { t.fail("sorted gave %r" % [s]) }
            }
        }
        t.snapshot(s, true)
    "#
    min_max READS Compared r#"
        try {
            let lo = min(l)
            let hi = max(l)
            if not legit(lo) or not legit(hi) { t.fail("min %r, max %r" % [lo, hi]) }
        } catch ValueError as e {
            if str(e) != "ValueError: min() arg is an empty sequence" {
                t.gone(e, "ValueError: max() arg is an empty sequence")
            } elif t.steady { t.fail(str(e)) }
        }
    "#
    // The list compared with itself through the builtins (issue 11's
    // fourth bug: these hung).
    self_compare READS Compared r#"
        if max(l, l) != l or min(l, l) != l { t.fail("max(l, l) is not l") }
        if sorted([l, l]) != [l, l] or not (l in [l]) { t.fail("sorted([l, l])") }
    "#
    join READS Strings r#"
        let s = ",".join(l)
        if s != "" and t.sampled() {
            for name in s.split(",") {
                if not legit(name) { t.fail("foreign item %r in %r" % [name, s]) }
            }
        }
        if t.steady and init[3] not in s { t.fail("I3 not in %r" % s) }
    "#
];

/// Map operations, on `m`. `@ME@` is the thread's letter (its own fields are
/// `f@ME@` and `ctr@ME@`); `some_init()` is an initial key, `t.fresh()` a new
/// key of the thread's own, whose entries it records in `t.own` and whose
/// pops of initial keys in `t.took`; `t.cleared(e, text)` accepts an error
/// only when the partner clears the map.
pub const MAP_OPS: &[Op] = ops![
    // Mutating operations, recorded exactly.
    set_item KEEPS Any "let k = t.fresh(); m[k] = k; t.own[k] = k"
    set_field KEEPS Any r#"
        t.made += 1
        m.f@ME@ = t.made
        t.own.f@ME@ = t.made
    "#
    add_field KEEPS Any r#"
        try { m.ctr@ME@ += 1; t.own.ctr@ME@ += 1 } catch AttributeError as e {
            t.cleared(e, "AttributeError: map has no field 'ctr@ME@'")
        }
    "#
    pop_own KEEPS Any r#"
        let k = t.fresh()
        m[k] = k
        t.own[k] = k
        try {
            let v = m.pop(k)
            if v != k { t.fail("pop(%r) gave %r" % [k, v]) }
            t.own.pop(k)
        } catch KeyError as e { t.cleared(e, "KeyError: %r" % k) }
    "#
    // Both threads may pop the same initial key: one gets it.
    pop_init TAKES Any r#"
        let k = some_init()
        let v = m.pop(k, nil)
        if v != nil {
            if v != k { t.fail("pop(%r) gave %r" % [k, v]) }
            t.took[k] = t.took.get(k, 0) + 1
        }
    "#
    update KEEPS Any r#"
        let more = {}
        for k in [t.fresh(), t.fresh()] { more[k] = k }
        m.update(more)
        t.own.update(more)
    "#
    // Python's `d.update(d)` changes nothing.
    update_self KEEPS Any "m.update(m)"
    // Mutating operations that destroy what cannot be recorded.
    clear DESTROYS Any "m.clear()"
    // Reading operations, each checking what it read.
    keys READS Any "let ks = m.keys(); if t.sampled() { t.keys(ks) }"
    values READS Any r#"
        let vs = m.values()
        if t.sampled() {
            for v in vs {
                if type(v) != "int" and not legit_key(v) { t.fail("foreign value %r" % [v]) }
            }
        }
    "#
    items READS Any "if t.sampled() { t.entries(m.items()) }"
    get READS Any r#"
        let k = some_init()
        let v = m.get(k)
        if v != k and (v != nil or t.steady) { t.fail("get(%r) gave %r" % [k, v]) }
        if m.get("Z0", 7) != 7 { t.fail("get(Z0, 7) found Z0") }
    "#
    contains READS Any r#"
        let k = some_init()
        if not m.contains(k) and t.steady { t.fail("%s not found" % k) }
        if m.contains("Z0") { t.fail("Z0 found") }
    "#
    copy READS Any r#"
        let c = m.copy()
        if t.steady and len(c) < 10 { t.fail("copy gave %r" % [c]) }
        if t.sampled() { t.entries(c.items()) }
    "#
    get_item READS Any r#"
        let k = some_init()
        try {
            let v = m[k]
            if v != k { t.fail("m[%r] gave %r" % [k, v]) }
        } catch KeyError as e { t.gone(e, "KeyError: %r" % k) }
    "#
    get_field READS Any r#"
        try {
            let v = m.I3
            if v != "I3" { t.fail("m.I3 gave %r" % [v]) }
        } catch AttributeError as e { t.gone(e, "AttributeError: map has no field 'I3'") }
    "#
    in READS Any r#"
        let k = some_init()
        if k not in m and t.steady { t.fail("%s not in the map" % k) }
        if "Z0" in m { t.fail("Z0 in the map") }
    "#
    equal READS Any r#"
        if m != m or not (m == m) { t.fail("the map differs from itself") }
        if [m] != [m] { t.fail("[m] differs from itself") }
        if t.steady and m == {} { t.fail("the map is empty") }
    "#
    len READS Any r#"
        let n = len(m)
        if n < 0 or (t.steady and n < 10) { t.fail("len gave %d" % n) }
    "#
    str READS Any r#"
        let s = str(m)
        if s[0] != "{" or s[-1] != "}" { t.fail("str gave %s" % s) }
        let k = some_init()
        let entry = "%r: %r" % [k, k]
        if t.steady and entry not in s { t.fail("%s not in %s" % [entry, s]) }
    "#
    iterate READS Any r#"
        let check = t.sampled()
        for k in m {
            if check and not legit_key(k) { t.fail("foreign key %r" % [k]) }
        }
    "#
];
