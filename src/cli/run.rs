//! Running one script: from a file, from stdin (`-`) or from `-e CODE`,
//! optionally followed by the REPL (`-i`), with Ctrl-C as Python has it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use super::args::{Color, RunArgs};
use super::{readable_file, usage_error};

/// Where the script's code comes from.
enum Source {
    File(PathBuf),
    Stdin,
    /// The script read from stdin.
    Piped(Vec<u8>),
    Code(String),
}

/// Runs what the options say: a script, a script then the REPL, or the REPL.
pub fn run(opts: RunArgs, color: Color) -> ExitCode {
    let (source, args) = match (opts.code.clone(), opts.script.split_first()) {
        (Some(code), _) => (Some(Source::Code(code)), opts.script.clone()),
        (None, Some((first, rest))) => {
            let source = match first.as_str() {
                "-" => Source::Stdin,
                file => Source::File(PathBuf::from(file)),
            };
            (Some(source), rest.to_vec())
        }
        (None, None) => (None, Vec::new()),
    };
    if let Err(message) = check_options(&opts, source.as_ref()) {
        return usage_error(&message);
    }
    // SAFETY: this process's other threads (Ctrl-C's handler, the REPL's
    // doorbell) touch no value; script threads start through Thr, which
    // makes counts atomic first.
    unsafe { thr::cli_support::confine_to_one_thread() };
    let mut engine = thr::Engine::new();
    engine.set_color(color.stderr());
    engine.set_args(args);
    if let Some(seed) = opts.seed {
        engine.set_seed(seed);
    }
    engine.set_deterministic(opts.deterministic || opts.schedule.is_some());
    engine.set_schedule(opts.schedule);
    engine.set_trace(opts.trace);
    engine.set_race(opts.race || opts.race_stop, opts.race_stop);
    // Seen at once, even when a thread left running never ends.
    engine.set_main_error_at_once(true);
    if let Err(message) = opts.limits.apply(engine.limits_mut()) {
        return usage_error(&message);
    }
    let Some(mut source) = source else {
        crate::repl::prepare(&mut engine);
        return crate::repl::run(engine, color.stdout());
    };
    // Read before Ctrl-C becomes an interrupt: while reading, it ends `thr`.
    if let Source::Stdin = source {
        match read_stdin() {
            Ok(bytes) => source = Source::Piped(bytes),
            Err(message) => return usage_error(&message),
        }
    }
    on_ctrl_c(&engine);
    if opts.interactive {
        return then_repl(engine, source, color);
    }
    let result = match source {
        Source::File(path) => engine.run_file(&path),
        Source::Code(code) => engine.run_source("<-e>", &code),
        Source::Piped(bytes) => thr::cli_support::source_text("<stdin>", &bytes, color.stderr())
            .and_then(|text| engine.run_source("<stdin>", text)),
        Source::Stdin => unreachable!("stdin was read above"),
    };
    report(&engine, result)
}

/// The command-line errors found before anything runs.
fn check_options(opts: &RunArgs, source: Option<&Source>) -> Result<(), String> {
    let deterministic = opts.deterministic || opts.schedule.is_some();
    let for_scripts = [
        (deterministic, "--deterministic runs"),
        (opts.trace.is_some(), "--trace records"),
        (opts.race || opts.race_stop, "--race runs"),
    ];
    for (_, what) in for_scripts.into_iter().filter(|(given, _)| *given) {
        if source.is_none() {
            return Err(format!("{what} a script (FILE or -e CODE), not the REPL"));
        }
        if opts.interactive {
            return Err(format!(
                "{what} a script, not the REPL that -i opens after it"
            ));
        }
    }
    if opts.interactive && matches!(source, Some(Source::Stdin)) {
        return Err(
            "-i reads the REPL's entries from stdin: the script cannot come from it".into(),
        );
    }
    if let Some(Source::File(path)) = source {
        // Words after the script are its own, but an option before it is
        // ours: one we do not know is a mistake, not a script's name.
        if path.to_str().is_some_and(|p| p.starts_with('-')) {
            return Err(format!(
                "unknown option '{}' (options go before the script; see thr --help)",
                path.display()
            ));
        }
        readable_file(path)?;
    }
    match &opts.trace {
        Some(path) => trace_target(path),
        None => Ok(()),
    }
}

