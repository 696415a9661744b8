"""Run every benchmark script in tools/bench (bench_*.py), each regenerating its own section of docs/performance.md.

Usage: python tools/bench/run.py [NAME ...]   (NAME = specs, repodata, solver, link, activate, cli, e2e)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    sys.path.insert(0, str(HERE))
    from _report import ensure_bytecode

    ensure_bytecode()  # the scripts inherit an environment without PYTHONDONTWRITEBYTECODE
    rc = 0
    for s in scripts:
        print(f"== {s.name}", flush=True)
        rc |= subprocess.run([sys.executable, str(s)], check=False).returncode
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
