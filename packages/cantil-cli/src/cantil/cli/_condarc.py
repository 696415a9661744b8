"""Finding and reading `.condarc` files, fast.

conda's search path, lowest precedence first (a `condarc.d/` directory contributes its `*.yml`/`*.yaml` in name
order); `$CONDA_ROOT` is cantil's root prefix and `$CONDA_PREFIX` the active environment. With
`CONDA_RESTRICT_RC_SEARCH_PATH` set only `$CONDARC` is read, as conda does.

Traps:
- ruamel.yaml takes ~150 ms to import, longer than the whole activation budget. A parse is cached in
  `$XDG_CACHE_HOME/cantil/condarc.marshal` keyed by (path, mtime_ns, size, inode) and ruamel.yaml is imported only on
  a miss; an empty file is read as `{}` without parsing.
- conda's markers live in comments, which a YAML loader drops: `key: value  #!final` stops higher sources from
  overriding `key`; `- item  #!top` / `#!bottom` pin a list item. They are found by scanning the text.
- The cache is an optimisation only: an unreadable or unwritable cache is ignored.
"""

from __future__ import annotations

import marshal
import os

from cantil.cli._errors import ConfigurationLoadError

TYPE_CHECKING = False  # typing costs ~10 ms to import: the activation path must not pay it
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

SEARCH_PATH: tuple[str, ...] = (
    "/etc/conda/.condarc",
    "/etc/conda/condarc",
    "/etc/conda/condarc.d/",
    "/var/lib/conda/.condarc",
    "/var/lib/conda/condarc",
    "/var/lib/conda/condarc.d/",
    "$CONDA_ROOT/.condarc",
    "$CONDA_ROOT/condarc",
    "$CONDA_ROOT/condarc.d/",
    "$XDG_CONFIG_HOME/conda/.condarc",
    "$XDG_CONFIG_HOME/conda/condarc",
    "$XDG_CONFIG_HOME/conda/condarc.d/",
    "~/.config/conda/.condarc",
    "~/.config/conda/condarc",
    "~/.config/conda/condarc.d/",
    "~/.conda/.condarc",
    "~/.conda/condarc",
    "~/.conda/condarc.d/",
    "~/.condarc",
    "$CONDA_PREFIX/.condarc",
    "$CONDA_PREFIX/condarc",
    "$CONDA_PREFIX/condarc.d/",
    "$CONDARC",
)
_CACHE_VERSION = 1
_CACHE_LIMIT = 64


class RcFile:
    """One parsed file: its data (plain dicts/lists/scalars), `#!final` keys and `#!top`/`#!bottom` list items."""

    __slots__ = ("data", "finals", "flags", "path")

    def __init__(self, path: str, data: dict[str, Any], finals: frozenset[str], flags: dict[str, dict[str, str]]) -> None:
        self.path = path
        self.data = data
        self.finals = finals
        self.flags = flags  # key -> {item text: "top" | "bottom"}


