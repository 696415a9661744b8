from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from cantil.repodata._cache import CacheEntry, RepodataState, atomic_write, cache_fn_url

# conda's own expectations (conda tests/test_misc.py and tests/core/test_subdir_data.py)
KNOWN = [
    ("http://repo.continuum.io/pkgs/pro/osx-64/", "repodata.json", "7618c8b6.json"),
    ("http://repo.continuum.io/pkgs/pro/osx-64/", "current_repodata.json", "8be5dc16.json"),
    ("http://repo.anaconda.com/pkgs/pro/osx-64/", "repodata.json", "e42afea8.json"),
    ("http://repo.continuum.io/pkgs/free/osx-64", "repodata.json", "aa99d924.json"),
    ("https://repo.continuum.io/pkgs/free/osx-64/", "repodata.json", "d85a531e.json"),
    ("https://repo.anaconda.com/pkgs/free/osx-64", "repodata.json", "3ce78580.json"),
    ("http://repo.anaconda.com/pkgs/free/osx-64", "repodata.json", "1e817819.json"),
]


@pytest.mark.parametrize(("url", "fn", "expected"), KNOWN)
def test_cache_fn_url_matches_conda(url: str, fn: str, expected: str) -> None:
    assert cache_fn_url(url, fn) == expected


def test_entry_paths_follow_conda_layout(tmp_path: Path) -> None:
    e = CacheEntry(tmp_path, "https://repo.anaconda.com/pkgs/free/osx-64")
    assert e.json_path.name == "3ce78580.json"
    assert e.state_path.name == "3ce78580.info.json"
    assert e.shards_index_path.name == "3ce78580.msgpack.zst"
    tar = CacheEntry(tmp_path, "https://repo.anaconda.com/pkgs/free/osx-64", use_only_tar_bz2=True)
    assert tar.json_path.name == "3ce785801.json"
    assert tar.state_path.name == "3ce785801.info.json"


def test_state_reads_conda_underscore_keys() -> None:
    state = RepodataState.from_json({"_etag": '"abc"', "_mod": "Mon", "_cache_control": "max-age=30", "_url": "u"})
    assert (state.text("etag"), state.text("mod"), state.text("cache_control"), state.text("url")) == (
        '"abc"', "Mon", "max-age=30", "u")


def test_has_format_round_trip_and_seven_day_recheck() -> None:
    state = RepodataState()
    assert state.has_format("zst") == (True, None) and state.should_check_format("zst")
    state.set_has_format("zst", False)
    value, when = state.has_format("zst")
    assert value is False and when is not None
    assert state["has_zst"]["last_checked"].endswith("Z")
    assert not state.should_check_format("zst")
    old = datetime.datetime.now(tz=datetime.timezone.utc) - datetime.timedelta(days=8)
    state["has_zst"]["last_checked"] = old.isoformat()[:-6] + "Z"
    assert state.should_check_format("zst")


def test_unparseable_has_format_is_dropped() -> None:
    state = RepodataState.from_json({"has_jlap": {"value": True, "last_checked": "yesterday"}})
    assert state.has_format("jlap")[0] is False
    assert "has_jlap" not in state


def test_commit_describes_the_new_file_and_state_matches_it(tmp_path: Path) -> None:
    e = CacheEntry(tmp_path, "https://example.invalid/chan/noarch")
    temp = e.temp_path()
    temp.write_bytes(b"{}")
    state = RepodataState(etag='"x"')
    e.commit(state, temp)
    again = e.read_state()
    assert again.matches(e.json_path)
    assert again["size"] == 2 and again.text("etag") == '"x"' and isinstance(again["refresh_ns"], int)
    e.json_path.write_bytes(b"{} ")                 # someone else rewrote the .json
    assert not e.read_state().matches(e.json_path)
    assert json.loads(e.state_path.read_text())["size"] == 2
    assert {p.name for p in tmp_path.iterdir()} == {e.json_path.name, e.state_path.name}


def test_unreadable_state_is_empty(tmp_path: Path) -> None:
    e = CacheEntry(tmp_path, "https://example.invalid/chan/noarch")
    e.state_path.write_text("{not json")
    assert e.read_state() == {}


def test_fresh_follows_max_age() -> None:
    state = RepodataState(refresh_ns=1_000 * 10**9)
    assert state.fresh(60, now_ns=1_030 * 10**9)
    assert not state.fresh(60, now_ns=1_061 * 10**9)
    assert not state.fresh(0, now_ns=1_000 * 10**9)


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    p = tmp_path / "f"
    atomic_write(p, b"one")
    atomic_write(p, b"two")
    assert p.read_bytes() == b"two"
    assert [x.name for x in tmp_path.iterdir()] == ["f"]
