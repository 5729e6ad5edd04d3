//! [`Engine`]: the embedding API and the one way every front end (the CLI,
//! the REPL, the golden tests) runs Thr code.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::builtins::{self, Table};
use crate::diagnostic::SourceFile;
use crate::error::Error;
use crate::interp::{take_thrown, Interp, Unwind, Why};
use crate::native::{host_value, HostFn};
use crate::parser;
use crate::resolver::Resolver;
use crate::runtime::{Limits, Output, Runtime, ThreadCtx, SCRIPT_STACK};
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
            interrupt: Arc::default(),
            session: None,
        }
    }

    /// Sends what scripts print (and log) to `w`.
    pub fn set_output(&mut self, w: impl Write + Send + 'static) {
        self.out = Arc::new(Output::new(Box::new(w), true));
        self.session = None;
    }

    /// Sends error reports (uncaught errors, deadlocks) to `w`.
    ///
    /// ```
    /// let err = thr::Capture::default();
    /// let mut engine = thr::Engine::new();
    /// engine.set_error_output(err.clone());
    /// assert!(engine.run_str("throw 'boom'").is_err());
    /// assert!(err.text().starts_with("Error: boom"));
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
        let text = std::fs::read_to_string(path).map_err(|e| {
            let message = format!("cannot read {}: {e}", path.display());
            self.report(Error::new(
                "IOError",
                &message,
                format!("error: {message}\n"),
            ))
        })?;
        self.run_source(&path.display().to_string(), &text)
    }

    /// Runs a whole script: parse, resolve, run the main thread, then wait for
    /// the other threads as LANGUAGE.md §7 says. Uncaught errors are reported
    /// to the error output as they happen and the first is returned.
    pub fn run_source(&mut self, name: &str, text: &str) -> Result<(), Error> {
        // Parsing, resolving and dropping a deeply nested tree recurse too:
        // all of it happens on the script thread's large stack.
        let source = SourceFile::new(name, text);
        let rt = self.runtime();
        let main = start_main(&rt);
        let this = &*self;
        let outcome = on_script_stack(|| {
            let program = this.compile(&source, &rt.builtin_names)?;
            let _race = crate::race::enter(&rt, &main);
            let mut interp = Interp::new(rt.clone(), main.clone());
            let result = crate::panic::guard(|| interp.run_program(&program));
            this.finish_main(&rt, &main, result)
        });
        rt.main_ended(&main);
        if rt.join_non_daemon(&main).is_err() {
            // Deadlocked threads are unwinding: let them end and say where they were.
            let _ = rt.join_non_daemon(&main);
        }
        // Read while main is still alive, so daemons left blocked are no deadlock.
        let report = rt.deadlock_report(self.color);
        rt.unregister(&main);
        rt.trace_end(&main);
        if let Some(sched) = &rt.sched {
            sched.end_program();
        }
        rt.finish();
        self.write_trace(&rt);
        let outcome = match report {
            Some(report) => {
                self.err.write(&report);
                Err(Error::new(
                    "DeadlockError",
                    "every thread is blocked",
                    report,
                ))
            }
            None => outcome,
        };
        match outcome {
            Ok(()) if rt.failed.load(std::sync::atomic::Ordering::SeqCst) => Err(Error::new(
                "ThreadError",
                "a thread ended in an uncaught error",
                String::new(),
            )),
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
        let mut program = parser::parse(source)
            .map_err(|d| self.report(Error::from_diagnostics(&d, source, self.color)))?;
        Resolver::new(builtins, false)
            .resolve(&mut program)
            .map_err(|d| self.report(Error::from_diagnostics(&d, source, self.color)))?;
        Ok(program)
    }

    /// Parses and resolves a script without running it.
    pub fn check(&self, name: &str, text: &str) -> Result<(), Error> {
        let source = SourceFile::new(name, text);
        let names: Vec<_> = self.table().into_iter().map(|(n, _)| n).collect();
        let color = self.color;
        on_script_stack(|| {
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
        let source = SourceFile::new(name, code);
        let color = self.color;
        let session = self.session();
        let (resolver, interp) = (&mut session.resolver, &mut session.interp);
        let result = on_script_stack(|| {
            let mut program =
                parser::parse(&source).map_err(|d| Error::from_diagnostics(&d, &source, color))?;
            resolver
                .resolve(&mut program)
                .map_err(|d| Error::from_diagnostics(&d, &source, color))?;
            // Why it unwound, and the error, are parked on the thread that
            // threw it: collect them there.
            Ok(crate::panic::guard(|| interp.run_program(&program))
                .map_err(|u| (u.why(), u.is(Why::Error).then(take_thrown))))
        })?;
        session.rt.flush();
        match result {
            Ok(v) => Ok(v),
            Err((_, Some(t))) => {
                if session.rt.record_deadlock_site(&session.interp.thread, &t) {
                    let report = session.rt.settle_deadlock(color);
                    return Err(Error::new(
                        "DeadlockError",
                        "every thread is blocked",
                        report,
                    ));
                }
                Err(Error::from_thrown(&t, &session.interp.thread.name(), color))
            }
            Err((Why::Exit(status), _)) => Err(Error::exit(status)),
            Err(_) => unreachable!(
                "the resolver keeps break, continue and return inside their constructs"
            ),
        }
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
        let session = self.session();
        let mut names: Vec<String> = session
            .resolver
            .global_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        names.extend(session.rt.builtin_names.iter().map(|n| n.to_string()));
        names
    }

    /// What stops the running code's main thread with an `InterruptError`
    /// when raised (Ctrl-C), running or waiting. It stays valid for every
    /// later run.
    pub fn interrupt_flag(&self) -> Arc<crate::runtime::Interrupt> {
        self.interrupt.clone()
    }

    /// Writes to the script output, in order with what scripts print.
    pub fn print(&self, text: &str) {
        self.out.write(text);
    }

    /// Writes to the error output, after flushing the script output.
    pub fn eprint(&self, text: &str) {
        self.out.flush();
        self.err.write(text);
    }

    /// Ends the session: waits for its non-daemon threads, as a script's end
    /// does. The REPL calls this when it leaves.
    pub fn shutdown(&mut self) {
        if let Some(session) = self.session.take() {
            let _ = session.rt.join_non_daemon(&session.interp.thread);
            session.rt.finish();
        }
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

    /// Writes the run's timeline where `--trace` asked.
    fn write_trace(&self, rt: &Runtime) {
        if let (Some(path), Some(trace)) = (&self.trace, &rt.trace) {
            if let Err(e) = std::fs::write(path, trace.to_json()) {
                self.err.write(&format!(
                    "error: cannot write the trace to {}: {e}\n",
                    path.display()
                ));
            }
        }
    }

    /// Prints an error to the error output and hands it back.
    fn report(&self, e: Error) -> Error {
        self.err.write(e.rendered());
        e
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
                let e = Error::from_thrown(&t, "MainThread", self.color);
                rt.eprint(e.rendered());
                Err(e)
            }
            _ => unreachable!(
                "the resolver keeps break, continue and return inside their constructs"
            ),
        }
    }
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
fn on_script_stack<T: Send>(f: impl FnOnce() -> Result<T, Error> + Send) -> Result<T, Error> {
    let shielded = || {
        crate::panic::mark_script_thread();
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
            .stack_size(SCRIPT_STACK)
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
