//! Calling functions and methods, reading fields, and iterating.

use crate::value::RcStr;

use crate::ast::Name;
use crate::builtins;
use crate::diagnostic::suggest;
use crate::runtime::Runtime;
use crate::value::{Closure, Key, NativeFn, StrKey, Value};

use super::args::{plural, too_many};
use super::{throw, Args, Frame, Interp, Outcome, Unwind, Why};

impl Interp {
    /// Calls any callable value (from Rust: builtins calling back, threads).
    pub fn call_value(&mut self, callee: &Value, args: Args) -> Outcome {
        if self.depth == 0 {
            // A call from the host, maybe on a new thread: its stack's floor.
            self.stack_floor = crate::stack_guard::Floor::of_this_thread();
        }
        let rt = self.rt.clone();
        self.call_value_in(callee, args, &rt)
    }

    pub(crate) fn call_value_in(&mut self, callee: &Value, args: Args, rt: &Runtime) -> Outcome {
        match callee {
            Value::Func(c) => {
                let base = self.stack.len();
                self.stack.extend(args.pos);
                let kw = (!args.kw.is_empty()).then_some(args.kw);
                self.call_closure_at(c, base, kw, rt)
            }
            Value::Native(n) => crate::panic::guard(|| (n.body)(self, args)),
            other => throw("TypeError", format!("{} is not callable", other.a_type())),
        }
    }

    /// Runs a closure whose positional arguments are on the stack from
    /// `base`, with its keyword arguments if it has any.
    pub(crate) fn call_closure_at(
        &mut self,
        c: &Closure,
        base: usize,
        kw: Option<Vec<(Name, Value)>>,
        rt: &Runtime,
    ) -> Outcome {
        let r = self.enter_call(c, base, kw).and_then(|()| {
            let frame = Frame {
                base,
                up: &c.upvalues,
                source: &c.func.def.source,
                name: &c.func.def.name,
                rt,
            };
            self.depth += 1;
            let r = c.func.run(self, &frame);
            self.depth -= 1;
            r
        });
        self.stack.truncate(base);
        match r {
            Err(u) if u.is(Why::Return) => Ok(std::mem::take(&mut self.ret)),
            r => r,
        }
    }

    /// Checks the limits and lays out the frame: parameters from the
    /// arguments, then defaults, the other slots unset.
    #[inline(always)]
    fn enter_call(
        &mut self,
        c: &Closure,
        base: usize,
        kw: Option<Vec<(Name, Value)>>,
    ) -> Result<(), Unwind> {
        self.tick()?;
        if self.depth >= self.rt.limits.max_call_depth || self.stack_floor.reached() {
            return Err(recursion_error(self.depth));
        }
        let def = &c.func.def;
        let n_pos = self.stack.len() - base;
        if n_pos != def.params.len() || kw.is_some() {
            return self.bind_arguments(c, base, kw.unwrap_or_default());
        }
        if def.n_slots as usize > n_pos {
            self.stack
                .resize(base + def.n_slots as usize, Value::Uninit);
        }
        Ok(())
    }

    /// Checks that `args` bind to `c`'s parameters as a call would, without
    /// calling it: `spawn` reports a bad call where it is, not in the thread.
    pub(crate) fn check_arguments(&mut self, c: &Closure, args: &Args) -> Result<(), Unwind> {
        let base = self.stack.len();
        self.stack.extend(args.pos.iter().cloned());
        let r = self.bind_arguments(c, base, args.kw.clone());
        self.stack.truncate(base);
        r
    }

    /// Binds keyword arguments and defaults, when the positional arguments
    /// alone are not the parameters.
    #[cold]
    fn bind_arguments(
        &mut self,
        c: &Closure,
        base: usize,
        kw: Vec<(Name, Value)>,
    ) -> Result<(), Unwind> {
        let params = &c.func.def.params;
        let n_pos = self.stack.len() - base;
        if n_pos > params.len() {
            let required = params.iter().filter(|p| p.default.is_none()).count();
            let name = &c.func.def.name;
            return throw("TypeError", too_many(name, params.len(), required, n_pos));
        }
        self.stack
            .resize(base + c.func.def.n_slots as usize, Value::Uninit);
        if !kw.is_empty() {
            self.bind_keywords(c, base, n_pos, kw)?;
        }
        self.bind_defaults(c, base, n_pos)
    }

