"""Differential tests against py-rattler (dev only). py-rattler runs in a child process that ends with os._exit(0):
it aborts at interpreter shutdown now and then."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cantil.specs import Version, VersionSpec

pytestmark = pytest.mark.oracle

_CHILD = textwrap.dedent(
    """
    import json, os, sys
    try:
        from rattler import Version, VersionSpec
    except ImportError:
        print(json.dumps({"missing": True})); sys.stdout.flush(); os._exit(0)
    req = json.loads(sys.stdin.read())
    versions = [(t, Version(t)) for t in req["versions"]]
    versions.sort(key=lambda p: p[1])
    groups = []
    for t, v in versions:
        if groups and groups[-1][1] == v:
            groups[-1][0].append(t)
        else:
            groups.append(([t], v))
    matches = {}
    for spec, vs in req["specs"].items():
        try:
            s = VersionSpec(spec)
        except Exception:
            continue
        matches[spec] = [s.matches(Version(v)) for v in vs]
    print(json.dumps({"groups": [g for g, _ in groups], "matches": matches}))
    sys.stdout.flush()
    os._exit(0)
    """
)


def _rattler(request: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    if out.get("missing"):
        pytest.fail("py-rattler is not installed (it is a dev-only dependency of the oracle tests)")
    return out


def _corpus(shared_data: Path, repodata: list[tuple[Path, dict]]) -> tuple[list[str], dict[str, list[str]]]:
    versions: set[str] = set((shared_data / "versions" / "conda-forge-versions.txt").read_text().split())
    by_name: dict[str, set[str]] = {}
    deps: set[str] = set()
    for _, data in repodata:
        for key in ("packages", "packages.conda"):
            for rec in data.get(key, {}).values():
                versions.add(rec["version"])
                by_name.setdefault(rec["name"], set()).add(rec["version"])
                deps.update(rec.get("depends", ()))
    specs: dict[str, list[str]] = {}
    for d in sorted(deps):
        parts = d.split()
        if len(parts) >= 2 and parts[0] in by_name:
            specs[parts[1]] = sorted(set(specs.get(parts[1], [])) | by_name[parts[0]])
    return sorted(versions), specs


def test_versions_sort_as_rattler_sorts_them(shared_data: Path, repodata: list[tuple[Path, dict]]) -> None:
    versions, specs = _corpus(shared_data, repodata)
    out = _rattler({"versions": versions, "specs": specs})
    groups: list[list[str]] = out["groups"]
    assert sum(len(g) for g in groups) == len(versions)
    for g in groups:  # rattler's equal versions are equal here
        assert all(Version(t) == Version(g[0]) for t in g), g
    for lo, hi in itertools.pairwise(groups):  # and its order, pair by pair, is ours
        assert Version(lo[-1]) < Version(hi[0]), (lo[-1], hi[0])


def test_version_specs_of_real_depends_match_as_rattler(shared_data: Path, repodata: list[tuple[Path, dict]]) -> None:
    _, specs = _corpus(shared_data, repodata)
    out = _rattler({"versions": [], "specs": specs})
    compared = 0
    for spec, expected in out["matches"].items():
        vs = VersionSpec(spec)
        assert [vs.match(v) for v in specs[spec]] == expected, spec
        compared += len(expected)
    assert compared > 10000
