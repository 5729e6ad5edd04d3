//! [`Engine`]: the embedding API and the one way every front end (the CLI,
//! the REPL, the golden tests) runs Thr code.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::builtins::{self, Table};
use crate::diagnostic::SourceFile;
use crate::error::{source_text, Error};
use crate::func_args::FuncArgs;
use crate::interp::{take_thrown, Args, Interp, Thrown, Unwind, Why};
use crate::limits::Limits;
use crate::native::{host_value, HostFn};
use crate::parser;
use crate::resolver::Resolver;
use crate::runtime::{Output, Runtime, ThreadCtx};
use crate::scheduler::Scheduler;
use crate::value::Value;

/// A Thr interpreter: configure it, then run scripts or evaluate snippets.
///
/// ```
/// let out = thr::Capture::default();
/// let mut engine = thr::Engine::new();
/// engine.set_output(out.clone());
/// engine.run_str("print(6 * 7)").unwrap();
/// assert_eq!(out.text(), "42\n");
/// ```
pub struct Engine {
    extra: Table,
    out: Arc<Output>,
    err: Arc<Output>,
    limits: Limits,
    seed: Option<u64>,
    args: Vec<String>,
    color: bool,
    deterministic: bool,
    /// `thr explore`'s seed for random thread switches in a deterministic run.
    schedule: Option<u64>,
    /// Where to write each run's timeline.
    trace: Option<std::path::PathBuf>,
    /// Detect data races and lock-order inversions; stop at the first report.
    race: Option<bool>,
    /// Write the main thread's error when it ends, not after the others.
    main_error_at_once: bool,
    interrupt: Arc<crate::runtime::Interrupt>,
    session: Option<Session>,
}

/// The state `eval` keeps between calls: one main thread whose top-level
/// variables persist, as in the REPL.
struct Session {
    rt: Arc<Runtime>,
    resolver: Resolver,
    interp: Interp,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    /// An engine writing to stdout and stderr, with default limits.
    pub fn new() -> Engine {
        crate::panic::install_hook();
        crate::value::prepare_biasing();
        let stdout = std::io::stdout();
        let eager = stdout.is_terminal();
        Engine {
            extra: Table::new(),
            out: Arc::new(Output::new(Box::new(stdout), eager)),
            err: Arc::new(Output::new(Box::new(std::io::stderr()), true)),
            limits: Limits::default(),
            seed: None,
            args: Vec::new(),
            color: false,
            deterministic: false,
            schedule: None,
            trace: None,
            race: None,
            main_error_at_once: false,
            interrupt: Arc::default(),
            session: None,
        }
    }

    /// Sends what scripts print (and log) to `w`.
    pub fn set_output(&mut self, w: impl Write + Send + 'static) {
        self.out = Arc::new(Output::new(Box::new(w), true));
        self.session = None;
    }

    /// Sends the reports of errors the engine does not return to `w`: an
    /// uncaught error in a thread other than the main one, as it happens
    /// (as Python's `threading.excepthook` prints it). The main thread's
    /// error, or a deadlock's report, is the `Err` a run returns, and is
    /// not written here: printing it is the host's choice.
    ///
    /// ```
    /// let err = thr::Capture::default();
    /// let mut engine = thr::Engine::new();
    /// engine.set_error_output(err.clone());
    /// let e = engine.run_str("spawn(fn() { throw 'in a thread' }).join()\nthrow 'boom'");
    /// assert_eq!(e.unwrap_err().message, "boom");
    /// assert!(err.text().starts_with("Exception in thread Thread-1:\nError: in a thread"));
    /// assert!(!err.text().contains("boom"));
    /// ```
    pub fn set_error_output(&mut self, w: impl Write + Send + 'static) {
        self.err = Arc::new(Output::new(Box::new(w), true));
        self.session = None;
    }

