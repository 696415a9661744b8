"""Helpers of the integration suite: an isolated cantil user, the test ecosystem, file-tree snapshots.

Every test runs the real `cantil` command in a subprocess with its own HOME, CONDARC, root prefix and package cache,
against channels built here with cantil-tools and served over loopback HTTP (cantil_tools.server.ChannelServer).

The ecosystem (`ecosystem()`): real packages built at test time, small but shaped like a real channel:
- `python` X.Y.Z (the machine's own interpreter, venv-style: its post-link script links `bin/python` to the
  machine's Python and writes `pyvenv.cfg`, so `<prefix>/lib/pythonX.Y/site-packages` is its site-packages; its
  pre-unlink script removes both) and a noarch `pip` (conda adds pip to python's dependencies by default);
- `hello` 1.0 (noarch python, entry point `hello`, importable module), `zlib` 1.2.13 / 1.3.1 (text and binary
  prefixes), `libfoo` 1.0 / 2.0, `app` 1.0 / 2.0 (`bin/app` prints its version and prefix), `tool` 1.0;
- `old-user` / `new-user` (together unsatisfiable), `bigdata` (a 2 MiB file, for the full-disk case),
  `broken-post` (a failing post-link script), `killer` (a post-link script that SIGKILLs the cantil process that
  holds `conda-meta/.cantil.lock`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PY_XY = f"{sys.version_info.major}.{sys.version_info.minor}"
PY_XYZ = f"{PY_XY}.{sys.version_info.micro}"
SUBDIR = "linux-64"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; a missing one fails the test (it must sit beside the clone)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        import pytest

        pytest.fail(f"{path} is missing: the integration suite reads ../shared/data beside the repository")
    return path


def cantil_command() -> list[str]:
    """The installed `cantil` script next to this interpreter, else `python -m cantil`."""
    script = Path(sys.executable).with_name("cantil")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cantil"]


def base_python() -> str:
    """The real interpreter behind this (possibly virtual) environment."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return os.path.realpath(base)


