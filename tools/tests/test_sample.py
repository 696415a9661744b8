from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

from cantil_tools.build import PLACEHOLDER
from cantil_tools.channel import load_channel
from cantil_tools.sample import PYTHON_VERSION, sample_channel_description

XY = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _install(pkg: Path, prefix: Path) -> None:
    """A minimal conda-style install for the test: extract, replace text prefixes, run the post-link script."""
    with tarfile.open(pkg) as tar:
        tar.extractall(prefix, filter="fully_trusted")
    for line in (prefix / "info" / "has_prefix").read_text().splitlines() if (prefix / "info" / "has_prefix").exists() else []:
        placeholder, mode, path = line.split()
        if mode == "text":
            f = prefix / path
            f.write_text(f.read_text().replace(placeholder, str(prefix)))
    name = json.loads((prefix / "info" / "index.json").read_text())["name"]
    script = prefix / "bin" / f".{name}-post-link.sh"
    if script.exists():
        subprocess.run(["bash", str(script)], env={"PREFIX": str(prefix), "PATH": "/usr/bin:/bin"}, check=True)


def test_sample_has_the_promised_shape(sample_channel: Path) -> None:
    source = load_channel(sample_channel)
    records = source.all_records()
    assert len(records) >= 30
    by_name = {r.name: r for r in records}
    assert by_name["python"].version == PYTHON_VERSION == XY
    assert by_name["pip"].noarch == "python" and by_name["pip"].subdir == "noarch"
    assert any(r.track_features for r in source.records("blasish"))
    assert "__glibc >=2.17" in by_name["glibc-tool"].depends and "__unix" in by_name["unix-tool"].depends
    assert len({r.version for r in source.records("numpyish")}) == 2 and len(source.records("numpyish")) == 3
    assert by_name["conflict-a"].depends == ("shared-dep 1.*",) and by_name["conflict-b"].depends == ("shared-dep 2.*",)
    channeldata = json.loads((sample_channel / "channeldata.json").read_text())["packages"]
    assert channeldata["postlinker"]["post_link"] and channeldata["libcrypt"]["activate.d"]
    assert channeldata["toolc"]["text_prefix"] and channeldata["libzz"]["binary_prefix"]


def test_sample_python_runs_venv_style(sample_channel: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    (pkg,) = (sample_channel / "linux-64").glob("python-*.tar.bz2")
    _install(pkg, prefix)
    cfg = (prefix / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg
    site = prefix / "lib" / f"python{XY}" / "site-packages"
    (site / "probe_mod.py").write_text("VALUE = 42\n")
    out = subprocess.run(
        [str(prefix / "bin" / "python3"), "-c",
         "import sys, site, probe_mod; print(sys.prefix); print(site.getsitepackages()[0]); print(probe_mod.VALUE)"],
        capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    assert out.stdout.splitlines() == [str(prefix), str(site), "42"]


def test_sample_text_prefix_script_reports_its_prefix(sample_channel: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    (pkg,) = (sample_channel / "linux-64").glob("toolc-*.tar.bz2")
    with tarfile.open(pkg) as tar:
        assert PLACEHOLDER.encode() in tar.extractfile("bin/toolc").read()  # type: ignore[union-attr]
    _install(pkg, prefix)
    out = subprocess.run([str(prefix / "bin" / "toolc")], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"toolc 2.1.0 installed in {prefix}"


def test_sample_post_link_script_runs(sample_channel: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    (pkg,) = (sample_channel / "linux-64").glob("postlinker-*.tar.bz2")
    _install(pkg, prefix)
    assert (prefix / "share" / "postlinker" / "post-link.out").read_text() == "postlinker-post-link-ran\n"
    assert "postlinker linked into" in (prefix / ".messages.txt").read_text()


def test_sample_description_is_deterministic() -> None:
    assert sample_channel_description() == sample_channel_description()
    names = [d["name"] for d in sample_channel_description()]
    assert len(names) >= 30
