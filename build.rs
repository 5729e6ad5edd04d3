fn main() {
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .set_out_dir(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .emit_rerun_directives(true)
        .process()
        .expect("grammar/thr.lalrpop failed to compile: the conflict report is in the build script's stdout");
    hot_code_first();
}

/// Lays out the functions a run uses together, first in the code, so that a
/// run keeps less of the binary resident: records' peak memory 6.2 → 4.9 MiB
/// (bench/hot_code.py says how the list is made, bench/SPEED.md what it
/// bought). Only on Linux, whose linkers (lld, GNU ld) read the script;
/// `THR_PLAIN_LAYOUT=1` leaves it out, for a linker that does not.
fn hot_code_first() {
    let script = "bench/hot-code.ld";
    println!("cargo::rerun-if-changed={script}");
    println!("cargo::rerun-if-env-changed=THR_PLAIN_LAYOUT");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let plain = std::env::var_os("THR_PLAIN_LAYOUT").is_some_and(|v| v == "1");
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let path = std::path::Path::new(&dir).join(script);
    // Without the file (a package that left bench/ out) the code is laid
    // out as the compiler emits it; the binary works the same.
    if linux && !plain && path.exists() {
        // Two arguments, not "-Wl,-T,PATH", which a comma in the path splits.
        println!("cargo::rustc-link-arg-bins=-T");
        println!("cargo::rustc-link-arg-bins={}", path.display());
    }
}
