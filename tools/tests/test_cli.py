from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cantil_tools._cli import main


def test_build_command_from_json(tmp_path: Path) -> None:
    desc = tmp_path / "desc.json"
    desc.write_text(json.dumps({"packages": [{"name": "a", "version": "1"}, {"name": "b", "version": "2", "noarch": "generic"}]}))
    out = tmp_path / "chan"
    proc = subprocess.run([sys.executable, "-m", "cantil_tools.channel", "build", str(desc), str(out), "--no-jlap"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    repodata = json.loads((out / "linux-64" / "repodata.json").read_text())
    assert list(repodata["packages.conda"]) == ["a-1-h0_0.conda"]
    assert (out / "noarch" / "b-2-h0_0.tar.bz2").exists()
    assert not (out / "linux-64" / "repodata.jlap").exists()
    assert (out / "linux-64" / "repodata.json.zst").exists()


def test_build_sample(tmp_path: Path) -> None:
    assert main(["build", "sample", str(tmp_path / "s"), "--formats", "conda"]) == 0
    assert len(list((tmp_path / "s").glob("*/*.conda"))) >= 30
    assert not list((tmp_path / "s").glob("*/*.tar.bz2"))


def test_bad_description_is_one_error_line(tmp_path: Path, capsys: object) -> None:
    desc = tmp_path / "bad.json"
    desc.write_text(json.dumps([{"name": "Bad", "version": "1"}]))
    proc = subprocess.run([sys.executable, "-m", "cantil_tools.channel", "build", str(desc), str(tmp_path / "o")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["error: invalid package description 'Bad': 'name' must be a lowercase package name"]
    missing = subprocess.run([sys.executable, "-m", "cantil_tools.channel", "build", str(tmp_path / "none.json"),
                              str(tmp_path / "o")], capture_output=True, text=True, check=False)
    assert missing.returncode == 1 and missing.stderr.startswith("error: cannot read")


def test_yaml_descriptions(tmp_path: Path) -> None:
    pytest.importorskip("ruamel.yaml", reason="YAML descriptions need the optional ruamel.yaml")
    from cantil_tools._cli import load_descriptions

    desc = tmp_path / "desc.yaml"
    desc.write_text("packages:\n  - name: a\n    version: '1.0'\n    depends: [b >=2]\n    files:\n"
                    "      bin/a: |\n        #!/bin/sh\n        echo @PREFIX@\n")
    (loaded,) = load_descriptions(desc)
    assert loaded["depends"] == ["b >=2"] and loaded["files"]["bin/a"].endswith("echo @PREFIX@\n")
    assert main(["build", str(desc), str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "linux-64" / "a-1.0-h0_0.conda").exists()


def test_serve_command_serves_until_interrupted(tmp_path: Path) -> None:
    import signal
    import urllib.error
    import urllib.request

    assert main(["build", "sample", str(tmp_path / "s"), "--formats", "conda", "--no-shards"]) == 0
    proc = subprocess.Popen([sys.executable, "-m", "cantil_tools.channel", "serve", str(tmp_path / "s"),
                             "--token", "tk"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert " at http://127.0.0.1:" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        url = line.split(" at ", 1)[1].split()[0]
        assert url.endswith("/t/tk")
        with urllib.request.urlopen(f"{url}/noarch/repodata.json", timeout=30) as resp:
            assert json.loads(resp.read())["info"]["subdir"] == "noarch"
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url.replace("/t/tk", "/t/bad") + "/noarch/repodata.json", timeout=30)
        assert info.value.code == 403
        info.value.close()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err
