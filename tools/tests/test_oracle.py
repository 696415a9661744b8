"""Third-party readers read what cantil-tools writes: conda-package-streaming (in process) and py-rattler (in a
child process that ends with os._exit(0), because py-rattler sometimes aborts at interpreter shutdown)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from cantil_tools.build import PLACEHOLDER, build_package

DESC: dict[str, Any] = {
    "name": "oracle-pkg", "version": "2.5.1", "build": "h42_3", "build_number": 3,
    "depends": ["python >=3.8", "libzz >=1.2"], "constrains": ["other <2"], "license": "MIT",
    "files": {
        "bin/tool": "#!/bin/sh\necho @PREFIX@\n",
        "lib/libo.so": {"bytes": b"\x7fELF\0@PREFIX@/etc\0", "prefix": "binary"},
        "lib/libo.so.2": {"symlink": "libo.so"},
        "share/doc/readme.txt": "hello\n",
    },
    "scripts": {"post-link": "true\n"},
    "activate": {"o.sh": "export O=1\n"},
    "about": {"summary": "an oracle test package", "home": "https://example.org"},
}
NOARCH: dict[str, Any] = {
    "name": "oracle-py", "version": "1.0", "noarch": "python", "entry_points": ["oracle = oracle_py:main"],
    "files": {"site-packages/oracle_py/__init__.py": "def main():\n    return 0\n"},
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("oracle")
    return build_package(DESC, out) + build_package(NOARCH, out)


@pytest.mark.oracle
def test_conda_package_streaming_reads_both_formats(packages: list[Path], tmp_path: Path) -> None:
    from conda_package_streaming.extract import extract
    from conda_package_streaming.package_streaming import stream_conda_info

    for pkg in packages:
        names = {m.name for _, m in stream_conda_info(pkg)}
        assert {"info/index.json", "info/paths.json", "info/files"} <= names
        dest = tmp_path / pkg.name
        extract(pkg, dest)
        index = json.loads((dest / "info" / "index.json").read_text())
        paths = json.loads((dest / "info" / "paths.json").read_text())["paths"]
        for entry in paths:
            f = dest / entry["_path"]
            if entry["path_type"] == "softlink":
                assert f.is_symlink()
                continue
            assert hashlib.sha256(f.read_bytes()).hexdigest() == entry["sha256"]
        assert index["name"] in ("oracle-pkg", "oracle-py")
    dest = tmp_path / "oracle-pkg-2.5.1-h42_3.conda"
    assert (dest / "bin" / "tool").read_text() == f"#!/bin/sh\necho {PLACEHOLDER}\n"
    assert (dest / "etc" / "conda" / "activate.d" / "o.sh").exists()


_RATTLER_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    out = {}
    try:
        from rattler.package import IndexJson, PathsJson, AboutJson
        from rattler.package_streaming import extract
        for path in sys.argv[1:]:
            index = IndexJson.from_package_archive(path)
            paths = PathsJson.from_package_archive(path)
            dest = path + ".rattler"
            extract(path, dest)
            out[os.path.basename(path)] = {
                "name": index.name.normalized, "version": str(index.version), "build": str(index.build),
                "build_number": index.build_number, "depends": list(index.depends),
                "constrains": list(index.constrains), "subdir": index.subdir,
                "noarch": str(index.noarch), "license": index.license,
                "paths": [
                    {"path": str(e.relative_path), "softlink": e.path_type.softlink, "sha256": e.sha256.hex() if e.sha256 else None,
                     "size": e.size_in_bytes,
                     "mode": str(e.prefix_placeholder.file_mode) if e.prefix_placeholder else None,
                     "placeholder": e.prefix_placeholder.placeholder if e.prefix_placeholder else None}
                    for e in paths.paths
                ],
                "extracted": sorted(
                    os.path.relpath(os.path.join(d, f), dest) for d, _, fs in os.walk(dest) for f in fs
                ),
            }
        print(json.dumps(out))
        sys.stdout.flush()
    except BaseException as err:
        print(json.dumps({"error": repr(err)}))
        sys.stdout.flush()
    os._exit(0)
    """
)


@pytest.mark.oracle
def test_py_rattler_reads_both_formats(packages: list[Path]) -> None:
    proc = subprocess.run([sys.executable, "-c", _RATTLER_SCRIPT, *map(str, packages)], capture_output=True,
                          text=True, timeout=300, check=False)
    result = json.loads(proc.stdout)
    assert "error" not in result, result
    for fmt in ("conda", "tar.bz2"):
        pkg = result[f"oracle-pkg-2.5.1-h42_3.{fmt}"]
        assert (pkg["name"], pkg["version"], pkg["build"], pkg["build_number"]) == ("oracle-pkg", "2.5.1", "h42_3", 3)
        assert pkg["depends"] == DESC["depends"] and pkg["constrains"] == DESC["constrains"]
        assert pkg["subdir"] == "linux-64" and pkg["license"] == "MIT"
        by_path = {p["path"]: p for p in pkg["paths"]}
        assert sorted(by_path) == ["bin/.oracle-pkg-post-link.sh", "bin/tool", "etc/conda/activate.d/o.sh",
                                   "lib/libo.so", "lib/libo.so.2", "share/doc/readme.txt"]
        assert "text" in by_path["bin/tool"]["mode"].lower() and by_path["bin/tool"]["placeholder"] == PLACEHOLDER
        assert "binary" in by_path["lib/libo.so"]["mode"].lower()
        assert by_path["lib/libo.so.2"]["softlink"]
        assert by_path["share/doc/readme.txt"]["sha256"] == hashlib.sha256(b"hello\n").hexdigest()
        assert "info/index.json" in pkg["extracted"] and "share/doc/readme.txt" in pkg["extracted"]
        noarch = result[f"oracle-py-1.0-py_0.{fmt}"]
        assert "python" in noarch["noarch"].lower() and noarch["subdir"] == "noarch"


