//! `thr`: the command line over [`thr::Engine`] (LANGUAGE.md §8).

mod repl;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "thr",
    version,
    about = "Thr: a scripting language with real parallel threads"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Args)]
struct RunArgs {
    /// Seed for random(), randint() and friends
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// One thread at a time, virtual time: the same output on every run
    #[arg(long)]
    deterministic: bool,
    /// Write a timeline of the run (threads and their waits) as Chrome trace JSON
    #[arg(long, value_name = "FILE.json")]
    trace: Option<PathBuf>,
    /// Replay a schedule found by `thr explore` (implies --deterministic)
    #[arg(long, value_name = "N")]
    schedule: Option<u64>,
    /// Report data races and lock-order inversions (potential deadlocks)
    #[arg(long, overrides_with = "race")]
    race: bool,
    /// Like --race, and stop the run at the first report
    #[arg(long, overrides_with = "race_stop")]
    race_stop: bool,
    /// Run a snippet instead of a file
    #[arg(short = 'e', value_name = "CODE")]
    code: Option<String>,
    /// The script to run; with neither FILE nor -e, start the REPL
    file: Option<PathBuf>,
    /// Arguments for the script, as its list `args`
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and resolve scripts without running them; report every error
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a script under many random schedules; report the first that fails
    Explore {
        file: PathBuf,
        /// How many schedules to try
        #[arg(long, default_value_t = 100)]
        runs: u64,
        /// The first schedule's seed
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Run each schedule with --race: any report fails it
        #[arg(long)]
        race: bool,
    },
    /// Run golden tests: each X.thr with an X.out, deterministically
    Test {
        /// Files or folders to search (default: the current folder)
        paths: Vec<PathBuf>,
        /// Write the expected files from the actual runs instead of comparing
        #[arg(long)]
        bless: bool,
        /// Run each test with --race
        #[arg(long)]
        race: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut engine = thr::Engine::new();
    engine.set_color(std::io::stderr().is_terminal());
    match cli.command {
        Some(Command::Check { files }) => check(&engine, &files),
        Some(Command::Test { paths, bless, race }) => test(paths, bless, race_flag(race)),
        Some(Command::Explore {
            file,
            runs,
            seed,
            race,
        }) => explore(&file, runs, seed, race_flag(race)),
        None => run(engine, cli.run),
    }
}

fn run(mut engine: thr::Engine, opts: RunArgs) -> ExitCode {
    if let Some(seed) = opts.seed {
        engine.set_seed(seed);
    }
    engine.set_deterministic(opts.deterministic || opts.schedule.is_some());
    engine.set_schedule(opts.schedule);
    engine.set_trace(opts.trace);
    engine.set_race(opts.race || opts.race_stop, opts.race_stop);
    let result = match (opts.code, opts.file) {
        (Some(code), file) => {
            // With -e there is no script file: every word is an argument.
            let first = file.map(|f| f.display().to_string());
            engine.set_args(first.into_iter().chain(opts.args).collect());
            engine.run_source("<-e>", &code)
        }
        (None, Some(file)) => {
            engine.set_args(opts.args);
            engine.run_file(&file)
        }
        (None, None) if opts.deterministic || opts.schedule.is_some() => {
            eprintln!("error: --deterministic runs a script (FILE or -e CODE), not the REPL");
            return ExitCode::from(2);
        }
        (None, None) if opts.race || opts.race_stop => {
            eprintln!("error: --race runs a script (FILE or -e CODE), not the REPL");
            return ExitCode::from(2);
        }
        (None, None) => return repl::run(engine),
    };
    status(result)
}

fn check(engine: &thr::Engine, files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        let result = std::fs::read_to_string(file)
            .map_err(|e| format!("error: cannot read {}: {e}\n", file.display()))
            .and_then(|text| {
                engine
                    .check(&file.display().to_string(), &text)
                    .map_err(|e| e.to_string())
            });
        match result {
            Ok(()) => println!("{}: ok", file.display()),
            Err(report) => {
                eprint!("{report}");
                failed = true;
            }
        }
    }
    ExitCode::from(failed as u8)
}

/// The options `thr test --race` and `thr explore --race` give each run.
fn race_flag(race: bool) -> Vec<String> {
    race.then(|| "--race".to_string()).into_iter().collect()
}

fn test(mut paths: Vec<PathBuf>, bless: bool, extra: Vec<String>) -> ExitCode {
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        eprintln!("error: {} does not exist", missing.display());
        return ExitCode::from(2);
    }
    with_exe(|exe, color| thr::golden::run_all(exe, &paths, bless, color, &extra))
}

fn explore(file: &std::path::Path, runs: u64, seed: u64, extra: Vec<String>) -> ExitCode {
    if !file.is_file() {
        eprintln!("error: cannot read {}", file.display());
        return ExitCode::from(2);
    }
    with_exe(|exe, color| thr::explore::explore(exe, file, runs.max(1), seed, color, &extra))
}

/// Runs a command that starts this `thr` executable for each script.
fn with_exe(command: impl FnOnce(&std::path::Path, bool) -> bool) -> ExitCode {
    let Ok(exe) = std::env::current_exe() else {
        eprintln!("error: cannot find the thr executable to run scripts with");
        return ExitCode::from(2);
    };
    let color = std::io::stdout().is_terminal();
    ExitCode::from(!command(&exe, color) as u8)
}

fn status(result: Result<(), thr::Error>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(e.status.clamp(0, 255) as u8),
    }
}
