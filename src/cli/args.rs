//! The command line's grammar (clap): options of a run come before the
//! script, and everything after the script belongs to it, as with
//! `python FILE ARGS`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "thr",
    version,
    about = "Thr: a scripting language with real parallel threads",
    after_help = "Options of a run come before FILE: every word after FILE is the script's, \
                  in its list `args`.\nExit status: 0; 1 for a script error or a deadlock; \
                  2 for a bad command line; 130 after Ctrl-C."
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
    /// When to colour diagnostics and diffs (NO_COLOR turns `auto` off)
    #[arg(
        long,
        value_enum,
        default_value_t = Color::Auto,
        global = true,
        value_name = "WHEN",
        help_heading = "Options"
    )]
    pub color: Color,
}

#[derive(Args)]
pub struct RunArgs {
    /// Seed for random(), randint() and friends
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// One thread at a time, virtual time: the same output on every run
    #[arg(long)]
    pub deterministic: bool,
    /// Write a timeline of the run (threads and their waits) as Chrome trace JSON
    #[arg(long, value_name = "FILE.json")]
    pub trace: Option<PathBuf>,
    /// Replay a schedule found by `thr explore` (implies --deterministic)
    #[arg(long, value_name = "N")]
    pub schedule: Option<u64>,
    /// Report data races and lock-order inversions (potential deadlocks)
    #[arg(long, overrides_with = "race")]
    pub race: bool,
    /// Like --race, and stop the run at the first report
    #[arg(long, overrides_with = "race_stop")]
    pub race_stop: bool,
    /// Run CODE instead of a file; every word after it is in `args`
    #[arg(short = 'e', value_name = "CODE")]
    pub code: Option<String>,
    /// After running the script, open the REPL with its names
    #[arg(short = 'i')]
    pub interactive: bool,
    /// The limits the run is held to
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The script (`-` reads it from stdin), then its arguments, as its list `args`;
    /// with neither FILE nor -e, start the REPL
    #[arg(
        value_name = "FILE [ARGS]",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub script: Vec<String>,
}

/// The limits of a run (docs/guide/limits.md): each is an option, with the
/// engine's default when it is not given.
#[derive(Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitArgs {
    /// Stop the run with a TimeoutError after SECS seconds
    #[arg(long, value_name = "SECS")]
    pub deadline: Option<f64>,
    /// Stop the run with a TimeoutError after N operations (calls and loop turns)
    #[arg(long, value_name = "N")]
    pub max_operations: Option<u64>,
    /// Nested calls before a RecursionError [default: 1000; at most 500000]
    #[arg(long, value_name = "N")]
    pub max_call_depth: Option<usize>,
    /// Threads alive at once before spawn() fails [default: 10000]
    #[arg(long, value_name = "N")]
    pub max_threads: Option<usize>,
    /// Bytes in one string before a MemoryError [default: 1073741824]
    #[arg(long, value_name = "BYTES")]
    pub max_string_size: Option<usize>,
    /// Items in one list before a MemoryError [default: 134217728]
    #[arg(long, value_name = "N")]
    pub max_list_size: Option<usize>,
    /// Entries in one map before a MemoryError [default: 67108864]
    #[arg(long, value_name = "N")]
    pub max_map_size: Option<usize>,
}

impl LimitArgs {
    /// Sets the limits given on `limits`, or says which option is wrong.
    pub fn apply(&self, limits: &mut thr::Limits) -> Result<(), String> {
        if let Some(secs) = self.deadline {
            limits.deadline = Some(
                std::time::Duration::try_from_secs_f64(secs)
                    .map_err(|_| format!("--deadline {secs}: give a number of seconds"))?,
            );
        }
        let set = |slot: &mut usize, v: Option<usize>| *slot = v.unwrap_or(*slot);
        set(&mut limits.max_call_depth, self.max_call_depth);
        set(&mut limits.max_threads, self.max_threads);
        set(&mut limits.max_string_size, self.max_string_size);
        set(&mut limits.max_list_size, self.max_list_size);
        set(&mut limits.max_map_size, self.max_map_size);
        limits.max_operations = self.max_operations.or(limits.max_operations);
        limits.validate()
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Parse and resolve scripts without running them; report every error
    Check {
        /// The scripts to check
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Run a script under many random schedules; report the first that fails
    Explore(ExploreArgs),
    /// Run golden tests: each X.thr with its X.out (and X.err, X.status, X.args)
    Test(TestArgs),
}

#[derive(Args)]
pub struct ExploreArgs {
    /// The script; its golden files (X.out, X.err, X.status, X.args) say what a passing run is
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// How many schedules to try
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub runs: u64,
    /// The first schedule's seed
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Run each schedule with --race: any report fails it
    #[arg(long)]
    pub race: bool,
}

#[derive(Args)]
pub struct TestArgs {
    /// Scripts or folders to search, recursively (default: the current folder)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write the golden files from the actual runs (also for scripts that have none)
    #[arg(long)]
    pub bless: bool,
    /// Fail a test still running after SECS seconds, and go on with the others
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub timeout: f64,
    /// Run each test with --race: any report fails it
    #[arg(long)]
    pub race: bool,
}

/// `--color`: when to write ANSI colours.
#[derive(Clone, Copy, ValueEnum)]
pub enum Color {
    /// When writing to a terminal and NO_COLOR is not set
    Auto,
    /// Always, even into a file or a pipe
    Always,
    /// Never
    Never,
}

impl Color {
    /// Whether to colour what goes to a stream that `is_terminal` or not.
    pub fn on(self, is_terminal: bool) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    /// Colour for diagnostics, on stderr.
    pub fn stderr(self) -> bool {
        self.on(std::io::stderr().is_terminal())
    }

    /// Colour for reports and diffs, on stdout.
    pub fn stdout(self) -> bool {
        self.on(std::io::stdout().is_terminal())
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument of every command says what it is for in `--help`.
    #[test]
    fn every_argument_has_help() {
        let mut missing = Vec::new();
        let cli = super::Cli::command();
        let commands = std::iter::once(&cli).chain(cli.get_subcommands());
        for command in commands {
            for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
                if arg.get_help().is_none() {
                    missing.push(format!("{} {}", command.get_name(), arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "no help for: {missing:?}");
    }
}
