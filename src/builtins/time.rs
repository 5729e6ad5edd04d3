//! Clocks and `sleep`. Every clock read and every sleep goes through the
//! runtime, which owns the (possibly virtual) clock.

use crate::interp::{throw, Interp, Outcome};
use crate::value::Value;

use super::{add, float_arg, Table, TIMEOUT_MAX};

pub fn register(t: &mut Table) {
    add(t, "sleep", |interp: &mut Interp, a| -> Outcome {
        let [secs] = a.bind("sleep", ["seconds"], 1)?;
        let secs = float_arg(&secs.unwrap_or_default(), "sleep", "seconds")?;
        if secs < 0.0 || secs.is_nan() {
            return throw("ValueError", "sleep length must be non-negative");
        }
        if secs > TIMEOUT_MAX {
            return throw("OverflowError", "sleep length is too large");
        }
        interp.rt.sleep(&interp.thread, secs)?;
        Ok(Value::Nil)
    });
    add(t, "time", |interp, a| {
        a.positional("time", 0, 0)?;
        Ok(Value::float(interp.rt.time()))
    });
    add(t, "monotonic", |interp, a| {
        a.positional("monotonic", 0, 0)?;
        Ok(Value::float(interp.rt.monotonic()))
    });
}
