"""Turn (filename, repodata dict) pairs into PackageRecords, with the channel, subdir and URL they belong to.

The URL is `package_base_url + fn`: the subdir URL, or the CEP 15 `info.base_url` (absolute or relative to the
subdir URL), never with credentials. The dicts come fresh from marshal/msgpack and are owned here: the URL is
written into them instead of copying each one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cantil.specs import PackageRecord

__all__ = ["make_records"]


def make_records(pairs: Iterable[tuple[str, dict[str, Any]]], channel: str, subdir: str,
                 package_base_url: str) -> list[PackageRecord]:
    """PackageRecords of `pairs`; a malformed entry (no name, version or build) is skipped, as conda does."""
    from cantil.specs import PackageRecord

    build = PackageRecord.from_repodata
    out = []
    for fn, data in pairs:
        data["url"] = package_base_url + fn
        try:
            out.append(build(fn, data, channel=channel, subdir=subdir))
        except (ValueError, TypeError, AttributeError):
            continue
    return out
