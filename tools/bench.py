#!/usr/bin/env python3
"""Runs gort's benchmarks side by side with their Go twins and writes docs/benchmarks.md.

Each workload in tests/bench is a gort program (NAME.cpp) and a Go program (NAME.go) that
take the same arguments and print one line, `BENCH <name> <value> <unit>`. This runner
(called by `make bench`, after `make` has built both sides into build/bench/{gort,go}):

  1. runs each workload the agreed number of times, alternating gort and Go (A B A B ...)
     so that drifts of a noisy machine hit both sides alike;
  2. takes the median and the spread (min-max) of each side, and the ratio gort/Go of the
     medians (below 1 means gort is faster or smaller);
  3. adds derived rows (fib's speed-up from GOMAXPROCS=1 to 2) and outside measurements
     (hello-world binary size, start-up time);
  4. writes a Markdown table with the machine, date and toolchain versions.

The collector's workloads (binary-trees, GCBench, pauses with 100,000 goroutines parked) have
a third twin on Boehm's collector (NAME_boehm.c) and print, besides their BENCH line, the
checksum lines of the program (compared across twins: a mismatch stops the run) and
`PAUSES <pauses> <p50> <p99> <max>` (microseconds); their table also gets peak RSS rows.

--quick uses fewer runs and smaller sizes (about a minute) and writes
build/bench/benchmarks-quick.md instead, so the committed figures always come from a full run.
--only WORD runs only the workloads whose label or program name contains WORD and writes
build/bench/benchmarks-only.md (for trying one workload; docs/benchmarks.md is untouched).
"""
import argparse
import datetime
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bench")
PEAK_RSS = os.path.join(BIN, "peak_rss")  # the launcher that measures peak RSS (run_child)

# (label, program, full args, quick args (None: skipped in quick mode), environment,
#  full runs, quick runs). The two fib rows also give the speed-up row (FIB_P1, FIB_P2).
WORKLOADS = [
    ("goroutine spawn-and-exit, {0}, GOMAXPROCS=1", "spawn", ["1000000"], ["200000"], {"GOMAXPROCS": "1"}, 11, 3),
    ("goroutine spawn-and-exit, {0}, GOMAXPROCS=2", "spawn", ["1000000"], ["200000"], {"GOMAXPROCS": "2"}, 11, 3),
    ("stop the world: GOMAXPROCS change, 2 goroutines spinning, median of {0}", "stop_the_world", ["400", "p50"],
     ["200", "p50"], {"GOMAXPROCS": "2"}, 7, 3),
    ("stop the world: GOMAXPROCS change, 2 goroutines spinning, worst of {0}", "stop_the_world", ["400", "max"],
     ["200", "max"], {"GOMAXPROCS": "2"}, 7, 3),
    ("gosched switch, GOMAXPROCS=1", "gosched", ["5000000"], ["1000000"], {"GOMAXPROCS": "1"}, 11, 3),
    ("fork-join fib(32), cutoff 20, GOMAXPROCS=1", "fib", ["32", "20"], ["32", "20"], {"GOMAXPROCS": "1"}, 15, 5),
    ("fork-join fib(32), cutoff 20, GOMAXPROCS=2", "fib", ["32", "20"], ["32", "20"], {"GOMAXPROCS": "2"}, 15, 5),
    ("memory per parked goroutine, 100,000", "parked", ["100000"], ["100000"], {}, 5, 2),
    ("memory per parked goroutine, 1,000,000", "parked", ["1000000"], None, {}, 3, None),
    ("deep recursion, {0} frames", "recursion", ["10000000"], ["1000000"], {}, 7, 3),
    ("call-heavy fib(35): cost per call, stack check included", "calls", ["35"], ["30"], {}, 11, 3),
    ("unbuffered channel ping-pong, GOMAXPROCS=1", "chan_pingpong", ["1000000"], ["200000"], {"GOMAXPROCS": "1"}, 9, 3),
    ("unbuffered channel ping-pong, GOMAXPROCS=2", "chan_pingpong", ["1000000"], ["200000"], {"GOMAXPROCS": "2"}, 9, 3),
    ("buffered channel throughput, GOMAXPROCS=1", "chan_buffered", ["5000000"], ["1000000"], {"GOMAXPROCS": "1"}, 9, 3),
    ("buffered channel throughput, GOMAXPROCS=2", "chan_buffered", ["5000000"], ["1000000"], {"GOMAXPROCS": "2"}, 9, 3),
    ("select on two channels, GOMAXPROCS=1", "chan_select", ["2000000"], ["500000"], {"GOMAXPROCS": "1"}, 9, 3),
    ("select on two channels, GOMAXPROCS=2", "chan_select", ["2000000"], ["500000"], {"GOMAXPROCS": "2"}, 9, 3),
    ("thread-ring, 503 goroutines, {0} hops", "thread_ring", ["10000000"], ["1000000"], {}, 5, 2),
]
FIB_P1, FIB_P2 = (row[0] for row in WORKLOADS if row[1] == "fib")
# Programs whose peak resident set (measured from outside: the kernel's ru_maxrss of the program,
# through build/bench/peak_rss)
# gets a row of its own beside the time.
RSS_PROGRAMS = {"spawn"}