    fn bind_keywords(
        &mut self,
        c: &Closure,
        base: usize,
        n_pos: usize,
        kw: Vec<(Name, Value)>,
    ) -> Result<(), Unwind> {
        let (params, name) = (&c.func.def.params, &c.func.def.name);
        for (key, v) in kw {
            let Some(i) = params.iter().position(|p| p.var.name == key) else {
                let message = format!("{name}() got an unexpected keyword argument '{key}'");
                let names = params.iter().map(|p| &*p.var.name);
                return throw("TypeError", suggest::append(message, &key, names));
            };
            if i < n_pos {
                return throw(
                    "TypeError",
                    format!("{name}() got multiple values for argument '{key}'"),
                );
            }
            self.stack[base + i] = v;
        }
        Ok(())
    }

    fn bind_defaults(&mut self, c: &Closure, base: usize, n_pos: usize) -> Result<(), Unwind> {
        let (params, name) = (&c.func.def.params, &c.func.def.name);
        let mut missing = Vec::new();
        for (i, p) in params.iter().enumerate().skip(n_pos) {
            let slot = &mut self.stack[base + i];
            if let Value::Uninit = slot {
                match c.defaults.get(i).and_then(Option::as_ref) {
                    Some(d) => *slot = d.clone(),
                    None => missing.push(format!("'{}'", p.var.name)),
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        throw(
            "TypeError",
            format!(
                "{name}() missing {} required argument{}: {}",
                missing.len(),
                plural(missing.len()),
                missing.join(", ")
            ),
        )
    }

    /// `recv.name(args)`: a function stored in a map, else a builtin method.
    pub fn call_method(&mut self, recv: &Value, name: &str, args: Args) -> Outcome {
        if let Value::Map(m) = recv {
            let field = m.read(|m| m.get(&StrKey(name)).cloned());
            if let Some(f) = field {
                return self.call_value(&f, args);
            }
        }
        self.call_builtin_method(recv, name, args)
    }

    /// `recv.name(args)` for a builtin method, a map's field being known
    /// not to be `name`.
    pub(crate) fn call_builtin_method(&mut self, recv: &Value, name: &str, args: Args) -> Outcome {
        crate::panic::guard(|| {
            let found = match recv {
                Value::Map(m) => builtins::map::method(self, m, name, args),
                Value::List(l) => builtins::list::method(self, l, name, args),
                Value::Str(s) => builtins::string::method(self, s, name, args),
                Value::Object(o) => o.call_method(self, name, args),
                _ => None,
            };
            found.unwrap_or_else(|| no_attribute(recv, name))
        })
    }

    /// `recv.name`: a map entry, an object field, or a bound method.
    pub fn field(&mut self, recv: &Value, name: &str) -> Outcome {
        let found = match recv {
            Value::Map(m) => m.read(|m| m.get(&StrKey(name)).cloned()).map(Ok),
            Value::Error(e) => match name {
                "kind" => Some(Ok(Value::Str(e.kind.clone()))),
                "message" => Some(Ok(Value::str(&e.message))),
                _ => None,
            },
            Value::Object(o) => o.field(self, name),
            _ => None,
        };
        if let Some(found) = found {
            return found;
        }
        if has_method(recv, name) {
            return Ok(bound_method(recv.clone(), name));
        }
        match recv {
            Value::Map(_) => missing(recv, name, format!("map has no field '{name}'")),
            _ => no_attribute(recv, name),
        }
    }

    pub fn set_field(&mut self, recv: &Value, name: &str, v: Value) -> Result<(), Unwind> {
        let done = match recv {
            Value::Map(m) => {
                // Updating a record's field is the common case: no new key.
                // The value replaced is freed after the lock is let go.
                let sizes = self.sizes();
                let _old = m.write(|m| match m.get_mut(&StrKey(name)) {
                    Some(slot) => Ok(Some(std::mem::replace(slot, v))),
                    None => sizes.add(m, Key::str(name), v).map(|()| None),
                })?;
                return Ok(());
            }
            Value::Object(o) => o.set_field(self, name, v),
            _ => None,
        };
        match done {
            Some(r) => r.map(drop),
            None => throw(
                "AttributeError",
                format!("cannot set field '{name}' of {}", recv.a_type()),
            ),
        }
    }

    /// Runs `body` on each item of an iterable until it returns `false`.
    pub fn for_each(
        &mut self,
        items: &Value,
        mut body: impl FnMut(&mut Interp, Value) -> Result<bool, Unwind>,
    ) -> Result<(), Unwind> {
        match items {
            Value::List(l) => {
                // By index, taking the lock per item, so the body may change the list.
                let mut i = 0;
                loop {
                    let Some(item) = l.read(|items| items.get(i).cloned()) else {
                        return Ok(());
                    };
                    if !body(self, item)? {
                        return Ok(());
                    }
                    i += 1;
                }
            }
            Value::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                for c in chars {
                    if !body(self, Value::str(c.encode_utf8(&mut [0; 4])))? {
                        break;
                    }
                }
                Ok(())
            }
            Value::Map(m) => {
                let keys: Vec<Value> = m.read(|m| m.keys().map(|k| k.0.clone()).collect());
                for k in keys {
                    if !body(self, k)? {
                        break;
                    }
                }
                Ok(())
            }
            Value::Object(o) => {
                // A range, the commonest loop, counts without an iterator object.
                if let Some(range) = as_range(items) {
                    for i in range.ints() {
                        if !body(self, Value::Int(i))? {
                            break;
                        }
                    }
                    return Ok(());
                }
                let Some(mut source) = o.iter() else {
                    return not_iterable(items);
                };
                while let Some(item) = source.next(self)? {
                    if !body(self, item)? {
                        break;
                    }
                }
                Ok(())
            }
            _ => not_iterable(items),
        }
    }
}

/// The range `v` is, if it is one.
pub(crate) fn as_range(v: &Value) -> Option<&builtins::range::Range> {
    let Value::Object(o) = v else {
        return None;
    };
    let any: &dyn std::any::Any = &***o;
    any.downcast_ref()
}

#[cold]
fn recursion_error(depth: usize) -> Unwind {
    super::error(
        "RecursionError",
        format!("maximum recursion depth exceeded ({depth} nested calls)"),
    )
}

fn not_iterable(v: &Value) -> Result<(), Unwind> {
    throw("TypeError", format!("{} is not iterable", v.a_type()))
}

fn no_attribute(recv: &Value, name: &str) -> Outcome {
    let message = format!("{} has no attribute '{name}'", recv.type_name());
    missing(recv, name, message)
}

fn has_method(recv: &Value, name: &str) -> bool {
    builtins::methods_of(recv).contains(&name)
}

/// A map's keys are suggested only when there are few: a miss on a big
/// map stays cheap.
const MAX_KEYS_SUGGESTED: usize = 1000;

/// An `AttributeError`: `message`, and the nearest of what `recv.name`
/// could have named, if one is near.
fn missing(recv: &Value, name: &str, message: String) -> Outcome {
    let big = matches!(recv, Value::Map(m) if m.read(|m| m.len()) >= MAX_KEYS_SUGGESTED);
    let names = if big {
        builtins::methods_of(recv)
            .iter()
            .map(|m| m.to_string())
            .collect()
    } else {
        builtins::attributes(recv)
    };
    let message = suggest::append(message, name, names.iter().map(String::as_str));
    throw("AttributeError", message)
}

/// `recv.name` as a function value that calls the method, named
/// `TYPE.name` (`list.push`), as the guide's entry for it is.
fn bound_method(recv: Value, name: &str) -> Value {
    let method: RcStr = name.into();
    let full = format!("{}.{name}", recv.type_name());
    NativeFn::value(&full, move |interp, args| {
        interp.call_method(&recv, &method, args)
    })
}
