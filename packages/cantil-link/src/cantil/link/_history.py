"""conda-meta/history in conda's format, and the ~/.conda/environments.txt registry.

A revision is a header `==> YYYY-MM-DD HH:MM:SS <==`, comment lines (`# cmd: ...`, `# update specs: [...]`,
`# remove specs: [...]`, `# neutered specs: [...]`) and package lines `+channel/subdir::name-version-build` (linked)
or `-...` (unlinked). A revision without +/- lines lists the whole state (old conda). We write `# cantil version:`,
not `# conda version:`: conda compares the latter with its own version to refuse downgrades.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from ._fs import flocked, write_atomic
from ._struct import Struct

VERSION = "0.1.0"
_SEP = re.compile(r"==>\s*(.+?)\s*<==")
_SPECS = re.compile(r"#\s*(\w+)\s*specs:\s*(.+)?")
_CMD = re.compile(r"#\s*cmd:\s*(.+)")


class Revision(Struct):
    __slots__ = ("comments", "date", "packages")

    def __init__(self, date: str, packages: set[str] | None = None, comments: list[str] | None = None) -> None:
        self.date = date
        self.packages: set[str] = set() if packages is None else packages  # "+dist" / "-dist" or plain dists
        self.comments: list[str] = [] if comments is None else comments

    @property
    def command(self) -> str | None:
        for c in self.comments:
            m = _CMD.match(c)
            if m:
                return m.group(1)
        return None

    def specs(self, action: str) -> list[str]:
        for c in self.comments:
            m = _SPECS.match(c)
            if m and m.group(1) == action and m.group(2):
                text = m.group(2).strip()
                if text.startswith("["):
                    with contextlib.suppress(ValueError, SyntaxError):
                        import ast  # lazily: only reading a history's spec lists needs it

                        return [str(s) for s in ast.literal_eval(text)]
                return [s for s in text.split(",") if s]
        return []


class History:
    def __init__(self, prefix: Path | str) -> None:
        self.prefix = Path(prefix)
        self.path = self.prefix / "conda-meta" / "history"

    def revisions(self) -> list[Revision]:
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []
        out: list[Revision] = []
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            m = _SEP.match(line)
            if m:
                out.append(Revision(m.group(1)))
            elif out and line.startswith("#"):
                out[-1].comments.append(line)
            elif out:
                out[-1].packages.add(line)
        return out

    def states(self) -> list[set[str]]:
        """The set of dist strings after each revision."""
        cur: set[str] = set()
        res: list[set[str]] = []
        for rev in self.revisions():
            if any(p.startswith(("+", "-")) for p in rev.packages):
                for p in rev.packages:
                    if p.startswith("-"):
                        cur.discard(p[1:])
                    elif p.startswith("+"):
                        cur.add(p[1:])
            else:
                cur = set(rev.packages)
            res.append(set(cur))
        return res

    def state(self) -> set[str]:
        states = self.states()
        return states[-1] if states else set()

    def render(self, current: Iterable[str], *, command_line: str, update_specs: Sequence[str] = (),
               remove_specs: Sequence[str] = (), neutered_specs: Sequence[str] = (),
               when: float | None = None) -> str:
        """The text of a new revision going from the recorded state to `current`."""
        last, now = self.state(), set(current)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when))
        out = [f"==> {stamp} <==", f"# cmd: {command_line}", f"# cantil version: {VERSION}"]
        out += [f"-{d}" for d in sorted(last - now)]
        out += [f"+{d}" for d in sorted(now - last)]
        if remove_specs:
            out.append(f"# remove specs: {list(remove_specs)}")
        if update_specs:
            out.append(f"# update specs: {list(update_specs)}")
        if neutered_specs:
            out.append(f"# neutered specs: {list(neutered_specs)}")
        return "\n".join(out) + "\n"


def default_environments_txt() -> Path:
    return Path(os.environ.get("HOME") or os.path.expanduser("~")) / ".conda" / "environments.txt"


def register_environment(prefix: Path, registry: Path) -> bool:
    """Add `prefix` to conda's environments.txt (one path a line) unless listed; True when added."""
    registry.parent.mkdir(parents=True, exist_ok=True)
    entry = str(prefix)
    with flocked(registry.with_name(".environments.txt.cantil-lock")):
        try:
            lines = registry.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        if entry in (ln.strip() for ln in lines):
            return False
        lines = [ln for ln in lines if ln.strip()] + [entry]
        write_atomic(registry, ("\n".join(lines) + "\n").encode())
        return True


def unregister_environment(prefix: Path, registry: Path) -> bool:
    entry = str(prefix)
    if not registry.exists():
        return False
    with flocked(registry.with_name(".environments.txt.cantil-lock")):
        lines = registry.read_text(encoding="utf-8").splitlines()
        kept = [ln for ln in lines if ln.strip() and ln.strip() != entry]
        if len(kept) == len([ln for ln in lines if ln.strip()]):
            return False
        write_atomic(registry, ("\n".join(kept) + "\n").encode() if kept else b"")
        return True