/// Checks, before the script runs, that a trace can be written at `path`.
fn trace_target(path: &Path) -> Result<(), String> {
    let shown = path.display();
    if path.extension().is_some_and(|e| e == "thr") {
        return Err(format!(
            "--trace {shown} would write the trace over a script: give it a .json path"
        ));
    }
    if path.is_dir() {
        return Err(format!("--trace {shown} is a folder: give it a file path"));
    }
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    match folder {
        Some(folder) if !folder.is_dir() => Err(format!(
            "--trace {shown}: there is no folder {}",
            folder.display()
        )),
        _ => Ok(()),
    }
}

fn read_stdin() -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the script from stdin: {e}"))?;
    Ok(bytes)
}

/// `-i`: runs the script in the REPL's session, so its names stay, then
/// opens the REPL, even when the script failed (as `python -i` does).
fn then_repl(mut engine: thr::Engine, source: Source, color: Color) -> ExitCode {
    crate::repl::prepare(&mut engine);
    let result = match source {
        Source::Code(code) => engine.eval_named("<-e>", &code),
        Source::File(path) => {
            let name = path.display().to_string();
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) => return usage_error(&format!("cannot read {name}: {e}")),
            };
            thr::cli_support::source_text(&name, &bytes, color.stderr())
                .and_then(|text| engine.eval_named(&name, text))
        }
        Source::Stdin | Source::Piped(_) => unreachable!("check_options refuses -i with -"),
    };
    match result {
        Err(e) if e.kind == "Exit" => return ExitCode::from(e.status.clamp(0, 255) as u8),
        Err(e) => engine.eprint(e.rendered()),
        Ok(_) => {}
    }
    // From here Ctrl-C only stops the entry that runs, as in the REPL.
    EXIT_ON_SECOND.store(false, Ordering::SeqCst);
    crate::repl::run(engine, color.stdout())
}

/// Whether a second Ctrl-C ends the process at once (a script run) or is
/// one more interrupt (the REPL).
static EXIT_ON_SECOND: AtomicBool = AtomicBool::new(true);
/// How many times Ctrl-C was pressed.
static PRESSES: AtomicU32 = AtomicU32::new(0);

/// Ctrl-C is an `InterruptError` in the main thread (Python's
/// `KeyboardInterrupt`); a second one ends the process at once.
fn on_ctrl_c(engine: &thr::Engine) {
    let flag = engine.interrupt_flag();
    let _ = ctrlc::set_handler(move || {
        let earlier = PRESSES.fetch_add(1, Ordering::SeqCst);
        if earlier > 0 && EXIT_ON_SECOND.load(Ordering::SeqCst) {
            die_interrupted();
        }
        flag.raise();
    });
}

/// Prints the run's error, if any, and turns it into the exit status.
fn report(engine: &thr::Engine, result: Result<(), thr::Error>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            engine.eprint(e.rendered());
            if e.kind == "InterruptError" {
                die_interrupted();
            }
            ExitCode::from(e.status.clamp(0, 255) as u8)
        }
    }
}

/// Ends the process as Ctrl-C does by default, as CPython does after an
/// uncaught `KeyboardInterrupt`: killed by SIGINT, which a shell shows as
/// status 130 and which stops a shell loop running `thr`.
fn die_interrupted() -> ! {
    #[cfg(unix)]
    // SAFETY: restoring the default action and raising a signal have no
    // memory effects; the default action ends the process.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::raise(libc::SIGINT);
    }
    std::process::exit(thr::Error::INTERRUPTED)
}