# The allocator workloads: gort's program against one hosted twin per C allocator
# (label, gort program, gort args, C args, full args, quick args, env for gort, full runs, quick runs).
# Args containing {threads}/{size} are filled from the tuple of parameters.
C_ALLOCATORS = ["glibc", "jemalloc", "mimalloc", "tcmalloc"]
ALLOCATOR_WORKLOADS = [
    ("alloc/free pairs, 16..512 B, 1 thread", "malloc_pairs", ["1", "{n}"], ["pairs", "1", "{n}"],
     "10000000", "2000000", {"GOMAXPROCS": "1"}, 9, 3),
    ("alloc/free pairs, 16..512 B, 2 threads (ns per pair per thread)", "malloc_pairs", ["2", "{n}"],
     ["pairs", "2", "{n}"], "10000000", "2000000", {"GOMAXPROCS": "2"}, 9, 3),
    ("peak RSS / live bytes, steady mix around 256 MiB", "malloc_rss", ["{n}", "4"], ["rss", "{n}", "4"],
     "256", "64", {}, 3, 1),
]


# The collector's workloads: gort, Go and Boehm (build/bench/boehm) side by side, at a
# GOMAXPROCS (Boehm: GC_MARKERS, its marker threads; its mutator is one thread throughout)
# (label, program, full args, quick args, GOMAXPROCS, sides, full runs, quick runs).
# Run counts keep make bench's added time near five minutes on 2 cores: one round of the
# three binary-trees twins at depth 21 takes about 60 s of CPU at GOMAXPROCS=1 and 75 s at 2
# (wall time doubles on a loaded machine); GCBench about 2 s a round, so it gets 9 rounds: one
# binary's runs spread from 300 to 475 ms on this VM with the same cycles and GC share, and a
# median of 3 once put gort 1.21x Boehm where 15 alternating runs gave 0.89x; the pause
# workload 2-10 s a round, mostly Go's (its goal counts the 100,000 stacks: ~200 MB a cycle).
COLLECTOR_SIDES = ("gort", "go", "boehm")
COLLECTOR_WORKLOADS = [
    ("binary-trees depth {0}, GOMAXPROCS=1", "binary_trees", ["21"], ["16"], 1, COLLECTOR_SIDES, 2, 1),
    ("binary-trees depth {0}, GOMAXPROCS=2", "binary_trees", ["21"], ["16"], 2, COLLECTOR_SIDES, 2, 1),
    ("GCBench (trees to depth {0}), GOMAXPROCS=1", "gcbench", ["16"], ["16"], 1, COLLECTOR_SIDES, 9, 1),
    ("GCBench (trees to depth {0}), GOMAXPROCS=2", "gcbench", ["16"], ["16"], 2, COLLECTOR_SIDES, 9, 1),
    ("pauses, {0} goroutines parked, GOMAXPROCS=1", "gc_pauses", ["100000", "12"], ["100000", "6"], 1, ("gort", "go"), 3, 1),
    ("pauses, {0} goroutines parked, GOMAXPROCS=2", "gc_pauses", ["100000", "12"], ["100000", "6"], 2, ("gort", "go"), 3, 1),
]
SIDE_NAMES = {"gort": "gort", "go": "Go", "boehm": "Boehm"}


