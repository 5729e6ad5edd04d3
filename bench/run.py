#!/usr/bin/env python3
"""Thr vs CPython (and Lua) benchmark runner.

Every workload is written twice, bench/NAME.thr and bench/NAME.py, doing the
same work and printing the same result lines; the single-threaded ones also
as bench/NAME.lua. For each workload this script runs Thr, CPython and, when
a lua5.4 binary is found, Lua in turn (Thr, Py, Lua, Thr, Py, Lua, ...),
times each run's wall time, records each child's peak RSS (os.wait4), checks
that every run succeeded and that Thr and Lua printed exactly what CPython
printed, and prints a table (also written as JSON).

Lines a script prints that start with "#metric NAME VALUE" are measurements
made inside the script (e.g. the parallel speed-up): they are collected and
left out of the output comparison.

    python3 bench/run.py               # full mode: for measuring
    python3 bench/run.py --quick       # one small run each: proves the suite works
    python3 bench/run.py --thr PATH    # use this thr binary instead of building
    python3 bench/run.py --lua PATH    # the Lua to compare with (default: lua5.4 on PATH)

Exit status: 0 if every run succeeded and every output matched, else 1
(2 for a bad command line or a failed build).
Only the standard library is used.
"""

import argparse
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)

# name, kind, full-mode arguments, quick-mode arguments.
# kind: "single" (single-threaded; part of the geometric mean; also run with
# Lua), "startup" (a script that prints one line: what every run pays before
# its first statement and after its last; also run with Lua, not in the
# mean), "threads", "memory" (peak RSS is the point) or "idle" (the CPU
# time threads use while they wait is the point).
WORKLOADS = [
    ("startup", "startup", [], []),
    ("fib", "single", ["30"], ["20"]),
    ("loop", "single", ["3000000"], ["100000"]),
    ("strings", "single", ["200000"], ["10000"]),
    ("collections", "single", ["200000"], ["10000"]),
    ("records", "single", ["300000"], ["10000"]),
    ("nbody", "single", ["200000"], ["1000"]),
    ("wordcount", "single", ["1000000"], ["20000"]),
    ("parallel_fib", "threads", ["28"], ["20"]),
    ("lock_counter", "threads", ["200000"], ["20000"]),
    ("event_pingpong", "threads", ["20000"], ["2000"]),
    ("queue_1m", "threads", ["1000000"], ["50000"]),
    ("spawn_join", "threads", ["5000"], ["500"]),
    ("handoff", "threads", ["1000000"], ["20000"]),
    ("sleepers", "memory", ["1000", "1.0"], ["1000", "0.2"]),
    ("idle_waiters", "idle", ["1000", "3.0"], ["200", "0.2"]),
]

SLEEPERS_RSS_TARGET_MIB = 100

# The implementations a workload runs on: JSON key, how a diff names it, and
# its script's extension. CPython's output is the reference.
IMPLS = {
    "thr": ("thr", ".thr"),
    "python": ("python3", ".py"),
    "lua": ("lua5.4", ".lua"),
}


class RunResult:
    def __init__(self, ok, seconds, cpu_seconds, max_rss_kib, stdout, stderr, status, note=""):
        self.ok = ok
        self.seconds = seconds
        self.cpu_seconds = cpu_seconds
        self.max_rss_kib = max_rss_kib
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
        self.note = note


