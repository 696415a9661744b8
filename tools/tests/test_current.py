"""current_repodata.json chooses records as conda-index does: newest versions, missing dependencies backfilled,
a plain fallback beside a featured build."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cantil_tools._current import current_records
from cantil_tools.build import build_package
from cantil_tools.index import index_channel


def _rec(name: str, version: str, build_number: int = 0, **kw: Any) -> dict[str, Any]:
    return {"name": name, "version": version, "build": f"h0_{build_number}", "build_number": build_number, **kw}


def _keys(records: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    return {(r["name"], r["version"], r["build_number"]) for r in records}


def test_newest_version_keeps_every_build() -> None:
    recs = [_rec("a", "1.9"), _rec("a", "1.10", 0), _rec("a", "1.10", 1), _rec("a", "1.10.0a1")]
    assert _keys(current_records(recs)) == {("a", "1.10", 0), ("a", "1.10", 1)}


def test_missing_dependency_is_backfilled_with_its_newest_matching_version() -> None:
    recs = [_rec("app", "2.0", depends=["lib >=1,<2", "__glibc >=2.17", "elsewhere"]),
            _rec("lib", "1.4", 0), _rec("lib", "1.4", 1), _rec("lib", "1.2"), _rec("lib", "2.0"),
            _rec("old", "1.0", depends=["lib 2.*"])]
    kept = _keys(current_records(recs))
    assert kept == {("app", "2.0", 0), ("lib", "2.0", 0), ("lib", "1.4", 0), ("lib", "1.4", 1), ("old", "1.0", 0)}


def test_backfill_is_one_pass_like_conda_index() -> None:
    recs = [_rec("a", "1.0", depends=["b <2"]), _rec("b", "1.0", depends=["c <2"]), _rec("b", "2.0"),
            _rec("c", "1.0"), _rec("c", "2.0")]
    assert _keys(current_records(recs)) == {("a", "1.0", 0), ("b", "1.0", 0), ("b", "2.0", 0), ("c", "2.0", 0)}


def test_satisfied_dependency_adds_nothing_and_bad_specs_are_skipped() -> None:
    recs = [_rec("a", "1.0", depends=["b >=1", "not a ( valid spec"]), _rec("b", "1.0"), _rec("b", "3.0")]
    assert _keys(current_records(recs)) == {("a", "1.0", 0), ("b", "3.0", 0)}


def test_featured_newest_gets_a_plain_fallback() -> None:
    recs = [_rec("blas", "2.0", 1, track_features="mkl"), _rec("blas", "1.5"), _rec("blas", "1.9"), _rec("blas", "1.0")]
    kept = _keys(current_records(recs))
    assert kept == {("blas", "2.0", 1), ("blas", "1.9", 0)}


def test_indexed_channel_current_repodata_is_self_consistent(tmp_path: Path) -> None:
    for desc in [{"name": "app", "version": "3.0", "depends": ["lib <2"]},
                 {"name": "lib", "version": "1.5"}, {"name": "lib", "version": "1.1"}, {"name": "lib", "version": "2.0"},
                 {"name": "tool", "version": "0.1"}, {"name": "tool", "version": "0.2"}]:
        build_package(desc, tmp_path)
    index_channel(tmp_path)
    cur = json.loads((tmp_path / "linux-64" / "current_repodata.json").read_bytes())
    full = json.loads((tmp_path / "linux-64" / "repodata.json").read_bytes())
    assert sorted(cur["packages.conda"]) == ["app-3.0-h0_0.conda", "lib-1.5-h0_0.conda", "lib-2.0-h0_0.conda",
                                             "tool-0.2-h0_0.conda"]
    assert sorted(cur["packages"]) == sorted(fn.replace(".conda", ".tar.bz2") for fn in cur["packages.conda"])
    assert all(cur["packages.conda"][fn]["sha256"] == full["packages.conda"][fn]["sha256"] for fn in cur["packages.conda"])