def selected(only, label, program):
    return only is None or only in label or only in program


def run_collector_program(side, program, args, procs):
    """Runs one collector benchmark; returns (ms, peak RSS in bytes, (pauses, p50, p99, max),
    the other output lines: the checksums)."""
    env = {"GC_MARKERS": str(procs)} if side == "boehm" else {"GOMAXPROCS": str(procs)}
    path = os.path.join(BIN, side, program)
    stdout, peak = run_child(path, args, env)
    value, pauses, checks = None, None, []
    for line in stdout.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0] == "BENCH":
            value = float(fields[2])
        elif len(fields) == 5 and fields[0] == "PAUSES":
            pauses = (int(fields[1]),) + tuple(float(f) for f in fields[2:])
        else:
            checks.append(line)
    if value is None or pauses is None:
        sys.exit(f"bench: {path} printed no BENCH or PAUSES line:\n{stdout}")
    return value, peak, pauses, checks


def measure_collector(quick, only):
    """The collector's table rows: (label, unit, {side: (median, min, max)})."""
    rows = []
    for label, program, full_args, quick_args, procs, sides, full_runs, quick_runs in COLLECTOR_WORKLOADS:
        args = quick_args if quick else full_args
        runs = quick_runs if quick else full_runs
        label = label.format(f"{int(args[0]):,}")
        if not selected(only, label, program):
            continue
        print(f"bench: {label} ({runs} runs each of {', '.join(SIDE_NAMES[s] for s in sides)})", flush=True)
        figures = {side: {"time": [], "rss": [], "p50": [], "p99": [], "max": [], "count": []} for side in sides}
        expected = None  # the checksum lines every run of every side must print
        for _ in range(runs):
            for side in sides:  # interleaved: gort, Go, Boehm, gort, ...
                value, peak, (count, p50, p99, worst), checks = run_collector_program(side, program, args, procs)
                if expected is None:
                    expected = (side, checks)
                elif checks != expected[1]:
                    sys.exit(f"bench: {label}: {side} printed\n" + "\n".join(checks) +
                             f"\nbut {expected[0]} printed\n" + "\n".join(expected[1]))
                for key, v in (("time", value), ("rss", peak / 1e6), ("p50", p50), ("p99", p99), ("max", worst),
                               ("count", count)):
                    figures[side][key].append(v)
        summary = {key: {side: describe(figures[side][key]) for side in sides} for key in figures[sides[0]]}
        if program != "gc_pauses":  # the pause workload's time is only how long its cycles took
            rows.append((label, "ms", summary["time"]))
            rows.append((label + ": peak RSS (from outside)", "MB", summary["rss"]))
        rows.append((label + ": pause p50", "us", summary["p50"]))
        rows.append((label + ": pause p99", "us", summary["p99"]))
        rows.append((label + ": pause max", "us", summary["max"]))
        rows.append((label + ": pauses", "count", summary["count"]))
    return rows


