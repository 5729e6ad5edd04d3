//! Threads: `spawn`, `timer`, the thread handle, and `current_thread
//! main_thread threads active_count`. Each script thread is an OS thread.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::error::Error;
use crate::interp::{
    raise, take_thrown, throw, Args, Interp, Origin, Outcome, Thrown, Unwind, Why,
};
use crate::runtime::{LifeState, ThreadCtx};
use crate::value::{Object, Value};

use super::{add, float_arg, timeout_arg, wait_seconds, Table};
use crate::blocking::{block, wake_all, Deadline};

pub fn register(t: &mut Table) {
    add(t, "spawn", spawn);
    add(t, "timer", timer);
    add(t, "current_thread", |interp, a| {
        a.positional("current_thread", 0, 0)?;
        Ok(Value::object(interp.thread.clone()))
    });
    add(t, "main_thread", |interp, a| {
        a.positional("main_thread", 0, 0)?;
        Ok(interp
            .rt
            .main_thread()
            .map_or(Value::Nil, |m| Value::object(m)))
    });
    add(t, "threads", |interp, a| {
        a.positional("threads", 0, 0)?;
        let alive = interp
            .rt
            .alive()
            .into_iter()
            .map(|t| Value::object(t))
            .collect();
        Ok(Value::list(alive))
    });
    add(t, "active_count", |interp, a| {
        a.positional("active_count", 0, 0)?;
        Ok(Value::Int(interp.rt.alive_count() as i64))
    });
}

/// What a thread will run: a function, its arguments, and for a timer the
/// delay before it.
struct Job {
    f: Value,
    args: Args,
    delay: Option<f64>,
    /// Where `spawn(...)` or `timer(...)` was called: the thread's call
    /// stack ends there.
    site: Option<Origin>,
}

/// Splits `(f, *args, name=, daemon=, **kwargs)` into the new thread's
/// context and its job.
fn prepare(
    interp: &mut Interp,
    mut a: Args,
    func: &str,
    delay: Option<f64>,
) -> Result<(Arc<ThreadCtx>, Job), Unwind> {
    let site = interp.spawn_site.take();
    // No name, nil or "" gets the next `Thread-N`, as in Python.
    let name = a.take_kw("name").filter(|n| n.truthy());
    let daemon = a.take_kw("daemon").is_some_and(|d| d.truthy());
    if a.pos.is_empty() {
        return throw(
            "TypeError",
            format!("{func}() missing required argument 'function'"),
        );
    }
    let f = a.pos.remove(0);
    if !matches!(f, Value::Func(_) | Value::Native(_)) {
        // Reported here, where the mistake is, not later in the new thread.
        return throw(
            "TypeError",
            format!(
                "{func}() argument 'function' must be a function, not {}",
                f.type_name()
            ),
        );
    }
    // Arguments that do not fit the function are this call's error.
    if let Value::Func(c) = &f {
        interp.check_arguments(c, &a)?;
    }
    let rt = &interp.rt;
    let name = name.map_or_else(|| rt.next_thread_name(), |n| n.to_str());
    let ctx = ThreadCtx::new(&name, rt.next_thread_number(), rt.seed);
    ctx.daemon.store(daemon, Ordering::Relaxed);
    let job = Job {
        f,
        args: a,
        delay,
        site,
    };
    Ok((ctx, job))
}

fn spawn(interp: &mut Interp, a: Args) -> Outcome {
    let (ctx, job) = prepare(interp, a, "spawn", None)?;
    start(interp, &ctx, job)?;
    Ok(Value::object(ctx))
}

fn timer(interp: &mut Interp, mut a: Args) -> Outcome {
    if a.pos.is_empty() {
        return throw("TypeError", "timer() missing required argument 'interval'");
    }
    let interval = wait_seconds(float_arg(&a.pos.remove(0), "timer", "interval")?)?;
    let (ctx, job) = prepare(interp, a, "timer", Some(interval))?;
    Ok(Value::object(Arc::new(Timer {
        thread: ctx,
        job: parking_lot::Mutex::new(Some(job)),
    })))
}

