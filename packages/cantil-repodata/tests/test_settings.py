from __future__ import annotations

from pathlib import Path

import pytest

from cantil.repodata import RepodataSettings


@pytest.mark.parametrize(("ttl", "cache_control", "expected"), [
    (1, "public, max-age=60", 60),
    (True, "max-age=600", 600),
    (1, "no-cache", 0),
    (0, "max-age=600", 0),
    (False, "max-age=600", 0),
    (3600, "max-age=5", 3600),
])
def test_local_repodata_ttl_rules(ttl: int, cache_control: str, expected: int) -> None:
    assert RepodataSettings(Path("/tmp/x"), local_repodata_ttl=ttl).max_age(cache_control) == expected
