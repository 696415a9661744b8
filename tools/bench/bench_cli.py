"""CLI start-up and `list`: whole-process wall times of the `cantil` console script, interleaved with a bare
`python -c pass` on the same interpreter (DESIGN.md: medians of at least 5 runs, the peer measured in the same run).

Cases: `cantil --version`, `cantil --help` (with an empty ~/.condarc), `cantil list -p ENV` on an environment of 300
packages (conda-meta records made from real repodata, 20 files each), `cantil list --json` on the same.
Writes the "cli" section of docs/performance.md.

Usage: python tools/bench/bench_cli.py [--rounds N]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from _report import machine, median, table, write_section  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "repodata" / "defaults-index4" / "linux-64" / "repodata.json"


def cantil_script() -> list[str]:
    exe = Path(sys.executable).parent / "cantil"
    if exe.exists():
        return [sys.executable, str(exe)]
    return [sys.executable, "-m", "cantil"]


def make_env(prefix: Path, count: int = 300) -> None:
    """A prefix whose conda-meta holds `count` records (real repodata entries, one per name, 20 files each)."""
    data = json.loads(DATA.read_text())
    seen: dict[str, tuple[str, dict[str, object]]] = {}
    for fn, rec in sorted(data["packages"].items()):
        seen.setdefault(rec["name"], (fn, rec))
        if len(seen) == count:
            break
    meta = prefix / "conda-meta"
    meta.mkdir(parents=True)
    for name, (fn, rec) in seen.items():
        files = [f"lib/{name}/file{i}.py" for i in range(20)]
        doc = {**rec, "fn": fn, "channel": "https://repo.anaconda.com/pkgs/main",
               "url": f"https://repo.anaconda.com/pkgs/main/linux-64/{fn}", "files": files,
               "paths_data": {"paths_version": 1, "paths": [{"_path": f, "path_type": "hardlink",
                                                              "sha256": "0" * 64, "size_in_bytes": 10} for f in files]},
               "link": {"source": f"/pkgs/{fn[:-8]}", "type": 1}, "requested_spec": "",
               "extracted_package_dir": f"/pkgs/{fn[:-8]}", "package_tarball_full_path": f"/pkgs/{fn}"}
        dist = f"{rec['name']}-{rec['version']}-{rec['build']}"
        (meta / f"{dist}.json").write_text(json.dumps(doc))
    (meta / "history").write_text("")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{cmd} failed: {r.stderr.decode()[-500:]}")
    return dt


def main(argv: list[str]) -> int:
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 9
    tmp = Path(tempfile.mkdtemp(prefix="cantil-bench-cli-"))
    try:
        home = tmp / "home"
        home.mkdir()
        (home / ".condarc").write_text("")
        env = {"HOME": str(home), "CANTIL_ROOT_PREFIX": str(tmp / "root"), "PATH": os.environ.get("PATH", ""),
               "LANG": "C.UTF-8", "XDG_CACHE_HOME": str(home / ".cache")}
        prefix = tmp / "env300"
        make_env(prefix)
        cli = cantil_script()
        cases = {
            "bare `python -c pass`": [sys.executable, "-c", "pass"],
            "`cantil --version`": [*cli, "--version"],
            "`cantil --help`": [*cli, "--help"],
            "`cantil list -p ENV` (300 packages)": [*cli, "list", "-p", str(prefix)],
            "`cantil list -p ENV --json` (300 packages)": [*cli, "list", "-p", str(prefix), "--json"],
        }
        for cmd in cases.values():  # warm the OS caches and .pyc files
            timed(cmd, env)
        times: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(rounds):
            for name, cmd in cases.items():  # interleaved
                times[name].append(timed(cmd, env))
        bare = median(times["bare `python -c pass`"])
        rows = []
        for name in cases:
            m = median(times[name])
            rows.append([name, f"{m * 1000:.1f} ms", f"{m / bare:.2f}x"])
        load = os.getloadavg()[0]
        md = (f"Whole-process wall time of the `cantil` console script, median of {rounds} interleaved runs; machine: "
              f"{machine()}, shared (load average {load:.1f} during the run).\n"
              "Targets (issue 8): `--version` and `--help` within 3x of a bare Python start, `list` on a 300-package\n"
              "environment under 150 ms. conda measured on this machine for reference: `--version` 66 ms (4x),\n"
              "`--help` 519 ms (44x).\n\n" + table(["command", "median", "vs bare python"], rows))
        write_section("cli", md)
        print(md)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
