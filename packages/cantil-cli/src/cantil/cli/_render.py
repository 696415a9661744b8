"""Rendering a transaction: conda's package plan (text) and its `actions` (JSON).

The text is conda's: "## Package Plan ##", the environment location, the added/removed specs, the table of packages
to download (with sizes and a total), then the NEW / UPDATED / DOWNGRADED / REINSTALLED / REMOVED lists.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from cantil.specs import PackageRecord


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"  # pragma: no cover


def base_url(record: PackageRecord) -> str:
    """The channel's URL (no subdir, no file name), as conda's actions show it."""
    url = record.url or ""
    suffix = f"/{record.subdir}/{record.fn}"
    if url.endswith(suffix):
        return url[: -len(suffix)]
    return url.rsplit("/", 2)[0] if url.count("/") >= 2 else url


def channel_of(record: PackageRecord) -> str:
    return record.channel or base_url(record)


def action_entry(record: PackageRecord) -> dict[str, Any]:
    return {
        "base_url": base_url(record),
        "build_number": record.build_number,
        "build_string": record.build,
        "channel": channel_of(record),
        "dist_name": record.dist_name,
        "name": record.name,
        "platform": record.subdir,
        "version": record.version,
    }


def actions(prefix: str, link: Sequence[PackageRecord], unlink: Sequence[PackageRecord],
            fetch: Sequence[PackageRecord]) -> dict[str, Any]:
    return {
        "FETCH": [r.to_dict() for r in sorted(fetch, key=lambda r: r.name)],
        "LINK": [action_entry(r) for r in sorted(link, key=lambda r: r.name)],
        "UNLINK": [action_entry(r) for r in sorted(unlink, key=lambda r: r.name)],
        "PREFIX": prefix,
    }


def _full(record: PackageRecord) -> str:
    return f"{channel_of(record)}/{record.subdir}::{record.dist_name}"


def classify(link: Sequence[PackageRecord], unlink: Sequence[PackageRecord]) -> dict[str, list[tuple[Any, Any]]]:
    """NEW, UPDATED, DOWNGRADED, REINSTALLED, REMOVED: pairs (old, new) with None on the missing side."""
    new = {r.name: r for r in link}
    old = {r.name: r for r in unlink}
    groups: dict[str, list[tuple[Any, Any]]] = {k: [] for k in ("NEW", "UPDATED", "DOWNGRADED", "REINSTALLED", "REMOVED")}
    for name in sorted(set(new) | set(old)):
        a, b = old.get(name), new.get(name)
        if a is None:
            groups["NEW"].append((None, b))
        elif b is None:
            groups["REMOVED"].append((a, None))
        else:
            va, vb = a.version_obj, b.version_obj
            if vb > va or (vb == va and b.build_number > a.build_number):
                groups["UPDATED"].append((a, b))
            elif vb < va or (vb == va and b.build_number < a.build_number):
                groups["DOWNGRADED"].append((a, b))
            elif a.build != b.build or channel_of(a) != channel_of(b):
                groups["UPDATED"].append((a, b))
            else:
                groups["REINSTALLED"].append((a, b))
    return groups


HEADINGS = {
    "NEW": "The following NEW packages will be INSTALLED:",
    "UPDATED": "The following packages will be UPDATED:",
    "DOWNGRADED": "The following packages will be DOWNGRADED:",
    "REINSTALLED": "The following packages will be REINSTALLED:",
    "REMOVED": "The following packages will be REMOVED:",
}


def package_plan(prefix: str, link: Sequence[PackageRecord], unlink: Sequence[PackageRecord],
                 fetch: Sequence[PackageRecord], *, added: Sequence[str] = (), removed: Sequence[str] = ()) -> str:
    lines = ["", "## Package Plan ##", "", f"  environment location: {prefix}", ""]
    if added:
        lines += ["  added / updated specs:", *(f"    - {s}" for s in added), ""]
    if removed:
        lines += ["  removed specs:", *(f"    - {s}" for s in removed), ""]
    if fetch:
        rows = [(f"{r.name}-{r.version}", r.build, human_size(r.size), channel_of(r)) for r in sorted(fetch, key=lambda r: r.name)]
        w0 = max(26, *(len(r[0]) for r in rows))
        w1 = max(16, *(len(r[1]) for r in rows))
        lines += ["", "The following packages will be downloaded:", "",
                  f"    {'package':<{w0}} | {'build':>{w1}}", f"    {'-' * (w0 + 1)}|{'-' * (w1 + 1)}"]
        lines += [f"    {a:<{w0}} | {b:>{w1}}  {c:>9}  {d}" for a, b, c, d in rows]
        total = sum(r.size or 0 for r in fetch)
        lines += [f"    {'-' * (w0 + w1 + 16)}", f"    {'Total:':>{w0 + w1 + 3}}  {human_size(total):>9}", ""]
    groups = classify(link, unlink)
    width = max([len(n) for g in groups.values() for pair in g for n in [(pair[0] or pair[1]).name]] or [10]) + 2
    for key, heading in HEADINGS.items():
        if not groups[key]:
            continue
        lines += ["", heading, ""]
        for a, b in groups[key]:
            name = (a or b).name
            if key == "NEW":
                lines.append(f"  {name:<{width}} {_full(b)}")
            elif key == "REMOVED":
                lines.append(f"  {name:<{width}} {_full(a)}")
            else:
                left = f"{a.version}-{a.build}"
                right = f"{b.version}-{b.build}"
                if channel_of(a) != channel_of(b):
                    left, right = f"{channel_of(a)}::{left}", f"{channel_of(b)}::{right}"
                lines.append(f"  {name:<{width}} {left} --> {right}")
    lines.append("")
    return "\n".join(lines) + "\n"


def activation_hint(name_or_prefix: str) -> str:
    arg = name_or_prefix if " " not in name_or_prefix else f'"{name_or_prefix}"'
    return ("#\n# To activate this environment, use\n#\n"
            f"#     $ cantil activate {arg}\n#\n"
            "# To deactivate an active environment, use\n#\n#     $ cantil deactivate\n\n")
