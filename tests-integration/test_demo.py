"""The README's first command stays true: tools/demo_e2e.py (what `bash tools/demo.sh` runs after setting up its
venv) builds the sample channel, serves it, creates the demo env, activates it in bash and runs its programs."""

from __future__ import annotations

import subprocess
import sys

from ._helpers import REPO


def test_readme_demo_runs_end_to_end() -> None:
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "demo_e2e.py")], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "hello from hello-cli" in out and "requestsish 2.31.0" in out and "toolc 2.1.0 installed in" in out
    assert "after deactivate: CONDA_PREFIX=<unset>" in out and "channel server stopped" in out
    assert out.rstrip().endswith("demo finished: exit 0")
