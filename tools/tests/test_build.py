from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from _read import info_json, members

from cantil_tools.build import PLACEHOLDER, PackageDescription, build_package
from cantil_tools.errors import InvalidDescription

LIB = {
    "name": "foo",
    "version": "1.2.3",
    "build": "h123_1",
    "build_number": 1,
    "depends": ["libbar >=2", "__glibc >=2.17"],
    "constrains": ["baz <3"],
    "license": "MIT",
    "track_features": ["featx"],
    "files": {
        "bin/foo": "#!/bin/sh\necho @PREFIX@\n",
        "lib/libfoo.so": {"bytes": b"\x7fELF\0path=@PREFIX@/lib\0rest", "prefix": "binary"},
        "share/foo/data.txt": "plain\n",
        "lib/libfoo.so.1": {"symlink": "libfoo.so"},
    },
    "scripts": {"post-link": "echo linked >> \"$PREFIX/.messages.txt\"\n", "pre-unlink": "true\n"},
    "activate": {"foo.sh": "export FOO_HOME=\"$CONDA_PREFIX\"\n"},
    "deactivate": {"foo.sh": "unset FOO_HOME\n"},
    "run_exports": {"weak": ["foo >=1.2"]},
    "menu": {"menu_name": "Foo"},
}

NOARCH = {
    "name": "hello",
    "version": "0.1",
    "noarch": "python",
    "entry_points": ["hello = hello.cli:main"],
    "files": {"site-packages/hello/__init__.py": "", "site-packages/hello/cli.py": "def main():\n    print('hi')\n"},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("built")
    paths = build_package(LIB, out) + build_package(NOARCH, out)
    return {p.name: p for p in paths}


def test_both_formats_written_under_subdir(built: dict[str, Path]) -> None:
    assert sorted(built) == ["foo-1.2.3-h123_1.conda", "foo-1.2.3-h123_1.tar.bz2",
                             "hello-0.1-py_0.conda", "hello-0.1-py_0.tar.bz2"]
    assert built["foo-1.2.3-h123_1.conda"].parent.name == "linux-64"
    assert built["hello-0.1-py_0.conda"].parent.name == "noarch"


def test_conda_is_cep35_zip(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["foo-1.2.3-h123_1.conda"]) as zf:
        assert zf.namelist() == ["metadata.json", "pkg-foo-1.2.3-h123_1.tar.zst", "info-foo-1.2.3-h123_1.tar.zst"]
        assert zf.read("metadata.json") == b'{"conda_pkg_format_version": 2}'
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())


@pytest.mark.parametrize("fmt", ["conda", "tar.bz2"])
def test_index_json(built: dict[str, Path], fmt: str) -> None:
    index = info_json(built[f"foo-1.2.3-h123_1.{fmt}"], "index.json")
    assert index == {
        "arch": "x86_64", "build": "h123_1", "build_number": 1, "constrains": ["baz <3"],
        "depends": ["libbar >=2", "__glibc >=2.17"], "license": "MIT", "name": "foo", "platform": "linux",
        "subdir": "linux-64", "timestamp": 1700000000000, "track_features": "featx", "version": "1.2.3",
    }


@pytest.mark.parametrize("fmt", ["conda", "tar.bz2"])
def test_paths_json_matches_payload(built: dict[str, Path], fmt: str) -> None:
    path = built[f"foo-1.2.3-h123_1.{fmt}"]
    content = members(path)
    paths = info_json(path, "paths.json")
    assert paths["paths_version"] == 1
    listed = [p["_path"] for p in paths["paths"]]
    payload = sorted(n for n in content if not n.startswith("info/"))
    assert listed == payload
    assert content["info/files"][1].decode().splitlines() == payload
    for entry in paths["paths"]:
        info, data = content[entry["_path"]]
        if entry["path_type"] == "softlink":
            assert info.issym() and info.linkname == "libfoo.so"
            data = content["lib/libfoo.so"][1]
        else:
            assert entry["path_type"] == "hardlink"
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size_in_bytes"] == len(data)


def test_prefix_placeholders_written_like_conda_build(built: dict[str, Path]) -> None:
    content = members(built["foo-1.2.3-h123_1.tar.bz2"])
    assert content["bin/foo"][1] == f"#!/bin/sh\necho {PLACEHOLDER}\n".encode()
    assert content["lib/libfoo.so"][1] == b"\x7fELF\0path=" + PLACEHOLDER.encode() + b"/lib\0rest"
    assert len(PLACEHOLDER) == 255
    assert content["info/has_prefix"][1].decode().splitlines() == [
        f"{PLACEHOLDER} text bin/foo", f"{PLACEHOLDER} binary lib/libfoo.so"]
    by_path = {p["_path"]: p for p in info_json(built["foo-1.2.3-h123_1.conda"], "paths.json")["paths"]}
    assert by_path["bin/foo"]["file_mode"] == "text"
    assert by_path["lib/libfoo.so"]["file_mode"] == "binary"
    assert by_path["lib/libfoo.so"]["prefix_placeholder"] == PLACEHOLDER
    assert "file_mode" not in by_path["share/foo/data.txt"]