_RATTLER_REPODATA = textwrap.dedent(
    """
    import json, os, sys
    try:
        from rattler import Channel, SparseRepoData, PackageName
        channel = Channel(sys.argv[1])
        out = {}
        for subdir in ("linux-64", "noarch"):
            sparse = SparseRepoData(channel, subdir, os.path.join(sys.argv[1], subdir, "repodata.json"))
            names = sorted(str(getattr(n, "normalized", n)) for n in sparse.package_names())
            out[subdir] = {n: sorted(r.file_name for r in sparse.load_records(PackageName(n))) for n in names}
        print(json.dumps(out))
    except BaseException as err:
        print(json.dumps({"error": repr(err)}))
    sys.stdout.flush()
    os._exit(0)
    """
)


@pytest.mark.oracle
def test_py_rattler_reads_the_indexed_sample_channel(sample_channel: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _RATTLER_REPODATA, str(sample_channel)], capture_output=True,
                          text=True, timeout=300, check=False)
    result = json.loads(proc.stdout)
    assert "error" not in result, result
    # rattler, like load_channel, prefers the .conda of a package listed in both formats
    from cantil_tools.channel import load_channel

    for subdir in ("linux-64", "noarch"):
        ours = load_channel(sample_channel, subdirs=[subdir])
        assert result[subdir] == {n: sorted(r.fn for r in ours.records(n)) for n in ours.names()}
        repodata = json.loads((sample_channel / subdir / "repodata.json").read_text())
        assert sum(map(len, result[subdir].values())) == len(repodata["packages.conda"])


_RATTLER_INSTALL = textwrap.dedent(
    """
    import asyncio, json, os, sys
    channel, prefix, cache = sys.argv[1:4]
    try:
        from rattler import Channel, install, solve

        async def main():
            records = await solve([Channel(channel)], ["python", "hello-cli", "toolc", "postlinker", "libzz"],
                                  platforms=["linux-64", "noarch"], virtual_packages=[])
            await install(records, prefix, cache_dir=cache, execute_link_scripts=True, show_progress=False)
            return sorted(f"{r.name.normalized}-{r.version}-{r.build}" for r in records)

        print(json.dumps({"records": asyncio.run(main())}))
    except BaseException as err:
        print(json.dumps({"error": repr(err)}))
    sys.stdout.flush()
    os._exit(0)
    """
)


@pytest.mark.oracle
def test_py_rattler_installs_the_sample_channel(sample_channel: Path, tmp_path: Path) -> None:
    """A third-party installer solves against the sample channel, links it, runs its scripts: everything works."""
    from cantil_tools.sample import PYTHON_VERSION

    prefix = tmp_path / "env"
    proc = subprocess.run([sys.executable, "-c", _RATTLER_INSTALL, sample_channel.as_uri(), str(prefix),
                           str(tmp_path / "cache")], capture_output=True, text=True, timeout=600, check=False)
    result = json.loads(proc.stdout)
    assert "error" not in result, (result, proc.stderr[-2000:])
    assert result["records"] == ["clickish-8.1.7-py_0", "hello-cli-1.0-py_0", "libzz-1.3.0-h0_0",
                                 "postlinker-1.0-h0_0", f"python-{PYTHON_VERSION}-h0_0", "toolc-2.1.0-h0_0"]
    env = {"PATH": f"{prefix / 'bin'}:/usr/bin:/bin"}
    hello = subprocess.run([str(prefix / "bin" / "hello")], capture_output=True, text=True, check=True, env=env)
    assert hello.stdout.strip() == f"hello from hello-cli {prefix}"  # noarch entry point, venv-style python
    toolc = subprocess.run([str(prefix / "bin" / "toolc")], capture_output=True, text=True, check=True, env=env)
    assert toolc.stdout.strip() == f"toolc 2.1.0 installed in {prefix}"  # text prefix replaced
    assert (prefix / "pyvenv.cfg").read_text().startswith("home = ")  # python's post-link ran
    assert (prefix / "share" / "postlinker" / "post-link.out").read_text() == "postlinker-post-link-ran\n"
    lib = (prefix / "lib" / "libzz.so.1.3.0").read_bytes()
    assert f"config={prefix}/etc/libzz.conf".encode() + b"\0" in lib  # binary prefix replaced, NUL-padded
    assert len(lib) == len((prefix / "lib" / "libzz.so").read_bytes())


