//! `queue(maxsize=0)`: a FIFO between threads. Items travel through a
//! crossbeam channel; blocking puts and gets wait through the runtime on
//! condition variables, so timeouts, `close` and `join` share one mechanism.

use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, TrySendError};
use parking_lot::Mutex;

use crate::interp::{throw, Args, Interp, Outcome, Unwind};
use crate::value::{ItemSource, Object, Value};

use super::{add, int_arg, timeout_arg, Table};
use crate::blocking::{await_state, block, wake_all, wake_one, Wait, WaitQueue};

pub fn register(t: &mut Table) {
    add(t, "queue", |_, a| {
        let [maxsize] = a.bind("queue", ["maxsize"], 0)?;
        let maxsize = maxsize
            .map_or(Ok(0), |m| int_arg(&m, "queue", "maxsize"))?
            .max(0) as usize;
        let (tx, rx) = if maxsize == 0 {
            crossbeam_channel::unbounded()
        } else {
            crossbeam_channel::bounded(maxsize)
        };
        Ok(Value::object(Arc::new(Queue(Arc::new(Inner {
            tx,
            rx,
            maxsize,
            meta: Mutex::new(Meta::default()),
            not_empty: WaitQueue::default(),
            not_full: WaitQueue::default(),
            all_done: WaitQueue::default(),
            race: crate::race::QueueClocks::new(),
        })))))
    });
}

pub struct Queue(Arc<Inner>);

struct Inner {
    tx: Sender<Value>,
    rx: Receiver<Value>,
    maxsize: usize,
    /// Taken for every change, so no wake-up is lost between a check and a wait.
    meta: Mutex<Meta>,
    not_empty: WaitQueue,
    not_full: WaitQueue,
    all_done: WaitQueue,
    /// Each item's put happens before its get (`--race`).
    race: crate::race::QueueClocks,
}

#[derive(Default)]
struct Meta {
    closed: bool,
    /// Items put and not yet marked with `task_done`.
    unfinished: u64,
}

/// How a put or get may wait, from its `block` and `timeout` arguments.
fn wait_mode(
    interp: &Interp,
    block: Option<Value>,
    timeout: Option<Value>,
    func: &str,
) -> Result<Wait, Unwind> {
    // As in Python, a non-blocking call ignores its timeout.
    if !block.is_none_or(|b| b.truthy()) {
        return Ok(Wait::Never);
    }
    let timeout = timeout_arg(timeout, func)?;
    if timeout.is_some_and(|t| t < 0.0) {
        return throw("ValueError", "'timeout' must be a non-negative number");
    }
    Ok(Wait::Until(interp.rt.deadline(timeout)))
}

/// What a get found.
enum Got {
    Item(Value),
    /// Nothing came before the call gave up.
    Nothing,
    /// The queue is closed and drained: nothing ever will.
    Closed,
}

impl Inner {
    fn put(&self, interp: &Interp, item: Value, how: Wait) -> Result<(), Unwind> {
        let (mut meta, _) = await_state(
            interp,
            &self.meta,
            &self.not_full,
            how,
            |m| m.closed || !self.tx.is_full(),
            |_| "in queue.put()".into(),
        )?;
        if meta.closed {
            return throw("RuntimeError", "put on a closed queue");
        }
        match self.tx.try_send(item) {
            Ok(()) => {
                self.race.put();
                meta.unfinished += 1;
                wake_one(interp, &self.not_empty);
                Ok(())
            }
            Err(TrySendError::Full(_)) => throw("FullError", "the queue is full"),
            Err(TrySendError::Disconnected(_)) => unreachable!("the queue owns both ends"),
        }
    }

    fn recv(&self, interp: &Interp, how: Wait) -> Result<Got, Unwind> {
        let (meta, _) = await_state(
            interp,
            &self.meta,
            &self.not_empty,
            how,
            |m| m.closed || !self.rx.is_empty(),
            |_| "in queue.get()".into(),
        )?;
        Ok(match self.rx.try_recv() {
            Ok(v) => {
                self.race.got();
                wake_one(interp, &self.not_full);
                Got::Item(v)
            }
            Err(_) if meta.closed => Got::Closed,
            Err(_) => Got::Nothing,
        })
    }

