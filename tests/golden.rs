//! The project's golden suite: every `scripts/X.thr` with an `X.out` is its
//! own test, run and compared by the same code as `thr test`
//! (`thr::golden`). `BLESS=1 cargo test --release --test golden` rewrites the
//! expected files from the actual runs.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Paths in diagnostics are relative to the project root, as `thr test scripts` prints them.
    std::env::set_current_dir(root).expect("the project root exists");
    let bless = std::env::var_os("BLESS").is_some();
    let trials = thr::golden::discover(&[PathBuf::from("scripts")])
        .into_iter()
        .map(|case| {
            let name = case.name().trim_start_matches("scripts/").to_string();
            Trial::test(name, move || {
                let exe = Path::new(env!("CARGO_BIN_EXE_thr"));
                let got = thr::golden::run(exe, &case)?;
                if bless {
                    thr::golden::bless(&case, &got).map_err(Failed::from)
                } else {
                    thr::golden::check(&case, &got, false).map_err(Failed::from)
                }
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