/// Starts `ctx` running `job` on a new OS thread.
fn start(interp: &Interp, ctx: &Arc<ThreadCtx>, mut job: Job) -> Result<(), Unwind> {
    let rt = interp.rt.clone();
    let most = rt.limits.max_threads.min(crate::os_thread::most_threads());
    if rt.alive_count() >= most {
        return throw(
            "RuntimeError",
            format!(
                "can't start new thread: the limit is {most} live thread{}",
                if most == 1 { "" } else { "s" }
            ),
        );
    }
    ctx.life.lock().state = LifeState::Started;
    rt.register(ctx.clone());
    crate::race::spawning(ctx.number);
    let me = ctx.clone();
    let stack = rt.limits.thread_stack();
    let spawned = crate::os_thread::spawn(format!("thr:{}", ctx.name()), stack, move || {
        if let Some(sched) = &rt.sched {
            sched.enter(me.number);
        }
        let _race = crate::race::enter(&rt, &me);
        rt.trace_start(&me);
        let mut interp = Interp::new(rt, me);
        let site = job.site.take();
        let result = crate::panic::guard(|| run_job(&mut interp, job));
        finish(&interp, result, site);
    });
    if spawned.is_err() {
        abandon(interp, ctx);
        return throw("RuntimeError", "can't start new thread: the OS refused one");
    }
    // A deterministic run lets the new thread run first.
    if let Some(sched) = &interp.rt.sched {
        sched.spawned(interp.thread.number, ctx.number);
    }
    Ok(())
}

/// Undoes `start` for a thread the OS would not run.
fn abandon(interp: &Interp, ctx: &ThreadCtx) {
    interp.rt.unregister(ctx);
    ctx.life.lock().state = LifeState::Done;
}

/// Runs the job on the new thread; a cancelled timer runs nothing.
fn run_job(interp: &mut Interp, job: Job) -> Outcome {
    if let Some(delay) = job.delay {
        let ctx = interp.thread.clone();
        let deadline = interp.rt.deadline(Some(delay));
        let mut life = ctx.life.lock();
        let what = || "in a timer's delay".to_string();
        if block(interp, &ctx.life_cv, &mut life, deadline, &what, |l| {
            l.cancelled
        })? {
            return Ok(Value::Nil);
        }
    }
    interp.call_value(&job.f, job.args)
}

/// Records how the thread ended, reports an uncaught error, and wakes joiners.
fn finish(interp: &Interp, result: Outcome, site: Option<Origin>) {
    let ctx = &interp.thread;
    let result = match result {
        Ok(v) => Ok(v),
        Err(u) if u.is(Why::Error) => {
            let mut t = take_thrown();
            if let Some((at, spawned_from)) = site {
                t.at = t.at.or(at);
                t.trace.extend(spawned_from);
            }
            // A deadlock is reported once, for every thread, at the end.
            if !interp.rt.record_deadlock_site(ctx, &t) {
                let name = ctx.name();
                let report = Error::from_thrown(&t, &name, interp.rt.color);
                interp.rt.eprint(&format!(
                    "Exception in thread {name}:\n{}",
                    report.rendered()
                ));
            }
            interp.rt.failed.store(true, Ordering::SeqCst);
            if &*t.error.kind == "TimeoutError" {
                *interp.rt.timed_out.lock() = Some(t.error.message.clone());
            }
            Err(t.error.clone())
        }
        // exit() in a thread ends just that thread, as Python's sys.exit.
        Err(_) => Ok(Value::Nil),
    };
    super::local::thread_ended(ctx.number);
    crate::race::ending();
    let mut life = ctx.life.lock();
    life.state = LifeState::Done;
    life.result = Some(result);
    // Joiners are woken before the thread leaves the live ones, so they
    // never look stuck with no thread left to wake them.
    wake_all(interp, &ctx.life_cv);
    drop(life);
    interp.rt.unregister(ctx);
    interp.rt.trace_end(ctx);
    if let Some(sched) = &interp.rt.sched {
        sched.exit(ctx.number);
    }
}

const THREAD_METHODS: &[&str] = &["join", "is_alive", "result", "start", "cancel"];
const THREAD_FIELDS: &[&str] = &["name", "ident", "daemon"];

/// Waits for a thread to end; `false` if the timeout passed first.
fn join(interp: &mut Interp, t: &ThreadCtx, a: Args) -> Result<bool, Unwind> {
    let [timeout] = a.bind("join", ["timeout"], 0)?;
    let deadline = interp.rt.deadline(timeout_arg(timeout, "join")?);
    join_until(interp, t, deadline)
}