def collector_lines(rows):
    lines = [
        "## The collector against Go and Boehm",
        "",
        "Collected objects (gort's gc::make, Go's new, Boehm's GC_MALLOC) in three programs run",
        "alternately on the three (tests/bench: NAME.cpp, NAME.go, NAME_boehm.c):",
        "",
        "- binary-trees (the Benchmarks Game's): a stretch tree of depth N+1, a long-lived tree of",
        "  depth N, and 2^(N-d+4) short-lived trees of each depth d = 4, 6, ..., N, one goroutine",
        "  per depth (Boehm's twin: one thread, the depths in turn); nodes of two pointers.",
        "- GCBench (Hans Boehm's): a stretch tree of depth 18, a long-lived tree of depth 16 and",
        "  array of 500,000 doubles, then top-down and bottom-up trees of depths 4, 6, ..., 16.",
        "- pauses: 100,000 goroutines parked on a WaitGroup while one allocates 512-byte garbage",
        "  (a ring of 4,096 kept) until 12 collections have finished; gort and Go only.",
        "",
        "GOMAXPROCS=2 gives Boehm's collector GC_MARKERS=2 (a second marker thread; its mutator",
        "is one thread throughout), GOMAXPROCS=1 GC_MARKERS=1. The checksum lines of every run",
        "are compared across the twins. Peak RSS is the kernel's ru_maxrss of the program. Pauses",
        "are every stop-the-world pause of the run: gort's from gc::read_pauses, Go's from",
        "runtime/metrics' /gc/pauses:seconds (two per cycle), both histograms 1/16 of a power",
        "of two wide whose quantiles are the upper end of a bucket; Boehm's are each whole",
        "collection (GC_EVENT_START to GC_EVENT_END: its mutator waits throughout), exact.",
        "Each pause figure is the median over the runs of that run's quantile.",
        "",
        "| workload | unit | gort median (spread) | Go median (spread) | Boehm median (spread) | gort/Go | gort/Boehm |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(summary, side, unit):
        if side not in summary:
            return "—"
        med, lo, hi = summary[side]
        show = (lambda x: f"{x:,.0f}") if unit == "count" else fmt
        return f"{show(med)} ({show(lo)}-{show(hi)})"

    def ratio(summary, side):
        if side not in summary or summary[side][0] == 0:
            return "—"
        return f"{summary['gort'][0] / summary[side][0]:.2f}"

    for label, unit, summary in rows:
        lines.append(f"| {label} | {unit} | {cell(summary, 'gort', unit)} | {cell(summary, 'go', unit)} | "
                     f"{cell(summary, 'boehm', unit)} | {ratio(summary, 'go')} | {ratio(summary, 'boehm')} |")
    lines.append("")
    return lines


def run_child(path, args, env):
    """Runs one benchmark program with env added to a clean environment; returns (stdout,
    its peak resident set in bytes). Exits the runner when the program fails.

    The peak comes from build/bench/peak_rss (tests/bench/peak_rss.c), which runs the program
    and reports the kernel's ru_maxrss of it: measured from here, through wait4, it would
    never be below this runner's own resident set (~15 MB), which exec carries over."""
    full_env = dict(os.environ)
    for key in ("GODEBUG", "GOGC", "GOMAXPROCS", "GC_MARKERS"):
        full_env.pop(key, None)
    full_env.update(env)
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file, \
            tempfile.NamedTemporaryFile(mode="r") as rss_file:
        child = subprocess.Popen([PEAK_RSS, rss_file.name, path] + args, env=full_env, stdout=out_file,
                                 stderr=err_file, start_new_session=True)
        timer = threading.Timer(600, lambda: os.killpg(child.pid, signal.SIGKILL))  # the program too
        timer.start()
        child.wait()
        timer.cancel()
        out_file.seek(0)
        err_file.seek(0)
        stdout, stderr = out_file.read().decode(), err_file.read().decode()
        peak_kib = rss_file.read().strip()
    if child.returncode != 0 or not peak_kib:
        sys.exit(f"bench: {path} {' '.join(args)} failed with status {child.returncode}:\n{stderr}")
    return stdout, int(peak_kib) * 1024


def run_path_with_rss(path, args, env):
    """Runs one benchmark program; returns (value, unit, peak resident set in bytes)."""
    stdout, peak = run_child(path, args, env)
    for line in stdout.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0] == "BENCH":
            return float(fields[2]), fields[3], peak
    sys.exit(f"bench: {path} printed no BENCH line:\n{stdout}")


