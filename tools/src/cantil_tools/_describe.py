"""Parse a package description (a plain mapping) into the members of a conda package.

The description format is documented in docs/tools.md. Traps:
- `track_features` is a space-separated *string* in info/index.json, though we accept a list.
- noarch python packages keep their modules under `site-packages/` and their entry points in info/link.json; the
  installer writes the scripts. Other packages get real `bin/<name>` scripts with a text-prefix shebang, as conda-build
  writes them.
- A prefix placeholder is replaced at install time; in a binary file the replacement is padded with NUL bytes up to
  the placeholder's length, so the placeholder must be long (conda-build's `_h_env_placehold_...` prefix is 255 chars).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cantil_tools.errors import InvalidDescription

__all__ = ["CLASSIC_PLACEHOLDER", "PLACEHOLDER", "PREFIX_TOKEN", "Member", "PackageDescription"]

PREFIX_TOKEN = "@PREFIX@"
CLASSIC_PLACEHOLDER = "/opt/anaconda1anaconda2anaconda3"
_BASE = "/opt/cantil-bld/work_1700000000000/_h_env_"
PLACEHOLDER = (_BASE + "placehold_" * 26)[:255]
DEFAULT_TIMESTAMP = 1700000000000  # ms, fixed so that archives are deterministic

_NAME_RE = re.compile(r"^[a-z0-9_][a-z0-9_.\-]*$")
_VERSION_RE = re.compile(r"^[A-Za-z0-9_.!+*]+$")
_BUILD_RE = re.compile(r"^[A-Za-z0-9_.+]+$")
_ENTRY_RE = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*=\s*([A-Za-z0-9_.]+)\s*:\s*([A-Za-z0-9_.]+)\s*$")
_SCRIPT_KINDS = ("pre-link", "post-link", "pre-unlink")
_KNOWN_KEYS = {
    "name", "version", "build", "build_number", "subdir", "noarch", "depends", "constrains", "license",
    "license_family", "track_features", "features", "timestamp", "files", "entry_points", "scripts", "activate",
    "deactivate", "menu", "run_exports", "about", "extra_index", "info_files", "python_site_packages_path",
}


@dataclass(frozen=True)
class Member:
    """One file of the package payload (not info/)."""

    path: str
    data: bytes = b""
    mode: int = 0o644
    symlink: str | None = None
    file_mode: str | None = None  # "text" | "binary" when it holds a prefix placeholder
    placeholder: str | None = None
    no_link: bool = False


def _subdir_arch_platform(subdir: str) -> tuple[str | None, str | None]:
    if subdir == "noarch":
        return None, None
    plat, _, arch = subdir.partition("-")
    arch = {"64": "x86_64", "32": "x86"}.get(arch, arch)
    return arch, plat


def _strings(desc: Mapping[str, Any], key: str, name: str) -> tuple[str, ...]:
    value = desc.get(key, ())
    if isinstance(value, str):
        value = value.split() if key in ("track_features", "features") else [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise InvalidDescription(name, f"{key!r} must be a list of strings")
    return tuple(value)


@dataclass(frozen=True)
class PackageDescription:
    """A validated package description; build one with `PackageDescription.from_dict(mapping)`."""

    name: str
    version: str
    build: str
    build_number: int
    subdir: str
    noarch: str | None
    depends: tuple[str, ...]
    constrains: tuple[str, ...]
    license: str | None
    license_family: str | None
    track_features: tuple[str, ...]
    features: tuple[str, ...]
    timestamp: int
    entry_points: tuple[str, ...]
    members: tuple[Member, ...]
    scripts: Mapping[str, str] = field(default_factory=dict)
    run_exports: Mapping[str, Any] | None = None
    about: Mapping[str, Any] = field(default_factory=dict)
    extra_index: Mapping[str, Any] = field(default_factory=dict)
    info_files: Mapping[str, bytes] = field(default_factory=dict)
    python_site_packages_path: str | None = None

    @property
    def dist_name(self) -> str:
        return f"{self.name}-{self.version}-{self.build}"

    @classmethod
    def from_dict(cls, desc: Mapping[str, Any]) -> PackageDescription:
        if not isinstance(desc, Mapping):
            raise InvalidDescription("", f"expected a mapping, got {type(desc).__name__}")
        name = desc.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise InvalidDescription(str(name or ""), "'name' must be a lowercase package name")
        unknown = sorted(set(desc) - _KNOWN_KEYS)
        if unknown:
            raise InvalidDescription(name, f"unknown key {unknown[0]!r}")
        version = str(desc.get("version", ""))
        if not _VERSION_RE.match(version):
            raise InvalidDescription(name, f"invalid version {version!r}")
        build_number = desc.get("build_number", 0)
        if not isinstance(build_number, int) or isinstance(build_number, bool) or build_number < 0:
            raise InvalidDescription(name, "'build_number' must be a non-negative integer")
        noarch = desc.get("noarch")
        if noarch not in (None, "python", "generic"):
            raise InvalidDescription(name, f"'noarch' must be 'python' or 'generic', not {noarch!r}")
        default_build = f"py_{build_number}" if noarch == "python" else f"h0_{build_number}"
        build = str(desc.get("build", default_build))
        if not _BUILD_RE.match(build):
            raise InvalidDescription(name, f"invalid build string {build!r}")
        subdir = str(desc.get("subdir", "noarch" if noarch else "linux-64"))
        if noarch and subdir != "noarch":
            raise InvalidDescription(name, f"a noarch package has subdir 'noarch', not {subdir!r}")
        depends = _strings(desc, "depends", name)
        if noarch == "python" and not any(d.split()[0] == "python" for d in depends):
            depends = (*depends, "python")
        entry_points = _strings(desc, "entry_points", name)
        for ep in entry_points:
            if not _ENTRY_RE.match(ep):
                raise InvalidDescription(name, f"invalid entry point {ep!r} (expected 'name = module:function')")
        scripts = dict(desc.get("scripts") or {})
        for kind, text in scripts.items():
            if kind not in _SCRIPT_KINDS or not isinstance(text, str):
                raise InvalidDescription(name, f"'scripts' keys are {', '.join(_SCRIPT_KINDS)} with text values")
        timestamp = desc.get("timestamp", DEFAULT_TIMESTAMP)
        if not isinstance(timestamp, int):
            raise InvalidDescription(name, "'timestamp' must be an integer (milliseconds)")
        members = _members(name, desc, noarch, entry_points, scripts)
        about = dict(desc.get("about") or {})
        info_files = {k: _content(name, k, v)[0] for k, v in dict(desc.get("info_files") or {}).items()}
        return cls(
            name=name, version=version, build=build, build_number=build_number, subdir=subdir, noarch=noarch,
            depends=depends, constrains=_strings(desc, "constrains", name), license=desc.get("license"),
            license_family=desc.get("license_family"), track_features=_strings(desc, "track_features", name),
            features=_strings(desc, "features", name), timestamp=timestamp, entry_points=entry_points,
            members=members, scripts=scripts, run_exports=desc.get("run_exports"), about=about,
            extra_index=dict(desc.get("extra_index") or {}), info_files=info_files,
            python_site_packages_path=desc.get("python_site_packages_path"),
        )

    def index_json(self) -> dict[str, Any]:
        arch, platform = _subdir_arch_platform(self.subdir)
        index: dict[str, Any] = {
            "arch": arch, "build": self.build, "build_number": self.build_number, "depends": list(self.depends),
            "name": self.name, "platform": platform, "subdir": self.subdir, "timestamp": self.timestamp,
            "version": self.version,
        }
        if self.constrains:
            index["constrains"] = list(self.constrains)
        if self.license is not None:
            index["license"] = self.license
        if self.license_family is not None:
            index["license_family"] = self.license_family
        if self.noarch:
            index["noarch"] = self.noarch
        if self.track_features:
            index["track_features"] = " ".join(self.track_features)
        if self.features:
            index["features"] = " ".join(self.features)
        if self.python_site_packages_path:
            index["python_site_packages_path"] = self.python_site_packages_path
        index.update(self.extra_index)
        return index


def _content(name: str, path: str, spec: Any) -> tuple[bytes, dict[str, Any]]:
    """(bytes, options) from a file spec: text, bytes, or a mapping with text/bytes/base64 and options."""
    if isinstance(spec, str):
        return spec.encode("utf-8"), {}
    if isinstance(spec, bytes | bytearray):
        return bytes(spec), {"binary": True}
    if isinstance(spec, Mapping):
        opts = dict(spec)
        if "text" in opts:
            return str(opts.pop("text")).encode("utf-8"), opts
        if "bytes" in opts:
            return bytes(opts.pop("bytes")), {**opts, "binary": True}
        if "base64" in opts:
            return base64.b64decode(opts.pop("base64")), {**opts, "binary": True}
        if "symlink" in opts:
            return b"", opts
        return b"", opts
    raise InvalidDescription(name, f"file {path!r}: expected text, bytes or a mapping")


def _mode(name: str, path: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, str):
        try:
            return int(value, 8)
        except ValueError:
            raise InvalidDescription(name, f"file {path!r}: invalid mode {value!r}") from None
    if isinstance(value, int):
        return value
    raise InvalidDescription(name, f"file {path!r}: invalid mode {value!r}")


def _member(name: str, path: str, spec: Any) -> Member:
    if path.startswith(("/", "info/")) or ".." in path.split("/") or not path or "\\" in path:
        raise InvalidDescription(name, f"invalid file path {path!r}")
    data, opts = _content(name, path, spec)
    binary = bool(opts.pop("binary", False))
    unknown = set(opts) - {"mode", "prefix", "placeholder", "symlink", "no_link"}
    if unknown:
        raise InvalidDescription(name, f"file {path!r}: unknown option {sorted(unknown)[0]!r}")
    executable = path.startswith(("bin/", "python-scripts/"))
    mode = _mode(name, path, opts.get("mode"), 0o755 if executable else 0o644)
    if opts.get("symlink") is not None:
        return Member(path=path, symlink=str(opts["symlink"]), mode=0o777)
    prefix = opts.get("prefix")
    has_token = PREFIX_TOKEN.encode() in data
    if prefix is None:
        prefix = ("binary" if binary else "text") if has_token else False
    if prefix not in (False, "text", "binary"):
        raise InvalidDescription(name, f"file {path!r}: 'prefix' must be 'text', 'binary' or false")
    placeholder = None
    if prefix:
        placeholder = str(opts.get("placeholder") or PLACEHOLDER)
        if " " in placeholder:
            raise InvalidDescription(name, f"file {path!r}: a placeholder cannot contain spaces")
        if not has_token:
            raise InvalidDescription(name, f"file {path!r}: 'prefix' is set but the content has no {PREFIX_TOKEN}")
        data = data.replace(PREFIX_TOKEN.encode(), placeholder.encode())
    return Member(path=path, data=data, mode=mode, file_mode=str(prefix) if prefix else None, placeholder=placeholder,
                  no_link=bool(opts.get("no_link", False)))


def _entry_point_script(spec: str) -> tuple[str, str]:
    m = _ENTRY_RE.match(spec)
    assert m is not None
    cmd, module, func = m.groups()
    text = (
        f"#!{PREFIX_TOKEN}/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n\n"
        f"from {module} import {func.split('.')[0]}\n\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])\n"
        f"    sys.exit({func}())\n"
    )
    return cmd, text


def _members(name: str, desc: Mapping[str, Any], noarch: str | None, entry_points: tuple[str, ...],
             scripts: Mapping[str, str]) -> tuple[Member, ...]:
    files = desc.get("files") or {}
    if not isinstance(files, Mapping):
        raise InvalidDescription(name, "'files' must be a mapping of path to content")
    specs: dict[str, Any] = dict(files)
    for kind, text in scripts.items():
        specs[f"bin/.{name}-{kind}.sh"] = {"text": text, "mode": 0o755}
    for key, folder in (("activate", "activate.d"), ("deactivate", "deactivate.d")):
        for fname, text in dict(desc.get(key) or {}).items():
            specs[f"etc/conda/{folder}/{fname}"] = {"text": text, "mode": 0o755 if fname.endswith(".sh") else 0o644}
    menu = desc.get("menu")
    if menu is not None:
        import json

        specs[f"Menu/{name}.json"] = json.dumps(menu, indent=2, sort_keys=True) + "\n"
    if noarch != "python":
        for ep in entry_points:
            cmd, text = _entry_point_script(ep)
            specs.setdefault(f"bin/{cmd}", {"text": text, "mode": 0o755})
    members = [_member(name, path, spec) for path, spec in specs.items()]
    members.sort(key=lambda m: m.path)
    return tuple(members)
