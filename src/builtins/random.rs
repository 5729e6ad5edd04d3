//! Random numbers: each thread draws from its own stream, derived from the
//! run's seed and the thread's creation number, so seeded runs repeat.

use rand::RngExt;

use crate::interp::{throw, Interp};
use crate::value::Value;

use super::{add, float_arg, int_arg, Table};

pub fn register(t: &mut Table) {
    add(t, "random", |interp, a| {
        a.positional("random", 0, 0)?;
        Ok(Value::float(unit(interp)))
    });
    add(t, "uniform", |interp, a| {
        let [lo, hi] = a.bind("uniform", ["a", "b"], 2)?;
        let lo = float_arg(&lo.unwrap_or_default(), "uniform", "a")?;
        let hi = float_arg(&hi.unwrap_or_default(), "uniform", "b")?;
        Ok(Value::float(lo + (hi - lo) * unit(interp)))
    });
    add(t, "randint", |interp, a| {
        let [lo, hi] = a.bind("randint", ["a", "b"], 2)?;
        let lo = int_arg(&lo.unwrap_or_default(), "randint", "a")?;
        let hi = int_arg(&hi.unwrap_or_default(), "randint", "b")?;
        if lo > hi {
            return throw("ValueError", format!("empty range for randint({lo}, {hi})"));
        }
        Ok(Value::Int(interp.thread.rng.lock().random_range(lo..=hi)))
    });
    add(t, "choice", |interp, a| {
        let v = a.positional("choice", 1, 1)?;
        let items = interp.collect(&v[0])?;
        if items.is_empty() {
            return throw("IndexError", "cannot choose from an empty sequence");
        }
        let i = interp.thread.rng.lock().random_range(0..items.len());
        Ok(items[i].clone())
    });
    add(t, "shuffle", |interp, a| {
        let v = a.positional("shuffle", 1, 1)?;
        let Value::List(list) = &v[0] else {
            return throw(
                "TypeError",
                format!("shuffle() needs a list, not {}", v[0].a_type()),
            );
        };
        let mut rng = interp.thread.rng.lock();
        // Fisher-Yates, from the end, as Python's shuffle, on the live list.
        list.write(|items| {
            for i in (1..items.len()).rev() {
                let j = rng.random_range(0..=i);
                items.swap(i, j);
            }
        });
        Ok(Value::Nil)
    });
}

/// A float in [0, 1).
fn unit(interp: &Interp) -> f64 {
    interp.thread.rng.lock().random::<f64>()
}