def run_path(path, args, env):
    value, unit, _ = run_path_with_rss(path, args, env)
    return value, unit


def measure_allocators(quick, only):
    rows = []
    for label, program, gort_args, c_args, full_n, quick_n, env, full_runs, quick_runs in ALLOCATOR_WORKLOADS:
        if not selected(only, label, program):
            continue
        n = quick_n if quick else full_n
        runs = quick_runs if quick else full_runs
        print(f"bench: {label} ({runs} runs each allocator)", flush=True)
        values = {name: [] for name in ["gort"] + C_ALLOCATORS}
        unit = ""
        for _ in range(runs):  # interleaved: gort, glibc, jemalloc, mimalloc, tcmalloc, gort, ...
            value, unit = run_path(os.path.join(BIN, "gort", program), [a.format(n=n) for a in gort_args], env)
            values["gort"].append(value)
            for name in C_ALLOCATORS:
                value, _ = run_path(os.path.join(BIN, "c", "malloc-" + name), [a.format(n=n) for a in c_args], env)
                values[name].append(value)
        rows.append((label, unit, {name: statistics.median(v) for name, v in values.items()}))
    return rows


def measure(program, args, env, runs):
    values = {"gort": [], "go": []}
    rss = {"gort": [], "go": []}
    unit = ""
    for _ in range(runs):
        for side in ("gort", "go"):  # interleaved: A B A B
            value, unit, peak = run_path_with_rss(os.path.join(BIN, side, program), args, env)
            values[side].append(value)
            rss[side].append(peak / 1e6)
    return values, unit, rss


def startup_seconds(path, runs):
    """Wall time of fork+exec+run+exit of a program, per run (median)."""
    times = []
    with open(os.devnull, "w") as devnull:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([path], stdout=devnull, check=True)
            times.append(time.perf_counter() - start)
    return times


def describe(values):
    return statistics.median(values), min(values), max(values)


