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