def test_scripts_and_activation_files(built: dict[str, Path]) -> None:
    content = members(built["foo-1.2.3-h123_1.conda"])
    info, data = content["bin/.foo-post-link.sh"]
    assert info.mode == 0o755 and b"linked" in data
    assert "bin/.foo-pre-unlink.sh" in content
    assert content["etc/conda/activate.d/foo.sh"][1] == b'export FOO_HOME="$CONDA_PREFIX"\n'
    assert "etc/conda/deactivate.d/foo.sh" in content
    assert b"Foo" in content["Menu/foo.json"][1]
    assert info_json(built["foo-1.2.3-h123_1.conda"], "run_exports.json") == {"weak": ["foo >=1.2"]}
    assert info_json(built["foo-1.2.3-h123_1.conda"], "about.json")["license"] == "MIT"


def test_noarch_python_link_json(built: dict[str, Path]) -> None:
    path = built["hello-0.1-py_0.conda"]
    assert info_json(path, "link.json") == {
        "noarch": {"entry_points": ["hello = hello.cli:main"], "type": "python"}, "package_metadata_version": 1}
    index = info_json(path, "index.json")
    assert index["noarch"] == "python" and index["subdir"] == "noarch" and index["arch"] is None
    assert index["depends"] == ["python"]
    assert not any(n.startswith("bin/") for n in members(path))


def test_arch_entry_points_become_scripts_with_text_prefix(tmp_path: Path) -> None:
    desc = {"name": "tool", "version": "1", "entry_points": ["tool = tool.main:run"],
            "files": {"lib/python3/site-packages/tool/main.py": "def run(): pass\n"}}
    (path,) = build_package(desc, tmp_path, formats=["tar.bz2"])
    content = members(path)
    assert content["bin/tool"][1].startswith(f"#!{PLACEHOLDER}/bin/python\n".encode())
    assert "from tool.main import run" in content["bin/tool"][1].decode()
    assert content["bin/tool"][0].mode == 0o755


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = build_package(LIB, tmp_path / "a")
    second = build_package(dict(reversed(list(LIB.items()))), tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_tar_members_have_fixed_owner_and_mtime(built: dict[str, Path]) -> None:
    for info, _ in members(built["foo-1.2.3-h123_1.tar.bz2"]).values():
        assert (info.mtime, info.uid, info.gid, info.uname, info.gname) == (1700000000, 0, 0, "", "")


def test_tar_bz2_puts_info_first(built: dict[str, Path]) -> None:
    names = list(members(built["foo-1.2.3-h123_1.tar.bz2"]))
    first_payload = next(i for i, n in enumerate(names) if not n.startswith("info/"))
    assert all(n.startswith("info/") for n in names[:first_payload])
    assert not any(n.startswith("info/") for n in names[first_payload:])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Foo"}, "lowercase"),
        ({"version": "1 2"}, "invalid version"),
        ({"build": "a-b"}, "invalid build string"),
        ({"noarch": "r"}, "'noarch'"),
        ({"depends": "x y"}, None),
        ({"depends": [1]}, "list of strings"),
        ({"files": {"../x": "a"}}, "invalid file path"),
        ({"files": {"info/index.json": "a"}}, "invalid file path"),
        ({"files": {"a": {"text": "x", "prefix": "text"}}}, "has no @PREFIX@"),
        ({"entry_points": ["bad"]}, "invalid entry point"),
        ({"scripts": {"post-install": "x"}}, "'scripts'"),
        ({"colour": "red"}, "unknown key 'colour'"),
    ],
)
def test_bad_descriptions_fail_clearly(change: dict[str, object], message: str | None) -> None:
    desc = {"name": "ok", "version": "1.0", **change}
    if message is None:  # a single string is accepted as one dependency
        assert PackageDescription.from_dict(desc).depends == ("x y",)
        return
    with pytest.raises(InvalidDescription, match=message):
        PackageDescription.from_dict(desc)


def test_unknown_format_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidDescription, match="unknown format"):
        build_package({"name": "x", "version": "1"}, tmp_path, formats=["zip"])


def test_has_prefix_quotes_paths_with_spaces(tmp_path: Path) -> None:
    import shlex

    (path,) = build_package({"name": "sp", "version": "1", "files": {"share/a b.txt": "at @PREFIX@\n"}}, tmp_path,
                            formats=["tar.bz2"])
    line = members(path)["info/has_prefix"][1].decode().strip()
    assert shlex.split(line) == [PLACEHOLDER, "text", "share/a b.txt"]


@pytest.mark.parametrize("fmt", ["conda", "tar.bz2"])
def test_no_link_and_custom_mode(tmp_path: Path, fmt: str) -> None:
    desc = {"name": "nl", "version": "1", "files": {
        "share/nl/copied.dat": {"text": "x\n", "no_link": True, "mode": 0o600},
        "share/nl/linked.dat": "y\n"}}
    path = next(p for p in build_package(desc, tmp_path) if p.name.endswith(fmt))
    content = members(path)
    by_path = {p["_path"]: p for p in info_json(path, "paths.json")["paths"]}
    assert by_path["share/nl/copied.dat"]["no_link"] is True and "no_link" not in by_path["share/nl/linked.dat"]
    assert content["info/no_link"][1] == b"share/nl/copied.dat\n"
    assert content["share/nl/copied.dat"][0].mode == 0o600 and content["share/nl/linked.dat"][0].mode == 0o644
