"""The bundled sample ecosystem: 30+ packages over linux-64 and noarch that exercise what cantil must handle.

- `python` (linux-64, version = this machine's X.Y): `bin/python` is a bash wrapper that execs this machine's own
  interpreter with `argv[0]` set to itself; the post-link script writes `<prefix>/pyvenv.cfg`, so the interpreter
  runs venv-style with `<prefix>/lib/pythonX.Y/site-packages` as its site-packages. Its pre-unlink script removes
  the pyvenv.cfg again.
- noarch python libraries with entry points (`hello-cli` -> `hello`, `pip` -> `pip`), a dependency chain
  (requestsish -> urllib3ish >=2, idnaish), a noarch `pip`, `setuptools`, `wheel`.
- text prefixes (`toolc`'s script, `libcrypt`'s .pc file) and binary prefixes (`libzz`'s library, `sqlitish`).
- a post-link + pre-unlink script (`postlinker`), activate.d/deactivate.d scripts (`libcrypt`).
- several versions and builds (`libzz`, `numpyish`, `urllib3ish`, `shared-dep`).
- an unsatisfiable pair (`conflict-a` needs `shared-dep 1.*`, `conflict-b` needs `shared-dep 2.*`).
- track_features (`blasish` build `mkl_0` is de-prioritised against `openblas_0`).
- virtual-package dependencies (`glibc-tool` needs `__glibc >=2.17`, `unix-tool` needs `__unix`).
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["PYTHON_VERSION", "sample_channel_description"]

PYTHON_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _base_interpreter() -> str:
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def _python(xy: str, interpreter: str) -> dict[str, Any]:
    full = f"{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}"
    wrapper = f'#!/bin/bash\n# cantil sample python: this machine\'s interpreter, venv-style\nexec -a "$0" {interpreter} "$@"\n'
    post_link = (
        'cat > "$PREFIX/pyvenv.cfg" <<CANTIL_EOF\n'
        f"home = {os.path.dirname(interpreter)}\n"
        "include-system-site-packages = false\n"
        f"version = {full}\n"
        "CANTIL_EOF\n"
    )
    return {
        "name": "python", "version": xy, "build": "h0_0", "subdir": "linux-64", "license": "PSF-2.0",
        "files": {
            "bin/python": {"text": wrapper, "mode": 0o755},
            "bin/python3": {"symlink": "python"},
            f"bin/python{xy}": {"symlink": "python"},
            f"lib/python{xy}/site-packages/README.txt": "This is the site-packages folder of the cantil sample python.\n",
        },
        "scripts": {"post-link": post_link, "pre-unlink": 'rm -f "$PREFIX/pyvenv.cfg"\n'},
        "about": {"summary": "This machine's Python, venv-style", "home": "https://www.python.org"},
    }


def _noarch_py(name: str, version: str, modules: dict[str, str], *, depends: list[str] | None = None,
               entry_points: list[str] | None = None, build_number: int = 0) -> dict[str, Any]:
    return {
        "name": name, "version": version, "noarch": "python", "build_number": build_number,
        "depends": ["python >=3.8", *(depends or [])], "entry_points": entry_points or [], "license": "MIT",
        "files": {f"site-packages/{path}": text for path, text in modules.items()},
    }


def _arch_py(name: str, version: str, xy: str, build_number: int, depends: list[str], **extra: Any) -> dict[str, Any]:
    major, minor = (int(p) for p in xy.split("."))
    tag = f"py{major}{minor}"
    return {
        "name": name, "version": version, "build": f"{tag}h0_{build_number}", "build_number": build_number,
        "subdir": "linux-64", "license": "BSD-3-Clause",
        "depends": [f"python >={xy},<{major}.{minor + 1}.0a0", *depends],
        "files": {f"lib/python{xy}/site-packages/{name}/__init__.py": f'__version__ = "{version}"\n'},
        **extra,
    }


def _lib(name: str, version: str, build_number: int = 0, **extra: Any) -> dict[str, Any]:
    return {"name": name, "version": version, "build": f"h0_{build_number}", "build_number": build_number,
            "subdir": "linux-64", "license": "MIT", **extra}


def sample_channel_description(python_version: str = PYTHON_VERSION,
                               interpreter: str | None = None) -> list[dict[str, Any]]:
    """The sample ecosystem as a list of package descriptions (see docs/tools.md)."""
    xy = python_version
    interp = interpreter or _base_interpreter()
    libzz_so = {"bytes": b"\x7fELF\x02\x01\x01\0cantil-sample libzz\0config=@PREFIX@/etc/libzz.conf\0end\0",
                "prefix": "binary"}
    pkgs: list[dict[str, Any]] = [
        _python(xy, interp),
        # -- compiled-looking libraries: versions, builds, prefixes, activation ------------------------------------
        _lib("libzz", "1.2.13", files={"lib/libzz.so.1.2.13": libzz_so, "lib/libzz.so": {"symlink": "libzz.so.1.2.13"}},
             run_exports={"weak": ["libzz >=1.2.13,<2"]}),
        _lib("libzz", "1.3.0", files={"lib/libzz.so.1.3.0": libzz_so, "lib/libzz.so": {"symlink": "libzz.so.1.3.0"}},
             run_exports={"weak": ["libzz >=1.3.0,<2"]}),
        _lib("libcrypt", "3.0.1", depends=["libzz >=1.2.13,<2"], files={
            "lib/pkgconfig/libcrypt.pc": "prefix=@PREFIX@\nlibdir=${prefix}/lib\nName: libcrypt\nVersion: 3.0.1\n",
            "etc/libcrypt.conf": "# sample configuration\n"},
            activate={"libcrypt_activate.sh": 'export LIBCRYPT_CONF="${CONDA_PREFIX}/etc/libcrypt.conf"\n'},
            deactivate={"libcrypt_deactivate.sh": "unset LIBCRYPT_CONF\n"}),
        _lib("sqlitish", "3.44.0", depends=["libzz >=1.2.13,<2"], files={
            "bin/sqlitish": {"bytes": b"\x7fELF\x02\x01\x01\0sqlitish\0home=@PREFIX@\0", "mode": 0o755}}),
        _lib("toolc", "2.1.0", files={"bin/toolc": '#!/bin/sh\necho "toolc 2.1.0 installed in @PREFIX@"\n'}),
        _lib("postlinker", "1.0",
             files={"share/postlinker/README": "post-link sample\n"},
             scripts={"post-link": 'echo "postlinker linked into $PREFIX" >> "$PREFIX/.messages.txt"\n'
                                   'echo "postlinker-post-link-ran" > "$PREFIX/share/postlinker/post-link.out"\n',
                      "pre-unlink": 'rm -f "$PREFIX/share/postlinker/post-link.out"\n'}),
        _lib("glibc-tool", "1.0", depends=["__glibc >=2.17"], files={"bin/glibc-tool": "#!/bin/sh\necho glibc-tool\n"}),
        # -- track_features: the mkl build is de-prioritised ----------------------------------------------------------
        _lib("blasish", "1.0", build_number=0, build="openblas_0", files={"lib/blasish-impl.txt": "openblas\n"}),
        _lib("blasish", "1.0", build_number=0, build="mkl_0", track_features=["blas_mkl"],
             files={"lib/blasish-impl.txt": "mkl\n"}),
        # -- an unsatisfiable pair --------------------------------------------------------------------------------
        _lib("shared-dep", "1.0", files={"share/shared-dep/version": "1.0\n"}),
        _lib("shared-dep", "2.0", files={"share/shared-dep/version": "2.0\n"}),
        _lib("conflict-a", "1.0", depends=["shared-dep 1.*"]),
        _lib("conflict-b", "1.0", depends=["shared-dep 2.*"]),
        # -- python packages built per python (arch) ---------------------------------------------------------------
        _arch_py("numpyish", "1.25.0", xy, 0, ["libzz >=1.2.13,<2"]),
        _arch_py("numpyish", "1.26.0", xy, 0, ["libzz >=1.2.13,<2"]),
        _arch_py("numpyish", "1.26.0", xy, 1, ["libzz >=1.3,<2"], constrains=["scipyish >=1.11"]),
        _arch_py("scipyish", "1.11.0", xy, 0, ["numpyish >=1.25,<2"]),
        # -- noarch -----------------------------------------------------------------------------------------------
        _noarch_py("pip", "23.3.1", {
            "pip/__init__.py": '__version__ = "23.3.1"\n',
            "pip/__main__.py": "from pip._cli import main\nraise SystemExit(main())\n",
            "pip/_cli.py": "import sys\n\ndef main():\n    print('pip 23.3.1 (cantil sample)')\n    return 0\n"},
            depends=["setuptools", "wheel"], entry_points=["pip = pip._cli:main", "pip3 = pip._cli:main"]),
        _noarch_py("setuptools", "68.2.2", {"setuptools/__init__.py": '__version__ = "68.2.2"\n'}),
        _noarch_py("wheel", "0.41.2", {"wheel/__init__.py": '__version__ = "0.41.2"\n'}),
        _noarch_py("six", "1.16.0", {"six.py": '__version__ = "1.16.0"\n'}),
        _noarch_py("idnaish", "3.4", {"idnaish/__init__.py": '__version__ = "3.4"\n'}),
        _noarch_py("urllib3ish", "1.26.18", {"urllib3ish/__init__.py": '__version__ = "1.26.18"\n'}),
        _noarch_py("urllib3ish", "2.0.7", {"urllib3ish/__init__.py": '__version__ = "2.0.7"\n'}),
        _noarch_py("requestsish", "2.31.0", {"requestsish/__init__.py": '__version__ = "2.31.0"\nimport urllib3ish\n'},
                   depends=["urllib3ish >=2,<3", "idnaish >=2.5"]),
        _noarch_py("clickish", "8.1.7", {"clickish/__init__.py": '__version__ = "8.1.7"\n'}),
        _noarch_py("hello-cli", "1.0", {
            "hello_cli/__init__.py": "import sys\n\ndef main():\n    print('hello from hello-cli', sys.prefix)\n"
                                     "    return 0\n"},
            depends=["clickish >=8"], entry_points=["hello = hello_cli:main"]),
        _noarch_py("packagingish", "23.2", {"packagingish/__init__.py": '__version__ = "23.2"\n'}),
        {"name": "unix-tool", "version": "1.0", "noarch": "generic", "depends": ["__unix"],
         "files": {"bin/unix-tool": "#!/bin/sh\necho unix-tool\n"}},
        {"name": "tzdataish", "version": "2023c", "noarch": "generic",
         "files": {"share/zoneinfo/UTC": "TZif2 sample\n"}},
        {"name": "ca-certsish", "version": "2023.08.22", "noarch": "generic",
         "files": {"ssl/cacert.pem": "-----BEGIN CERTIFICATE-----\nsample\n-----END CERTIFICATE-----\n"}},
    ]
    return pkgs
