//! `local(init=nil)`: an object whose fields are per thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Weak};

use indexmap::IndexMap;
use parking_lot::Mutex;

use crate::ast::Name;
use crate::interp::{throw, Args, Interp, Outcome};
use crate::value::{Object, Value};

use super::{add, Table};

pub fn register(t: &mut Table) {
    add(t, "local", |interp, a| {
        let [init] = a.bind("local", ["init"], 0)?;
        let local = Arc::new_cyclic(|me| Local {
            me: me.clone(),
            init: init.filter(|i| !matches!(i, Value::Nil)),
            fields: Mutex::new(HashMap::new()),
        });
        // The creating thread runs `init` now; every other at its first access.
        local.ensure_init(interp)?;
        Ok(Value::object(local))
    });
}

thread_local! {
    /// The locals the script thread running on this OS thread has fields
    /// in, so that they can be dropped when it ends.
    static TOUCHED: RefCell<Vec<Weak<Local>>> = const { RefCell::new(Vec::new()) };
}

/// Drops the fields the ending script thread `number` has in every local, as
/// Python frees a thread's locals when it ends. Runs on that thread.
pub fn thread_ended(number: u64) {
    for local in TOUCHED.take() {
        if let Some(local) = local.upgrade() {
            local.fields.lock().remove(&number);
        }
    }
}

pub struct Local {
    me: Weak<Local>,
    init: Option<Value>,
    /// Each thread's fields, by thread creation number.
    fields: Mutex<HashMap<u64, IndexMap<Name, Value>>>,
}

impl Local {
    /// Gives the current thread its own fields, running `init` the first time.
    fn ensure_init(&self, interp: &mut Interp) -> Result<(), crate::interp::Unwind> {
        let id = interp.thread.number;
        {
            let mut fields = self.fields.lock();
            if fields.contains_key(&id) {
                return Ok(());
            }
            fields.insert(id, IndexMap::new());
        }
        TOUCHED.with_borrow_mut(|touched| touched.push(self.me.clone()));
        if let (Some(init), Some(me)) = (&self.init, self.me.upgrade()) {
            let done = interp.call_value(init, Args::new(vec![Value::object(me)]));
            if let Err(e) = done {
                // As in Python, a failed `init` leaves the thread uninitialised,
                // so its next access tries again.
                self.fields.lock().remove(&id);
                return Err(e);
            }
        }
        Ok(())
    }

    fn get(&self, interp: &mut Interp, name: &str) -> Outcome {
        self.ensure_init(interp)?;
        let found = self
            .fields
            .lock()
            .get(&interp.thread.number)
            .and_then(|f| f.get(name).cloned());
        found.map_or_else(
            || {
                throw(
                    "AttributeError",
                    format!(
                        "local has no field '{name}' in thread {}",
                        interp.thread.name()
                    ),
                )
            },
            Ok,
        )
    }
}

impl Object for Local {
    fn type_name(&self) -> &'static str {
        "local"
    }

    fn repr(&self) -> String {
        "<local>".into()
    }

    fn field(&self, interp: &mut Interp, name: &str) -> Option<Outcome> {
        Some(self.get(interp, name))
    }

    fn set_field(&self, interp: &mut Interp, name: &str, v: Value) -> Option<Outcome> {
        Some(self.ensure_init(interp).map(|()| {
            let mut fields = self.fields.lock();
            fields
                .entry(interp.thread.number)
                .or_default()
                .insert(name.into(), v);
            Value::Nil
        }))
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(
            self.get(interp, name)
                .and_then(|f| interp.call_value(&f, a)),
        )
    }
}
