"""Benchmark cantil-repodata against py-rattler; writes the "repodata" section of docs/performance.md.

Workloads (all warm cache: the repodata was fetched once over loopback HTTP before timing, nothing is fetched while
timing; each timed run builds a NEW Index / SparseRepoData, so it re-reads the cache state and reopens the files):

- closure: records of every name reachable from `numpy` through depends (cantil: `Index.closure` then `records`;
  py-rattler: `SparseRepoData.load_records_recursive`), on the largest real file (defaults-index4 linux-64), and on
  that channel scaled up to ~50k and ~500k records;
- full: every record of defaults-index4 linux-64 (cantil: `records(name)` for every name; py-rattler: both
  `RepoData.from_path(...).into_repo_data(...)` and `SparseRepoData.load_records` for every name).

Method (DESIGN.md): every measurement runs in a child process (py-rattler's children end with os._exit(0)), the two
implementations alternate round by round (5 rounds x 3 runs each), medians are quoted, times are in-process (the
child's own clock around the work, interpreter start excluded), memory is each child's peak RSS (VmHWM).

Scaling: copy k (k = 1..K-1) of every record gets the suffix `-s<k>` on its name, on every depends name and on its
file name; copy 0 is the original. The numpy closure is therefore the same 479 records at every size, while the file
(and the number of names) grows K times.

Usage: python tools/bench/bench_repodata.py [--rounds N] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = ROOT.parent / "shared" / "data"
SOURCE = DATA / "repodata" / "defaults-index4" / "linux-64" / "repodata.json"
RUNS_PER_CHILD = 3

# -- children --------------------------------------------------------------------------------------------------------


def _child_cantil(work: str, url: str, cache: str, runs: int) -> dict[str, Any]:
    import time

    from cantil.repodata import Index, RepodataSettings
    from cantil.specs import Channel

    settings = RepodataSettings(Path(cache), local_repodata_ttl=10**9)
    times, count = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        idx = Index([Channel(url)], ["linux-64"], settings)
        names = idx.closure(["numpy"]) if work == "closure" else idx.names()
        count = sum(len(idx.records(n)) for n in names)
        times.append(time.perf_counter() - t0)
        if {s.how for s in idx.sources} != {"cache"}:
            raise SystemExit("cantil did not read the warm cache")
    return {"times": times, "records": count}


def _child_rattler(work: str, path: str, runs: int) -> dict[str, Any]:
    import time

    from rattler import Channel, PackageName, SparseRepoData
    from rattler.repo_data import RepoData

    times, count = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        if work == "full-eager":
            count = len(RepoData.from_path(path).into_repo_data(Channel("bench")))
        else:
            sparse = SparseRepoData(Channel("bench"), "linux-64", path)
            if work == "closure":
                groups = SparseRepoData.load_records_recursive([sparse], [PackageName("numpy")])
                count = sum(len(g) for g in groups)
            else:
                count = sum(len(sparse.load_records(PackageName(n))) for n in sparse.package_names())
        times.append(time.perf_counter() - t0)
    return {"times": times, "records": count}


def _peak_rss_kb() -> int:
    """VmHWM of this process (ru_maxrss would include the parent's peak: Linux keeps it across fork+exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child_main(argv: list[str]) -> None:
    impl, work, *rest = argv
    if impl == "cantil":
        out = _child_cantil(work, rest[0], rest[1], int(rest[2]))
    else:
        out = _child_rattler(work, rest[0], int(rest[1]))
    out["maxrss_kb"] = _peak_rss_kb()
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    os._exit(0)   # py-rattler may abort at interpreter shutdown


def _run_child(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child {args[:2]} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- setup -----------------------------------------------------------------------------------------------------------


def _scaled(copies: int) -> dict[str, Any]:
    data = json.loads(SOURCE.read_bytes())
    if copies == 1:
        return data  # type: ignore[no-any-return]
    names = {rec["name"] for rec in data["packages"].values()}

    def rename(dep: str, sfx: str) -> str:
        head, sep, tail = dep.partition(" ")
        return (head + sfx if head in names else head) + sep + tail

    packages: dict[str, Any] = dict(data["packages"])
    for k in range(1, copies):
        sfx = f"-s{k}"
        for fn, rec in data["packages"].items():
            new = dict(rec)
            new["name"] = rec["name"] + sfx
            new["depends"] = [rename(d, sfx) for d in rec.get("depends", ())]
            packages[new["name"] + fn[len(rec["name"]):]] = new
    return {**data, "packages": packages}


def _channel(root: Path, data: dict[str, Any]) -> None:
    (root / "linux-64").mkdir(parents=True)
    (root / "noarch").mkdir()
    import zstandard

    raw = json.dumps(data, separators=(",", ":")).encode()
    (root / "linux-64" / "repodata.json").write_bytes(raw)
    # served as .zst (what the client fetches first); the test server would gzip a plain .json on every request
    (root / "linux-64" / "repodata.json.zst").write_bytes(zstandard.ZstdCompressor(level=3).compress(raw))
    (root / "noarch" / "repodata.json").write_text('{"packages": {}}')


def _warm(root: Path, cache: Path) -> tuple[str, Path]:
    """Serve `root`, fetch it once into `cache`, stop; return the URL and the cached raw JSON."""
    from cantil.repodata import Index, RepodataSettings, cache_fn_url
    from cantil.specs import Channel
    from cantil_tools.server import ChannelServer

    with ChannelServer(root) as srv:
        url = srv.url
        idx = Index([Channel(url)], ["linux-64"], RepodataSettings(cache))
        idx.load()
        idx.close()
    return url, cache / cache_fn_url(f"{url}/linux-64")


# -- the run ---------------------------------------------------------------------------------------------------------


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def _measure(rounds: int, pairs: list[tuple[str, list[str]]]) -> dict[str, dict[str, Any]]:
    """Alternate the children of `pairs` round by round; gather their times and peak RSS."""
    out: dict[str, dict[str, Any]] = {label: {"times": [], "rss": [], "records": None} for label, _ in pairs}
    for _ in range(rounds):
        for label, args in pairs:
            res = _run_child(*args)
            out[label]["times"] += res["times"]
            out[label]["rss"].append(res["maxrss_kb"])
            out[label]["records"] = res["records"]
    return out


def _ms(x: float) -> str:
    return f"{x * 1000:.1f} ms" if x < 10 else f"{x:.2f} s"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--sizes", default="1,10,95", help="scale factors (copies of the real file)")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    import rattler  # noqa: F401 - fail early when the peer is missing
    from _report import machine, table, write_section

    rows_closure: list[list[str]] = []
    rows_full: list[list[str]] = []
    rss_rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="cantil-bench-repodata-") as tmp:
        for copies in [int(c) for c in args.sizes.split(",")]:
            base = Path(tmp) / f"x{copies}"
            data = _scaled(copies)
            n_records = len(data["packages"]) + len(data.get("packages.conda") or {})
            _channel(base / "channel", data)
            del data
            url, raw = _warm(base / "channel", base / "cache")
            shutil.rmtree(base / "channel")
            pairs = [("cantil", ["cantil", "closure", url, str(base / "cache"), str(RUNS_PER_CHILD)]),
                     ("py-rattler", ["rattler", "closure", str(raw), str(RUNS_PER_CHILD)])]
            res = _measure(args.rounds, pairs)
            c, r = res["cantil"], res["py-rattler"]
            assert c["records"] == r["records"], (c["records"], r["records"])
            size_mb = raw.stat().st_size / 1e6
            rows_closure.append([f"{n_records:,} records ({size_mb:.0f} MB)", f"{c['records']}",
                                 _ms(_median(c["times"])), _ms(_median(r["times"])),
                                 f"{_median(c['times']) / _median(r['times']):.3g}"])
            rss_rows.append([f"closure, {n_records:,} records", f"{_median(c['rss']) / 1024:.0f} MB",
                             f"{_median(r['rss']) / 1024:.0f} MB"])
            if copies == 1:
                pairs = [("cantil", ["cantil", "full", url, str(base / "cache"), str(RUNS_PER_CHILD)]),
                         ("py-rattler eager", ["rattler", "full-eager", str(raw), str(RUNS_PER_CHILD)]),
                         ("py-rattler sparse", ["rattler", "full", str(raw), str(RUNS_PER_CHILD)])]
                res = _measure(args.rounds, pairs)
                ours = _median(res["cantil"]["times"])
                for label in ("cantil", "py-rattler eager", "py-rattler sparse"):
                    t = _median(res[label]["times"])
                    rows_full.append([label, str(res[label]["records"]), _ms(t), f"{ours / t:.3g}"])
                rss_rows.append(["full load, 5,305 records", f"{_median(res['cantil']['rss']) / 1024:.0f} MB",
                                 f"{_median(res['py-rattler eager']['rss']) / 1024:.0f} MB (eager)"])
            shutil.rmtree(base)
    runs = args.rounds * RUNS_PER_CHILD
    md = "\n".join([
        f"Measured on {machine()}, py-rattler {_rattler_version()}; `python tools/bench/bench_repodata.py`.",
        f"Medians of {runs} runs per cell ({args.rounds} alternating rounds of {RUNS_PER_CHILD} runs, each round in a",
        "fresh child process); times are in-process (the child's clock around the work, interpreter start excluded).",
        "Warm cache: fetched once over loopback HTTP beforehand; every run builds a new Index (cantil) or",
        "SparseRepoData (py-rattler) from the cached files, with no network.",
        "",
        "**Warm-cache load of the name closure of `numpy`** (defaults-index4 linux-64, the largest real file, and the",
        "same channel scaled up: copy k of every record gets `-s<k>` on its name, depends names and file name, so the",
        "closure stays the same 479 records while the file grows):",
        "",
        table(["channel", "records loaded", "cantil", "py-rattler SparseRepoData", "cantil / py-rattler"], rows_closure),
        "",
        "**Full load** of every record of defaults-index4 linux-64 (py-rattler eager: `RepoData.from_path` then",
        "`into_repo_data`; sparse: `load_records` for every name):",
        "",
        table(["implementation", "records", "time", "cantil / this"], rows_full),
        "",
        "**Peak RSS of the child process** (interpreter and imports included):",
        "",
        table(["workload", "cantil", "py-rattler"], rss_rows),
    ])
    print(md)
    if not args.no_write:
        write_section("repodata", md)
    return 0


def _rattler_version() -> str:
    try:
        from importlib.metadata import version

        return version("py-rattler")
    except Exception:
        return "?"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
    sys.exit(main())
