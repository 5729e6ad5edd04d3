//! Host functions: Rust closures with typed arguments and results, converted
//! to and from Thr values, for [`Engine::register_fn`](crate::Engine::register_fn).

use crate::value::RcStr;
use std::sync::Arc;

use crate::interp::{throw, Args, Interp, Outcome};
use crate::value::{NativeFn, Value};

/// A Rust type a Thr value converts to, as a host function's parameter.
pub trait FromValue: Sized {
    /// The Thr type name shown when a value does not convert.
    const TYPE: &'static str;
    fn from_value(v: &Value) -> Option<Self>;
}

/// A Rust type that converts into a Thr value, as a host function's result.
pub trait IntoValue {
    fn into_value(self) -> Result<Value, String>;
}

impl FromValue for Value {
    const TYPE: &'static str = "any";
    fn from_value(v: &Value) -> Option<Value> {
        Some(v.clone())
    }
}

impl FromValue for i64 {
    const TYPE: &'static str = "int";
    fn from_value(v: &Value) -> Option<i64> {
        v.as_int()
    }
}

impl FromValue for f64 {
    const TYPE: &'static str = "float";
    fn from_value(v: &Value) -> Option<f64> {
        v.as_f64()
    }
}

impl FromValue for bool {
    const TYPE: &'static str = "bool";
    fn from_value(v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(b.get()),
            _ => None,
        }
    }
}

impl FromValue for String {
    const TYPE: &'static str = "str";
    fn from_value(v: &Value) -> Option<String> {
        match v {
            Value::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    const TYPE: &'static str = "list";
    fn from_value(v: &Value) -> Option<Vec<T>> {
        match v {
            // A snapshot: an item that is a list is read with no lock held.
            Value::List(l) => l.snapshot().iter().map(T::from_value).collect(),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const TYPE: &'static str = T::TYPE;
    fn from_value(v: &Value) -> Option<Option<T>> {
        match v {
            Value::Nil => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}

impl IntoValue for Value {
    fn into_value(self) -> Result<Value, String> {
        Ok(self)
    }
}

impl IntoValue for () {
    fn into_value(self) -> Result<Value, String> {
        Ok(Value::Nil)
    }
}

impl IntoValue for i64 {
    fn into_value(self) -> Result<Value, String> {
        Ok(Value::Int(self))
    }
}

impl IntoValue for f64 {
    fn into_value(self) -> Result<Value, String> {
        Ok(Value::float(self))
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Result<Value, String> {
        Ok(Value::bool(self))
    }
}

impl IntoValue for String {
    fn into_value(self) -> Result<Value, String> {
        Ok(Value::str(&self))
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Result<Value, String> {
        Ok(Value::str(self))
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Result<Value, String> {
        let items = self
            .into_iter()
            .map(T::into_value)
            .collect::<Result<_, _>>()?;
        Ok(Value::list(items))
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Result<Value, String> {
        self.map_or(Ok(Value::Nil), T::into_value)
    }
}

/// `Err(e)` becomes a script error of kind `Error` whose message is `e`.
impl<T: IntoValue, E: std::fmt::Display> IntoValue for Result<T, E> {
    fn into_value(self) -> Result<Value, String> {
        self.map_err(|e| e.to_string()).and_then(T::into_value)
    }
}

/// A Rust closure callable from scripts; implemented for `Fn`s of up to six
/// [`FromValue`] parameters returning an [`IntoValue`].
pub trait HostFn<Params>: Send + Sync + 'static {
    /// Calls the closure with script arguments, converting each.
    fn call(&self, name: &str, args: Vec<Value>) -> Outcome;
}

/// The `i`-th argument converted, or a `TypeError` naming function and place.
fn arg<T: FromValue>(name: &str, args: &[Value], i: usize) -> Result<T, crate::interp::Unwind> {
    T::from_value(&args[i]).map_or_else(
        || {
            throw(
                "TypeError",
                format!(
                    "{name}() argument {} must be {}, not {}",
                    i + 1,
                    T::TYPE,
                    args[i].type_name()
                ),
            )
        },
        Ok,
    )
}

fn result(r: impl IntoValue) -> Outcome {
    r.into_value()
        .map_err(|message| crate::interp::error("Error", message))
}

macro_rules! host_fn {
    ($arity:literal $(, $i:literal $p:ident)*) => {
        impl<F, R, $($p: FromValue),*> HostFn<($($p,)*)> for F
        where
            F: Fn($($p),*) -> R + Send + Sync + 'static,
            R: IntoValue,
        {
            #[allow(non_snake_case)]
            fn call(&self, name: &str, args: Vec<Value>) -> Outcome {
                if args.len() != $arity {
                    let s = if $arity == 1 { "" } else { "s" };
                    let message = format!("{name}() takes {} argument{s} ({} given)", $arity, args.len());
                    return throw("TypeError", message);
                }
                $(let $p: $p = arg(name, &args, $i)?;)*
                result(self($($p),*))
            }
        }
    };
}

host_fn!(0);
host_fn!(1, 0 A);
host_fn!(2, 0 A, 1 B);
host_fn!(3, 0 A, 1 B, 2 C);
host_fn!(4, 0 A, 1 B, 2 C, 3 D);
host_fn!(5, 0 A, 1 B, 2 C, 3 D, 4 E);
host_fn!(6, 0 A, 1 B, 2 C, 3 D, 4 E, 5 G);

/// Wraps a host closure as a Thr function value.
pub fn host_value<P, F: HostFn<P>>(name: &str, f: F) -> Value {
    let f = Arc::new(f);
    let fname: RcStr = name.into();
    NativeFn::value(name, move |_: &mut Interp, a: Args| {
        let args = a.positional(&fname, 0, usize::MAX)?;
        // The host's code may wait as long as it likes without holding up
        // a collection of cycles.
        let _detached = crate::value::cycles::detach();
        f.call(&fname, args.into_vec())
    })
}
