"""PATH arithmetic, conda's: a prefix's directories, equality, and replacing one prefix's entries by another's.

Traps: Windows compares paths without case and with either slash; an environment contributes six directories on
Windows (plus one MSYS2 variant when present) and one (`bin`) elsewhere; when the old prefix's first directory is not
on PATH nothing is removed and the new directories go first; only the FIRST occurrence is removed, so a directory the
user had on PATH before activation stays.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

_WIN_DIRS = (("Library", "mingw-w64", "bin"), ("Library", "usr", "bin"), ("Library", "bin"), ("Scripts",), ("bin",))


def paths_equal(a: str, b: str, *, windows: bool) -> bool:
    if windows:
        return a.replace("/", "\\").rstrip("\\").lower() == b.replace("/", "\\").rstrip("\\").lower()
    return a == b


def prefix_dirs(prefix: str, *, windows: bool) -> list[str]:
    """The PATH entries an environment contributes, first to last."""
    if not windows:
        return [prefix + "/bin"]
    sep = "\\"
    dirs = [prefix.rstrip(sep)]
    for variant in ("ucrt64", "clang64", "mingw64", "clangarm64"):
        if os.path.isdir(sep.join((prefix, "Library", variant))):
            dirs.append(sep.join((prefix, "Library", variant, "bin")))
            break
    dirs += [sep.join((prefix, *parts)) for parts in _WIN_DIRS]
    return dirs


def _index(path_list: list[str], wanted: str, windows: bool) -> int | None:
    return next((i for i, p in enumerate(path_list) if paths_equal(p, wanted, windows=windows)), None)


def replace_prefix(path_list: list[str], old: list[str] | None, new: list[str] | None, *, windows: bool) -> list[str]:
    """path_list with the span from old's first to old's last directory replaced by new (either may be None)."""
    path_list = list(path_list)
    first = 0
    if old:
        found = _index(path_list, old[0], windows)
        if found is not None:
            first = found
            last = None
            for d in reversed(old):
                last = _index(path_list, d, windows)
                if last is not None:
                    break
            del path_list[first : (last if last is not None else first) + 1]
    if new:
        path_list[first:first] = new
    return path_list


def expand_path(path: str, environ: Mapping[str, str]) -> str:
    """`~`, `$NAME` and `${NAME}` (from environ; unknown names are left as written), then absolute."""
    if "$" in path:
        out, i = [], 0
        while i < len(path):
            ch = path[i]
            if ch == "$" and i + 1 < len(path):
                if path[i + 1] == "{" and "}" in path[i + 2 :]:
                    end = path.index("}", i + 2)
                    name = path[i + 2 : end]
                    out.append(environ.get(name, path[i : end + 1]))
                    i = end + 1
                    continue
                j = i + 1
                while j < len(path) and (path[j].isalnum() or path[j] == "_"):
                    j += 1
                if j > i + 1:
                    out.append(environ.get(path[i + 1 : j], path[i:j]))
                    i = j
                    continue
            out.append(ch)
            i += 1
        path = "".join(out)
    return os.path.abspath(os.path.expanduser(path))