    /// Seeds `random()` and friends; without a seed each run differs.
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = Some(seed);
    }

    /// Runs scripts deterministically (LANGUAGE.md §9): one thread at a
    /// time, virtual time, seed 0 unless [`Engine::set_seed`] gives another.
    ///
    /// ```
    /// let out = thr::Capture::default();
    /// let mut engine = thr::Engine::new();
    /// engine.set_output(out.clone());
    /// engine.set_deterministic(true);
    /// // An hour of sleep costs no real time, and the clock is exact.
    /// engine.run_str("sleep(3600); print(monotonic(), time())").unwrap();
    /// assert_eq!(out.text(), "3600.0 946688400.0\n");
    /// ```
    pub fn set_deterministic(&mut self, on: bool) {
        self.deterministic = on;
        self.session = None;
    }

    /// Makes a deterministic run also switch threads at random points
    /// (between statements, before an assignment stores), driven by `seed`:
    /// one schedule of `thr explore`, replayed exactly by the same seed.
    pub fn set_schedule(&mut self, seed: Option<u64>) {
        self.schedule = seed;
        self.session = None;
    }

    /// Writes a timeline of each script run to `path`, in the Chrome trace
    /// event format: every thread's life and every wait, with what it waited on.
    pub fn set_trace(&mut self, path: Option<std::path::PathBuf>) {
        self.trace = path;
    }

    /// Detects data races and lock-order inversions in the scripts run with
    /// [`Engine::run_str`] and friends (not in [`Engine::eval`] sessions),
    /// reporting each to the error output; a run with a report fails with
    /// an error of kind `DataRace`. With `stop`, the run stops at the first.
    ///
    /// ```
    /// let err = thr::Capture::default();
    /// let mut engine = thr::Engine::new();
    /// engine.set_error_output(err.clone());
    /// engine.set_race(true, false);
    /// let racy = "let n = 0\nfn add() { n += 1 }\nlet t = spawn(add)\nadd()\nt.join()";
    /// assert_eq!(engine.run_str(racy).unwrap_err().kind, "DataRace");
    /// assert!(err.text().starts_with("DataRace: write of `n` by"));
    /// ```
    pub fn set_race(&mut self, on: bool, stop: bool) {
        self.race = on.then_some(stop);
    }

    /// Whether `run_file` and `run_source` write the main thread's uncaught
    /// error to the error output as soon as the main thread ends, before
    /// the run waits for its other threads, as CPython prints a traceback.
    /// Without it (the default) the error is only returned, once every
    /// thread has ended, and a thread that never ends keeps it from being
    /// seen. With it, the returned error keeps its kind, message and
    /// status, but its rendered text holds only what came after (the
    /// report of a deadlock among the threads left). `thr` sets it.
    ///
    /// ```
    /// let err = thr::Capture::default();
    /// let mut engine = thr::Engine::new();
    /// engine.set_error_output(err.clone());
    /// engine.set_main_error_at_once(true);
    /// let e = engine.run_str("let x = 1 / 0").unwrap_err();
    /// assert_eq!(e.kind, "ZeroDivisionError");
    /// assert_eq!(e.rendered(), "");
    /// assert!(err.text().starts_with("ZeroDivisionError: "));
    /// ```
    pub fn set_main_error_at_once(&mut self, on: bool) {
        self.main_error_at_once = on;
    }

    /// The list scripts see as `args`.
    pub fn set_args(&mut self, args: Vec<String>) {
        self.args = args;
    }

    /// Colours diagnostics with ANSI escapes.
    pub fn set_color(&mut self, color: bool) {
        self.color = color;
    }

    /// The limits runs are held to: call depth, live threads, a deadline and
    /// an operation budget. A script that passes one stops with an error.
    ///
    /// ```
    /// let mut engine = thr::Engine::new();
    /// engine.set_error_output(thr::Capture::default());
    /// engine.limits_mut().max_operations = Some(100_000);
    /// let err = engine.run_str("while true { }").unwrap_err();
    /// assert_eq!(err.kind, "TimeoutError");
    /// ```
    pub fn limits_mut(&mut self) -> &mut Limits {
        &mut self.limits
    }

    /// Makes a Rust closure callable from scripts as `name`. Arguments and
    /// the result convert between Thr values and Rust types (`i64`, `f64`,
    /// `bool`, `String`, `Vec<T>`, `Option<T>`, [`Value`]); a wrong argument
    /// is a script `TypeError`, and an `Err` result a script error of kind
    /// `Error`. Script threads may call it at the same time.
    ///
    /// ```
    /// let out = thr::Capture::default();
    /// let mut engine = thr::Engine::new();
    /// engine.register_fn("double", |x: i64| x * 2);
    /// engine.register_fn("greet", |name: String| format!("hello, {name}"));
    /// engine.set_output(out.clone());
    /// engine.run_str("print(double(21), greet('thr'))").unwrap();
    /// assert_eq!(out.text(), "42 hello, thr\n");
    /// ```
    pub fn register_fn<P, F: HostFn<P>>(&mut self, name: &str, f: F) {
        self.register_value(name, host_value(name, f));
    }

    /// Makes a host value visible to scripts under `name`.
    pub fn register_value(&mut self, name: &str, v: Value) {
        self.extra.retain(|(n, _)| &**n != name);
        self.extra.push((name.into(), v));
        self.session = None;
    }

    /// Runs a script given as a string, named `<string>` in diagnostics.
    pub fn run_str(&mut self, code: &str) -> Result<(), Error> {
        self.run_source("<string>", code)
    }

    /// Reads and runs a script file.
    pub fn run_file(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            let message = format!("cannot read {}: {e}", path.display());
            Error::new("IOError", &message, format!("error: {message}\n"))
        })?;
        let name = path.display().to_string();
        let text = source_text(&name, &bytes, self.color)?;
        self.run_source(&name, text)
    }

    /// Runs a whole script: parse, resolve, run the main thread, then wait for
    /// the other threads as LANGUAGE.md §7 says. The main thread's uncaught
    /// error (or the deadlock report) is returned, not printed; an uncaught
    /// error in another thread is written to the error output as it happens
    /// (Python's `threading.excepthook`), and makes a run whose main thread
    /// succeeded return a `ThreadError`.
    pub fn run_source(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.check_limits()?;
        // Dropped last, once the run's values are.
        let _forget = ForgetFreed(self.interrupt.clone());
        // Parsing, resolving and dropping a deeply nested tree recurse too:
        // all of it happens on the script thread's large stack.
        let source = SourceFile::new(name, text);
        let stack = self.limits.main_stack();
        let rt = self.runtime();
        rt.restart_limits();
        let main = start_main(&rt);
        let this = &*self;
        let outcome = on_script_stack(stack, || {
            let program = this.compile(&source, &rt.builtin_names)?;
            let _race = crate::race::enter(&rt, &main);
            let mut interp = Interp::new(rt.clone(), main.clone());
            let result = script(|| interp.run_program(&program));
            this.finish_main(&rt, &main, result)
        });
        let outcome = match outcome {
            Err(e) if self.main_error_at_once => {
                rt.eprint(e.rendered());
                Err(e.reported())
            }
            outcome => outcome,
        };
        rt.main_ended(&main);
        let outcome = match join_threads(&rt, &main) {
            // Ctrl-C left the threads: main's error, if not yet seen, comes first.
            Err(stopped) => Err(match outcome {
                Err(main) => main.followed_by(stopped.rendered()).kind_of(stopped),
                Ok(()) => stopped,
            }),
            Ok(()) => outcome,
        };
        // Read while main is still alive, so daemons left blocked are no deadlock.
        let report = rt.deadlock_report(self.color);
        rt.unregister(&main);
        rt.trace_end(&main);
        if let Some(sched) = &rt.sched {
            sched.end_program();
        }
        rt.finish();
        let outcome = match (report, outcome) {
            // The main thread's own error came first; the deadlock of the
            // threads it left is reported after it.
            (Some(report), Err(main)) => Err(main.followed_by(&report)),
            (Some(report), Ok(())) => Err(Error::new(
                "DeadlockError",
                "every thread is blocked",
                report,
            )),
            (None, outcome) => outcome,
        };
        let outcome = self.write_trace(&rt, outcome);
        if let Some(e) = rt.lost_output() {
            return Err(Error::lost_output(e));
        }
        match outcome {
            Ok(()) if rt.failed.load(std::sync::atomic::Ordering::SeqCst) => {
                // The host's deadline or budget stopped a thread: say so.
                Err(match rt.timed_out.lock().take() {
                    Some(message) => Error::new("TimeoutError", message, String::new()),
                    None => Error::new(
                        "ThreadError",
                        "a thread ended in an uncaught error",
                        String::new(),
                    ),
                })
            }
            Ok(()) if rt.race.as_ref().is_some_and(|r| r.reported()) => Err(Error::new(
                "DataRace",
                "the race detector reported a data race or a lock-order inversion",
                String::new(),
            )),
            outcome => outcome,
        }
    }

    /// Parses and resolves a whole script, reporting its errors.
    fn compile(
        &self,
        source: &Arc<SourceFile>,
        builtins: &[crate::ast::Name],
    ) -> Result<crate::ast::Program, Error> {
        let mut program =
            parser::parse(source).map_err(|d| Error::from_diagnostics(&d, source, self.color))?;
        Resolver::new(builtins, false)
            .resolve(&mut program)
            .map_err(|d| Error::from_diagnostics(&d, source, self.color))?;
        Ok(program)
    }

    /// Parses and resolves a script without running it.
    pub fn check(&self, name: &str, text: &str) -> Result<(), Error> {
        let source = SourceFile::new(name, text);
        let names: Vec<_> = self.table().into_iter().map(|(n, _)| n).collect();
        let color = self.color;
        let stack = self.limits.main_stack();
        on_script_stack(stack, || {
            let mut program =
                parser::parse(&source).map_err(|d| Error::from_diagnostics(&d, &source, color))?;
            Resolver::new(&names, false)
                .resolve(&mut program)
                .map_err(|d| Error::from_diagnostics(&d, &source, color))
        })
    }

    /// Evaluates code in this engine's session, where top-level declarations
    /// persist between calls, and returns the value of its last expression.
    ///
    /// ```
    /// let mut engine = thr::Engine::new();
    /// engine.eval("let x = 20").unwrap();
    /// assert_eq!(engine.eval("x + 22").unwrap().repr(), "42");
    /// ```
    pub fn eval(&mut self, code: &str) -> Result<Value, Error> {
        self.eval_named("<eval>", code)
    }

    /// [`Engine::eval`] with a name for the code in diagnostics.
    pub fn eval_named(&mut self, name: &str, code: &str) -> Result<Value, Error> {
        self.check_limits()?;
        // What Ctrl-C's handler kept of earlier entries goes here, on the
        // engine's thread, while no script runs.
        self.interrupt.release();
        let source = SourceFile::new(name, code);
        let color = self.color;
        let stack = self.limits.main_stack();
        let session = self.session();
        session.rt.restart_limits();
        let (resolver, interp) = (&mut session.resolver, &mut session.interp);
        let result = on_script_stack(stack, || {
            let mut program =
                parser::parse(&source).map_err(|d| Error::from_diagnostics(&d, &source, color))?;
            resolver
                .resolve(&mut program)
                .map_err(|d| Error::from_diagnostics(&d, &source, color))?;
            Ok(collect(script(|| interp.run_program(&program))))
        })?;
        session.finish_entry(result, color)
    }

    /// Calls the script function `name` with `args`, in this engine's
    /// session: a function a script defined through [`Engine::eval`], a
    /// registered host function or a builtin. An undefined name is a
    /// `NameError` naming it; an error inside the call comes back as the
    /// [`Error`], and `exit()` as an error of kind `Exit`.
    ///
    /// ```
    /// let mut engine = thr::Engine::new();
    /// engine.eval("fn greet(who, punct='!') { 'hello, ' + who + punct }").unwrap();
    /// let v = engine.call_fn("greet", ("host",)).unwrap();
    /// assert_eq!(v.to_str(), "hello, host!");
    /// let err = engine.call_fn("greet", ()).unwrap_err();
    /// assert_eq!(err.kind, "TypeError");
    /// let err = engine.call_fn("gret", ()).unwrap_err();
    /// assert_eq!(err.message, "name 'gret' is not defined");
    /// ```
    pub fn call_fn(&mut self, name: &str, args: impl FuncArgs) -> Result<Value, Error> {
        let args = args.into_args().map_err(|message| {
            let rendered = format!("TypeError: {message}\n");
            Error::new("TypeError", message, rendered)
        })?;
        if !is_name(name) {
            let message = format!("{name:?} is not a function's name");
            let rendered = format!("NameError: {message}\n");
            return Err(Error::new("NameError", message, rendered));
        }
        let f = self.eval_named("<call_fn>", name)?;
        let color = self.color;
        let stack = self.limits.main_stack();
        let session = self.session();
        session.rt.restart_limits();
        let interp = &mut session.interp;
        let result = on_script_stack(stack, || {
            Ok(collect(script(|| interp.call_value(&f, Args::new(args)))))
        })?;
        session.finish_entry(result, color)
    }

    fn session(&mut self) -> &mut Session {
        if self.session.is_none() {
            let rt = self.runtime();
            let main = start_main(&rt);
            self.session = Some(Session {
                resolver: Resolver::new(&rt.builtin_names, true),
                interp: Interp::new(rt.clone(), main),
                rt,
            });
        }
        self.session.as_mut().expect("made above")
    }

    /// Names a session entry can use: its top-level variables and the
    /// builtins (for completion).
    pub fn names(&mut self) -> Vec<String> {
        self.globals().into_iter().map(|(n, _)| n).collect()
    }

    /// What a session entry can name, with values: its top-level variables
    /// that are set, then the builtins.
    pub fn globals(&mut self) -> Vec<(String, Value)> {
        let session = self.session();
        let _attached = crate::value::cycles::attach();
        let mut found: Vec<(String, Value)> = session
            .resolver
            .global_slots()
            .into_iter()
            .map(|(n, slot)| (n.to_string(), session.interp.global(slot)))
            .filter(|(_, v)| !matches!(v, Value::Uninit))
            .collect();
        let builtins = session.rt.builtin_names.iter().zip(&session.rt.builtins);
        found.extend(builtins.map(|(n, v)| (n.to_string(), v.clone())));
        found
    }

    /// Sets the session's top-level variable `name` to `v`, declaring it if
    /// it is new (the REPL's `_`).
    pub fn set_var(&mut self, name: &str, v: Value) {
        let session = self.session();
        let slot = session.resolver.declare_global(name);
        let _attached = crate::value::cycles::attach();
        session.interp.set_global(slot, v);
    }

    /// What stops the running code's main thread with an `InterruptError`
    /// when raised (Ctrl-C), running or waiting. It stays valid for every
    /// later run.
    pub fn interrupt_flag(&self) -> Arc<crate::runtime::Interrupt> {
        self.interrupt.clone()
    }

    /// Writes to the script output, in order with what scripts print.
    /// Writes to the script output, in order with what scripts print.
    /// Output that cannot be written is dropped: the run that wrote it
    /// reports why.
    pub fn print(&self, text: &str) {
        let _ = self.out.write(text);
    }

    /// Writes to the error output, after flushing the script output.
    pub fn eprint(&self, text: &str) {
        let _ = self.out.flush();
        let _ = self.err.write(text);
    }

    /// The names of the session's threads that its end waits for: the
    /// non-daemon threads still alive, in start order.
    pub fn threads_left(&self) -> Vec<String> {
        let Some(session) = &self.session else {
            return Vec::new();
        };
        let main = &session.interp.thread;
        let left = session.rt.non_daemon_threads();
        let others = left.iter().filter(|t| !Arc::ptr_eq(t, main));
        others.map(|t| t.name().to_string()).collect()
    }

    /// Ends the session as a script's end does: waits for its non-daemon
    /// threads, and reports a deadlock among them (an `Err` of kind
    /// `DeadlockError`). The interrupt flag (Ctrl-C) stops the wait and
    /// leaves them: an `Err` of kind `InterruptError`.
    pub fn shutdown(&mut self) -> Result<(), Error> {
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        let (rt, main) = (&session.rt, &session.interp.thread);
        if let Err(stopped) = join_threads(rt, main) {
            rt.finish();
            return Err(stopped);
        }
        let report = rt.deadlock_report(self.color);
        rt.finish();
        report.map_or(Ok(()), |report| {
            Err(Error::new(
                "DeadlockError",
                "every thread is blocked",
                report,
            ))
        })
    }

    /// Every name a script sees without declaring it: the builtins, `args`
    /// and the host's registered values.
    fn table(&self) -> Table {
        let mut table = builtins::table();
        let args = self.args.iter().map(|a| Value::str(a)).collect();
        table.push(("args".into(), Value::list(args)));
        for (name, v) in &self.extra {
            table.retain(|(n, _)| n != name);
            table.push((name.clone(), v.clone()));
        }
        table
    }

    fn runtime(&self) -> Arc<Runtime> {
        let mut rt = Runtime::new(
            self.table(),
            self.out.clone(),
            self.err.clone(),
            self.limits.clone(),
            // A deterministic run's seed is 0 unless one is given.
            self.seed.or(self.deterministic.then_some(0)),
        );
        rt.color = self.color;
        rt.interrupt = self.interrupt.clone();
        if self.deterministic {
            rt.sched = Some(Scheduler::new(self.schedule));
        }
        if self.trace.is_some() {
            rt.trace = Some(Default::default());
        }
        rt.race = self.race.map(crate::race::Detector::new);
        let rt = Arc::new(rt);
        self.interrupt.attach(&rt);
        rt
    }

    /// The error for limits that make no sense (see [`Limits::validate`]).
    fn check_limits(&self) -> Result<(), Error> {
        self.limits.validate().map_err(|message| {
            let rendered = format!("ValueError: {message}\n");
            Error::new("ValueError", message, rendered)
        })
    }

    /// Writes the run's timeline where `--trace` asked. Failing to is the
    /// run's error if it had none; else it goes to the error output, so the
    /// script's own error is the one returned.
    fn write_trace(&self, rt: &Runtime, outcome: Result<(), Error>) -> Result<(), Error> {
        let (Some(path), Some(trace)) = (&self.trace, &rt.trace) else {
            return outcome;
        };
        let Err(e) = std::fs::write(path, trace.to_json()) else {
            return outcome;
        };
        let message = format!("cannot write the trace to {}: {e}", path.display());
        let rendered = format!("error: {message}\n");
        match outcome {
            Ok(()) => Err(Error::new("IOError", message, rendered)),
            Err(first) => {
                let _ = self.err.write(&rendered);
                Err(first)
            }
        }
    }

    /// Turns the main thread's result into the run's result.
    fn finish_main(
        &self,
        rt: &Runtime,
        main: &ThreadCtx,
        result: Result<Value, Unwind>,
    ) -> Result<(), Error> {
        let Err(u) = result else { return Ok(()) };
        match u.why() {
            Why::Exit(0) => Ok(()),
            Why::Exit(status) => Err(Error::exit(status)),
            Why::Error => {
                let t = take_thrown();
                // Reported with every other deadlocked thread at the end.
                if rt.record_deadlock_site(main, &t) {
                    return Ok(());
                }
                Err(Error::from_thrown(&t, "MainThread", self.color))
            }
            _ => unreachable!(
                "the resolver keeps break, continue and return inside their constructs"
            ),
        }
    }
}