def find_gnu_time():
    """GNU time, if installed, reports a child's own peak RSS (see run_once)."""
    for path in ("/usr/bin/time", "/bin/time"):
        if os.access(path, os.X_OK):
            try:
                out = subprocess.run([path, "--version"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, timeout=10).stdout
            except (OSError, subprocess.SubprocessError):
                continue
            if b"GNU" in out:
                return path
    return None


def run_once(cmd, timeout, gnu_time):
    """Run cmd in bench/; return its wall time, peak RSS (KiB) and output.

    Peak RSS: on Linux a process's ru_maxrss starts at the peak RSS of the
    memory image it exec'd from, so a child spawned straight from this
    (~15 MiB) Python process never reports less than that. When GNU time is
    available the child is started through it: time is a small process that
    forks and execs the benchmark and reports the grandchild's own maximum RSS
    (wait4). Otherwise ru_maxrss comes from our own os.wait4 and small values
    are floored at this runner's RSS.
    """
    fd, rss_path = tempfile.mkstemp(prefix="thr-bench-rss-")
    os.close(fd)
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            full = ([gnu_time, "-f", "%M", "-o", rss_path] if gnu_time else []) + cmd
            timed_out = threading.Event()
            start = time.perf_counter()
            proc = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                    cwd=BENCH_DIR, start_new_session=True)

            def kill():
                timed_out.set()
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

            timer = threading.Timer(timeout, kill)
            timer.daemon = True
            timer.start()
            try:
                while True:
                    try:
                        _, status, usage = os.wait4(proc.pid, 0)
                        break
                    except InterruptedError:
                        continue
            finally:
                timer.cancel()
            elapsed = time.perf_counter() - start
            code = os.waitstatus_to_exitcode(status)
            proc.returncode = code  # reaped by wait4; keep Popen from waiting again
            if timed_out.is_set():
                try:  # the benchmark itself, if GNU time was killed first
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode("utf-8", "replace")
            stderr = err.read().decode("utf-8", "replace")
        rss = None
        if gnu_time:
            with open(rss_path, errors="replace") as f:
                lines = f.read().strip().splitlines()
            if lines and lines[-1].strip().isdigit():
                rss = int(lines[-1].strip())
        if rss is None:
            # ru_maxrss is in KiB on Linux (bytes on macOS).
            rss = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    finally:
        try:
            os.unlink(rss_path)
        except OSError:
            pass
    note = ""
    if timed_out.is_set():
        note = "timed out after %ss" % timeout
    elif code != 0:
        note = "exit status %d" % code
    # CPU time (user + system) of the child and its descendants: the GNU time
    # wrapper waited for the benchmark, so its rusage includes it.
    cpu = usage.ru_utime + usage.ru_stime
    return RunResult(code == 0 and not timed_out.is_set(), elapsed, cpu, rss, stdout, stderr,
                     code, note)


def split_output(text):
    """Return (lines to compare, metrics dict) from a script's stdout."""
    lines = []
    metrics = {}
    for line in text.splitlines():
        if line.startswith("#metric "):
            parts = line.split()
            if len(parts) >= 3:
                try:
                    metrics[parts[1]] = float(parts[2])
                except ValueError:
                    metrics[parts[1]] = parts[2]
            continue
        lines.append(line)
    return lines, metrics


def build_thr():
    print("building thr: cargo build --release (in %s)" % ROOT, file=sys.stderr, flush=True)
    proc = subprocess.run(["cargo", "build", "--release"], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout.decode("utf-8", "replace")[-4000:])
        print("error: cargo build --release failed", file=sys.stderr)
        sys.exit(2)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    if not os.path.isabs(target):
        target = os.path.join(ROOT, target)
    return os.path.join(target, "release", "thr")


def median(xs):
    return statistics.median(xs) if xs else None


def fmt_time(x):
    return "-" if x is None else "%.3f" % x


def fmt_mib(kib):
    return "-" if kib is None else "%.1f" % (kib / 1024.0)


def fmt_ratio(x):
    return "-" if x is None else "%.2fx" % x


def show_diff(name, impl, expected, got):
    import difflib
    label, ext = IMPLS[impl]
    diff = difflib.unified_diff(expected, got, "python3 %s.py" % name,
                                "%s %s%s" % (label, name, ext), lineterm="", n=1)
    for line in list(diff)[:40]:
        print("    " + line, file=sys.stderr)


def ratio(num, den):
    return (num / den) if (num and den) else None


