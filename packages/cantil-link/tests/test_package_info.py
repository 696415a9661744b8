"""Reading info/paths.json: one parse whose "paths" text the record can reuse, same answers as json.loads, and a
clear CorruptPackage for malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cantil.link._package import read_package_info
from cantil.link.errors import CorruptPackage

ENTRIES = [{"_path": "bin/t\u00e9st", "path_type": "hardlink", "sha256": "ab" * 32, "size_in_bytes": 3},
           {"_path": "etc/conf", "path_type": "hardlink", "prefix_placeholder": "/opt/x", "file_mode": "text"},
           {"_path": "lib/ln", "path_type": "softlink"}]


def _pkg(tmp_path: Path, paths_json: str | bytes) -> Path:
    pkg = tmp_path / "p-1-0"
    (pkg / "info").mkdir(parents=True)
    (pkg / "info" / "index.json").write_text(json.dumps({"name": "p", "version": "1", "build": "0"}))
    data = paths_json.encode() if isinstance(paths_json, str) else paths_json
    (pkg / "info" / "paths.json").write_bytes(data)
    return pkg


@pytest.mark.parametrize("text", [
    json.dumps({"paths": ENTRIES, "paths_version": 1}),
    json.dumps({"paths": ENTRIES, "paths_version": 1}, indent=2, ensure_ascii=False),
    ' \n{ "paths" :' + json.dumps(ENTRIES) + ', "extra": {"a": [1, 2]}, "paths_version": 1}\n',
])
def test_paths_first_text_is_reused_and_means_the_same(tmp_path: Path, text: str) -> None:
    info = read_package_info(_pkg(tmp_path, text))
    assert [e.raw for e in info.paths] == ENTRIES
    assert info.paths_text is not None and json.loads(info.paths_text) == ENTRIES
    assert [(e.path, e.path_type, e.prefix_placeholder) for e in info.paths] == [
        ("bin/t\u00e9st", "hardlink", None), ("etc/conf", "hardlink", "/opt/x"), ("lib/ln", "softlink", None)]


@pytest.mark.parametrize("text", [
    json.dumps({"paths_version": 1, "paths": ENTRIES}),                       # "paths" not first
    '{"paths": [], "paths": ' + json.dumps(ENTRIES) + "}",                    # a duplicate key: the last wins
])
def test_other_layouts_parse_as_json_does(tmp_path: Path, text: str) -> None:
    info = read_package_info(_pkg(tmp_path, text))
    assert [e.raw for e in info.paths] == ENTRIES
    assert info.paths_text is None


def test_utf16_file_is_read_without_text_reuse(tmp_path: Path) -> None:
    info = read_package_info(_pkg(tmp_path, json.dumps({"paths": ENTRIES}).encode("utf-16")))
    assert [e.raw for e in info.paths] == ENTRIES and info.paths_text is None


@pytest.mark.parametrize("text", [
    '{"paths": [{"_path": "a"}], "paths_version": 1',        # truncated after the array
    '{"paths": [{"_path": "a"}] garbage}',
    '{"paths": [{"_path": "a"}',
    '[{"_path": "a"}]',                                       # not an object
    '{"paths": {"_path": "a"}}',                              # not a list
    '{"paths": [{"path_type": "hardlink"}]}',                 # an entry without _path
    '{"paths": ["a"]}',                                       # an entry that is not an object
])
def test_malformed_paths_json_is_a_clear_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(CorruptPackage) as exc:
        read_package_info(_pkg(tmp_path, text))
    assert "p-1-0" in str(exc.value) and "\n" not in str(exc.value)
