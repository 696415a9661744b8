"""Shared fixtures: the real data beside the repository (../shared/data), required, never skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA / "README.md").is_file():
        pytest.fail(f"the shared test data is missing: {DATA} (it must sit beside the clone)")
    return DATA
