//! Golden tests: every `scripts/X.thr` runs through the `thr` binary as its own
//! test, and its stdout, stderr and exit status must equal `X.out`, `X.err`
//! (empty when absent) and `X.status` (0 when absent). Options for the run,
//! such as `--seed 7`, go in `X.args`. `BLESS=1 cargo test` rewrites the files.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};
use similar::TextDiff;

const TIME_LIMIT: Duration = Duration::from_secs(60);

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(root.join("scripts"))
        .expect("scripts/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "thr"))
        .collect();
    scripts.sort();
    let trials = scripts
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            Trial::test(name, move || check(&path))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

struct Run {
    stdout: String,
    stderr: String,
    status: i32,
}

fn run(script: &Path) -> Result<Run, Failed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = std::fs::read_to_string(script.with_extension("args")).unwrap_or_default();
    let relative = script.strip_prefix(root).unwrap_or(script);
    let mut child = Command::new(env!("CARGO_BIN_EXE_thr"))
        .current_dir(root)
        .args(options.split_whitespace())
        .arg(relative)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start thr: {e}"))?;
    let started = Instant::now();
    while child.try_wait()?.is_none() {
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            return Err(format!("still running after {TIME_LIMIT:?}: killed").into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output()?;
    Ok(Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        status: output.status.code().unwrap_or(-1),
    })
}

fn check(script: &Path) -> Result<(), Failed> {
    let got = run(script)?;
    if std::env::var_os("BLESS").is_some() {
        return bless(script, &got);
    }
    let mut problems = String::new();
    let expected =
        |ext: &str| std::fs::read_to_string(script.with_extension(ext)).unwrap_or_default();
    compare("stdout", &expected("out"), &got.stdout, &mut problems);
    compare("stderr", &expected("err"), &got.stderr, &mut problems);
    let want_status: i32 = expected("status").trim().parse().unwrap_or(0);
    if want_status != got.status {
        problems.push_str(&format!(
            "exit status: expected {want_status}, got {}\n",
            got.status
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.into())
    }
}

fn compare(what: &str, want: &str, got: &str, problems: &mut String) {
    if want == got {
        return;
    }
    let diff = TextDiff::from_lines(want, got);
    problems.push_str(&format!(
        "{what} differs (- expected, + got):\n{}",
        diff.unified_diff()
            .context_radius(3)
            .header("expected", "got")
    ));
}

fn bless(script: &Path, got: &Run) -> Result<(), Failed> {
    std::fs::write(script.with_extension("out"), &got.stdout)?;
    write_or_remove(&script.with_extension("err"), &got.stderr)?;
    let status = if got.status == 0 {
        String::new()
    } else {
        format!("{}\n", got.status)
    };
    write_or_remove(&script.with_extension("status"), &status)?;
    Ok(())
}

fn write_or_remove(path: &Path, text: &str) -> std::io::Result<()> {
    if text.is_empty() {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    } else {
        std::fs::write(path, text)
    }
}
