"""`cantil list`: the packages of a prefix (conda's table, --json, --export, --explicit, --revisions).

Packages installed with pip (a `*.dist-info`/`*.egg-info` in site-packages that no conda record owns) are listed with
build `pypi_0` and channel `pypi`, as conda does.
"""

from __future__ import annotations

import json
import os
import re
import sys

from cantil.cli._context import locate, settings_of
from cantil.cli._errors import CondaValueError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from cantil.cli._settings import Settings

DEFAULT_CHANNEL_NAMES = ("pkgs/main", "pkgs/r", "pkgs/msys2")


class Row:
    """One listed package: a conda record or a pip distribution."""

    __slots__ = ("base_url", "build", "build_number", "channel", "md5", "name", "subdir", "url", "version")

    def __init__(self, name: str, version: str, build: str, build_number: int, *, channel: str, subdir: str,
                 url: str = "", base_url: str = "", md5: str | None = None) -> None:
        self.name, self.version, self.build, self.build_number = name, version, build, build_number
        self.channel, self.subdir, self.url, self.base_url, self.md5 = channel, subdir, url, base_url, md5

    @property
    def dist_name(self) -> str:
        return f"{self.name}-{self.version}-{self.build}"

    def to_json(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "build_number": self.build_number, "build_string": self.build,
                "channel": self.channel, "dist_name": self.dist_name, "name": self.name, "platform": self.subdir,
                "version": self.version}


def conda_rows(prefix: str, alias: str = "https://conda.anaconda.org") -> tuple[list[Row], set[str]]:
    """Rows of the conda-meta records and every file they own (to tell pip's distributions apart).

    The records are read as plain JSON here rather than through cantil.link's PrefixData: `list` must start fast,
    and it needs only a few documented keys of conda's record files.
    """
    rows: list[Row] = []
    owned: set[str] = set()
    meta = os.path.join(prefix, "conda-meta")
    for fn in sorted(os.listdir(meta)):
        if not fn.endswith(".json") or fn.startswith("."):
            continue
        try:
            with open(os.path.join(meta, fn), "rb") as f:
                rec = json.load(f)
        except (OSError, ValueError) as err:
            raise CondaValueError(f"unreadable record {os.path.join(meta, fn)}: {err}") from err
        if not isinstance(rec, dict) or "name" not in rec:
            continue
        url = rec.get("url") or ""
        subdir = rec.get("subdir") or ""
        base = _base_url(url, subdir, rec.get("fn") or "")
        rows.append(Row(rec["name"], str(rec.get("version", "")), rec.get("build", ""), int(rec.get("build_number") or 0),
                        channel=_channel_name(rec.get("channel") or "", base, subdir, alias), subdir=subdir, url=url, base_url=base,
                        md5=rec.get("md5")))
        owned.update(rec.get("files") or ())
    return rows, owned


def _base_url(url: str, subdir: str, fn: str) -> str:
    suffix = f"/{subdir}/{fn}"
    if fn and url.endswith(suffix):
        return url[: -len(suffix)]
    return url.rsplit("/", 2)[0] if url.count("/") >= 2 else url


def _channel_name(channel: str, base: str, subdir: str, alias: str = "https://conda.anaconda.org") -> str:
    """The canonical channel name: as cantil stores it, or derived from the URL conda stores (`<url>/<subdir>`)."""
    if not channel:
        return base
    if subdir and channel.endswith("/" + subdir):
        channel = channel[: -len(subdir) - 1]
    for known in (alias.rstrip("/") + "/", "https://conda.anaconda.org/", "https://repo.anaconda.com/"):
        if channel.startswith(known) and len(channel) > len(known):
            return channel[len(known):].rstrip("/")
    return channel


def _owned_entries(owned: set[str]) -> set[str]:
    """`lib/pythonX.Y/site-packages/<entry>` of every owned file under a site-packages."""
    entries = set()
    for f in owned:
        i = f.find("site-packages/")
        if i >= 0:
            j = f.find("/", i + len("site-packages/"))
            entries.add(f if j < 0 else f[:j])
    return entries


def pip_rows(prefix: str, owned: set[str]) -> list[Row]:
    out: list[Row] = []
    taken = _owned_entries(owned)
    for site in _site_packages(prefix):
        try:
            entries = os.listdir(site)
        except OSError:
            continue
        rel_site = os.path.relpath(site, prefix)
        for entry in entries:
            if not entry.endswith((".dist-info", ".egg-info")):
                continue
            rel = f"{rel_site}/{entry}"
            if rel in taken:
                continue
            meta = _metadata(os.path.join(site, entry))
            if meta is None:
                continue
            name, version = meta
            out.append(Row(name.lower().replace("_", "-"), version, "pypi_0", 0, channel="pypi", subdir="pypi",
                           base_url="https://pypi.org/"))
    return out


