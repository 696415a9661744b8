"""What `cantil.repodata` loads: the CLI imports it on every solve, so its start-up cost is part of every command."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cantil.repodata import RepodataSettings
from cantil.repodata._parallel import run_parallel

# Each of these costs several milliseconds at start-up and is not needed to read a channel.
HEAVY = ["dataclasses", "inspect", "typing", "concurrent.futures", "logging", "tempfile", "random", "shutil", "bz2"]


def test_index_and_downloader_load_no_heavy_stdlib_module() -> None:
    code = (
        "import json, sys\n"
        "import cantil.repodata as r\n"
        "r.Index, r.Downloader, r.RepodataSettings, r.RepodataError\n"
        "import cantil.repodata._jlap_step, cantil.repodata._shardfetch\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    loaded = set(json.loads(out))
    assert "cantil.repodata._index" in loaded
    assert sorted(loaded & set(HEAVY)) == []


def test_package_import_is_lazy() -> None:
    code = "import json, sys, cantil.repodata\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert [m for m in json.loads(out) if m.startswith("cantil.repodata.")] == []


def test_settings_are_an_immutable_value(tmp_path: Path) -> None:
    a = RepodataSettings(tmp_path, shards=False, proxy_servers={"https": "http://proxy:8080"})
    b = RepodataSettings(str(tmp_path), shards=False, proxy_servers={"https": "http://proxy:8080"})
    assert a == b and hash(a) == hash(b)
    assert a != RepodataSettings(tmp_path)
    assert isinstance(a.cache_dir, Path)
    with pytest.raises(AttributeError, match="immutable"):
        a.offline = True
    assert "shards=False" in repr(a)


def test_run_parallel_keeps_order_and_hands_back_exceptions() -> None:
    def fail() -> int:
        raise ValueError("boom")

    calls: list[Callable[[], int]] = [functools.partial(pow, i, 2) for i in range(7)]
    calls.insert(3, fail)
    out = run_parallel(calls, 3, "test")
    assert out[:3] == [0, 1, 4] and out[4:] == [9, 16, 25, 36]
    assert isinstance(out[3], ValueError) and str(out[3]) == "boom"
    assert run_parallel([], 4, "test") == []
