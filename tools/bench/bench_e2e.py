"""End-to-end figures: whole-process wall time (and the child's CPU time) of real `cantil` commands.

- `cantil create` of a ~30-package environment from the sample ecosystem (plus ten libraries of 40 files each)
  served over loopback HTTP, from a cold cache (new root prefix: no repodata, no packages) and a warm one (same root,
  new env name), interleaved with py-rattler's solve + install of the same specs into the same kind of cache, in a
  child process (whole-process too).
- `cantil create --dry-run numpy` and `jupyter` over a file:// channel of ../shared/data/repodata/defaults-index4
  (target < 0.25 s; conda's CLI takes 2.2 s and 3.7 s here), first run (no parsed-index cache: numpy builds it, jupyter then
  reuses it) and then warm.
- `cantil list`, `cantil --version`, and activation (bash: load the hook, activate the env) next to bare
  `python -c pass` and `bash -c true`.

Medians of >= 5 rounds; every case measured in each round, in turn. Environments are not deleted between rounds
(creating files is slow for minutes after many deletions here); the temporary directory goes at the end.
Writes the "e2e" section of docs/performance.md.

Usage: python tools/bench/bench_e2e.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from _report import ensure_bytecode, machine, median, table, write_section  # noqa: E402

INDEX4 = ROOT.parent / "shared" / "data" / "repodata" / "defaults-index4"
SPECS = ["python", "numpyish", "scipyish", "requestsish", "hello-cli", "packagingish", "six", "libcrypt", "sqlitish",
         "toolc", "postlinker", "blasish", "tzdataish", "ca-certsish", *[f"benchlib{i}" for i in range(10)]]

RATTLER = """
import asyncio, os, sys
try:
    import rattler
    url, prefix, cache, specs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    async def main():
        gateway = rattler.Gateway(cache_dir=os.path.join(cache, "repodata"))
        records = await rattler.solve([url], specs, gateway=gateway, platforms=["linux-64", "noarch"],
                                      virtual_packages=[], add_pip_as_python_dependency=True)
        await rattler.install(records, target_prefix=prefix, cache_dir=os.path.join(cache, "pkgs"),
                              show_progress=False)
        return len(records)
    n = asyncio.run(main())
    sys.stdout.write(f"{n}\\n"); sys.stdout.flush()
    os._exit(0)
except BaseException as err:
    sys.stderr.write(f"{type(err).__name__}: {err}\\n"); sys.stderr.flush()
    os._exit(1)
