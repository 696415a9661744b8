"""Shared fixtures for cantil-cli's tests: an isolated home, root prefix and config search path, and the test channel.

The channel: real packages built by cantil-tools, indexed, served over HTTP.

- zlib 1.2.13 / 1.3.1 (a library with a text prefix in lib/pkgconfig/zlib.pc)
- libfoo 1.0 (depends zlib), app 1.0 / 2.0 (depends libfoo; bin/app prints its version)
- old-zlib-user 1.0 (zlib <1.3) and new-zlib-user 1.0 (zlib >=1.3): together unsatisfiable
- python 3.11.0 (a stand-in interpreter: bin/python is a shell script) and pip 23.0 (bin/pip writes dist-info
  folders for each requirement it is given, as pip would), so environment.yml `pip:` sections run for real
- ca-certificates 2024.1 (aggressive_update_packages)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


class Home:
    """An isolated user: HOME, XDG dirs, root prefix; `environ` is what a subprocess or load_settings sees."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.home = base / "home"
        self.root = base / "root"
        self.system = base / "etc-conda"
        for d in (self.home, self.root, self.system):
            d.mkdir(parents=True, exist_ok=True)
        self.environ: dict[str, str] = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "CANTIL_ROOT_PREFIX": str(self.root),
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
        }

    @property
    def search_path(self) -> list[str]:
        """conda's search path with the system entries moved under the temporary directory."""
        from cantil.cli._condarc import SEARCH_PATH

        return [e.replace("/etc/conda/", f"{self.system}/").replace("/var/lib/conda/", f"{self.system}/var/") for e in SEARCH_PATH]

    def run(self, *args: str, env: dict[str, str] | None = None, input: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """`cantil ARGS` in a subprocess (`python -m cantil`), with this isolated environment."""
        return subprocess.run([sys.executable, "-m", "cantil", *args], check=False, env={**self.environ, **(env or {})},
                              input=input, capture_output=True, text=True, cwd=cwd or self.base, timeout=600)

    def write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


@pytest.fixture(scope="session")
def cli_channel(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The small test channel (see _channel.py), built once per worker and served over loopback HTTP."""
    from cantil_tools.server import ChannelServer

    root = build_channel(tmp_path_factory.mktemp("channel"))
    server = ChannelServer(root)
    try:
        yield server
    finally:
        server.stop()


class User(Home):
    """A Home whose ~/.condarc lists only the test channel."""

    def __init__(self, base: Path, channel_url: str) -> None:
        super().__init__(base)
        self.channel_url = channel_url
        self.write(self.home / ".condarc", f"channels:\n  - {channel_url}\n")

    def env(self, name: str) -> Path:
        return self.root / "envs" / name

    def ok(self, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        """Run and assert exit code 0 (showing stderr when not)."""
        r = self.run(*args, **kw)  # type: ignore[arg-type]
        assert r.returncode == 0, f"cantil {' '.join(args)} -> {r.returncode}\n{r.stdout}\n{r.stderr}"
        return r

    def json(self, *args: str, **kw: object) -> object:
        r = self.run(*args, "--json", **kw)  # type: ignore[arg-type]
        try:
            return json.loads(r.stdout)
        except ValueError as err:
            raise AssertionError(f"not one JSON document:\n{r.stdout}\n{r.stderr}") from err


@pytest.fixture
def user(tmp_path: Path, cli_channel) -> User:  # type: ignore[no-untyped-def]
    return User(tmp_path, cli_channel.url)

FAKE_PIP = r"""#!/bin/sh
# a stand-in pip: `pip install [-U] -r FILE` writes a dist-info per `name==version` line
prefix="$(cd "$(dirname "$0")/.." && pwd)"
site="$prefix/lib/python3.11/site-packages"
req=""
while [ $# -gt 0 ]; do
  case "$1" in -r) req="$2"; shift 2;; *) shift;; esac
done
[ -n "$req" ] || { echo "usage: pip install -r FILE" >&2; exit 2; }
while IFS= read -r line; do
  [ -n "$line" ] || continue
  name="${line%%==*}"; version="${line#*==}"
  d="$site/${name}-${version}.dist-info"
  mkdir -p "$d"
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n\n' "$name" "$version" > "$d/METADATA"
  echo "Successfully installed $name-$version"
done < "$req"
"""


def descriptions() -> list[dict[str, object]]:
    def zlib(version: str, build_number: int = 0) -> dict[str, object]:
        return {"name": "zlib", "version": version, "build_number": build_number, "license": "Zlib",
                "files": {"lib/libz.txt": f"zlib {version}\n",
                          "lib/pkgconfig/zlib.pc": "prefix=@PREFIX@\nlibdir=${prefix}/lib\n"}}

    def app(version: str) -> dict[str, object]:
        return {"name": "app", "version": version, "depends": ["libfoo >=1.0"],
                "files": {"bin/app": {"text": f"#!/bin/sh\necho app {version} in \"$CONDA_PREFIX\"\n", "mode": 0o755}}}

    return [
        zlib("1.2.13"),
        zlib("1.3.1"),
        {"name": "libfoo", "version": "1.0", "depends": ["zlib >=1.2"], "files": {"lib/libfoo.txt": "foo\n"}},
        app("1.0"),
        app("2.0"),
        {"name": "old-zlib-user", "version": "1.0", "depends": ["zlib <1.3"], "files": {"share/old.txt": "old\n"}},
        {"name": "new-zlib-user", "version": "1.0", "depends": ["zlib >=1.3"], "files": {"share/new.txt": "new\n"}},
        {"name": "python", "version": "3.11.0", "files": {
            "bin/python": {"text": "#!/bin/sh\necho 'Python 3.11.0'\n", "mode": 0o755},
            "lib/python3.11/site-packages/README.txt": "site\n"}},
        {"name": "pip", "version": "23.0", "noarch": "generic", "depends": ["python >=3.8"],
         "files": {"bin/pip": {"text": FAKE_PIP, "mode": 0o755},
                   "lib/python3.11/site-packages/pip-23.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: pip\nVersion: 23.0\n\n"}},
        {"name": "ca-certificates", "version": "2024.1", "noarch": "generic", "files": {"ssl/cacert.pem": "certs\n"}},
    ]


def build_channel(root: Path) -> Path:
    from cantil_tools.build import build_package
    from cantil_tools.index import index_channel

    for desc in descriptions():
        build_package(desc, root)
    (root / "noarch").mkdir(exist_ok=True)
    (root / "linux-64").mkdir(exist_ok=True)
    index_channel(root)
    return root


@pytest.fixture(scope="session")
def make_user(cli_channel):  # type: ignore[no-untyped-def]
    """A factory of Users (for module-scoped fixtures that set an environment up once)."""
    return lambda base: User(base, cli_channel.url)
