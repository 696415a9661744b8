"""`cantil config`: show the merged settings and their sources, and edit one .condarc keeping comments and order.

The file written: --file FILE, --system (<root_prefix>/.condarc), --env ($CONDA_PREFIX/.condarc), else ~/.condarc, as
conda does. Edits go through ruamel.yaml's round-trip loader (comments, order and quoting kept) and are written to a
temporary file then renamed over the original.
"""

from __future__ import annotations

import json
import os
import sys

from cantil.cli._context import settings_of
from cantil.cli._errors import CliError, CondaValueError, ConfigurationError, ConfigurationLoadError
from cantil.cli._params import MAP, PARAMETERS, PRIMITIVE, SEQUENCE, canonical
from cantil.cli._settings import Settings, _typed

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


class CondaKeyError(CliError):
    exception_name = "CondaKeyError"


def rc_path(ns: argparse.Namespace, settings: Settings) -> str:
    if ns.file:
        return os.path.abspath(os.path.expanduser(str(ns.file)))
    if ns.system:
        return os.path.join(settings.root_prefix, ".condarc")
    if ns.env:
        prefix = settings.environ.get("CONDA_PREFIX")
        if not prefix:
            raise CondaValueError("--env needs an active environment ($CONDA_PREFIX is not set)")
        return os.path.join(prefix, ".condarc")
    home = settings.environ.get("HOME") or os.path.expanduser("~")
    return os.path.join(home, ".condarc")


def format_value(key: str, value: Any) -> list[str]:
    """conda's `config --show` text for one key."""
    if isinstance(value, dict):
        if not value:
            return [f"{key}: {{}}"]
        lines = [f"{key}:"]
        for k, v in value.items():
            if isinstance(v, list):
                lines.append(f"  {k}:")
                lines += [f"    - {x}" for x in v]
            else:
                lines.append(f"  {k}: {v}")
        return lines
    if isinstance(value, list):
        return [f"{key}: []"] if not value else [f"{key}:", *(f"  - {x}" for x in value)]
    return [f"{key}: {value}"]


def _effective(settings: Settings, key: str) -> Any:
    if key in ("envs_dirs", "pkgs_dirs", "subdir", "subdirs"):
        return getattr(settings, key)
    return settings[key]


def config(ns: argparse.Namespace) -> int:
    settings = settings_of(ns)
    out: dict[str, Any] = {}
    text: list[str] = []
    if ns.show is not None:
        keys = ns.show or sorted(PARAMETERS)
        for k in keys:
            name = canonical(k)
            if name is None:
                raise CondaKeyError(f"unknown key {k!r}", hint=_hint_key(k))
            out[name] = _effective(settings, name)
            text += format_value(name, out[name])
        return _print(ns, out, text)
    if ns.show_sources:
        for src in settings.sources:
            out[src.name] = src.data
            text.append(f"==> {src.name} <==")
            for k, v in src.data.items():
                text += format_value(k, v)
            text.append("")
        return _print(ns, out, text[:-1] if text else text)
    if ns.describe is not None:
        keys = ns.describe or list(PARAMETERS)
        for k in keys:
            name = canonical(k)
            if name is None:
                raise CondaKeyError(f"unknown key {k!r}", hint=_hint_key(k))
            p = PARAMETERS[name]
            out[name] = {"name": name, "kind": p.kind, "type": p.type, "default": p.default,
                         "aliases": list(p.aliases), "description": p.description}
            text.append(f"# # {name} ({p.kind}{', aliases: ' + ', '.join(p.aliases) if p.aliases else ''})")
            text.append(f"# #   {p.description}")
            text += [f"# {line}" for line in format_value(name, p.default)]
            text.append("")
        return _print(ns, out, text)
    if ns.validate:
        return _print(ns, {"success": True, "files": settings.files}, [])

    path = rc_path(ns, settings)
    if ns.get is not None:
        from cantil.cli._yaml import load_plain

        data = load_plain(path)
        keys = ns.get or list(data)
        got: dict[str, Any] = {}
        for k in keys:
            if k not in data:
                if not ns.json:
                    sys.stderr.write(f"warning: key {k!r} is not set in {path}\n")
                continue
            got[k] = data[k]
            v = data[k]
            if isinstance(v, list):
                for i, item in enumerate(reversed(v)):
                    note = "   # lowest priority" if i == 0 else ("   # highest priority" if i == len(v) - 1 else "")
                    text.append(f"--add {k} {_quote(item)}{note}")
            elif isinstance(v, dict):
                text += [f"--set {k}.{sub} {_quote(x)}" for sub, x in v.items()]
            else:
                text.append(f"--set {k} {v}")
        return _print(ns, {"get": got, "rc_path": path, "success": True, "warnings": []}, text)

    warnings = edit(path, ns)
    if not ns.json:
        for w in warnings:
            sys.stderr.write(f"warning: {w}\n")
    return _print(ns, {"rc_path": path, "success": True, "warnings": warnings}, [])


