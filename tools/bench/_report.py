"""Write benchmark tables into docs/performance.md between markers, keeping the prose around them.

A section is delimited by `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; a missing section is appended.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()} ({sys.implementation.name})"


def ensure_bytecode() -> None:
    """Measure cantil as an installed copy runs: with bytecode written. Some shells set PYTHONDONTWRITEBYTECODE, which
    makes every whole-process run recompile every module (seen here: 0.96 s instead of 0.2 s for a --dry-run)."""
    import compileall
    import importlib

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for mod in ("cantil.specs", "cantil.repodata", "cantil.solver", "cantil.link", "cantil.activate", "cantil.cli"):
        try:
            paths = list(importlib.import_module(mod).__path__)
        except ImportError:
            continue
        for path in paths:
            compileall.compile_dir(path, quiet=1)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def write_section(name: str, markdown: str) -> None:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    block = f"{start}\n{markdown.rstrip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    fd, tmp = tempfile.mkstemp(dir=DOC.parent, prefix=".performance.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, DOC)