/// Waits for the run's non-daemon threads, as a program's end does.
/// Ctrl-C stops the wait and leaves them running: an `InterruptError`
/// naming them.
fn join_threads(rt: &Runtime, main: &Arc<ThreadCtx>) -> Result<(), Error> {
    let Err(u) = rt.join_non_daemon(main) else {
        return Ok(());
    };
    let thrown = u.is(Why::Error).then(take_thrown);
    if thrown.is_some_and(|t| &*t.error.kind == "InterruptError") {
        let left = rt.non_daemon_threads();
        let alive = left.iter().filter(|t| !Arc::ptr_eq(t, main));
        let names: Vec<String> = alive.map(|t| t.name().to_string()).collect();
        // One may have ended as Ctrl-C came.
        let who = match names.is_empty() {
            true => "the program's threads".to_string(),
            false => names.join(", "),
        };
        let message = format!("interrupted by Ctrl-C while waiting for {who} to end");
        let rendered = format!("InterruptError: {message}\n");
        return Err(Error::new("InterruptError", message, rendered));
    }
    // Deadlocked threads are unwinding: let them end and say where they were.
    let _ = rt.join_non_daemon(main);
    Ok(())
}

impl Session {
    /// The result of an `eval` or `call_fn` entry, once it is over.
    fn finish_entry(&mut self, result: Entry, color: bool) -> Result<Value, Error> {
        self.rt.flush();
        if result.is_err() {
            self.forget_unset();
        }
        match result {
            Ok(v) => Ok(v),
            Err((_, Some(t))) => {
                if self.rt.record_deadlock_site(&self.interp.thread, &t) {
                    let report = self.rt.settle_deadlock(color);
                    return Err(Error::new(
                        "DeadlockError",
                        "every thread is blocked",
                        report,
                    ));
                }
                Err(Error::from_thrown(&t, &self.interp.thread.name(), color))
            }
            Err((Why::Exit(status), _)) => Err(Error::exit(status)),
            Err(_) => unreachable!(
                "the resolver keeps break, continue and return inside their constructs"
            ),
        }
    }