def _quote(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _hint_key(key: str) -> str | None:
    import difflib

    found = difflib.get_close_matches(key, list(PARAMETERS), n=1)
    return f"did you mean {found[0]!r}?" if found else "see `cantil config --describe` for the known keys"


def _print(ns: argparse.Namespace, data: dict[str, Any], text: list[str]) -> int:
    if ns.json:
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    elif text:
        sys.stdout.write("\n".join(text) + "\n")
    return 0


def _param(key: str, kinds: tuple[str, ...], verb: str) -> tuple[str, str | None]:
    """(parameter, map subkey) for a key given on the command line; an unknown key or kind is CondaValueError."""
    base, _, sub = key.partition(".")
    name = canonical(base)
    if name is None:
        raise CondaValueError(f"unknown key {base!r}", hint=_hint_key(base))
    p = PARAMETERS[name]
    kind = PRIMITIVE if (p.kind == MAP and sub) else p.kind
    if kind not in kinds:
        raise CondaValueError(f"key {base!r} is a {p.kind} parameter: it cannot be changed with --{verb}",
                              hint={SEQUENCE: f"use --add/--append/--remove {base} VALUE",
                                    PRIMITIVE: f"use --set {base} VALUE",
                                    MAP: f"use --set {base}.KEY VALUE"}[p.kind])
    return name, (sub or None)


def _coerce(name: str, value: str) -> Any:
    p = PARAMETERS[name]
    if p.kind == MAP:
        return value
    return _typed(p, value, "the command line")


def edit(path: str, ns: argparse.Namespace) -> list[str]:
    """Apply --set/--add/--append/--remove/--remove-key to the file; return warnings."""
    from cantil.cli._yaml import load_roundtrip, write_roundtrip

    doc = load_roundtrip(path)
    warnings: list[str] = []
    for key, value in ns.set or []:
        name, sub = _param(key, (PRIMITIVE,), "set")
        if sub is not None:
            doc.setdefault(name, {})
            doc[name][sub] = value
        else:
            doc[name] = _coerce(name, value)
    for option, where in (("prepend", "top"), ("append", "bottom")):
        for key, value in getattr(ns, option) or []:
            name, _ = _param(key, (SEQUENCE,), "add" if option == "prepend" else "append")
            item = _coerce(name, value)
            if name not in doc or doc[name] is None:
                doc[name] = ["defaults"] if (name == "channels" and option == "prepend") else []
            seq = doc[name]
            if item in seq:
                seq.remove(item)
                warnings.append(f"{item!r} already in {name!r} list, moving to the {where}")
            if option == "prepend":
                seq.insert(0, item)
            else:
                seq.append(item)
    for key, value in ns.remove or []:
        name, _ = _param(key, (SEQUENCE,), "remove")
        if name not in doc:
            raise CondaKeyError(f"key {name!r} is not in the config file {path}", path=path)
        item = _coerce(name, value)
        if item not in doc[name]:
            raise CondaKeyError(f"{value!r} is not in the {name!r} key of the config file {path}", path=path)
        doc[name].remove(item)
    for key in ns.remove_key or []:
        base, _, sub = key.partition(".")
        if base not in doc or (sub and sub not in (doc[base] or {})):
            raise CondaKeyError(f"key {key!r} is not in the config file {path}", path=path)
        if sub:
            del doc[base][sub]
        else:
            del doc[base]
    try:
        write_roundtrip(path, doc)
    except OSError as err:
        raise CliError(f"cannot write {path}: {err.strerror}", path=path) from err
    return warnings


__all__ = ["ConfigurationError", "ConfigurationLoadError", "config", "edit", "format_value", "rc_path"]
