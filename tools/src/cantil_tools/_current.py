"""Which records of a subdir go into `current_repodata.json`, the way conda-index chooses them.

1. For every name, every record (both formats, every build) of its newest version.
2. Backfill missing dependencies, one pass: for each dependency spec of a kept record that no kept record
   satisfies, add every record of the newest version in the subdir that satisfies it (so `b <2` pulls in `b 1.x`
   when `b 2.0` is the newest). Specs naming nothing in this subdir (virtual packages, noarch names) are left alone.
3. Features: for a name whose kept records carry `track_features` or `features`, also keep the newest record at or
   below the kept version that has none (the plain build a solver falls back to).

Traps: "newest" orders by version, then build number (conda's group order); the backfill is a single pass, as in
conda-index, so a backfilled record's own dependencies are not followed; a spec that does not parse is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cantil_tools._vkey import version_key

__all__ = ["current_records"]


def _order(r: dict[str, Any]) -> tuple[Any, int]:
    return version_key(str(r.get("version", ""))), int(r.get("build_number") or 0)


def _has_features(r: dict[str, Any]) -> bool:
    return bool(r.get("track_features") or r.get("features"))


def current_records(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of one subdir that current_repodata.json keeps (the same dict objects, newest first per name)."""
    from cantil.specs import MatchSpec, SpecsError

    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(str(r["name"]), []).append(r)
    for group in groups.values():
        group.sort(key=_order, reverse=True)

    keep: dict[int, dict[str, Any]] = {}
    for group in groups.values():
        newest = version_key(str(group[0].get("version", "")))
        keep.update((id(r), r) for r in group if version_key(str(r.get("version", ""))) == newest)

    seen: set[str] = set()
    for r in list(keep.values()):
        for dep in r.get("depends") or ():
            if dep in seen:
                continue
            seen.add(dep)
            try:
                spec = MatchSpec(dep, lenient=True)
            except (ValueError, SpecsError):
                continue
            candidates = groups.get(spec.name or "", [])
            if any(id(c) in keep and spec.match(c) for c in candidates):
                continue
            first = next((c for c in candidates if spec.match(c)), None)
            if first is not None:
                version = version_key(str(first.get("version", "")))
                keep.update((id(c), c) for c in candidates if version_key(str(c.get("version", ""))) == version)

    for group in groups.values():
        kept = [r for r in group if id(r) in keep]
        if not any(_has_features(r) for r in kept):
            continue
        top = max(version_key(str(r.get("version", ""))) for r in kept)
        plain = next((r for r in group if version_key(str(r.get("version", ""))) <= top and not _has_features(r)),
                     None)
        if plain is not None:
            keep[id(plain)] = plain

    return [r for group in groups.values() for r in group if id(r) in keep]
