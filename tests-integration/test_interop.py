"""Interoperability with an independent implementation: py-rattler reads cantil's environments, and cantil manages
an environment py-rattler's installer wrote. py-rattler runs only in child processes that end with os._exit (it may
abort at interpreter shutdown)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ._helpers import SUBDIR, User, built_ecosystem, describe, installed, serve

pytestmark = pytest.mark.oracle

READ_PREFIX = """
import json, os, sys
from pathlib import Path
try:
    from rattler import PrefixRecord
    out = {}
    for f in sorted((Path(sys.argv[1]) / "conda-meta").glob("*.json")):
        r = PrefixRecord.from_path(f)
        out[r.name.normalized] = {
            "version": str(r.version), "build": str(r.build), "build_number": r.build_number,
            "subdir": r.subdir, "url": r.url, "sha256": r.sha256.hex() if r.sha256 else None,
            "files": sorted(str(p) for p in r.files),
            "paths": sorted(str(e.relative_path) for e in r.paths_data.paths),
            "requested": [str(x) for x in (getattr(r, "requested_specs", None) or [])] or ([str(r.requested_spec)] if getattr(r, "requested_spec", None) else []),
        }
    sys.stdout.write(json.dumps(out)); sys.stdout.flush()
    os._exit(0)
except BaseException as err:
    sys.stderr.write(f"{type(err).__name__}: {err}\\n"); sys.stderr.flush()
    os._exit(1)
"""

INSTALL = """
import asyncio, json, os, sys
try:
    import rattler
    url, prefix, cache = sys.argv[1], sys.argv[2], sys.argv[3]
    specs = sys.argv[5:]
    async def main():
        records = await rattler.solve([url], specs, platforms=[sys.argv[4], "noarch"], virtual_packages=[])
        await rattler.install(records, target_prefix=prefix, cache_dir=cache, show_progress=False)
        return sorted(f"{r.name.normalized}={r.version}" for r in records)
    sys.stdout.write(json.dumps(asyncio.run(main()))); sys.stdout.flush()
    os._exit(0)
except BaseException as err:
    sys.stderr.write(f"{type(err).__name__}: {err}\\n"); sys.stderr.flush()
    os._exit(1)
"""


def rattler_child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=180, check=False)


@pytest.fixture
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_ecosystem(tmp_path_factory.getbasetemp())


def test_py_rattler_reads_an_environment_cantil_created(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        env = user.prefix("ours")
        user.ok("create", "-n", "ours", "python", "hello", "app")
    proc = rattler_child(READ_PREFIX, str(env))
    assert proc.returncode == 0, describe(proc)
    seen = json.loads(proc.stdout)
    ours = {r["name"]: r for r in json.loads(user.ok("list", "-n", "ours", "--json").stdout)}
    assert set(seen) == set(ours) == {"python", "pip", "hello", "app", "libfoo", "zlib"}
    for name, rec in seen.items():
        assert rec["version"] == ours[name]["version"] and rec["build"] == ours[name]["build_string"], name
        assert rec["url"].startswith(server.url) and rec["sha256"], name
        ondisk = json.loads(next((env / "conda-meta").glob(f"{name}-*.json")).read_text())
        assert rec["files"] == sorted(ondisk["files"]) and rec["paths"] == rec["files"], name
        for f in rec["files"]:
            assert (env / f).exists() or (env / f).is_symlink(), (name, f)
    # noarch python relocated and the entry point written, as rattler expects to find them
    assert any(f.endswith("/site-packages/hello/cli.py") for f in seen["hello"]["files"])
    assert "bin/hello" in seen["hello"]["files"]
    assert seen["app"]["requested"] and seen["app"]["requested"][0].startswith("app")


def test_cantil_manages_an_environment_py_rattler_installed(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        env = user.prefix("theirs")
        proc = rattler_child(INSTALL, server.url, str(env), str(tmp_path / "rattler-cache"), SUBDIR, "app=1.0", "tool")
        assert proc.returncode == 0, describe(proc)
        assert json.loads(proc.stdout) == ["app=1.0", "libfoo=1.0", "tool=1.0", "zlib=1.3.1"]

        # listed
        listed = {r["name"]: r["version"] for r in json.loads(user.ok("list", "-n", "theirs", "--json").stdout)}
        assert listed == {"app": "1.0", "libfoo": "1.0", "tool": "1.0", "zlib": "1.3.1"}
        assert user.ok("doctor", "-n", "theirs").returncode == 0
        # updated: cantil unlinks rattler's files and links its own
        user.ok("update", "-n", "theirs", "app")
        assert installed(env) == {"app": "2.0", "libfoo": "2.0", "tool": "1.0", "zlib": "1.3.1"}
        assert user.bash("cantil activate theirs && app").stdout == f"app 2.0 in {env}\n"
        # removed
        user.ok("remove", "-n", "theirs", "tool", "app")
        assert set(installed(env)) == {"libfoo", "zlib"}
        assert not (env / "bin" / "tool").exists() and not (env / "bin" / "app").exists()
    # and rattler still reads what cantil left
    proc = rattler_child(READ_PREFIX, str(env))
    assert proc.returncode == 0, describe(proc)
    assert set(json.loads(proc.stdout)) == {"libfoo", "zlib"}
