"""`cantil info` and the list of known environments (`info --envs`, `env list`).

Known environments: the base prefix, every directory with a conda-meta/ in the envs dirs, and the entries of
~/.conda/environments.txt that still exist (conda's registry, shared with conda).
"""

from __future__ import annotations

import json
import os
import sys

from cantil.cli._context import env_name, is_env, settings_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from cantil.cli._settings import Settings


def known_envs(settings: Settings) -> list[str]:
    found: list[str] = []
    if is_env(settings.root_prefix):
        found.append(settings.root_prefix)
    for d in settings.envs_dirs:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        found += [os.path.join(d, n) for n in names if is_env(os.path.join(d, n))]
    home = settings.environ.get("HOME") or os.path.expanduser("~")
    try:
        with open(os.path.join(home, ".conda", "environments.txt"), encoding="utf-8") as f:
            found += [ln.strip() for ln in f if ln.strip() and is_env(ln.strip())]
    except OSError:
        pass
    return list(dict.fromkeys(os.path.normpath(p) for p in found))


def envs_text(settings: Settings, envs: list[str]) -> str:
    active = os.path.normpath(settings.environ.get("CONDA_PREFIX", "") or "/nonexistent")
    lines = ["# cantil environments:", "#"]
    names = [(env_name(settings, p) if env_name(settings, p) != p else "", p) for p in envs]
    width = max([len(n) for n, _ in names] + [20])
    for n, p in names:
        star = "*" if os.path.normpath(p) == active else " "
        lines.append(f"{n:<{width}}  {star}  {p}")
    return "\n".join(lines) + "\n\n"


def info(ns: argparse.Namespace) -> int:
    s = settings_of(ns)
    envs = known_envs(s)
    if ns.base:
        sys.stdout.write(json.dumps({"root_prefix": s.root_prefix}, indent=2) + "\n" if ns.json else s.root_prefix + "\n")
        return 0
    if ns.envs and not ns.all and not ns.json:
        sys.stdout.write(envs_text(s, envs))
        return 0
    doc = info_dict(s, envs)
    if ns.json:
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return 0
    sys.stdout.write(info_text(doc))
    if ns.envs or ns.all:
        sys.stdout.write(envs_text(s, envs))
    if ns.system or ns.all:
        sys.stdout.write("# environment variables:\n")
        for k in sorted(s.environ):
            if k.startswith(("CONDA", "CANTIL", "PYTHON")) or k in ("PATH", "HOME", "SHELL"):
                sys.stdout.write(f"{k}={s.environ[k]}\n")
        sys.stdout.write("\n")
    return 0


def info_dict(s: Settings, envs: list[str]) -> dict[str, Any]:
    from cantil.cli._version import __version__

    active = s.environ.get("CONDA_PREFIX")
    try:
        from cantil.solver.virtual import detect

        virtual = [f"{r.name}={r.version}={r.build}" for r in detect(s.environ, s.subdir)]
    except Exception:  # a broken detector must not break `info`
        virtual = []
    try:
        from cantil.cli._context import channel_settings

        cs = channel_settings(s)
        urls = [u for name in s.channels for ch in cs.expand(name) for u in ch.urls(s.subdirs)]
    except Exception:
        urls = []
    home = s.environ.get("HOME") or os.path.expanduser("~")
    return {
        "active_prefix": active or None,
        "active_prefix_name": env_name(s, active) if active else None,
        "cantil_version": __version__,
        "channels": urls,
        "config_files": s.files,
        "default_prefix": active or s.root_prefix,
        "envs": envs,
        "envs_dirs": s.envs_dirs,
        "offline": bool(s.offline),
        "pkgs_dirs": s.pkgs_dirs,
        "platform": s.subdir,
        "python_version": ".".join(map(str, sys.version_info[:3])),
        "root_prefix": s.root_prefix,
        "root_writable": os.access(s.root_prefix, os.W_OK) if os.path.exists(s.root_prefix) else False,
        "shell_level": int(s.environ.get("CONDA_SHLVL", "0") or 0),
        "sys.version": sys.version,
        "user_rc_path": os.path.join(home, ".condarc"),
        "virtual_pkgs": virtual,
    }


def info_text(doc: dict[str, Any]) -> str:
    rows = [
        ("active environment", doc["active_prefix_name"] or "None"),
        ("active env location", doc["active_prefix"] or "-"),
        ("shell level", str(doc["shell_level"])),
        ("user config file", doc["user_rc_path"]),
        ("populated config files", doc["config_files"]),
        ("cantil version", doc["cantil_version"]),
        ("python version", doc["python_version"]),
        ("virtual packages", doc["virtual_pkgs"]),
        ("base environment", f"{doc['root_prefix']}  ({'writable' if doc['root_writable'] else 'read only'})"),
        ("channel URLs", doc["channels"]),
        ("package cache", doc["pkgs_dirs"]),
        ("envs directories", doc["envs_dirs"]),
        ("platform", doc["platform"]),
        ("offline mode", str(doc["offline"])),
    ]
    lines = [""]
    for label, value in rows:
        values = value if isinstance(value, list) else [value]
        values = values or [""]
        lines.append(f"{label:>26} : {values[0]}")
        lines += [f"{'':>26}   {v}" for v in values[1:]]
    return "\n".join(lines) + "\n\n"
