"""The one settings object: built-in defaults < .condarc files < CONDA_* < CANTIL_* < command-line flags.

Merge rules are conda's. Sources are taken lowest first; a source marking a key `#!final` ends the list for that key
(higher sources are ignored). A primitive takes the last remaining value. A sequence lists the higher sources' items
first, drops duplicates, then moves items marked `#!top` to the front and `#!bottom` to the end. A map merges keys,
higher sources winning.

The activation path calls `load_settings(os.environ)` at every `cantil shell.bash activate`: this module imports only
the standard library (no pathlib, no ruamel.yaml unless a .condarc must be parsed) and computes nothing it is not
asked for.
"""

from __future__ import annotations

import os
import sys

from cantil.cli._condarc import RcFile, read_files, search_path
from cantil.cli._errors import ConfigurationError
from cantil.cli._params import MAP, PARAMETERS, PRIMITIVE, SEQUENCE, Param

TYPE_CHECKING = False  # typing costs ~10 ms to import: the activation path must not pay it
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

_TRUE = frozenset({"true", "yes", "on", "y", "1"})
_FALSE = frozenset({"false", "no", "off", "n", "0", "none", "null", ""})


class Source:
    """Where values came from: a file path, `envvars (CONDA_*)`, `envvars (CANTIL_*)` or `cmd_line`."""

    __slots__ = ("data", "finals", "flags", "kind", "name")

    def __init__(self, name: str, kind: str, data: dict[str, Any], finals: frozenset[str] = frozenset(),
                 flags: dict[str, dict[str, str]] | None = None) -> None:
        self.name = name
        self.kind = kind  # "file" | "envvars" | "cmd_line"
        self.data = data
        self.finals = finals
        self.flags = flags or {}

    def __repr__(self) -> str:
        return f"Source({self.name!r}, {self.kind!r}, {self.data!r})"


def native_subdir() -> str:
    """This machine's conda subdir, from os.uname (no `platform` import)."""
    if sys.platform == "win32":
        return "win-arm64" if os.environ.get("PROCESSOR_ARCHITECTURE", "").upper() == "ARM64" else "win-64"
    machine = os.uname().machine.lower()
    if sys.platform == "darwin":
        return "osx-arm64" if machine in ("arm64", "aarch64") else "osx-64"
    plat = "linux" if sys.platform.startswith("linux") else sys.platform
    arch = {"x86_64": "64", "amd64": "64", "i686": "32", "i386": "32", "armv6l": "armv6l", "armv7l": "armv7l"}.get(machine, machine)
    return f"{plat}-{arch}"


