"""`cantil clean`: the repodata cache, package archives, extracted packages no environment uses, temp files.

"Unused" follows conda: an extracted package directory whose dist name no known environment has installed.
With --dry-run the list is shown and nothing is removed.
"""

from __future__ import annotations

import os
import shutil

from cantil.cli._errors import CondaValueError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from cantil.cli._settings import Settings

ARCHIVES = (".conda", ".tar.bz2")
TEMP_SUFFIXES = (".tmp", ".partial", ".trash", ".c~", ".cantil-tmp")


def _size(path: str) -> int:
    if os.path.islink(path) or os.path.isfile(path):
        return os.lstat(path).st_size
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def _entries(settings: Settings) -> list[tuple[str, str]]:
    out = []
    for d in settings.pkgs_dirs:
        try:
            out += [(d, n) for n in sorted(os.listdir(d))]
        except OSError:
            continue
    return out


def _used_dists(settings: Settings) -> set[str]:
    from cantil.cli._cmd_info import known_envs

    used: set[str] = set()
    for prefix in known_envs(settings):
        meta = os.path.join(prefix, "conda-meta")
        try:
            used.update(n[: -len(".json")] for n in os.listdir(meta) if n.endswith(".json"))
        except OSError:
            continue
    return used


def targets(settings: Settings, *, index_cache: bool, tarballs: bool, packages: bool, tempfiles: bool) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    entries = _entries(settings)
    if index_cache:
        found["index_cache"] = [os.path.join(d, "cache") for d in settings.pkgs_dirs if os.path.isdir(os.path.join(d, "cache"))]
    if tarballs:
        found["tarballs"] = [os.path.join(d, n) for d, n in entries if n.endswith(ARCHIVES)]
    if packages:
        used = _used_dists(settings)
        found["packages"] = [os.path.join(d, n) for d, n in entries
                             if os.path.isfile(os.path.join(d, n, "info", "index.json")) and n not in used]
    if tempfiles:
        found["tempfiles"] = [os.path.join(d, n) for d, n in entries if n.endswith(TEMP_SUFFIXES)]
    return found


def clean(ns: argparse.Namespace) -> int:
    from cantil.cli._render import human_size
    from cantil.cli._transact import Session

    if not (ns.all or ns.index_cache or ns.packages or ns.tarballs or ns.tempfiles):
        raise CondaValueError("at least one removal target is required",
                              hint="choose from --all, --index-cache, --packages, --tarballs, --tempfiles")
    sess = Session(ns)
    found = targets(sess.settings, index_cache=ns.all or ns.index_cache, tarballs=ns.all or ns.tarballs,
                    packages=ns.all or ns.packages, tempfiles=ns.all or ns.tempfiles)
    sizes = {k: {p: _size(p) for p in v} for k, v in found.items()}
    doc: dict[str, Any] = {k: {"files": v, "total_size": sum(sizes[k].values())} for k, v in found.items()}
    doc.update(success=True, dry_run=sess.dry_run)
    if not sess.json:
        for k, paths in found.items():
            title = k.replace("_", " ")
            if not paths:
                sess.say(f"There are no {title} to remove.")
                continue
            sess.say(f"Will remove {len(paths)} {title} ({human_size(sum(sizes[k].values()))}):")
            for p in paths:
                sess.say(f"  {p:<70} {human_size(sizes[k][p]):>10}")
    if sess.dry_run or not any(found.values()):
        if sess.json:
            sess.emit(doc)
        elif sess.dry_run:
            sess.say("DryRunExit: Dry run. Exiting.")
        return 0
    sess.confirm()
    for paths in found.values():
        for p in paths:
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p, ignore_errors=True)
            else:
                try:
                    os.unlink(p)
                except FileNotFoundError:
                    pass
    if sess.json:
        sess.emit(doc)
    return 0

