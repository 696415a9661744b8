"""JLAP known-answer test: the expected hashes in data/jlap/expected.json were computed independently (see its
`source`), so this checks our writer against conda's former reader, not against itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cantil_tools._jlap import append_patch, chain, repodata_hash
from cantil_tools._jsonpatch import apply, diff
from cantil_tools.index import verify_jlap

DATA = Path(__file__).resolve().parent / "data" / "jlap"
EXPECTED = json.loads((DATA / "expected.json").read_text())


def _write_three_versions(tmp_path: Path) -> Path:
    jlap = tmp_path / "repodata.jlap"
    prev: bytes | None = None
    for i in (1, 2, 3):
        data = (DATA / f"repodata-{i}.json").read_bytes()
        patch = diff(json.loads(prev), json.loads(data)) if prev is not None else None
        jlap.write_text(append_patch(jlap, repodata_hash(prev) if prev else None, repodata_hash(data), patch))
        prev = data
    return jlap


def test_repodata_hashes_known_answer() -> None:
    for fn, digest in EXPECTED["repodata_blake2b_256"].items():
        assert repodata_hash((DATA / fn).read_bytes()) == digest


def test_jlap_file_known_answer(tmp_path: Path) -> None:
    text = _write_three_versions(tmp_path).read_text()
    lines = text.split("\n")
    offsets = [0]
    for line in lines[:-1]:
        offsets.append(offsets[-1] + len(line.encode()) + 1)
    assert offsets == EXPECTED["line_offsets"]
    assert chain(lines) == EXPECTED["running_hashes"]
    assert lines[-1] == EXPECTED["trailing_checksum"]
    footer = json.loads(lines[-2])
    assert footer == {"latest": EXPECTED["repodata_blake2b_256"]["repodata-3.json"], "url": "repodata.json"}


def test_patches_chain_from_first_to_latest(tmp_path: Path) -> None:
    lines = verify_jlap(_write_three_versions(tmp_path).read_text())
    doc = json.loads((DATA / "repodata-1.json").read_bytes())
    have = repodata_hash((DATA / "repodata-1.json").read_bytes())
    for line in lines[1:-2]:
        patch = json.loads(line)
        assert patch["from"] == have
        doc = apply(doc, patch["patch"])
        have = patch["to"]
    assert doc == json.loads((DATA / "repodata-3.json").read_bytes())
    assert have == json.loads(lines[-2])["latest"]


def test_pointer_escaping_in_patch_paths() -> None:
    ops = diff({"a": {}}, {"a": {"x/y~z": 1}})
    assert ops == [{"op": "add", "path": "/a/x~1y~0z", "value": 1}]
    assert apply({"a": {}}, ops) == {"a": {"x/y~z": 1}}


def test_damaged_jlap_is_rejected_and_restarted(tmp_path: Path) -> None:
    jlap = _write_three_versions(tmp_path)
    broken = jlap.read_text()[:-1] + ("0" if not jlap.read_text().endswith("0") else "1")
    with pytest.raises(ValueError, match="checksum mismatch"):
        verify_jlap(broken)
    copy = tmp_path / "copy.jlap"
    copy.write_text(broken)
    restarted = append_patch(copy, None, "ab" * 32, None)
    assert restarted.split("\n")[0] == "0" * 64 and len(restarted.split("\n")) == 3