def _boolify(key: str, value: Any, source: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ConfigurationError(key, f"expected a boolean, got {value!r}", source=source)


def _typed(p: Param, value: Any, source: str) -> Any:
    """Coerce one scalar to the parameter's element type (strings from variables, `yes` from YAML 1.2 files)."""
    t = p.type
    if t == "str" and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = str(value)
    elif t == "bool":
        value = _boolify(p.name, value, source)
    elif t in ("int", "float", "int|None", "int|bool"):
        if t == "int|None" and (value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null"))):
            return None
        if t == "int|bool" and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE - {"1", "0"}:
            return _boolify(p.name, value, source)
        if isinstance(value, bool):
            if t != "int|bool":
                raise ConfigurationError(p.name, f"expected a number, got {value!r}", source=source)
            return value
        try:
            value = float(value) if t == "float" else int(value)
        except (TypeError, ValueError):
            raise ConfigurationError(p.name, f"expected a number, got {value!r}", source=source) from None
    elif t == "bool|str":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        value = str(value)
    elif t == "list":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigurationError(p.name, f"expected a list, got {value!r}", source=source)
        return [str(v) for v in value]
    if t == "str" and not isinstance(value, str):
        raise ConfigurationError(p.name, f"expected a string, got {value!r}", source=source)
    if p.choices and value not in p.choices:
        # conda's channel_priority also accepts booleans: true = flexible, false = disabled
        if p.name == "channel_priority" and isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return "flexible" if value.lower() in _TRUE else "disabled"
        raise ConfigurationError(p.name, f"{value!r} is not one of {', '.join(p.choices)}", source=source)
    if p.expand and isinstance(value, str) and "$" in value:
        value = os.path.expandvars(value)
    return value


def _validate(p: Param, value: Any, source: str) -> Any:
    if p.kind == SEQUENCE:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigurationError(p.name, f"expected a list, got {value!r}", source=source)
        return [_typed(p, v, source) for v in value]
    if p.kind == MAP:
        if not isinstance(value, dict):
            raise ConfigurationError(p.name, f"expected a mapping, got {value!r}", source=source)
        return {str(k): _typed(p, v, source) for k, v in value.items()}
    if p.name == "channel_priority" and isinstance(value, bool):
        return "flexible" if value else "disabled"
    return _typed(p, value, source)


def _from_environ(environ: Mapping[str, str], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in PARAMETERS.values():
        for name in (p.name, *p.aliases):
            raw = environ.get(prefix + name.upper())
            if raw is None:
                continue
            if p.kind == SEQUENCE:
                out[p.name] = [v.strip() for v in raw.split(p.delimiter) if v.strip()]
            elif p.kind == PRIMITIVE:
                out[p.name] = raw
            break
    return out


def _merge(p: Param, matches: list[tuple[Source, Any]]) -> Any:
    for i, (src, _) in enumerate(matches):
        if p.name in src.finals:
            matches = matches[: i + 1]
            break
    if p.kind == PRIMITIVE:
        return matches[-1][1]
    if p.kind == MAP:
        merged: dict[str, Any] = {}
        for _, v in matches:
            merged.update(v)
        return merged
    def marked(src: Source, v: list[Any], mark: str) -> list[Any]:
        flags = src.flags.get(p.name, {})
        return [x for x in v if flags.get(str(x)) == mark]

    top = [x for src, v in matches for x in marked(src, v, "top")]
    bottom = [x for src, v in reversed(matches) for x in marked(src, v, "bottom")]
    every = [x for _, v in reversed(matches) for x in v]
    top_first = list(dict.fromkeys([*top, *every]))
    bottom_last = list(dict.fromkeys([*reversed(bottom), *reversed(top_first)]))
    return bottom_last[::-1]


class Settings:
    """Merged values (`settings.channels`, `settings["channels"]`), with the sources each came from."""

    def __init__(self, values: dict[str, Any], sources: list[Source], environ: Mapping[str, str],
                 root_prefix: str, files: list[str]) -> None:
        self._values = values
        self.sources = sources
        self.environ = environ
        self.root_prefix = root_prefix
        self.files = files  # every config file read, lowest precedence first

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def provenance(self, key: str) -> list[str]:
        """The names of the sources that set `key`, lowest precedence first (empty: the built-in default)."""
        return [s.name for s in self.sources if key in s.data]

    @property
    def envs_dirs(self) -> list[str]:
        home = self.environ.get("HOME") or os.path.expanduser("~")
        dirs = [*self._values["envs_dirs"], os.path.join(self.root_prefix, "envs"), os.path.join(home, ".conda", "envs")]
        return list(dict.fromkeys(_abspath(d, home) for d in dirs))

    @property
    def pkgs_dirs(self) -> list[str]:
        home = self.environ.get("HOME") or os.path.expanduser("~")
        dirs = self._values["pkgs_dirs"] or [os.path.join(self.root_prefix, "pkgs")]
        return list(dict.fromkeys(_abspath(d, home) for d in dirs))

    @property
    def subdir(self) -> str:
        value: str | None = self._values["subdir"]
        return value or native_subdir()

    @property
    def subdirs(self) -> list[str]:
        value: list[str] = self._values["subdirs"]
        return value or [self.subdir, "noarch"]

    def __repr__(self) -> str:
        return f"<Settings root_prefix={self.root_prefix!r} files={self.files!r}>"


def _abspath(path: str, home: str) -> str:
    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    return os.path.normpath(os.path.abspath(path))


def root_prefix_of(environ: Mapping[str, str]) -> str:
    """`$CANTIL_ROOT_PREFIX`, else `~/.cantil`."""
    home = environ.get("HOME") or os.path.expanduser("~")
    value = environ.get("CANTIL_ROOT_PREFIX")
    return _abspath(value, home) if value else os.path.join(home, ".cantil")


def load_settings(
    environ: Mapping[str, str] = os.environ,
    flags: Mapping[str, Any] | None = None,
    *,
    search_path_entries: Sequence[str] | None = None,
    extra_files: Sequence[str] = (),
    use_cache: bool = True,
) -> Settings:
    """Build the settings from the whole cascade.

    `flags` are command-line values by parameter name (None values are ignored). `search_path_entries` replaces
    conda's search path (tests point the system entries elsewhere); `extra_files` are read last, above `$CONDARC`
    (e.g. `config --file`). Raises ConfigurationLoadError for unreadable YAML, ConfigurationError for a bad value.
    """
    root = root_prefix_of(environ)
    paths = search_path(environ, root, search_path_entries)
    paths += [p for p in extra_files if p not in paths and os.path.isfile(p)]
    rcs: list[RcFile] = read_files(paths, environ, use_cache=use_cache)
    sources = [Source(rc.path, "file", rc.data, rc.finals, rc.flags) for rc in rcs]
    conda_env = _from_environ(environ, "CONDA_")
    if conda_env:
        sources.append(Source("envvars (CONDA_*)", "envvars", conda_env))
    cantil_env = _from_environ(environ, "CANTIL_")
    if cantil_env:
        sources.append(Source("envvars (CANTIL_*)", "envvars", cantil_env))
    if flags:
        cmd = {k: v for k, v in flags.items() if v is not None}
        if cmd:
            sources.append(Source("cmd_line", "cmd_line", cmd))

    matches: dict[str, list[tuple[Source, Any]]] = {}
    for src in sources:
        for key, value in src.data.items():
            name = key if key in PARAMETERS else _alias(key)
            if name is None:
                continue
            matches.setdefault(name, []).append((src, _validate(PARAMETERS[name], value, src.name)))
    values: dict[str, Any] = {}
    for name, p in PARAMETERS.items():
        found = matches.get(name)
        values[name] = _merge(p, found) if found else _copy(p.default)
    return Settings(values, sources, environ, root, paths)


def _alias(key: str) -> str | None:
    from cantil.cli._params import ALIASES

    return ALIASES.get(key)


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