def bench_workload(name, kind, wargs, runs, binaries, timeout, verbose, gnu_time):
    """Runs the workload on each implementation in `binaries` (JSON key ->
    interpreter path), in turn, `runs` times."""
    cmds = {impl: [path, name + IMPLS[impl][1]] + wargs for impl, path in binaries.items()}
    entry = {
        "name": name,
        "kind": kind,
        "args": wargs,
        "ok": True,
        "errors": [],
        "output": None,
    }
    for impl in cmds:
        entry[impl] = {"times_s": [], "cpu_s": [], "max_rss_kib": [], "metrics": {}}
    metrics_runs = {impl: [] for impl in cmds}
    for i in range(runs):
        round_runs = {}
        for impl, cmd in cmds.items():
            r = run_once(cmd, timeout, gnu_time)
            round_runs[impl] = r
            if verbose:
                print("  %-15s %-6s run %d: %.3fs wall, %.3fs cpu, %s MiB %s" % (
                    name, impl, i + 1, r.seconds, r.cpu_seconds, fmt_mib(r.max_rss_kib), r.note),
                    file=sys.stderr, flush=True)
            if not r.ok:
                fail(entry, "%s %s run %d failed (%s)" % (impl, name, i + 1, r.note))
                for line in (r.stderr.strip().splitlines() or ["(no stderr)"])[-15:]:
                    print("    " + line, file=sys.stderr)
                continue
            entry[impl]["times_s"].append(round(r.seconds, 4))
            entry[impl]["cpu_s"].append(round(r.cpu_seconds, 4))
            entry[impl]["max_rss_kib"].append(r.max_rss_kib)
            metrics_runs[impl].append(split_output(r.stdout)[1])
        if round_runs["python"].ok:
            compare_outputs(entry, name, i, round_runs)
    for impl in cmds:
        d = entry[impl]
        d["median_s"] = median(d["times_s"])
        d["median_cpu_s"] = median(d["cpu_s"])
        d["peak_rss_kib"] = max(d["max_rss_kib"]) if d["max_rss_kib"] else None
        keys = sorted({k for m in metrics_runs[impl] for k in m})
        for k in keys:
            vals = [m[k] for m in metrics_runs[impl] if isinstance(m.get(k), float)]
            if vals:
                d["metrics"][k] = median(vals)
    thr = entry["thr"]
    entry["ratio"] = ratio(entry["python"]["median_s"], thr["median_s"])
    entry["cpu_ratio"] = ratio(entry["python"]["median_cpu_s"], thr["median_cpu_s"])
    if "lua" in entry:
        entry["lua_ratio"] = ratio(entry["lua"]["median_s"], thr["median_s"])
        entry["lua_cpu_ratio"] = ratio(entry["lua"]["median_cpu_s"], thr["median_cpu_s"])
    return entry


def compare_outputs(entry, name, i, round_runs):
    """Checks one round's outputs against CPython's, recording failures."""
    py_lines, _ = split_output(round_runs["python"].stdout)
    if entry["output"] is None:
        entry["output"] = py_lines
    if not py_lines:
        fail(entry, "%s run %d: the scripts printed no result" % (name, i + 1))
    for impl, r in round_runs.items():
        if impl == "python" or not r.ok:
            continue
        lines, _ = split_output(r.stdout)
        if lines != py_lines:
            fail(entry, "%s run %d: %s output differs from CPython output" % (
                name, i + 1, "Thr" if impl == "thr" else "Lua"))
            show_diff(name, impl, py_lines, lines)


def fail(entry, msg):
    entry["ok"] = False
    entry["errors"].append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def geomean(xs):
    xs = [x for x in xs if x]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def single_thread_geomean(results, key):
    """The geometric mean of one ratio over the single-threaded workloads."""
    return geomean([e.get(key) for e in results if e["kind"] == "single"])


