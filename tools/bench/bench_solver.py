"""Solve times of cantil.solver against py-rattler on real repodata; writes the "solver" section of docs/performance.md.

Usage: python tools/bench/bench_solver.py [--rounds N]

Records are loaded once (cantil_tools.channel.load_channel on ../shared/data/repodata/defaults-index4, linux-64 +
noarch); each cantil figure is the in-process time of `solve(SolveRequest(...))` on them. py-rattler runs in a child
process per round (it may abort at interpreter shutdown, so the child ends with os._exit), timing
`solve_with_sparse_repodata` on SparseRepoData built once per child: its figure includes reading the records of the
names it reaches from the file (lazily, in Rust). Rounds alternate cantil and py-rattler; medians of the rounds.
A second table solves `numpy` on the same channel scaled up: every record copied k times with a higher build number
(k times the builds of every name, the closure unchanged), to show how the cost grows with the candidates.
A third gives what importing the solver costs a command (the CLI imports it on every solve): whole-process CPU time
of `python -c` importing it, beside `import cantil.specs` (which it needs anyway) and `pass`, interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import ensure_bytecode, machine, median, table, write_section

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "repodata" / "defaults-index4"

# request, conda classic seconds and py-rattler seconds as issue 5 measured them
PROBLEMS: list[tuple[list[str], float]] = [
    (["numpy"], 0.40),
    (["scipy", "pandas"], 0.60),
    (["python=3.6", "numpy", "pandas", "matplotlib"], 0.54),
    (["python=2.7", "numpy=1.11"], 0.26),
    (["conda-build"], 0.93),
    (["jupyter"], 1.51),
    (["dask", "bokeh", "python=3.6"], 0.75),
    (["ibis-framework", "python-graphviz"], 0.75),
    (["r-base=3.5", "r-ggplot2", "r-tidyverse"], 0.74),
    (["flask", "sqlalchemy", "requests", "python=3.5"], 0.19),
    (["r-essentials"], 600.0),
    (["python=3.7", "pandas=0.20"], 0.36),
    (["python=3.7", "conda=4.3"], 0.38),
]

CHILD = r"""
import asyncio, json, os, sys, time
from rattler import Channel, SparseRepoData, solve_with_sparse_repodata
root, requests = sys.argv[1], json.loads(sys.argv[2])
channel = Channel("defaults-index4")
sparse = [SparseRepoData(channel, sd, f"{root}/{sd}/repodata.json") for sd in ("linux-64", "noarch")]
out = []
for specs in requests:
    t = time.perf_counter()
    try:
        asyncio.run(solve_with_sparse_repodata(specs, sparse, add_pip_as_python_dependency=True))
    except Exception:
        pass
    out.append(time.perf_counter() - t)
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)
"""


class Scaled:
    """A RecordSource with every record of `base` copied `k` times (build number + 1000 * copy)."""

    def __init__(self, base: Any, k: int) -> None:
        self.base, self.k = base, k
        self.cache: dict[str, list[Any]] = {}

    def records(self, name: str) -> Sequence[Any]:
        got = self.cache.get(name)
        if got is None:
            recs = list(self.base.records(name))
            got = self.cache[name] = recs + [
                r.replace(build_number=r.build_number + 1000 * j, build=f"{r.build}_s{j}")
                for j in range(1, self.k)
                for r in recs
            ]
        return got

    def priority(self, record: Any) -> int:
        return 0

    def prefetch(self, names: Iterable[str]) -> None:
        return None


def _ours(source: Any, specs: list[str]) -> float:
    return _ours_cpu(source, specs)[0]


def _ours_cpu(source: Any, specs: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one solve; the CPU figure shows the work itself when the shared machine is loaded."""
    from cantil.solver import SolveRequest, SolverError, solve

    t, c = time.perf_counter(), time.process_time()
    try:
        solve(SolveRequest(source, specs_to_add=specs))
    except SolverError:
        pass
    return time.perf_counter() - t, time.process_time() - c


def _rattler(requests: list[list[str]]) -> list[float] | None:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(DATA), json.dumps(requests)],
            capture_output=True, text=True, timeout=900, check=True,
        )
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None
    return [float(x) for x in json.loads(proc.stdout)]


IMPORTS = [
    ("`pass`", "pass"),
    ("`import cantil.specs`", "import cantil.specs"),
    ("`from cantil.solver import solve, SolveRequest, Unsatisfiable` + `cantil.solver.virtual`",
     "from cantil.solver import solve, SolveRequest, Unsatisfiable; import cantil.solver.virtual"),
]


