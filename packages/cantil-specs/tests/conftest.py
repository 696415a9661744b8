from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]  # packages/cantil-specs/tests -> the repository root
DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (DATA / "repodata").is_dir():
        pytest.fail(f"the shared test data is missing: {DATA} (see the top-level README)")
    return DATA


@pytest.fixture(scope="session")
def repodata(shared_data: Path) -> list[tuple[Path, dict]]:
    """(path, parsed repodata.json) of every real repodata file."""
    return [(p, json.loads(p.read_text())) for p in sorted((shared_data / "repodata").glob("*/*/repodata.json"))]


@pytest.fixture(scope="session")
def real_versions(shared_data: Path, repodata: list[tuple[Path, dict]]) -> list[str]:
    """Every distinct version text of the real repodata and of conda-forge-versions.txt (the benchmark's corpus)."""
    texts = {
        rec["version"]
        for _, data in repodata
        for key in ("packages", "packages.conda")
        for rec in data.get(key, {}).values()
    }
    texts.update((shared_data / "versions" / "conda-forge-versions.txt").read_text().split())
    return sorted(texts)
