//! The project's golden suite: every `scripts/X.thr` with an `X.out` is its
//! own test, run and compared by the same code as `thr test`
//! (`thr::cli_support`). `BLESS=1 cargo test --release --test golden`
//! rewrites the expected files from the actual runs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use libtest_mimic::{Arguments, Failed, Trial};

/// Generous: the tests share two cores with everything else cargo runs.
const TIME_LIMIT: Duration = Duration::from_secs(60);

fn main() {
    let args = Arguments::from_args();
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    let bless = std::env::var_os("BLESS").is_some();
    let trials = thr::cli_support::discover(&[PathBuf::from(&scripts)])
        .into_iter()
        .filter(|case| case.has_golden())
        .map(|case| {
            let name = case.script.strip_prefix(&scripts).unwrap_or(&case.script);
            let name = name.with_extension("").display().to_string();
            Trial::test(name, move || {
                let exe = Path::new(env!("CARGO_BIN_EXE_thr"));
                let got = thr::cli_support::run(exe, &case, &[], TIME_LIMIT)?;
                if bless {
                    thr::cli_support::bless(&case, &got).map_err(Failed::from)
                } else {
                    thr::cli_support::check(&case, &got, false).map_err(Failed::from)
                }
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