def find_lua(path):
    """The Lua interpreter to compare with and its version, or (None, None)
    when none was given and lua5.4 is not on PATH. A --lua that cannot run
    ends the runner with status 2."""
    lua = os.path.abspath(path) if path else shutil.which("lua5.4")
    if lua is None:
        return None, None
    try:
        out = subprocess.run([lua, "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             check=True, timeout=10).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError) as e:
        print("error: cannot run %s: %s" % (lua, e), file=sys.stderr)
        sys.exit(2)
    return lua, " ".join(out.split()[:2])


def print_table(results, out=sys.stdout):
    with_lua = any("lua" in e for e in results)
    header = ["workload", "args", "Thr s", "CPython s", "ratio", "cpu ratio"]
    if with_lua:
        header += ["Lua s", "Lua/Thr", "Lua/Thr cpu"]
    header += ["Thr MiB", "Py MiB"] + (["Lua MiB"] if with_lua else []) + ["note"]
    rows = []
    for e in results:
        note = ""
        if e["name"] == "parallel_fib":
            ts = e["thr"]["metrics"].get("speedup")
            ps = e["python"]["metrics"].get("speedup")
            note = "2-thread speed-up: Thr %s, CPython %s" % (fmt_ratio(ts), fmt_ratio(ps))
        elif e["kind"] == "memory":
            rss = e["thr"]["peak_rss_kib"]
            if rss is not None:
                okay = rss / 1024.0 < SLEEPERS_RSS_TARGET_MIB
                note = "Thr peak RSS %s MiB (target < %d MiB: %s)" % (
                    fmt_mib(rss), SLEEPERS_RSS_TARGET_MIB, "ok" if okay else "MISSED")
        elif e["kind"] == "startup":
            note = "start to exit: Thr %.1f ms, CPython %.1f ms" % (
                1000 * e["thr"]["median_s"], 1000 * e["python"]["median_s"])
        elif e["kind"] == "idle":
            note = "CPU while waiting: Thr %.3fs, CPython %.3fs" % (
                e["thr"]["median_cpu_s"], e["python"]["median_cpu_s"])
        if not e["ok"]:
            note = ("FAILED; " + note).rstrip("; ")
        lua = e.get("lua", {})
        row = [
            e["name"], " ".join(e["args"]),
            fmt_time(e["thr"]["median_s"]), fmt_time(e["python"]["median_s"]),
            fmt_ratio(e["ratio"]), fmt_ratio(e["cpu_ratio"]),
        ]
        if with_lua:
            row += [fmt_time(lua.get("median_s")), fmt_ratio(e.get("lua_ratio")),
                    fmt_ratio(e.get("lua_cpu_ratio"))]
        row += [fmt_mib(e["thr"]["peak_rss_kib"]), fmt_mib(e["python"]["peak_rss_kib"])]
        if with_lua:
            row.append(fmt_mib(lua.get("peak_rss_kib")))
        rows.append(row + [note])
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    right = set(range(2, len(header) - 1))

    def line(cells):
        parts = []
        for i, c in enumerate(cells):
            if i == len(cells) - 1:
                parts.append(str(c))
            elif i in right:
                parts.append(str(c).rjust(widths[i]))
            else:
                parts.append(str(c).ljust(widths[i]))
        return "  ".join(parts).rstrip()

    print(line(header), file=out)
    print(line(["-" * w for w in widths[:-1]] + ["-" * 4]), file=out)
    for r in rows:
        print(line(r), file=out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="one run of each pair with small inputs (a smoke test for CI)")
    ap.add_argument("--runs", type=int, default=None,
                    help="runs of each implementation per workload (default 5, or 1 with --quick)")
    ap.add_argument("--thr", metavar="PATH",
                    help="thr binary to use (default: cargo build --release, then target/release/thr)")
    ap.add_argument("--python", metavar="PATH", default=sys.executable,
                    help="Python interpreter to compare with (default: the one running this script)")
    ap.add_argument("--lua", metavar="PATH",
                    help="Lua 5.4 interpreter to compare with on the single-threaded workloads "
                         "(default: lua5.4 on PATH; without one the Lua columns are left out)")
    ap.add_argument("--json", metavar="PATH",
                    help="where to write the JSON results (default bench/results.json, "
                         "or bench/results-quick.json with --quick)")
    ap.add_argument("--only", metavar="NAMES",
                    help="comma-separated workload names to run (default: all)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds before a run is killed and counted as failed "
                         "(default 300, or 60 with --quick)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every run as it finishes")
    opts = ap.parse_args()

    runs = opts.runs if opts.runs is not None else (1 if opts.quick else 5)
    if runs < 1:
        ap.error("--runs must be at least 1")
    timeout = opts.timeout or (60.0 if opts.quick else 300.0)
    json_path = opts.json or os.path.join(
        BENCH_DIR, "results-quick.json" if opts.quick else "results.json")
    selected = WORKLOADS
    if opts.only:
        names = [n.strip() for n in opts.only.split(",") if n.strip()]
        known = {w[0] for w in WORKLOADS}
        bad = [n for n in names if n not in known]
        if bad:
            ap.error("unknown workload(s): %s (known: %s)" % (
                ", ".join(bad), ", ".join(w[0] for w in WORKLOADS)))
        selected = [w for w in WORKLOADS if w[0] in names]

    if opts.thr:
        thr = os.path.abspath(opts.thr)
    else:
        thr = build_thr()
    if not os.access(thr, os.X_OK):
        print("error: no executable thr at %s" % thr, file=sys.stderr)
        sys.exit(2)
    python = opts.python
    try:
        pyver = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                               stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    except (OSError, subprocess.CalledProcessError) as e:
        print("error: cannot run %s: %s" % (python, e), file=sys.stderr)
        sys.exit(2)

    lua, luaver = find_lua(opts.lua)

    mode = "quick" if opts.quick else "full"
    gnu_time = find_gnu_time()
    rss_method = ("GNU time %M (the child's own peak RSS)" if gnu_time else
                  "os.wait4 ru_maxrss (floored at the runner's own RSS)")
    print("mode: %s, runs per implementation: %d, thr: %s, python: %s (%s), lua: %s" % (
        mode, runs, thr, python, pyver, "%s (%s)" % (lua, luaver) if lua else "none"),
        file=sys.stderr, flush=True)

    started = time.time()
    results = []
    for name, kind, full_args, quick_args in selected:
        wargs = quick_args if opts.quick else full_args
        print("running %s %s ..." % (name, " ".join(wargs)), file=sys.stderr, flush=True)
        binaries = {"thr": thr, "python": python}
        if lua and kind in ("single", "startup") and os.path.exists(os.path.join(BENCH_DIR, name + ".lua")):
            binaries["lua"] = lua
        results.append(bench_workload(name, kind, wargs, runs, binaries, timeout,
                                      opts.verbose, gnu_time))
    elapsed = time.time() - started

    gm = single_thread_geomean(results, "ratio")
    gm_cpu = single_thread_geomean(results, "cpu_ratio")
    gm_lua = single_thread_geomean(results, "lua_ratio")
    gm_lua_cpu = single_thread_geomean(results, "lua_cpu_ratio")
    failures = [msg for e in results for msg in e["errors"]]

    print()
    print("Thr vs CPython %s (%s mode, median of %d run%s; ratio = CPython wall time / Thr wall "
          "time, >1 means Thr is faster;" % (pyver, mode, runs, "" if runs == 1 else "s"))
    print("cpu ratio = the same for user+system CPU time, steadier on a busy machine)")
    if lua:
        print("Lua/Thr = %s wall time / Thr wall time, <1 means Lua is faster; "
              "Lua/Thr cpu = the same for CPU time" % luaver)
    print()
    print_table(results)
    print()
    print("geometric mean of single-thread ratios (%s): %s" % (
        ", ".join(e["name"] for e in results if e["kind"] == "single"), fmt_ratio(gm)))
    print("geometric mean of single-thread cpu ratios: %s" % fmt_ratio(gm_cpu))
    if lua:
        print("geometric mean of single-thread Lua/Thr ratios: %s (cpu: %s)" % (
            fmt_ratio(gm_lua), fmt_ratio(gm_lua_cpu)))
    else:
        print("Lua: no lua5.4 on PATH (install it, or give --lua PATH); "
              "the Lua columns are left out")
    print("peak RSS measured with %s" % rss_method)
    print("total benchmark time: %.1fs" % elapsed)

    doc = {
        "mode": mode,
        "runs": runs,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "elapsed_s": round(elapsed, 2),
        "thr": thr,
        "python": python,
        "python_version": pyver,
        "lua": lua,
        "lua_version": luaver,
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
        "rss_method": rss_method,
        "ratio_definition": "CPython median time / Thr median time (>1: Thr is faster)",
        "lua_ratio_definition": "Lua median time / Thr median time (<1: Lua is faster)",
        "time_definition": "times_s: wall time of each run including process start-up; "
                           "cpu_s: user + system CPU time of each run",
        "workloads": results,
        "geomean_single_thread_ratio": gm,
        "geomean_single_thread_cpu_ratio": gm_cpu,
        "geomean_single_thread_lua_ratio": gm_lua,
        "geomean_single_thread_lua_cpu_ratio": gm_lua_cpu,
        "ok": not failures,
        "failures": failures,
    }
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print("results written to %s" % json_path)

    if failures:
        print()
        print("%d failure(s):" % len(failures))
        for msg in failures:
            print("  " + msg)
        sys.exit(1)


if __name__ == "__main__":
    main()