    /// Undeclares the globals whose `let` never ran because the entry
    /// failed first, so no half-declared name is left behind.
    fn forget_unset(&mut self) {
        let _attached = crate::value::cycles::attach();
        for (name, slot) in self.resolver.global_slots() {
            if let Value::Uninit = self.interp.global(slot) {
                self.resolver.undeclare(&name);
            }
        }
    }
}

/// How a session entry ended: its value, or why it unwound and its error.
type Entry = Result<Value, (Why, Option<Box<Thrown>>)>;

/// An entry's outcome, with the error it threw. Why it unwound, and the
/// error, are parked on the thread that threw it: call this there.
fn collect(outcome: Result<Value, Unwind>) -> Entry {
    outcome.map_err(|u| (u.why(), u.is(Why::Error).then(take_thrown)))
}

/// Whether `name` is a plain identifier, so evaluating it only reads it.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Runs script code on the calling thread, attached to the cycle collector
/// (the host's variables it reads are not otherwise safe from it), with a
/// panic reported as an `InternalError`.
fn script(run: impl FnOnce() -> Result<Value, Unwind>) -> Result<Value, Unwind> {
    let _attached = crate::value::cycles::attach();
    crate::panic::guard(run)
}

/// Makes the cycle collector forget what was freed when it goes: at the
/// end of a run, and of an engine.
/// At the end of a run: lets go of what Ctrl-C's handler kept, and of
/// what the run left behind.
struct ForgetFreed(Arc<crate::runtime::Interrupt>);