def fmt(x):
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def command_output(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip()
    except OSError:
        return "?"


def machine_description():
    model = command_output("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    memory = command_output("grep MemTotal /proc/meminfo | awk '{printf \"%.0f GiB\", $2/1048576}'")
    return (f"{model}, {os.cpu_count()} CPUs, {memory}, Linux {platform.release()}",
            command_output("clang++ --version | head -1"), command_output("go version"),
            command_output("nasm -v"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller sizes, about a minute")
    parser.add_argument("--only", metavar="WORD", help="only the workloads whose label or program contains WORD")
    options = parser.parse_args()
    only = options.only

    rows = []  # (label, unit, gort (median, min, max), go (median, min, max))
    medians = {}
    for label, program, full_args, quick_args, env, full_runs, quick_runs in WORKLOADS:
        args = quick_args if options.quick else full_args
        runs = quick_runs if options.quick else full_runs
        if args is None:
            continue
        label = label.format(f"{int(args[0]):,}")
        if not selected(only, label, program):
            continue
        print(f"bench: {label} ({runs} runs each side)", flush=True)
        values, unit, rss = measure(program, args, env, runs)
        rows.append((label, unit, describe(values["gort"]), describe(values["go"])))
        if program in RSS_PROGRAMS:
            rows.append((label + ": peak RSS (from outside)", "MB", describe(rss["gort"]), describe(rss["go"])))
        medians[label] = (statistics.median(values["gort"]), statistics.median(values["go"]))

    derived = []
    p1, p2 = medians.get(FIB_P1), medians.get(FIB_P2)
    if p1 and p2:  # both run (in quick mode too)
        derived.append(("fib(32) speed-up, GOMAXPROCS 1 -> 2", "x (higher is better)", p1[0] / p2[0], p1[1] / p2[1]))

    hello = selected(only, "hello-world", "hello")
    if hello:
        sizes = {side: os.path.getsize(os.path.join(BIN, side, "hello")) for side in ("gort", "go")}
        derived.append(("hello-world binary size", "bytes", sizes["gort"], sizes["go"]))
        startup_runs = 50 if options.quick else 200
        print(f"bench: hello-world start-up ({startup_runs} runs each side)", flush=True)
        startup = {"gort": [], "go": []}
        for _ in range(startup_runs // 10):
            for side in ("gort", "go"):
                startup[side] += startup_seconds(os.path.join(BIN, side, "hello"), 10)
        start_g, start_go = statistics.median(startup["gort"]) * 1e3, statistics.median(startup["go"]) * 1e3

    machine, clang, go, nasm = machine_description()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks: gort against Go",
        "",
        "Written by `make bench`" + (" --quick" if options.quick else "") + (f" --only '{only}'" if only else "") +
        " (tools/bench.py); do not edit by hand.",
        "Each workload is a gort program and its Go twin in tests/bench, run alternately",
        "(gort, Go, gort, Go, ...). Ratio = gort median / Go median: below 1 means gort is faster",
        "or smaller. Spread is the minimum and maximum over the runs. Absolute times are noisy",
        "on this machine; the ratios from one run are the figures to quote.",
        "",
        f"- Date: {now}",
        f"- Machine: {machine}",
        f"- Toolchains: {clang}; {go}; {nasm}",
        "",
        "| workload | unit | gort median (spread) | Go median (spread) | gort/Go |",
        "|---|---|---|---|---|",
    ]
    for label, unit, (g_med, g_min, g_max), (o_med, o_min, o_max) in rows:
        lines.append(f"| {label} | {unit} | {fmt(g_med)} ({fmt(g_min)}-{fmt(g_max)}) | "
                     f"{fmt(o_med)} ({fmt(o_min)}-{fmt(o_max)}) | {g_med / o_med:.2f} |")
    if hello:
        lines.append(f"| hello-world start-up (fork, exec, exit; {startup_runs} runs) | ms | {fmt(start_g)} | "
                     f"{fmt(start_go)} | {start_g / start_go:.2f} |")
    for label, unit, g, o in derived:
        lines.append(f"| {label} | {unit} | {fmt(g)} | {fmt(o)} | {g / o:.2f} |")
    lines.append("")

    collector_rows = measure_collector(options.quick, only)
    if collector_rows:
        lines += collector_lines(collector_rows)

    allocator_rows = measure_allocators(options.quick, only)
    if allocator_rows:
        lines += [
            "## The allocator against C allocators",
            "",
            "gort's malloc/free against glibc's malloc, jemalloc, mimalloc and tcmalloc, running the same",
            "workload (tests/bench/malloc_workload.h) in turn. Medians; the last two columns are",
            "gort's median divided by glibc's and by the faster of mimalloc and tcmalloc.",
            "",
            "| workload | unit | gort | glibc | jemalloc | mimalloc | tcmalloc | gort/glibc | gort/best of mimalloc, tcmalloc |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for label, unit, m in allocator_rows:
            best = min(m["mimalloc"], m["tcmalloc"])
            lines.append(f"| {label} | {unit} | {fmt(m['gort'])} | {fmt(m['glibc'])} | {fmt(m['jemalloc'])} | "
                         f"{fmt(m['mimalloc'])} | {fmt(m['tcmalloc'])} | {m['gort'] / m['glibc']:.2f} | {m['gort'] / best:.2f} |")
        lines.append("")
    text = "\n".join(lines)
    print()
    print(text)
    if only:
        target = os.path.join(BIN, "benchmarks-only.md")
    elif options.quick:
        target = os.path.join(BIN, "benchmarks-quick.md")
    else:
        target = os.path.join(ROOT, "docs", "benchmarks.md")
    with open(target, "w") as f:
        f.write(text)
    print(f"bench: wrote {os.path.relpath(target, ROOT)}")


if __name__ == "__main__":
    main()
