from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cantil_tools.pytest_plugin import CantilRunner, cantil_command
from cantil_tools.server import ChannelServer

pytest_plugins = ["pytester"]


def test_plugin_imports_no_heavy_module() -> None:
    code = ("import sys; import cantil_tools.pytest_plugin; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('zstandard', 'msgpack', 'cantil', 'cantil_tools')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == ["cantil_tools", "cantil_tools.pytest_plugin"]


def test_channel_factory_builds_and_indexes(channel_factory: Callable[..., Path]) -> None:
    path = channel_factory([{"name": "a", "version": "1"}, {"name": "b", "version": "1", "noarch": "generic"}],
                           jlap=False)
    assert (path / "linux-64" / "a-1-h0_0.conda").exists()
    repodata = json.loads((path / "noarch" / "repodata.json").read_text())
    assert list(repodata["packages.conda"]) == ["b-1-h0_0.conda"]
    assert not (path / "noarch" / "repodata.jlap").exists()


def test_channel_server_fixture_serves_and_stops(channel_factory: Callable[..., Path],
                                                 channel_server: Callable[..., ChannelServer]) -> None:
    import requests

    server = channel_server(channel_factory({"name": "a", "version": "1"}), token="abc")
    resp = requests.get(f"{server.url}/linux-64/repodata.json", timeout=30)
    assert resp.status_code == 200 and "a-1-h0_0.conda" in resp.json()["packages.conda"]
    assert server.log[-1].path == "linux-64/repodata.json"


def test_run_cantil_isolates_home_and_config(run_cantil: CantilRunner, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONDA_PREFIX", "/somewhere/else")
    monkeypatch.setenv("CANTIL_CHANNELS", "leak")
    probe = tmp_path / "probe.py"
    probe.write_text("import json, os, sys\nprint(json.dumps({'env': dict(os.environ), 'argv': sys.argv[1:], "
                     "'stdin': sys.stdin.read()}))\n")
    run_cantil.command = [sys.executable, str(probe)]
    result = run_cantil("create", "-n", "x", env={"EXTRA": "1"}, input="yes\n")
    assert result.returncode == 0, result.stderr
    seen: dict[str, Any] = json.loads(result.stdout)
    env = seen["env"]
    assert seen["argv"] == ["create", "-n", "x"] and seen["stdin"] == "yes\n"
    assert env["HOME"] == str(run_cantil.home) and Path(env["HOME"]).is_relative_to(tmp_path)
    assert env["CONDARC"] == str(run_cantil.condarc) and run_cantil.condarc.exists()
    assert env["CANTIL_ROOT_PREFIX"] == str(run_cantil.root_prefix)
    assert env["CONDA_PKGS_DIRS"] == str(run_cantil.pkgs_dir)
    assert "CONDA_PREFIX" not in env and "CANTIL_CHANNELS" not in env
    assert env["EXTRA"] == "1"


def test_cantil_command_prefers_the_script_next_to_python() -> None:
    command = cantil_command()
    script = Path(sys.executable).with_name("cantil")
    assert command == ([str(script)] if script.is_file() else [sys.executable, "-m", "cantil"])


def test_fixtures_available_through_the_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json, urllib.request

        def test_end_to_end(channel_factory, channel_server, run_cantil):
            server = channel_server(channel_factory([{"name": "z", "version": "3"}]))
            with urllib.request.urlopen(server.url + "/linux-64/repodata.json") as resp:
                assert "z-3-h0_0.conda" in json.load(resp)["packages.conda"]
            assert run_cantil.home.is_dir()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(passed=1)