"""


def cantil() -> list[str]:
    exe = Path(sys.executable).with_name("cantil")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cantil"]


def timed(argv: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, child CPU seconds, stdout); raises when the command fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}  # measure with bytecode, as installed
    proc = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def build_channel(root: Path) -> int:
    from cantil_tools.build import build_package
    from cantil_tools.index import index_channel
    from cantil_tools.sample import sample_channel_description

    descs: list[dict[str, Any]] = list(sample_channel_description())
    for i in range(10):
        files = {f"lib/benchlib{i}/data{j:02d}.txt": f"benchlib{i} file {j}\n" * 40 for j in range(39)}
        files[f"lib/pkgconfig/benchlib{i}.pc"] = f"prefix=@PREFIX@\nName: benchlib{i}\n"
        depends = [f"benchlib{i - 1}"] if i else ["libzz >=1.2.13,<2"]
        descs.append({"name": f"benchlib{i}", "version": "1.0", "depends": depends, "files": files})
    for d in descs:
        build_package(d, root, formats=("conda",))
    (root / "noarch").mkdir(exist_ok=True)
    index_channel(root)
    return len(descs)


class User:
    def __init__(self, base: Path, channels: Sequence[str]) -> None:
        self.base = base
        home = base / "home"
        home.mkdir(parents=True)
        chans = "".join(f"  - {c}\n" for c in channels)
        (home / ".condarc").write_text(f"channels:\n{chans}default_channels: []\nalways_yes: true\n")
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("CONDA", "CANTIL", "MAMBA", "_CE_"))}
        self.env = {**keep, "HOME": str(home), "CONDARC": str(home / ".condarc"),
                    "CANTIL_ROOT_PREFIX": str(base / "root"), "XDG_CACHE_HOME": str(home / ".cache"),
                    "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])}

    def argv(self, *args: str) -> list[str]:
        return [*cantil(), *args]

    def run(self, *args: str) -> tuple[float, float, str]:
        return timed(self.argv(*args), self.env, self.base)


def fmt(xs: list[float]) -> str:
    return f"{median(xs) * 1000:.0f} ms"


def targets(results: dict[str, list[tuple[float, float]]]) -> str:
    """Issue 9's target: `create --dry-run` of numpy and jupyter under 0.25 s (conda's CLI: 2.2 s and 3.7 s here)."""
    parts = []
    for spec, conda in (("numpy", 2.2), ("jupyter", 3.7)):
        xs = results.get(f"create --dry-run {spec} (defaults-index4, file://), warm", [])
        if xs:
            wall, cpu = median([w for w, _ in xs]), median([c for _, c in xs])
            verdict = "met" if wall < 0.25 else "NOT met"
            parts.append(f"`{spec}` {wall:.2f} s wall / {cpu:.2f} s CPU ({verdict}; conda {conda} s)")
    return "Target (issue 9): `create --dry-run` under 0.25 s: " + "; ".join(parts) + "."


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    ns = parser.parse_args(argv)
    rounds = max(5, ns.rounds)
    from cantil_tools.server import ChannelServer

    ensure_bytecode()

    work = Path(tempfile.mkdtemp(prefix="cantil-bench-e2e-"))
    try:
        npkgs = build_channel(work / "channel")
        server = ChannelServer(work / "channel")
        index4 = INDEX4.resolve().as_uri()
        results: dict[str, list[tuple[float, float]]] = {}
        sizes: dict[str, int] = {}

        def record(name: str, argv: Sequence[str], env: dict[str, str]) -> str:
            wall, cpu, out = timed(argv, env, work)
            results.setdefault(name, []).append((wall, cpu))
            return out

        def rattler(prefix: Path, cache: Path) -> list[str]:
            return [sys.executable, "-c", RATTLER, server.url, str(prefix), str(cache), *SPECS]

        warm = User(work / "warm", [server.url])
        warm.run("create", "-n", "seed", *SPECS)  # fills the warm cache
        rattler_warm = work / "rattler-warm"
        timed(rattler(rattler_warm / "seed", rattler_warm), warm.env, work)
        dry = User(work / "dry", [index4])
        activate = ["bash", "--norc", "--noprofile", "-c", 'eval "$(cantil shell.bash hook)" && cantil activate seed']
        try:
            for r in range(rounds):
                cold = User(work / f"cold{r}", [server.url])
                out = record("create, cold cache: cantil", cold.argv("create", "-n", "e", *SPECS, "--json"), cold.env)
                sizes["env"] = len(json.loads(out)["actions"]["LINK"])
                out = record("create, cold cache: py-rattler solve+install",
                             rattler(work / f"rattler-cold{r}" / "env", work / f"rattler-cold{r}"), warm.env)
                sizes["rattler"] = int(out.strip())
                record("create, warm cache: cantil", warm.argv("create", "-n", f"w{r}", *SPECS), warm.env)
                record("create, warm cache: py-rattler solve+install",
                       rattler(rattler_warm / f"w{r}", rattler_warm), warm.env)
                for spec in ("numpy", "jupyter"):
                    dry_run = dry.argv("create", "-n", "d", "--dry-run", spec, "--json")
                    if r == 0:
                        first = "first run" if spec == "numpy" else "first run (index prepared by the numpy run)"
                        record(f"create --dry-run {spec} (defaults-index4, file://), {first}", dry_run, dry.env)
                    record(f"create --dry-run {spec} (defaults-index4, file://), warm", dry_run, dry.env)
                record("cantil list (the ~30-package env)", warm.argv("list", "-n", "seed"), warm.env)
                record("cantil --version", warm.argv("--version"), warm.env)
                record("python -c pass (peer)", [sys.executable, "-c", "pass"], warm.env)
                record("activate in bash: hook + `cantil activate`", activate, warm.env)
                record("bash -c true (peer)", ["bash", "--norc", "--noprofile", "-c", "true"], warm.env)
        finally:
            server.stop()
        rows = [[name, fmt([w for w, _ in xs]), fmt([c for _, c in xs]), str(len(xs))]
                for name, xs in results.items()]
        text = (
            f"Machine: {machine()}. Whole-process wall time (median) and the child's CPU time (user+sys, median), "
            f"{rounds} interleaved rounds; the machine is shared, so CPU time is the steadier figure.\n"
            f"Environment: {sizes.get('env')} packages (py-rattler: {sizes.get('rattler')}) from a "
            f"{npkgs}-package channel served on 127.0.0.1; py-rattler (add_pip_as_python_dependency on, as conda and cantil) runs no link scripts and compiles no .pyc.\n\n"
            + table(["case", "wall", "CPU", "runs"], rows)
            + "\n\n" + targets(results)
            + "\n\nCommand: `python tools/bench/bench_e2e.py` (or `nox -s bench -- e2e`)."
        )
        write_section("e2e", text)
        print(text)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