def _imports(rounds: int) -> list[list[str]]:
    """Whole-process CPU seconds (user + sys of the child) of each import line, interleaved, with bytecode written."""
    ensure_bytecode()
    cpu: list[list[float]] = [[] for _ in IMPORTS]
    for _, code in IMPORTS:  # writes bytecode, fills the page cache
        subprocess.run([sys.executable, "-c", code], check=True)
    for _ in range(rounds):
        for i, (_, code) in enumerate(IMPORTS):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-c", code], check=True)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[i].append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    base = median(cpu[1])
    return [[label, _ms(median(xs)), _ms(median(xs) - base) if i == 2 else ""] for i, ((label, _), xs) in enumerate(zip(IMPORTS, cpu, strict=True))]


def _ms(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s >= 0.01 else f"{s * 1000:.1f} ms"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    from cantil_tools.channel import load_channel

    source = load_channel(DATA)
    requests = [p for p, _ in PROBLEMS]
    ours: list[list[float]] = [[] for _ in PROBLEMS]
    cpu: list[list[float]] = [[] for _ in PROBLEMS]
    load_before = os.getloadavg()[0]
    theirs: list[list[float]] = [[] for _ in PROBLEMS]
    for specs in requests:  # warm-up: imports, caches of parsed specs
        _ours(source, specs)
    for _ in range(args.rounds):
        for i, specs in enumerate(requests):
            wall, used = _ours_cpu(source, specs)
            ours[i].append(wall)
            cpu[i].append(used)
        got = _rattler(requests)
        if got is not None:
            for i, x in enumerate(got):
                theirs[i].append(x)
    rows = []
    ratios = []
    load_after = os.getloadavg()[0]
    for (specs, conda), mine, other, mine_cpu in zip(PROBLEMS, ours, theirs, cpu, strict=True):
        m = median(mine)
        o = median(other) if other else None
        if o:
            ratios.append(m / o)
        rows.append([
            "`" + " ".join(specs) + "`",
            f"{conda:.2f} s" if conda < 600 else "> 600 s",
            _ms(m),
            _ms(median(mine_cpu)),
            _ms(o) if o else "n/a",
            f"{m / o:.1f}" if o else "n/a",
            f"{conda / median(mine_cpu):.0f}x",
        ])
    scaled_rows = []
    for k in (1, 2, 4, 8):
        src = Scaled(source, k)
        _ours(src, ["numpy"])
        times = [_ours(src, ["numpy"]) for _ in range(args.rounds)]
        n = len(src.records("numpy"))
        scaled_rows.append([f"{k}x", f"{n:,}", _ms(median(times))])
    import_rows = _imports(args.rounds * 3)
    import importlib.metadata as md

    try:
        rattler_version = md.version("py-rattler")
    except md.PackageNotFoundError:
        rattler_version = "not installed"
    text = [
        f"Measured on {machine()}, py-rattler {rattler_version}; `python tools/bench/bench_solver.py`.",
        f"Medians of {args.rounds} rounds; in-process times. cantil: `solve()` on records already loaded with",
        "`load_channel` (defaults-index4, linux-64 + noarch: index reduction, matching, encoding, optimisation,",
        "explanation for the two unsatisfiable requests). py-rattler: `solve_with_sparse_repodata` in a child process",
        "per round, on SparseRepoData built once per child (its time includes reading the reached records from the",
        "file). conda classic: the figures issue 5 measured on this machine. The machine is shared: figures under load",
        "vary by a factor of 2 or more between runs; the cantil CPU column (process time of the same solves) is the",
        "steadier figure, and the one \"vs conda\" divides (a single-threaded solve's CPU time is its wall time on a",
        "quiet machine, where conda's figures were taken). Load average (1 min) during this run:",
        f"{load_before:.1f} at the start, {load_after:.1f} at the end of the main table.",
        "",
        table(["request", "conda classic", "cantil", "cantil CPU", "py-rattler", "cantil / py-rattler", "vs conda"], rows),
        "",
        f"Median of cantil / py-rattler over the problems: **{median(ratios):.1f}**." if ratios else "",
        "",
        "**Scaled-up channel** (`numpy`; every record copied k times with a higher build number, so every name",
        "has k times the builds and the solver k times the candidates):",
        "",
        table(["copies", "numpy records", "cantil solve"], scaled_rows),
        "",
        f"**Import cost** (whole process, CPU time, medians of {args.rounds * 3} interleaved runs):",
        "",
        table(["python -c", "CPU", "solver's own share"], import_rows),
    ]
    write_section("solver", "\n".join(text))
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
