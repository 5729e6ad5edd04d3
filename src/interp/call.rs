//! Calling functions and methods, reading fields, and iterating.

use std::sync::Arc;

use crate::builtins;
use crate::value::{Closure, Key, NativeFn, Value};

use super::args::{plural, too_many};
use super::{throw, Args, Frame, Interp, Outcome, Unwind};

impl Interp {
    /// Calls any callable value.
    pub fn call_value(&mut self, callee: &Value, args: Args) -> Outcome {
        match callee {
            Value::Func(c) => self.call_closure(c, args),
            Value::Native(n) => (n.body)(self, args),
            other => throw("TypeError", format!("{} is not callable", other.a_type())),
        }
    }

    fn call_closure(&mut self, c: &Arc<Closure>, args: Args) -> Outcome {
        self.tick()?;
        if self.depth >= self.rt.limits.max_call_depth {
            return throw(
                "RecursionError",
                format!(
                    "maximum recursion depth exceeded ({} nested calls)",
                    self.rt.limits.max_call_depth
                ),
            );
        }
        let def = &c.def;
        let base = self.stack.len();
        self.stack
            .resize(base + def.n_slots as usize, Value::Uninit);
        let bound = self.bind_params(c, args, base);
        let frame = Frame {
            base,
            up: &c.upvalues,
            source: &def.source,
            name: &def.name,
        };
        self.depth += 1;
        let r = bound.and_then(|()| self.exec_body(&def.body, frame));
        self.depth -= 1;
        self.stack.truncate(base);
        match r {
            Err(Unwind::Return(v)) => Ok(v),
            r => r,
        }
    }

    /// Puts the arguments in the parameter slots, with defaults for the rest.
    fn bind_params(&mut self, c: &Closure, args: Args, base: usize) -> Result<(), Unwind> {
        let params = &c.def.params;
        let name = &c.def.name;
        if args.pos.len() > params.len() {
            let required = c.defaults.iter().filter(|d| d.is_none()).count();
            return throw(
                "TypeError",
                too_many(name, params.len(), required, args.pos.len()),
            );
        }
        let n_pos = args.pos.len();
        for (i, v) in args.pos.into_iter().enumerate() {
            self.stack[base + i] = v;
        }
        for (key, v) in args.kw {
            let Some(i) = params.iter().position(|p| p.var.name == key) else {
                return throw(
                    "TypeError",
                    format!("{name}() got an unexpected keyword argument '{key}'"),
                );
            };
            if i < n_pos {
                return throw(
                    "TypeError",
                    format!("{name}() got multiple values for argument '{key}'"),
                );
            }
            self.stack[base + i] = v;
        }
        let mut missing = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let slot = &mut self.stack[base + i];
            if let Value::Uninit = slot {
                match &c.defaults[i] {
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
        let found = match recv {
            Value::Map(m) => {
                let field = m.lock().get(&Key::str(name)).cloned();
                match field {
                    Some(f) => return self.call_value(&f, args),
                    None => builtins::map::method(self, m, name, args),
                }
            }
            Value::List(l) => builtins::list::method(self, l, name, args),
            Value::Str(s) => builtins::string::method(self, s, name, args),
            Value::Object(o) => o.call_method(self, name, args),
            _ => None,
        };
        found.unwrap_or_else(|| no_attribute(recv, name))
    }

    /// `recv.name`: a map entry, an object field, or a bound method.
    pub fn field(&mut self, recv: &Value, name: &str) -> Outcome {
        let found = match recv {
            Value::Map(m) => m.lock().get(&Key::str(name)).cloned().map(Ok),
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
            Value::Map(_) => throw("AttributeError", format!("map has no field '{name}'")),
            _ => no_attribute(recv, name),
        }
    }

    pub fn set_field(&mut self, recv: &Value, name: &str, v: Value) -> Result<(), Unwind> {
        let done = match recv {
            Value::Map(m) => {
                m.lock().insert(Key::str(name), v);
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
                    let Some(item) = l.lock().get(i).cloned() else {
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
                let keys: Vec<Value> = m.lock().keys().map(|k| k.0.clone()).collect();
                for k in keys {
                    if !body(self, k)? {
                        break;
                    }
                }
                Ok(())
            }
            Value::Object(o) => {
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

    /// The items of an iterable, as a vector.
    pub fn collect(&mut self, items: &Value) -> Result<Vec<Value>, Unwind> {
        if let Value::List(l) = items {
            return Ok(l.lock().clone());
        }
        let mut out = Vec::new();
        self.for_each(items, |_, v| {
            out.push(v);
            Ok(true)
        })?;
        Ok(out)
    }
}

fn not_iterable(v: &Value) -> Result<(), Unwind> {
    throw("TypeError", format!("{} is not iterable", v.a_type()))
}

fn no_attribute(recv: &Value, name: &str) -> Outcome {
    throw(
        "AttributeError",
        format!("{} has no attribute '{name}'", recv.type_name()),
    )
}

fn has_method(recv: &Value, name: &str) -> bool {
    let methods = match recv {
        Value::Map(_) => builtins::map::METHODS,
        Value::List(_) => builtins::list::METHODS,
        Value::Str(_) => builtins::string::METHODS,
        Value::Object(o) => o.methods(),
        _ => &[],
    };
    methods.contains(&name)
}

/// `recv.name` as a function value that calls the method.
fn bound_method(recv: Value, name: &str) -> Value {
    let method: Arc<str> = name.into();
    NativeFn::value(name, move |interp, args| {
        interp.call_method(&recv, &method, args)
    })
}