def _site_packages(prefix: str) -> list[str]:
    out = []
    lib = os.path.join(prefix, "lib")
    try:
        for name in sorted(os.listdir(lib)):
            if name.startswith("python"):
                out.append(os.path.join(lib, name, "site-packages"))
    except OSError:
        pass
    win = os.path.join(prefix, "Lib", "site-packages")
    if os.path.isdir(win):
        out.append(win)
    return out


def _metadata(path: str) -> tuple[str, str] | None:
    for fn in ("METADATA", "PKG-INFO"):
        candidate = os.path.join(path, fn) if os.path.isdir(path) else path
        try:
            with open(candidate, encoding="utf-8", errors="replace") as f:
                name = version = None
                for line in f:
                    if line.startswith("Name:"):
                        name = line.split(":", 1)[1].strip()
                    elif line.startswith("Version:"):
                        version = line.split(":", 1)[1].strip()
                    elif not line.strip():
                        break
                if name and version:
                    return name, version
        except OSError:
            continue
    return None


def list_(ns: argparse.Namespace) -> int:
    settings = settings_of(ns)
    prefix = locate(settings, ns.name, ns.prefix)
    if ns.revisions:
        return _revisions(ns, prefix)
    rows, owned = conda_rows(prefix, settings.channel_alias)
    if not ns.no_pip and not ns.explicit:
        rows += pip_rows(prefix, owned)
    rows.sort(key=lambda r: r.name)
    if ns.regex:
        try:
            pattern = re.compile(f"^{ns.regex}$" if ns.full_name else ns.regex, re.IGNORECASE)
        except re.error as err:
            raise CondaValueError(f"invalid regular expression {ns.regex!r}: {err}") from err
        match = pattern.fullmatch if ns.full_name else pattern.search
        rows = [r for r in rows if match(r.name)]
    out = sys.stdout
    if ns.explicit:
        from cantil.cli._explicit import explicit_lines

        out.write(explicit_lines(rows, md5=ns.md5, subdir=settings.subdir))  # type: ignore[arg-type]
        return 0
    if ns.json:
        if ns.canonical or ns.export:
            out.write(json.dumps([f"{r.channel}/{r.subdir}::{r.dist_name}" if ns.canonical else r.dist_name
                                  for r in rows], indent=2) + "\n")
        else:
            out.write(json.dumps([r.to_json() for r in rows], indent=2, sort_keys=True) + "\n")
        return 0
    if ns.canonical:
        out.write("".join(f"{r.channel}/{r.subdir}::{r.dist_name}\n" for r in rows))
        return 0
    if ns.export:
        out.write("# This file may be used to create an environment using:\n"
                  "# $ cantil create --name <env> --file <this file>\n"
                  f"# platform: {settings.subdir}\n")
        out.write("".join(f"{r.name}={r.version}={r.build}\n" for r in rows))
        return 0
    out.write(table(prefix, rows, settings, show_urls=bool(settings.show_channel_urls)))
    return 0


def table(prefix: str, rows: list[Row], settings: Settings, *, show_urls: bool) -> str:
    lines = [f"# packages in environment at {prefix}:", "#",
             f"# {'Name':<23} {'Version':<15} {'Build':>15}  Channel"]
    for r in rows:
        channel = r.channel
        if not show_urls and channel in DEFAULT_CHANNEL_NAMES:
            channel = ""
        elif show_urls and r.base_url:
            channel = r.base_url
        lines.append(f"{r.name:<25} {r.version:<15} {r.build:>15}  {channel}".rstrip())
    return "\n".join(lines) + "\n"


def _revisions(ns: argparse.Namespace, prefix: str) -> int:
    from cantil.link import History

    hist = History(prefix)
    revs = hist.revisions()
    states = hist.states()
    docs: list[dict[str, Any]] = []
    text: list[str] = []
    previous: set[str] = set()
    for i, (rev, state) in enumerate(zip(revs, states, strict=False)):
        added, removed = sorted(state - previous), sorted(previous - state)
        old = {_name(d): d for d in removed}
        new = {_name(d): d for d in added}
        changed = sorted(set(old) & set(new))
        docs.append({"rev": i, "date": rev.date, "install": [d for d in added if _name(d) not in changed],
                     "remove": [d for d in removed if _name(d) not in changed],
                     "upgrade": [f"{old[n]} -> {new[n]}" for n in changed]})
        text.append(f"{rev.date}  (rev {i})")
        text += [f"     {n}  {{{_vb(old[n])} -> {_vb(new[n])}}}" for n in changed]
        text += [f"    -{d}" for d in removed if _name(d) not in changed]
        text += [f"    +{d}" for d in added if _name(d) not in changed]
        text.append("")
        previous = state
    if ns.json:
        sys.stdout.write(json.dumps(docs, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(text) + ("\n" if text else ""))
    return 0


def _name(dist: str) -> str:
    return dist.rsplit("::", 1)[-1].rsplit("-", 2)[0]


def _vb(dist: str) -> str:
    tail = dist.rsplit("::", 1)[-1]
    _, version, build = tail.rsplit("-", 2)
    return f"{version}-{build}"
