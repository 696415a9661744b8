"""Install each built cantil wheel ALONE (with only its declared dependencies) into a clean venv and import it.

Usage: python tools/check_wheels.py DIST_DIR   (run by `nox -s build`)
cantil-specs and cantil-activate must bring no third-party distribution at all.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

IMPORTS = {
    "cantil_specs": ("cantil.specs", True),
    "cantil_activate": ("cantil.activate", True),
    "cantil_repodata": ("cantil.repodata", False),
    "cantil_solver": ("cantil.solver", False),
    "cantil_link": ("cantil.link", False),
    "cantil_cli": ("cantil.cli", False),
    "cantil_tools": ("cantil_tools", False),
}
CHECK = """
import importlib, importlib.metadata as md, sys
mod, stdlib_only = sys.argv[1], sys.argv[2] == "1"
importlib.import_module(mod)
dists = sorted({d.metadata["Name"].lower() for d in md.distributions()} - {"pip", "setuptools", "wheel"})
others = [d for d in dists if not d.startswith("cantil")]
if stdlib_only and others:
    raise SystemExit(f"{mod}: third-party distributions installed with it: {others}")
print(mod, "ok with", dists)
"""


def main(dist_dir: str) -> int:
    wheels = sorted(Path(dist_dir).glob("*.whl"))
    if not wheels:
        print("no wheels found", file=sys.stderr)
        return 1
    failed = 0
    for wheel in wheels:
        key = wheel.name.split("-")[0]
        if key not in IMPORTS:
            continue
        mod, stdlib_only = IMPORTS[key]
        with tempfile.TemporaryDirectory() as tmp:
            venv = Path(tmp) / "venv"
            subprocess.run(["uv", "venv", "-q", str(venv)], check=True)
            py = str(venv / "bin" / "python")
            subprocess.run(["uv", "pip", "install", "-q", "--python", py, "--find-links", dist_dir, str(wheel)], check=True)
            r = subprocess.run([py, "-c", CHECK, mod, "1" if stdlib_only else "0"], check=False)
            failed += r.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
