"""`cantil search`: records of the channels (or of the installed environments, --envs) matching a MatchSpec.

A query without a glob that finds nothing is retried as `*name*` (conda's flexible search); an empty result is
PackagesNotFoundError with a did-you-mean hint from the index's names.
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys

from cantil.cli._errors import PackagesNotFoundError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from cantil.specs import MatchSpec, PackageRecord


def _matching(index: Any, spec: MatchSpec) -> list[PackageRecord]:
    name = spec.name
    if any(c in name for c in "*?["):
        names = sorted(n for n in index.names() if fnmatch.fnmatchcase(n, name))
    else:
        names = [name]
    index.prefetch(names)
    out: list[PackageRecord] = []
    for n in names:
        out += [r for r in index.records(n) if spec.match(r)]
    return out


def _sort_key(r: PackageRecord) -> tuple[Any, ...]:
    return (r.name, r.version_obj, r.build_number, r.build, r.subdir)


def search(ns: argparse.Namespace) -> int:
    from cantil.cli._transact import Session
    from cantil.specs import MatchSpec

    sess = Session(ns)
    sess.quiet = True  # no channel banner
    spec = MatchSpec(ns.match_spec)
    if ns.envs:
        return _search_envs(sess, spec)
    index = sess.index([spec])
    try:
        found = _matching(index, spec)
        if not found and not any(c in spec.name for c in "*?["):
            flexible = MatchSpec(str(spec).replace(spec.name, f"*{spec.name}*", 1))
            found = _matching(index, flexible)
        if not found:
            import difflib

            names = sorted(index.names())
            close = difflib.get_close_matches(spec.name.strip("*"), names, n=3)
            raise PackagesNotFoundError(
                f"no match found for: {ns.match_spec} in the channels", packages=[str(spec)],
                hint=f"did you mean {', '.join(repr(c) for c in close)}?" if close else
                "search for a substring with a glob: cantil search '*name*'")
    finally:
        close_ = getattr(index, "close", None)
        if callable(close_):
            close_()
    found.sort(key=_sort_key)
    if ns.json:
        by_name: dict[str, list[dict[str, Any]]] = {}
        for r in found:
            by_name.setdefault(r.name, []).append(r.to_dict())
        sys.stdout.write(json.dumps(by_name, indent=2, sort_keys=True) + "\n")
    elif ns.info:
        sys.stdout.write("".join(_info_block(r) for r in found))
    else:
        lines = [f"# {'Name':<28} {'Version':>15} {'Build':>20}  Channel"]
        lines += [f"{r.name:<30} {r.version:>15} {r.build:>20}  {r.channel}" for r in found]
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _info_block(r: PackageRecord) -> str:
    from cantil.cli._render import human_size

    head = f"{r.name} {r.version} {r.build}"
    rows = [("file name", r.fn), ("name", r.name), ("version", r.version), ("build", r.build),
            ("build number", str(r.build_number)), ("size", human_size(r.size)), ("license", r.license or ""),
            ("subdir", r.subdir), ("url", r.url), ("md5", r.md5 or ""), ("sha256", r.sha256 or "")]
    if r.timestamp:
        import datetime

        ts = r.timestamp / 1000 if r.timestamp > 1e11 else r.timestamp
        rows.append(("timestamp", datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")))
    lines = [head, "-" * len(head)] + [f"{k:<12}: {v}" for k, v in rows]
    lines.append("dependencies:")
    lines += [f"  - {d}" for d in r.depends]
    if r.constrains:
        lines.append("constraints:")
        lines += [f"  - {d}" for d in r.constrains]
    return "\n".join(lines) + "\n\n"


def _search_envs(sess: Any, spec: MatchSpec) -> int:
    from cantil.cli._cmd_info import known_envs
    from cantil.cli._transact import installed_records

    rows: list[tuple[str, PackageRecord]] = []
    for prefix in known_envs(sess.settings):
        for rec in installed_records(prefix).values():
            if (fnmatch.fnmatchcase(rec.name, spec.name) or rec.name == spec.name) and spec.match(rec):
                rows.append((prefix, rec))
    if sess.ns.json:
        sys.stdout.write(json.dumps([{"location": p, "package_records": [r.to_dict()]} for p, r in rows],
                                    indent=2, sort_keys=True) + "\n")
    else:
        lines = [f"# {'Name':<23} {'Version':<15} {'Build':>15}  {'Channel':<20} Location"]
        lines += [f"{r.name:<25} {r.version:<15} {r.build:>15}  {r.channel:<20} {os.path.normpath(p)}" for p, r in rows]
        sys.stdout.write("\n".join(lines) + "\n")
    return 0