fn join_until(interp: &Interp, t: &ThreadCtx, deadline: Deadline) -> Result<bool, Unwind> {
    if std::ptr::eq(t, &*interp.thread) {
        return throw("RuntimeError", "cannot join current thread");
    }
    let mut life = t.life.lock();
    if life.state == LifeState::Initial {
        return throw("RuntimeError", "cannot join thread before it is started");
    }
    let what = || format!("to join {}", t.name());
    let joined = block(interp, &t.life_cv, &mut life, deadline, &what, |l| {
        l.state == LifeState::Done
    })?;
    if joined {
        crate::race::joined(t.number);
    }
    Ok(joined)
}

/// `t.result()`: waits for the thread, then returns what its function
/// returned or throws the error that ended it.
fn result(interp: &Interp, t: &ThreadCtx) -> Outcome {
    join_until(interp, t, None)?;
    match t.life.lock().result.clone() {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(raise(Box::new(Thrown {
            error: e,
            at: None,
            trace: Vec::new(),
        }))),
        None => unreachable!("a joined thread has its result"),
    }
}

impl Object for ThreadCtx {
    fn type_name(&self) -> &'static str {
        "thread"
    }

    fn repr(&self) -> String {
        let state = match self.life.lock().state {
            LifeState::Initial => "initial",
            LifeState::Started => "started",
            LifeState::Done => "stopped",
        };
        let daemon = if self.daemon.load(Ordering::Relaxed) {
            " daemon"
        } else {
            ""
        };
        format!("<thread '{}' {state}{daemon}>", self.name())
    }

    fn field(&self, _: &mut Interp, name: &str) -> Option<Outcome> {
        Some(Ok(match name {
            "name" => Value::Str(self.name()),
            "ident" => Value::Int(self.ident()),
            "daemon" => Value::bool(self.daemon.load(Ordering::Relaxed)),
            _ => return None,
        }))
    }

    fn set_field(&self, _: &mut Interp, name: &str, v: Value) -> Option<Outcome> {
        match name {
            "name" => *self.name.lock() = v.to_str().into(),
            "daemon" => {
                if self.life.lock().state != LifeState::Initial {
                    return Some(throw(
                        "RuntimeError",
                        "cannot set daemon status of active thread",
                    ));
                }
                self.daemon.store(v.truthy(), Ordering::Relaxed);
            }
            _ => return None,
        }
        Some(Ok(Value::Nil))
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "join" => join(interp, self, a).map(Value::bool),
            "is_alive" => a
                .positional("is_alive", 0, 0)
                .map(|_| Value::bool(self.life.lock().state == LifeState::Started)),
            "result" => a
                .positional("result", 0, 0)
                .and_then(|_| result(interp, self)),
            "start" => throw("RuntimeError", "threads can only be started once"),
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [&'static str] {
        &THREAD_METHODS[..3]
    }

    fn fields(&self) -> &'static [&'static str] {
        THREAD_FIELDS
    }
}

/// A thread that calls its function after a delay unless cancelled first.
struct Timer {
    thread: Arc<ThreadCtx>,
    /// The job, until `start()` takes it.
    job: parking_lot::Mutex<Option<Job>>,
}

impl Object for Timer {
    fn type_name(&self) -> &'static str {
        "timer"
    }

    fn repr(&self) -> String {
        self.thread.repr().replacen("<thread", "<timer", 1)
    }

    fn identity(&self) -> usize {
        self.thread.identity()
    }

    fn field(&self, interp: &mut Interp, name: &str) -> Option<Outcome> {
        self.thread.field(interp, name)
    }

    fn set_field(&self, interp: &mut Interp, name: &str, v: Value) -> Option<Outcome> {
        self.thread.set_field(interp, name, v)
    }

    fn call_method(&self, interp: &mut Interp, name: &str, a: Args) -> Option<Outcome> {
        Some(match name {
            "start" => a.positional("start", 0, 0).and_then(|_| {
                let Some(job) = self.job.lock().take() else {
                    return throw("RuntimeError", "threads can only be started once");
                };
                start(interp, &self.thread, job).map(|()| Value::Nil)
            }),
            "cancel" => a.positional("cancel", 0, 0).map(|_| {
                self.thread.life.lock().cancelled = true;
                wake_all(interp, &self.thread.life_cv);
                Value::Nil
            }),
            _ => return self.thread.call_method(interp, name, a),
        })
    }

    fn methods(&self) -> &'static [&'static str] {
        THREAD_METHODS
    }

    fn fields(&self) -> &'static [&'static str] {
        THREAD_FIELDS
    }
}
