"""@EXPLICIT files: exact package URLs installed without solving (conda's `list --explicit` / `create --file`).

Format: comment lines, a line `@EXPLICIT`, then one URL per line, optionally followed by `#<md5>` (32 hex),
`#<sha256>` (64 hex) or `#sha256:<hex>`. A URL names channel, subdir and file; the rest of each record (depends,
build number, ...) is read from the package's own `info/index.json` once it is in the package cache.
"""

from __future__ import annotations

import json
import os

from cantil.cli._errors import CondaValueError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cantil.cli._transact import Session
    from cantil.specs import PackageRecord

EXTENSIONS = (".conda", ".tar.bz2")


def parse_line(line: str) -> dict[str, Any]:
    """url, fn, subdir, base_url, name, version, build, md5/sha256 of one URL line."""
    url, _, frag = line.strip().partition("#")
    url = url.strip()
    fn = url.rsplit("/", 1)[-1]
    if not fn.endswith(EXTENSIONS) or url.count("/") < 3:
        raise CondaValueError(f"not a package URL in an @EXPLICIT file: {line.strip()!r}")
    stem = fn[: -len(".conda")] if fn.endswith(".conda") else fn[: -len(".tar.bz2")]
    try:
        name, version, build = stem.rsplit("-", 2)
    except ValueError:
        raise CondaValueError(f"cannot read name-version-build from {fn!r}") from None
    rest = url[: -len(fn) - 1]
    base_url, _, subdir = rest.rpartition("/")
    out: dict[str, Any] = {"url": url, "fn": fn, "subdir": subdir, "base_url": base_url, "name": name,
                           "version": version, "build": build}
    frag = frag.strip()
    if frag.startswith("sha256:"):
        out["sha256"] = frag[len("sha256:"):]
    elif len(frag) == 64:
        out["sha256"] = frag
    elif len(frag) == 32:
        out["md5"] = frag
    elif frag:
        raise CondaValueError(f"unrecognised checksum {frag!r} in {line.strip()!r}")
    tail = build.rsplit("_", 1)[-1]
    out["build_number"] = int(tail) if tail.isdigit() else 0
    return out


def records_from_urls(sess: Session, lines: list[str]) -> list[PackageRecord]:
    """Records for the URLs: fetched into the package cache, completed from their info/index.json."""
    from cantil.cli._context import channel_settings
    from cantil.specs import Channel, PackageRecord

    cs = channel_settings(sess.settings)
    partial: list[tuple[dict[str, Any], PackageRecord]] = []
    for line in lines:
        info = parse_line(line)
        channel = Channel(info["base_url"], cs).name
        data: dict[str, Any] = {k: info[k] for k in ("name", "version", "build", "build_number", "subdir", "md5", "sha256")
                                if k in info}
        rec = PackageRecord.from_repodata(info["fn"], data, channel=channel, subdir=info["subdir"], base_url=info["base_url"])
        partial.append((info, rec))
    if sess.dry_run:
        return [rec for _, rec in partial]
    extracted = sess.cache.ensure([rec for _, rec in partial], sess.downloader, reporter=sess.progress)  # type: ignore[arg-type]
    out: list[PackageRecord] = []
    for info, rec in partial:
        path = os.path.join(str(extracted[rec]), "info", "index.json")
        try:
            with open(path, encoding="utf-8") as f:
                index_json = json.load(f)
        except (OSError, ValueError):
            out.append(rec)
            continue
        full: dict[str, Any] = {**index_json, **{k: info[k] for k in ("md5", "sha256") if k in info}}
        full.update(name=rec.name, version=rec.version, build=rec.build, subdir=info["subdir"])
        if rec.size is not None:
            full["size"] = rec.size
        out.append(PackageRecord.from_repodata(info["fn"], full, channel=rec.channel, subdir=info["subdir"],
                                               base_url=info["base_url"]))
    return out


def explicit_lines(records: list[PackageRecord], *, md5: bool, subdir: str) -> str:
    """The text of an @EXPLICIT file for `records` (conda's header)."""
    lines = ["# This file may be used to create an environment using:",
             "# $ cantil create --name <env> --file <this file>", f"# platform: {subdir}", "@EXPLICIT"]
    for r in records:
        if not r.url:
            continue
        lines.append(f"{r.url}#{r.md5}" if md5 and r.md5 else r.url)
    return "\n".join(lines) + "\n"
