from __future__ import annotations

import json

import pytest

from cantil.repodata._jlap import (
    ZERO_IV,
    JlapError,
    apply_patches,
    blake2_256,
    build_jlap,
    find_patches,
    parse_jlap,
)


def _dump(doc: object) -> bytes:
    return json.dumps(doc, indent=2, sort_keys=True).encode()


V1 = {"info": {"subdir": "noarch"}, "packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1"}}}
P12 = [{"op": "add", "path": "/packages/a-2-0.tar.bz2", "value": {"name": "a", "version": "2"}}]
V2 = {"info": {"subdir": "noarch"}, "packages": {**V1["packages"], "a-2-0.tar.bz2": {"name": "a", "version": "2"}}}
P23 = [{"op": "remove", "path": "/packages/a-1-0.tar.bz2"}]
V3 = {"info": {"subdir": "noarch"}, "packages": {"a-2-0.tar.bz2": {"name": "a", "version": "2"}}}
H1, H2, H3 = blake2_256(_dump(V1)), blake2_256(_dump(V2)), blake2_256(_dump(V3))


def test_whole_file_reads_patches_and_footer() -> None:
    log = parse_jlap(build_jlap(ZERO_IV, [{"from": H1, "to": H2, "patch": P12}], H2))
    assert log.latest == H2
    assert [p["to"] for p in log.patches] == [H2]


def test_patches_bring_old_repodata_to_the_latest() -> None:
    data = build_jlap(ZERO_IV, [{"from": H1, "to": H2, "patch": P12}, {"from": H2, "to": H3, "patch": P23}], H3)
    log = parse_jlap(data)
    chain = find_patches(log.patches, H1, log.latest)
    assert [p["to"] for p in chain] == [H2, H3]
    assert apply_patches(json.loads(_dump(V1)), chain) == V3
    assert find_patches(log.patches, H2, log.latest)[0]["to"] == H3


def test_resume_from_saved_position_reads_only_new_lines() -> None:
    old = build_jlap(ZERO_IV, [{"from": H1, "to": H2, "patch": P12}], H2)
    new = build_jlap(ZERO_IV, [{"from": H1, "to": H2, "patch": P12}, {"from": H2, "to": H3, "patch": P23}], H3)
    first = parse_jlap(old)
    assert new[: first.pos] == old[: first.pos]            # appending keeps every byte before the old footer
    tail = parse_jlap(new[first.pos:], pos=first.pos, iv=bytes.fromhex(first.iv))
    assert tail.latest == H3
    assert [p["to"] for p in tail.patches] == [H3]
    unchanged = parse_jlap(old[first.pos:], pos=first.pos, iv=bytes.fromhex(first.iv))
    assert unchanged.latest == H2 and unchanged.patches == []


def test_resume_with_wrong_iv_is_a_broken_chain() -> None:
    old = build_jlap(ZERO_IV, [{"from": H1, "to": H2, "patch": P12}], H2)
    first = parse_jlap(old)
    with pytest.raises(JlapError, match="checksum"):
        parse_jlap(old[first.pos:], pos=first.pos, iv=b"\1" * 32)


def test_a_changed_byte_breaks_the_chain() -> None:
    data = bytearray(build_jlap(ZERO_IV, [{"from": H1, "to": H2, "patch": P12}], H2))
    i = data.index(b'"version"')
    data[i + 1] = ord("V")
    with pytest.raises(JlapError, match="checksum"):
        parse_jlap(bytes(data))


@pytest.mark.parametrize("data", [b"", b"nothex\n{}\nabc", b"00" * 32, b"00" * 16 + b"\n{}\n00"])
def test_garbage_is_a_jlap_error(data: bytes) -> None:
    with pytest.raises(JlapError):
        parse_jlap(data)


def test_no_patch_path_from_an_unknown_hash() -> None:
    log = parse_jlap(build_jlap(ZERO_IV, [{"from": H1, "to": H2, "patch": P12}], H2))
    with pytest.raises(JlapError, match="no patch path"):
        find_patches(log.patches, H3, log.latest)


def test_tools_indexer_jlap_is_readable(tmp_path: object) -> None:
    """The test channel indexer (cantil-tools) writes JLAP independently: our reader verifies its chain."""
    from pathlib import Path

    from cantil_tools._jlap import append_patch

    path = Path(str(tmp_path)) / "repodata.jlap"
    path.write_text(append_patch(path, None, H1, None))
    path.write_text(append_patch(path, H1, H2, P12))
    log = parse_jlap(path.read_bytes())
    assert log.latest == H2
    assert apply_patches(json.loads(_dump(V1)), find_patches(log.patches, H1, H2)) == V2