def _home(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def _expand(entry: str, environ: Mapping[str, str], root_prefix: str) -> str | None:
    """One search-path entry with its variables filled in, or None when a variable it needs is unset."""
    home = _home(environ)
    xdg = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    if entry.startswith("~/"):
        return os.path.join(home, entry[2:])
    if entry.startswith("$"):
        var, _, rest = entry[1:].partition("/")
        value = {"CONDA_ROOT": root_prefix, "XDG_CONFIG_HOME": xdg}.get(var) or environ.get(var)
        if not value:
            return None
        value = os.path.expanduser(value) if value.startswith("~") else value
        return os.path.join(value, rest) if rest else value
    return entry


def search_path(environ: Mapping[str, str], root_prefix: str, entries: Sequence[str] | None = None) -> list[str]:
    """The existing config files, lowest precedence first, each once (a file reached twice keeps its first place)."""
    if entries is None:
        entries = ("$CONDARC",) if environ.get("CONDA_RESTRICT_RC_SEARCH_PATH") else SEARCH_PATH
    found: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        path = _expand(entry, environ, root_prefix)
        if path is None:
            continue
        if entry.endswith("/") or os.path.isdir(path):
            try:
                names = sorted(n for n in os.listdir(path) if n.endswith((".yml", ".yaml")))
            except OSError:
                continue
            candidates = [os.path.join(path, n) for n in names]
        else:
            candidates = [path]
        for c in candidates:
            real = os.path.realpath(c)
            if real not in seen and os.path.isfile(c):
                seen.add(real)
                found.append(c)
    return found


def _markers(text: str) -> tuple[frozenset[str], dict[str, dict[str, str]]]:
    finals: set[str] = set()
    flags: dict[str, dict[str, str]] = {}
    key = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace() and not line.startswith("-") and ":" in line:
            key = line.split(":", 1)[0].strip().strip("'\"")
            if line.endswith("#!final"):
                finals.add(key)
            continue
        item = line.lstrip()
        if key and item.startswith("-"):
            for mark in ("top", "bottom"):
                if item.endswith("#!" + mark):
                    value = item[1:].rsplit("#", 1)[0].strip().strip("'\"")
                    flags.setdefault(key, {})[value] = mark
    return frozenset(finals), flags


def _plain(value: Any) -> Any:
    """Convert loader output to marshal-able plain values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def parse_text(path: str, text: str) -> RcFile:
    """Parse one file's text (imports ruamel.yaml); bad YAML raises ConfigurationLoadError naming path and line."""
    if not text.strip():
        return RcFile(path, {}, frozenset(), {})
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        reason = (err.problem or err.context or "invalid YAML").strip()
        raise ConfigurationLoadError(path, reason, line=line, column=column) from err
    except YAMLError as err:
        raise ConfigurationLoadError(path, str(err).strip().splitlines()[0]) from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigurationLoadError(path, f"expected a mapping of settings, found {type(data).__name__}", line=1)
    finals, flags = _markers(text)
    return RcFile(path, _plain(data), finals, flags)


def cache_path(environ: Mapping[str, str]) -> str:
    base = environ.get("XDG_CACHE_HOME") or os.path.join(_home(environ), ".cache")
    return os.path.join(base, "cantil", "condarc.marshal")


def _read_cache(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            blob = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(blob, dict) or blob.get("version") != _CACHE_VERSION or not isinstance(blob.get("entries"), dict):
        return {}
    entries: dict[str, Any] = blob["entries"]
    return entries


def _write_cache(path: str, entries: dict[str, Any]) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            marshal.dump({"version": _CACHE_VERSION, "entries": entries}, f)
        os.replace(tmp, path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass


def read_files(paths: Sequence[str], environ: Mapping[str, str], *, use_cache: bool = True) -> list[RcFile]:
    """Read each file, from the parse cache when (mtime_ns, size, inode) still match."""
    out: list[RcFile] = []
    cache: dict[str, Any] | None = None
    dirty = False
    cpath = cache_path(environ)
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        if st.st_size == 0:
            out.append(RcFile(path, {}, frozenset(), {}))
            continue
        key = [st.st_mtime_ns, st.st_size, st.st_ino]
        if use_cache and cache is None:
            cache = _read_cache(cpath)
        hit = cache.get(path) if cache is not None else None
        if hit is not None and hit[0] == key:
            _, data, finals, flags = hit
            out.append(RcFile(path, data, frozenset(finals), flags))
            continue
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigurationLoadError(path, f"cannot read: {err}") from err
        rc = parse_text(path, text)
        out.append(rc)
        if use_cache and cache is not None:
            cache.pop(path, None)
            cache[path] = [key, rc.data, sorted(rc.finals), rc.flags]
            dirty = True
    if dirty and cache is not None:
        while len(cache) > _CACHE_LIMIT:
            cache.pop(next(iter(cache)))
        _write_cache(cpath, cache)
    return out
