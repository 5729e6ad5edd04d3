#!/usr/bin/env python3
"""Write bench/hot-code.ld: the functions a run uses, laid out together.

A run of thr touches a few hundred of the binary's thousands of functions,
but the kernel maps code 64 KiB at a time around each page touched
(fault-around), so functions scattered through 2.5 MB of code keep most
of it resident. build.rs hands this linker script to the linker, which
places the listed functions first, in one block, and everything else after.

The list is made by running every workload of bench/run.py (quick size)
under callgrind and keeping each function of the thr binary that ran:
those every workload runs first, then those fewer run, hottest first
among equals. A function is named by a section-name pattern without the
hash the compiler appends (the hash differs between checkouts and
toolchains), so the list stays valid until the code is renamed. A function
it misses is only placed among the rest: the list being stale costs memory,
never correctness. Regenerate it after large changes:

    cargo build --release && python3 bench/hot_code.py
    python3 bench/hot_code.py --check    # how much of the list is stale

The check fails when more than a tenth of the list is gone.

Needs valgrind. Only the standard library is used.
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
sys.path.insert(0, BENCH_DIR)
import run  # noqa: E402  (the workload list)

# Legacy mangling ends a name with "17h" and a 16-digit hash; v0 mangling
# names a crate with "Cs<disambiguator>_". Both become wildcards, and so
# does the end of a v0 name, where a local copy's suffix goes.
LEGACY_HASH = re.compile(r"17h[0-9a-f]{16}E$")
V0_CRATE = re.compile(r"Cs[0-9A-Za-z]+_")
LOCAL_SUFFIX = re.compile(r"\.(llvm\.)?\d+$")


def self_costs(callgrind_out, binary):
    """Self instruction counts of the functions of `binary` in one profile.

    Valgrind puts code outside a binary's .text section under no object
    ("???"): once the binary has its hot section, that is where it is."""
    binaries = (binary, "???")
    names = {}
    costs = collections.Counter()
    current_ob = current_fn = None
    skip_next = False
    obs = {}

    def define(table, spec):
        # "(12) name" defines id 12; "(12)" refers to it.
        m = re.match(r"\((\d+)\)(?: (.*))?", spec)
        if m.group(2) is not None:
            table[m.group(1)] = m.group(2)
        return table.get(m.group(1))

    with open(callgrind_out, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("ob="):
                current_ob = define(obs, line[3:])
            elif line.startswith("cob="):
                define(obs, line[4:])
            elif line.startswith("fn="):
                name = define(names, line[3:])
                current_fn = name if current_ob in binaries else None
            elif line.startswith("cfn="):
                define(names, line[4:])
            elif line.startswith("calls="):
                skip_next = True
            elif line[:1].isdigit() or line[:1] in "+-*":
                if skip_next:
                    skip_next = False
                elif current_fn is not None:
                    parts = line.split()
                    if len(parts) >= 2:
                        costs[current_fn] += int(parts[1])
    return costs


def pattern(symbol):
    """The section-name pattern for a function, without its hashes."""
    symbol = re.sub(r"'\d+$", "", symbol)  # callgrind's recursion marker
    if not symbol.startswith(("_ZN", "_R")):
        return None
    # LLVM tells apart copies of a local function by a suffix (".2118",
    # ".llvm.4711") that changes from build to build.
    symbol = LOCAL_SUFFIX.sub("", symbol)
    if LEGACY_HASH.search(symbol):
        symbol = LEGACY_HASH.sub("17h*", symbol)
    else:
        symbol = V0_CRATE.sub("Cs*_", symbol) + "*"
    # LLVM puts a function it judges cold in ".text.unlikely.NAME", others
    # in ".text.NAME"; the wildcard takes both.
    return ".text.*" + symbol


def profile(thr, name, args):
    with tempfile.NamedTemporaryFile(prefix="thr-hot-", delete=False) as tmp:
        out = tmp.name
    try:
        cmd = ["valgrind", "--tool=callgrind", "--demangle=no",
               "--callgrind-out-file=" + out, thr,
               os.path.join(BENCH_DIR, name + ".thr")] + args
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return self_costs(out, os.path.realpath(thr))
    finally:
        os.unlink(out)


def check(thr, script):
    """Say how much of the list names functions that still exist."""
    listed = re.findall(r"\*\((\S+)\)", open(script).read())
    symbols = subprocess.run(["nm", "--defined-only", thr], check=True,
                             capture_output=True, text=True).stdout
    present = {pattern(line.split()[-1]) for line in symbols.splitlines()}
    stale = [p for p in listed if p not in present]
    print("%d of %d listed functions are in %s" % (len(listed) - len(stale), len(listed), thr))
    for p in stale:
        print("  gone:", p)
    if len(stale) * 10 > len(listed):
        print("more than a tenth is gone: regenerate the list with\n"
              "  cargo build --release && python3 bench/hot_code.py")
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thr", default=os.path.join(ROOT, "target", "release", "thr"))
    parser.add_argument("--script", default=os.path.join(BENCH_DIR, "hot-code.ld"))
    parser.add_argument("--check", action="store_true",
                        help="only say how many listed functions the binary still has")
    opts = parser.parse_args()
    if opts.check:
        sys.exit(check(opts.thr, opts.script))

    total = collections.Counter()
    users = collections.Counter()
    for name, _kind, _full, quick in run.WORKLOADS:
        print("profiling", name, file=sys.stderr)
        patterns = collections.Counter()
        for symbol, cost in profile(opts.thr, name, quick).items():
            p = pattern(symbol)
            if p is not None:
                patterns[p] += cost
        total.update(patterns)
        users.update(patterns.keys())

    # What every run uses first, then what fewer runs use, so that a run
    # keeps a short prefix and a few pieces resident rather than the whole
    # list; hottest first among equals, then by name, so that the file is
    # the same every time. (Keeping the compiler's order within each group
    # instead was no faster and kept 0.1 MiB more resident.)
    ordered = sorted(total, key=lambda p: (-users[p], -total[p], p))
    with open(opts.script, "w") as f:
        f.write("/* The functions bench's workloads run, placed before the rest of\n"
                "   the code. Generated by bench/hot_code.py; do not edit. */\n"
                "SECTIONS\n{\n  .text.thr_hot :\n  {\n")
        for p in ordered:
            f.write("    *(%s)\n" % p)
        f.write("  }\n}\nINSERT BEFORE .text;\n")
    print("%d functions -> %s" % (len(total), opts.script), file=sys.stderr)


if __name__ == "__main__":
    main()
