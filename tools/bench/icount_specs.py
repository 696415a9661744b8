"""Instructions per parse of cantil.specs, counted by callgrind: a figure that does not move with the machine's load.

bench_specs.py measures rates in CPU time, and on a shared machine one run of it can differ from the next by a
factor of 1.5 or more with the same code. To judge a change to the parsers, count instructions instead:

    python tools/bench/icount_specs.py [version|matchspec ...]

For each kind, the distinct strings of the bench corpus (the versions of ../shared/data/repodata plus
conda-forge-versions.txt; every distinct depends/constrains string, read leniently) are parsed with every cache
cleared, under `valgrind --tool=callgrind`, once in one process and three times in another; the difference divided
by two passes and by the number of strings is the cost of one parse, start-up and corpus loading excluded. As in
bench_specs.py, the process holds a large frozen heap, so that no full collection runs while parsing. Needs valgrind
(apt install valgrind); takes about a minute per kind.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
KINDS = ("version", "matchspec")


def corpus(kind: str) -> list[str]:
    versions: dict[str, None] = {}
    depends: set[str] = set()
    for f in sorted((DATA / "repodata").glob("*/*/repodata.json")):
        data = json.loads(f.read_text())
        for key in ("packages", "packages.conda"):
            for rec in data.get(key, {}).values():
                versions[rec["version"]] = None
                depends.update(rec.get("depends", ()))
                depends.update(rec.get("constrains", ()))
    if kind == "matchspec":
        return sorted(depends)
    for v in (DATA / "versions" / "conda-forge-versions.txt").read_text().split():
        versions[v] = None
    return list(versions)


def child(kind: str, path: str, passes: int) -> None:
    from cantil.specs import MatchSpec, Version, clear_caches

    strings = json.loads(Path(path).read_text())
    heap = [[i] for i in range(1_000_000)]  # noqa: F841 - the large old heap a real process has
    gc.collect()
    gc.freeze()
    for _ in range(passes):
        clear_caches()
        if kind == "version":
            out: list[object] = [Version(s) for s in strings]
        else:
            out = [MatchSpec(s, lenient=True) for s in strings]
        del out


def count(kind: str, path: str, passes: int) -> int:
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        kind,
        path,
        str(passes),
    ]
    # a fixed hash seed: with a random one, dict and set layouts (and so the counts) differ from one process to the
    # next by a few hundred instructions per string; and no bytecode written: else the first process compiles and
    # writes what the second then only loads, and the difference of the two loses the compile (~1,000 a string)
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    m = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or m is None:
        raise SystemExit(f"icount_specs: valgrind failed for {kind}: {proc.stderr.strip()[-300:]}")
    return int(m.group(1))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2], int(argv[3]))
        return 0
    kinds = argv or list(KINDS)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        print(f"icount_specs: unknown kind {bad[0]!r} (choose from {', '.join(KINDS)})", file=sys.stderr)
        return 2
    if shutil.which("valgrind") is None:
        print("icount_specs: valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    for kind in kinds:
        strings = corpus(kind)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(strings, f)
        try:
            one, three = count(kind, f.name, 1), count(kind, f.name, 3)
        finally:
            Path(f.name).unlink()
        per = (three - one) / 2 / len(strings)
        print(f"{kind}: {per:,.0f} instructions per distinct string ({len(strings):,} strings, caches cleared)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
