//! `thr`: the command line over [`thr::Engine`] (LANGUAGE.md §8).

mod cli;
mod repl;

use std::process::ExitCode;

use clap::Parser;

use cli::args::{Cli, Command};

/// Script threads keep a deeper cache of small free blocks than glibc's.
#[global_allocator]
static ALLOCATOR: thr::BlockCache = thr::BlockCache;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli.color;
    match cli.command {
        Some(Command::Check { files }) => cli::suite::check(&files, color),
        Some(Command::Test(opts)) => cli::suite::test(opts, color),
        Some(Command::Explore(opts)) => cli::suite::explore(opts, color),
        None => cli::run::run(cli.run, color),
    }
}
