"""How far apart rounds of the Version parse figure fall within one process (docs/performance.md, cantil-specs).

Alternates bench_specs' full round (whose Version parse is the table's figure) with a bare loop of ``Version(s)`` over
the same distinct strings, caches cleared before each, and prints every round's rate. Same code, same heap, seconds
apart: whatever spread this shows comes from the machine, not from the parser or the harness.

    python tools/bench/spread_specs.py [--rounds 7] [--processes 3]

Each process runs in a child (``--child``) so that the processes start alike; pin one to a core with
``taskset -c N python tools/bench/spread_specs.py`` to compare the cores.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(rounds: int) -> None:
    sys.path.insert(0, str(HERE))
    import bench_specs  # the bench's corpus and round, as the table measures them

    from cantil.specs import Version, clear_caches

    c = bench_specs.corpus()
    gc.collect()
    gc.freeze()
    versions = c["versions"]

    def bare() -> float:
        clear_caches()
        t = time.process_time()
        [Version(s) for s in versions]
        return len(versions) / (time.process_time() - t)

    full: list[float] = []
    loop: list[float] = []
    for _ in range(rounds):
        loop.append(bare())
        full.append(len(versions) / bench_specs.ours(c)["vparse"])
        loop.append(bare())

    def show(name: str, rates: list[float]) -> str:
        got = ", ".join(f"{r / 1000:.0f}" for r in sorted(rates))
        return f"{name}: median {statistics.median(rates) / 1000:.0f}k/s; rounds (k/s) {got}"

    print(f"{show('bench round', full)}\n  {show('bare loop', loop)}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--processes", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.rounds)
        return 0
    for i in range(args.processes):
        print(f"process {i + 1}: ", end="", flush=True)
        subprocess.run([sys.executable, __file__, "--child", "--rounds", str(args.rounds)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