    fn get(&self, interp: &Interp, how: Wait) -> Outcome {
        match self.recv(interp, how)? {
            Got::Item(v) => Ok(v),
            Got::Nothing => throw("EmptyError", "the queue is empty"),
            Got::Closed => throw("EmptyError", "the queue is closed and empty"),
        }
    }

    fn task_done(&self, interp: &Interp) -> Result<(), Unwind> {
        let mut meta = self.meta.lock();
        if meta.unfinished == 0 {
            return throw("ValueError", "task_done() called too many times");
        }
        meta.unfinished -= 1;
        self.race.task_done();
        if meta.unfinished == 0 {
            wake_all(interp, &self.all_done);
        }
        Ok(())
    }

    /// Waits until every item put has been marked with `task_done`.
    fn join(&self, interp: &Interp) -> Result<(), Unwind> {
        let mut meta = self.meta.lock();
        let what = || "in queue.join()".to_string();
        block(interp, &self.all_done, &mut meta, None, &what, |m| {
            m.unfinished == 0
        })?;
        self.race.joined();
        Ok(())
    }

    fn close(&self, interp: &Interp) {
        self.meta.lock().closed = true;
        wake_all(interp, &self.not_empty);
        wake_all(interp, &self.not_full);
    }
}

impl Object for Queue {
    fn type_name(&self) -> &'static str {
        "queue"
    }

    fn repr(&self) -> String {
        let closed = if self.0.meta.lock().closed {
            " closed"
        } else {
            ""
        };
        format!(
            "<queue size={} maxsize={}{closed}>",
            self.0.rx.len(),
            self.0.maxsize
        )
    }

    fn length(&self) -> Option<Result<usize, Unwind>> {
        Some(Ok(self.0.rx.len()))
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        let q = &self.0;
        Some(match name {
            "put" => {
                a.bind("put", ["item", "block", "timeout"], 1)
                    .and_then(|[item, block, timeout]| {
                        let how = wait_mode(interp, block, timeout, "put")?;
                        q.put(interp, item.unwrap_or_default(), how)
                            .map(|()| Value::Nil)
                    })
            }
            "get" => a
                .bind("get", ["block", "timeout"], 0)
                .and_then(|[block, timeout]| {
                    let how = wait_mode(interp, block, timeout, "get")?;
                    q.get(interp, how)
                }),
            "put_nowait" => a
                .positional("put_nowait", 1, 1)
                .and_then(|mut v| q.put(interp, v.remove(0), Wait::Never))
                .map(|()| Value::Nil),
            "get_nowait" => a
                .positional("get_nowait", 0, 0)
                .and_then(|_| q.get(interp, Wait::Never)),
            "qsize" => a
                .positional("qsize", 0, 0)
                .map(|_| Value::Int(q.rx.len() as i64)),
            "empty" => a
                .positional("empty", 0, 0)
                .map(|_| Value::bool(q.rx.is_empty())),
            "full" => a
                .positional("full", 0, 0)
                .map(|_| Value::bool(q.maxsize > 0 && q.rx.len() >= q.maxsize)),
            "task_done" => a
                .positional("task_done", 0, 0)
                .and_then(|_| q.task_done(interp))
                .map(|()| Value::Nil),
            "join" => a
                .positional("join", 0, 0)
                .and_then(|_| q.join(interp))
                .map(|()| Value::Nil),
            "close" => a.positional("close", 0, 0).map(|_| {
                q.close(interp);
                Value::Nil
            }),
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [&'static str] {
        &[
            "put",
            "get",
            "put_nowait",
            "get_nowait",
            "qsize",
            "empty",
            "full",
            "task_done",
            "join",
            "close",
        ]
    }

    fn iter(&self) -> Option<Box<dyn ItemSource>> {
        Some(Box::new(Drain(self.0.clone())))
    }
}

/// `for x in q`: takes items until the queue is closed and drained.
struct Drain(Arc<Inner>);

impl ItemSource for Drain {
    fn next(&mut self, interp: &mut Interp) -> Result<Option<Value>, Unwind> {
        Ok(match self.0.recv(interp, Wait::FOREVER)? {
            Got::Item(v) => Some(v),
            Got::Nothing | Got::Closed => None,
        })
    }
}
