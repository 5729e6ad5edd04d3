//! The arguments a host passes to a script function with
//! [`Engine::call_fn`](crate::Engine::call_fn): a tuple of values that
//! convert with [`IntoValue`], or a `Vec` of them.

use crate::native::IntoValue;
use crate::value::Value;

/// Arguments for [`Engine::call_fn`](crate::Engine::call_fn): `()`, a tuple
/// of up to six [`IntoValue`]s such as `(1, "two", 3.0)`, or a `Vec` of one
/// such type.
pub trait FuncArgs {
    /// The arguments as Thr values; `Err` holds why one did not convert.
    fn into_args(self) -> Result<Vec<Value>, String>;
}

impl<T: IntoValue> FuncArgs for Vec<T> {
    fn into_args(self) -> Result<Vec<Value>, String> {
        self.into_iter().map(T::into_value).collect()
    }
}

macro_rules! tuple_args {
    ($($p:ident)*) => {
        impl<$($p: IntoValue),*> FuncArgs for ($($p,)*) {
            #[allow(non_snake_case)]
            fn into_args(self) -> Result<Vec<Value>, String> {
                let ($($p,)*) = self;
                Ok(vec![$($p.into_value()?),*])
            }
        }
    };
}

tuple_args!();
tuple_args!(A);
tuple_args!(A B);
tuple_args!(A B C);
tuple_args!(A B C D);
tuple_args!(A B C D E);
tuple_args!(A B C D E G);
