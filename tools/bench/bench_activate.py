"""Activation benchmark: whole-process `cantil shell.bash activate PREFIX` against a bare `python -c pass`.

Both run on the same interpreter (the `cantil` script beside sys.executable), interleaved, with an empty ~/.condarc,
a root prefix and an environment laid out in a temporary directory, bytecode already compiled (one warm-up run of
each). Also measured: `deactivate` from an active env, `hook`, and in-process figures (Activator.activate alone,
load_settings with a valid cache). Writes the "activate" section of docs/performance.md.

    python tools/bench/bench_activate.py [--rounds N]     (default 21; medians)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _report import machine, median, table, write_section


def _cantil() -> str:
    exe = Path(sys.executable).parent / "cantil"
    if not exe.is_file():
        raise SystemExit(f"no cantil script beside {sys.executable}")
    return str(exe)


def _layout(base: Path) -> tuple[dict[str, str], Path]:
    home, root = base / "home", base / "root"
    prefix = root / "envs" / "bench"
    for d in (home, root / "conda-meta", prefix / "conda-meta", prefix / "bin"):
        d.mkdir(parents=True)
    (home / ".condarc").write_text("")
    env = {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "CANTIL_ROOT_PREFIX": str(root)}
    return env, prefix


def _time(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"{cmd} failed: {done.stderr.decode()}")
    return elapsed


def _in_process(env: dict[str, str], prefix: Path, rounds: int) -> tuple[float, float]:
    from cantil.activate import ActivationSettings, Activator
    from cantil.cli._settings import load_settings

    settings = ActivationSettings(env["CANTIL_ROOT_PREFIX"], exe="/x/cantil")
    acts, loads = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        Activator("bash", settings, env).activate(str(prefix))
        acts.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        load_settings(env)
        loads.append(time.perf_counter() - t0)
    return median(acts), median(loads)


def main(argv: list[str]) -> int:
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 21
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cantil = _cantil()
    with tempfile.TemporaryDirectory(prefix="cantil-bench-activate-") as tmp:
        env, prefix = _layout(Path(tmp))
        active = {**env, "CONDA_PREFIX": str(prefix), "CONDA_SHLVL": "1", "PATH": f"{prefix}/bin:{env['PATH']}"}
        cases = {
            "bare": ([sys.executable, "-c", "pass"], env),
            "activate": ([cantil, "shell.bash", "activate", str(prefix)], env),
            "deactivate": ([cantil, "shell.bash", "deactivate"], active),
            "hook": ([cantil, "shell.bash", "hook"], env),
        }
        for cmd, e in cases.values():  # warm-up: bytecode, settings cache, page cache
            _time(cmd, e)
        samples: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(rounds):
            for name, (cmd, e) in cases.items():
                samples[name].append(_time(cmd, e))
        act_in, load_in = _in_process(env, prefix, rounds)
    med = {k: median(v) * 1000 for k, v in samples.items()}
    bare = med["bare"]
    rows = [
        ["`python -c pass` (peer)", f"{bare:.1f}", "1.0x"],
        *[[f"`cantil shell.bash {k} ...`", f"{med[k]:.1f}", f"{med[k] / bare:.2f}x"] for k in ("activate", "deactivate", "hook")],
    ]
    md = "\n".join([
        f"Whole-process wall time, median of {rounds} interleaved runs; empty `~/.condarc`; same interpreter for all rows.",
        f"Machine: {machine()}; 1-min load average {load:.1f} at start (the machine is shared: absolute times vary,",
        "the ratio to the interleaved bare start is the figure). Command: `python tools/bench/bench_activate.py`.",
        "",
        table(["command", "median ms", "vs bare Python"], rows),
        "",
        f"In-process: `Activator('bash', ...).activate(prefix)` {act_in * 1e6:.0f} µs; "
        f"`load_settings(environ)` (cached .condarc parse) {load_in * 1e6:.0f} µs (medians of {rounds}).",
        "Target (issue 7): within 3x of a bare Python start; conda's `conda shell.bash activate` was measured at 481 ms,",
        "38x a bare Python start, on this machine.",
    ])
    write_section("activate", md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
