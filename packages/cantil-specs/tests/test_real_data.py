"""Every version and dependency string of the real repodata in ../shared/data parses leniently and behaves."""

from __future__ import annotations

import itertools
from pathlib import Path

from cantil.specs import MatchSpec, PackageRecord, Version, parse_depends


def test_every_version_and_depends_string_parses(repodata: list[tuple[Path, dict]]) -> None:
    versions: set[str] = set()
    depends: set[str] = set()
    for _, data in repodata:
        for key in ("packages", "packages.conda"):
            for rec in data.get(key, {}).values():
                versions.add(rec["version"])
                depends.update(rec.get("depends", ()))
                depends.update(rec.get("constrains", ()))
    assert len(versions) > 1500 and len(depends) > 2500
    for v in versions:
        assert Version(str(Version(v))) == Version(v)
    for d in depends:
        spec = parse_depends(d)
        assert MatchSpec(str(spec), lenient=True) == spec, d


def test_conda_forge_versions_parse(shared_data: Path) -> None:
    texts = (shared_data / "versions" / "conda-forge-versions.txt").read_text().split()
    assert len(texts) > 28000
    parsed = sorted(Version(t) for t in texts)
    assert all(a <= b for a, b in itertools.pairwise(parsed))


def test_every_record_satisfies_its_own_pin(repodata: list[tuple[Path, dict]]) -> None:
    n = 0
    for path, data in repodata:
        subdir = path.parent.name
        for key in ("packages", "packages.conda"):
            for fn, rec in data.get(key, {}).items():
                r = PackageRecord.from_repodata(fn, rec, subdir=subdir, channel=path.parent.parent.name)
                pin = MatchSpec.from_fields(name=r.name, version=r.version, build=r.build)
                assert pin.match(r), fn
                assert not MatchSpec(f"{r.name} >{r.version}").match(r)
                n += 1
    assert n > 18000