_RATTLER_GATEWAY = textwrap.dedent(
    """
    import asyncio, json, os, sys
    url, cache, mode = sys.argv[1:4]
    try:
        from rattler import Channel, Gateway, SourceConfig

        config = SourceConfig(sharded_enabled=mode == "shards", zstd_enabled=True, bz2_enabled=False, jlap_enabled=False)
        gateway = Gateway(cache_dir=cache, default_config=config)

        async def main():
            result = await gateway.query([Channel(url)], ["linux-64", "noarch"], sys.argv[4:], recursive=True)
            return sorted({r.file_name for records in result for r in records})

        print(json.dumps({"files": asyncio.run(main())}))
    except BaseException as err:
        print(json.dumps({"error": repr(err)}))
    sys.stdout.flush()
    os._exit(0)
    """
)


@pytest.mark.oracle
@pytest.mark.parametrize("mode", ["shards", "zst"])
def test_py_rattler_gateway_reads_the_served_channel(sample_channel: Path, tmp_path: Path, mode: str) -> None:
    """py-rattler's gateway reads our CEP 16 shards (or repodata.json.zst) through our server."""
    from cantil_tools.server import ChannelServer

    with ChannelServer(sample_channel) as server:
        proc = subprocess.run([sys.executable, "-c", _RATTLER_GATEWAY, server.url, str(tmp_path / "cache"), mode,
                               "requestsish"], capture_output=True, text=True, timeout=300, check=False)
        paths = [e.path for e in server.log]
    result = json.loads(proc.stdout)
    assert "error" not in result, result
    names = {fn.rsplit("-", 2)[0] for fn in result["files"]}
    assert names == {"requestsish", "urllib3ish", "idnaish", "python"}
    assert any(fn.startswith("urllib3ish-1.26.18-") for fn in result["files"])  # the query lists every version
    if mode == "shards":
        assert "linux-64/repodata_shards.msgpack.zst" in paths and "noarch/repodata_shards.msgpack.zst" in paths
        shard_files = [p for p in paths if p.endswith(".msgpack.zst") and "repodata_shards" not in p]
        assert len(shard_files) >= 4  # requestsish, urllib3ish, idnaish, python: fetched by name
        assert not any(p.endswith("repodata.json") for p in paths)
    else:
        assert "noarch/repodata.json.zst" in paths
        assert not any("msgpack" in p for p in paths)


_RATTLER_SOLVE = textwrap.dedent(
    """
    import asyncio, json, os, sys
    channel = sys.argv[1]
    out = {}
    try:
        from rattler import BuildString, Channel, GenericVirtualPackage, PackageName, Version, solve

        glibc = GenericVirtualPackage(PackageName("__glibc"), Version("2.28"), BuildString("0"))
        unix = GenericVirtualPackage(PackageName("__unix"), Version("0"), BuildString("0"))

        async def attempt(key, specs, virtual):
            try:
                records = await solve([Channel(channel)], specs, platforms=["linux-64", "noarch"],
                                      virtual_packages=virtual)
                out[key] = sorted(f"{r.name.normalized}-{r.version}-{r.build}" for r in records)
            except Exception as err:
                out[key] = "unsolvable: " + type(err).__name__

        async def main():
            await attempt("a", ["conflict-a"], [])
            await attempt("b", ["conflict-b"], [])
            await attempt("ab", ["conflict-a", "conflict-b"], [])
            await attempt("glibc-none", ["glibc-tool"], [])
            await attempt("glibc-2.28", ["glibc-tool"], [glibc])
            await attempt("unix", ["unix-tool"], [unix])
            await attempt("blas", ["blasish"], [])

        asyncio.run(main())
        print(json.dumps(out))
    except BaseException as err:
        print(json.dumps({"error": repr(err)}))
    sys.stdout.flush()
    os._exit(0)
    """
)


@pytest.mark.oracle
def test_py_rattler_sees_the_sample_conflict_features_and_virtual_packages(sample_channel: Path) -> None:
    """The sample channel's promises, as a third-party solver sees them: the conflicting pair cannot be installed
    together (each can alone), glibc-tool needs a __glibc virtual package, and track_features de-prioritise mkl."""
    proc = subprocess.run([sys.executable, "-c", _RATTLER_SOLVE, sample_channel.as_uri()], capture_output=True,
                          text=True, timeout=600, check=False)
    result = json.loads(proc.stdout)
    assert "error" not in result, (result, proc.stderr[-2000:])
    assert result["a"] == ["conflict-a-1.0-h0_0", "shared-dep-1.0-h0_0"]
    assert result["b"] == ["conflict-b-1.0-h0_0", "shared-dep-2.0-h0_0"]
    assert str(result["ab"]).startswith("unsolvable")
    assert str(result["glibc-none"]).startswith("unsolvable")
    assert any(r.startswith("glibc-tool-") for r in result["glibc-2.28"])
    assert any(r.startswith("unix-tool-") for r in result["unix"])
    assert result["blas"] == ["blasish-1.0-openblas_0"]
