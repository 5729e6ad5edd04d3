//! Text and collections a script asks for, held to the run's limits: a
//! value printed, converted with `str` or `repr`, or gathered into a list
//! is checked against the size limits as it grows, and its work counts
//! toward the operation budget and the deadline.

use crate::value::{Sizes, Value};

use super::{Interp, Unwind};

impl Interp {
    /// The run's size limits.
    pub(crate) fn sizes(&self) -> Sizes {
        self.rt.sizes
    }

    /// Appends `str(v)` (or `repr(v)`) to `out`, within the string limit,
    /// counting each stretch of the work as an operation.
    pub(crate) fn append_text(
        &mut self,
        v: &Value,
        repr: bool,
        out: &mut String,
    ) -> Result<(), Unwind> {
        let sizes = self.sizes();
        let mut check = |len: usize| {
            sizes.check_string(len)?;
            self.tick()
        };
        match repr {
            true => v.append_repr_checked(out, &mut check),
            false => v.append_str_checked(out, &mut check),
        }
    }

    /// `str(v)` (or `repr(v)`) as a string value, within the limits.
    pub(crate) fn text_value(&mut self, v: &Value, repr: bool) -> Result<Value, Unwind> {
        if let (Value::Str(_), false) = (v, repr) {
            return Ok(v.clone());
        }
        let mut out = String::new();
        self.append_text(v, repr, &mut out)?;
        self.sizes().string(&out)
    }

    /// The items of an iterable, as a vector, within the list limit.
    pub fn collect(&mut self, items: &Value) -> Result<Vec<Value>, Unwind> {
        if let Value::List(l) = items {
            return Ok(l.snapshot());
        }
        let sizes = self.sizes();
        let mut out = Vec::new();
        self.for_each(items, |me, v| {
            me.tick()?;
            sizes.grow_list(&mut out, 1)?;
            out.push(v);
            Ok(true)
        })?;
        Ok(out)
    }
}