# -- the isolated user ----------------------------------------------------------------------------------------------
class User:
    """An isolated cantil user under `base`: HOME, XDG dirs, CONDARC, root prefix (and its pkgs dir)."""

    def __init__(self, base: Path, channels: Sequence[str] = (), **condarc: Any) -> None:
        self.base = base
        self.home = base / "home"
        self.root = base / "root"
        self.home.mkdir(parents=True, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self.condarc_path = self.home / ".condarc"
        bindir = str(Path(sys.executable).parent)
        self.environ: dict[str, str] = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "CONDARC": str(self.condarc_path),
            "CANTIL_ROOT_PREFIX": str(self.root),
            "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.write_condarc(channels, **condarc)

    @property
    def pkgs(self) -> Path:
        return self.root / "pkgs"

    def prefix(self, name: str) -> Path:
        return self.root / "envs" / name

    def write_condarc(self, channels: Sequence[str] = (), **settings: Any) -> None:
        """A .condarc naming `channels` (no defaults), always_yes, and `settings` (JSON is valid YAML)."""
        doc: dict[str, Any] = {"channels": list(channels), "default_channels": [], "always_yes": True, **settings}
        self.condarc_path.write_text(json.dumps(doc, indent=1) + "\n")

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {**self.environ, **(extra or {})}

    def run(self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None,
            timeout: float = 120, **kw: Any) -> subprocess.CompletedProcess[str]:
        """`cantil ARGS` in a subprocess; never raises on a non-zero exit."""
        return subprocess.run([*cantil_command(), *args], env=self.env(env), input=input, capture_output=True,
                              text=True, timeout=timeout, cwd=self.base, check=False, **kw)

    def ok(self, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        """`run`, asserting exit 0 (the output is in the assertion message)."""
        proc = self.run(*args, **kw)
        assert proc.returncode == 0, describe(proc)
        return proc

    def popen(self, *args: str, env: Mapping[str, str] | None = None, **kw: Any) -> subprocess.Popen[str]:
        return subprocess.Popen([*cantil_command(), *args], env=self.env(env), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.base, **kw)

    def json(self, *args: str, **kw: Any) -> Any:
        proc = self.run(*args, "--json", **kw)
        try:
            return json.loads(proc.stdout)
        except ValueError as err:
            raise AssertionError(f"not one JSON document:\n{describe(proc)}") from err

    def bash(self, script: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run `script` in a real non-interactive bash with the cantil hook loaded."""
        text = 'eval "$(cantil shell.bash hook)"\n' + script
        return subprocess.run(["bash", "--norc", "--noprofile", "-c", text], env=self.env(env), capture_output=True,
                              text=True, timeout=120, cwd=self.base, check=False)


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    args = proc.args if isinstance(proc.args, str) else " ".join(map(str, proc.args))
    return f"$ {args}\nexit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def installed(prefix: Path) -> dict[str, str]:
    """{name: version} from the records in `prefix`/conda-meta."""
    out: dict[str, str] = {}
    meta = prefix / "conda-meta"
    if meta.is_dir():
        for f in meta.glob("*.json"):
            rec = json.loads(f.read_text())
            out[rec["name"]] = rec["version"]
    return out


def assert_error(proc: subprocess.CompletedProcess[str], *needles: str, code: int = 1) -> str:
    """A clean failure: exit `code`, `error: ...` on stderr (plus an optional `hint:` line), no traceback."""
    assert proc.returncode == code, describe(proc)
    assert "Traceback" not in proc.stderr, describe(proc)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, describe(proc)
    for needle in needles:
        assert needle.lower() in proc.stderr.lower(), f"{needle!r} missing\n{describe(proc)}"
    return lines[0]


# -- file trees -----------------------------------------------------------------------------------------------------
IGNORED = {"conda-meta/history", "conda-meta/.cantil.lock"}


def tree(root: Path, *, ignore: Sequence[str] = (), skip_pyc: bool = False) -> dict[str, str]:
    """{relative path: "dir" | "link:<target>" | "<mode>:<sha256>"} of everything under root."""
    out: dict[str, str] = {}
    if not root.exists():
        return out
    skip = IGNORED | set(ignore)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            full = Path(dirpath, name)
            rel = full.relative_to(root).as_posix()
            if rel in skip or any(rel.startswith(p.rstrip("/") + "/") for p in ignore):
                continue
            if skip_pyc and ("__pycache__" in rel):
                continue
            if rel.startswith("conda-meta/") and rel.endswith(".json"):
                out[rel] = "record"  # compared with records()
            elif full.is_symlink():
                out[rel] = "link:" + os.readlink(full)
            elif full.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = f"{full.stat().st_mode & 0o777:o}:" + hashlib.sha256(full.read_bytes()).hexdigest()
    return out


def records(prefix: Path) -> dict[str, dict[str, Any]]:
    """The records of `prefix` by file name, less the fields that say how the request was made."""
    volatile = {"requested_spec", "requested_specs"}
    return {f.name: {k: v for k, v in json.loads(f.read_text()).items() if k not in volatile}
            for f in sorted((prefix / "conda-meta").glob("*.json"))}


def cache_problems(pkgs: Path) -> list[str]:
    """Every extracted package in `pkgs` must match its own info/paths.json (sha256 and size); no stray temp dirs."""
    problems: list[str] = []
    for d in sorted(p for p in pkgs.iterdir() if p.is_dir() and p.name not in ("cache", ".cantil-locks")):
        paths_json = d / "info" / "paths.json"
        if not paths_json.is_file():
            problems.append(f"{d.name}: no info/paths.json (half-extracted or stray directory)")
            continue
        for entry in json.loads(paths_json.read_text())["paths"]:
            f = d / entry["_path"]
            if entry.get("path_type") == "softlink" or f.is_symlink():
                continue
            if not f.is_file():
                problems.append(f"{d.name}: {entry['_path']} missing")
            elif "sha256" in entry and hashlib.sha256(f.read_bytes()).hexdigest() != entry["sha256"]:
                problems.append(f"{d.name}: {entry['_path']} altered")
    return problems


# -- channels -------------------------------------------------------------------------------------------------------
def build_channel(root: Path, descriptions: Sequence[Mapping[str, Any]], **index: Any) -> Path:
    """Build every description into `root` (both formats) and index it (`index` switches formats on or off)."""
    from cantil_tools.build import build_package
    from cantil_tools.index import index_channel

    for desc in descriptions:
        build_package(desc, root)
    for subdir in (SUBDIR, "noarch"):
        (root / subdir).mkdir(parents=True, exist_ok=True)
    index_channel(root, **index)
    return root


def python_package() -> dict[str, Any]:
    py = base_python()
    home = os.path.dirname(py)
    post = (f'mkdir -p "$PREFIX/bin"\nln -sf "{py}" "$PREFIX/bin/python"\nln -sf python "$PREFIX/bin/python{PY_XY}"\n'
            f"printf 'home = {home}\\ninclude-system-site-packages = false\\nversion = {PY_XYZ}\\n' "
            '> "$PREFIX/pyvenv.cfg"\n')
    unlink = 'rm -f "$PREFIX/bin/python" "$PREFIX/bin/python' + PY_XY + '" "$PREFIX/pyvenv.cfg"\n'
    stdlib_note = f"lib/python{PY_XY}/site-packages/README.txt"
    return {"name": "python", "version": PY_XYZ, "build": "h0_0", "license": "PSF-2.0",
            "files": {stdlib_note: "site-packages of the cantil test interpreter\n"},
            "scripts": {"post-link": post, "pre-unlink": unlink}}


def _bin(name: str, text: str) -> dict[str, Any]:
    return {f"bin/{name}": {"text": "#!/bin/sh\n" + text, "mode": 0o755}}


def zlib(version: str) -> dict[str, Any]:
    return {"name": "zlib", "version": version, "license": "Zlib", "files": {
        "lib/pkgconfig/zlib.pc": f"prefix=@PREFIX@\nlibdir=${{prefix}}/lib\nVersion: {version}\n",
        "lib/libz.bin": {"bytes": b"\x7fELF\x00" + b"@PREFIX@/lib\x00" + version.encode() + b"\x00" * 16,
                         "prefix": "binary"},
    }}


def hello(version: str) -> dict[str, Any]:
    return {"name": "hello", "version": version, "noarch": "python", "depends": ["python >=3.8"],
            "entry_points": ["hello = hello.cli:main"],
            "files": {"site-packages/hello/__init__.py": f"__version__ = {version!r}\n",
                      "site-packages/hello/cli.py":
                          "import sys\n\nimport hello\n\n\ndef main():\n"
                          "    print(f'hello {hello.__version__} from {sys.prefix}')\n"}}


def app(version: str, libfoo: str) -> dict[str, Any]:
    return {"name": "app", "version": version, "depends": [f"libfoo {libfoo}"],
            "files": _bin("app", f'echo "app {version} in $CONDA_PREFIX"\n')}


def ecosystem() -> list[dict[str, Any]]:
    big = bytes(range(256)) * (8 * 1024)  # 2 MiB
    return [
        python_package(),
        {"name": "pip", "version": "24.0", "noarch": "python", "depends": ["python >=3.8"],
         "files": {"site-packages/pip_stub/__init__.py": "# a stand-in for pip\n"}},
        hello("1.0"),
        zlib("1.2.13"), zlib("1.3.1"),
        {"name": "libfoo", "version": "1.0", "depends": ["zlib >=1.2,<2"], "files": {"lib/libfoo.txt": "foo 1.0\n"}},
        {"name": "libfoo", "version": "2.0", "depends": ["zlib >=1.3,<2"], "files": {"lib/libfoo.txt": "foo 2.0\n"}},
        app("1.0", ">=1,<2"), app("2.0", ">=2"),
        {"name": "tool", "version": "1.0", "files": _bin("tool", 'echo "tool 1.0"\n')},
        {"name": "old-user", "version": "1.0", "depends": ["zlib <1.3"], "files": {"share/old-user.txt": "old\n"}},
        {"name": "new-user", "version": "1.0", "depends": ["zlib >=1.3"], "files": {"share/new-user.txt": "new\n"}},
        {"name": "bigdata", "version": "1.0", "files": {"share/bigdata/blob.bin": {"bytes": big, "prefix": False}}},
        {"name": "broken-post", "version": "1.0", "files": {"share/broken-post.txt": "x\n"},
         "scripts": {"post-link": 'echo "broken-post: failing on purpose" >&2\nexit 3\n'}},
        {"name": "killer", "version": "1.0", "files": {"share/killer.txt": "x\n"},
         "scripts": {"post-link": 'kill -9 "$(head -n1 "$PREFIX/conda-meta/.cantil.lock")"\nexit 0\n'}},
    ]


_BUILT: dict[str, Path] = {}


def built_ecosystem(base: Path) -> Path:
    """The ecosystem, built once per test process under `base` (copy it before changing it)."""
    if "eco" not in _BUILT:
        _BUILT["eco"] = build_channel(base / "ecosystem", ecosystem())
    return _BUILT["eco"]


def copy_channel(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


@contextmanager
def serve(root: Path, **kw: Any) -> Iterator[Any]:
    from cantil_tools.server import ChannelServer

    server = ChannelServer(root, **kw)
    try:
        yield server
    finally:
        server.stop()


def site_packages(prefix: Path) -> Path:
    return prefix / "lib" / f"python{PY_XY}" / "site-packages"

