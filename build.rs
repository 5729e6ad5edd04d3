fn main() {
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .set_out_dir(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .emit_rerun_directives(true)
        .process()
        .expect("grammar/thr.lalrpop failed to compile: the conflict report is in the build script's stdout");
    hot_code_first();
    packed_relocations();
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

/// Packs the binary's relative relocations (`-z pack-relative-relocs`):
/// the dynamic loader then reads 2 KiB of them at start instead of 180 KiB,
/// and every run keeps that much less resident (records 0.2 MiB). A binary
/// packed so needs glibc 2.36 or later to start, so this is only done when
/// building for the machine that builds, and its glibc has it.
fn packed_relocations() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    let gnu_linux = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    if native && gnu_linux && glibc_version().is_some_and(|v| v >= (2, 36)) {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// This machine's glibc version, from `getconf GNU_LIBC_VERSION`
/// ("glibc 2.36").
fn glibc_version() -> Option<(u32, u32)> {
    let out = std::process::Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let (major, minor) = text.trim().strip_prefix("glibc ")?.split_once('.')?;
    let minor = minor.split(|c: char| !c.is_ascii_digit()).next()?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}