impl Drop for ForgetFreed {
    fn drop(&mut self) {
        self.0.release();
        forget_unused();
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // The session's values go first, then what they held is forgotten.
        self.session = None;
        self.interrupt.release();
        forget_unused();
    }
}

/// Lets go of what the code and values now gone left behind: the cycle
/// collector's notes on freed objects, and names no code uses any more.
fn forget_unused() {
    crate::value::cycles::forget_freed();
    crate::interp::forget_unused_names();
}

/// Registers the main thread of a run.
fn start_main(rt: &Runtime) -> Arc<ThreadCtx> {
    let main = ThreadCtx::new("MainThread", 0, rt.seed);
    main.life.lock().state = crate::runtime::LifeState::Started;
    rt.register(main.clone());
    rt.trace_start(&main);
    main
}

/// Runs `f` on a thread with a script-sized stack, so deep recursion ends in
/// a `RecursionError` rather than overflowing the caller's stack.
/// A panic in `f` (a bug in Thr) comes back as an `InternalError`.
fn on_script_stack<T: Send>(
    stack: usize,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> Result<T, Error> {
    let shielded = || {
        let _cached = crate::block_cache::cache_blocks();
        crate::panic::mark_script_thread();
        crate::stack_guard::enter(stack);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
            let message = crate::panic::message(payload);
            let kind = crate::panic::INTERNAL_ERROR;
            let rendered = format!("{kind}: {message}\n{}", crate::panic::NOTE);
            Err(Error::new(kind, message, rendered))
        })
    };
    std::thread::scope(|s| {
        let started = std::thread::Builder::new()
            .name("thr-main".into())
            .stack_size(stack)
            .spawn_scoped(s, shielded);
        match started {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(Error::new(
                    crate::panic::INTERNAL_ERROR,
                    "the script's thread ended in a panic",
                    String::new(),
                ))
            }),
            Err(e) => Err(Error::new(
                "RuntimeError",
                format!("can't start the script's thread: {e}"),
                String::new(),
            )),
        }
    })
}

/// A cloneable in-memory writer, for capturing what scripts print.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
