//! The commands over scripts: `thr check`, `thr test` and `thr explore`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use super::args::{Color, ExploreArgs, TestArgs};
use super::{existing_path, readable_file, usage_error};

/// `thr check FILE...`: parses and resolves each file, reporting every error.
pub fn check(files: &[PathBuf], color: Color) -> ExitCode {
    if let Some(message) = files.iter().find_map(|f| readable_file(f).err()) {
        return usage_error(&message);
    }
    let engine = thr::Engine::new();
    let color = color.stderr();
    let mut failed = false;
    for file in files {
        let name = file.display().to_string();
        let result = std::fs::read(file)
            .map_err(|e| format!("error: cannot read {name}: {e}\n"))
            .and_then(|bytes| {
                thr::cli_support::source_text(&name, &bytes, color)
                    .and_then(|text| engine.check(&name, text))
                    .map_err(|e| e.to_string())
            });
        match result {
            Ok(()) => println!("{name}: ok"),
            Err(report) => {
                eprint!("{report}");
                failed = true;
            }
        }
    }
    ExitCode::from(failed as u8)
}

/// `thr test`: the golden tests under the paths given (default `.`).
pub fn test(opts: TestArgs, color: Color) -> ExitCode {
    let mut paths = opts.paths;
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    if let Some(message) = paths.iter().find_map(|p| existing_path(p).err()) {
        return usage_error(&message);
    }
    let limit = match time_limit(opts.timeout) {
        Ok(limit) => limit,
        Err(message) => return usage_error(&message),
    };
    let extra = race_flag(opts.race);
    with_exe(|exe| {
        let suite = thr::cli_support::Suite {
            exe,
            bless: opts.bless,
            limit,
            color: color.stdout(),
            progress: std::io::IsTerminal::is_terminal(&std::io::stdout()),
            extra: &extra,
        };
        suite.run_all(&paths)
    })
}

/// `thr explore FILE`: runs it under many schedules.
pub fn explore(opts: ExploreArgs, color: Color) -> ExitCode {
    if let Err(message) = readable_file(&opts.file) {
        return usage_error(&message);
    }
    if opts.runs == 0 {
        return usage_error("--runs 0: give at least one run");
    }
    let limit = time_limit(10.0).expect("10 s is a time limit");
    let extra = race_flag(opts.race);
    with_exe(|exe| {
        let color = color.stdout();
        thr::cli_support::explore(exe, &opts.file, opts.runs, opts.seed, limit, color, &extra)
    })
}

/// The options `thr test --race` and `thr explore --race` give each run.
fn race_flag(race: bool) -> Vec<String> {
    race.then(|| "--race".to_string()).into_iter().collect()
}

fn time_limit(secs: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("--timeout {secs}: give a positive number of seconds"))
}

/// Runs a command that starts this `thr` executable for each script.
fn with_exe(command: impl FnOnce(&Path) -> bool) -> ExitCode {
    let Ok(exe) = std::env::current_exe() else {
        eprintln!("error: cannot find the thr executable to run scripts with");
        return ExitCode::from(super::USAGE);
    };
    ExitCode::from(!command(&exe) as u8)
}
