"""cantil.specs: conda's versions, version specs, MatchSpecs, channels and package records. Pure values, stdlib only.

    >>> from cantil.specs import MatchSpec, PackageRecord, Version
    >>> MatchSpec("numpy >=1.20,<2").match(PackageRecord("numpy", "1.26.4", "py312h0_0"))
    True
    >>> sorted(["1.10", "1.9", "1.10rc1"], key=Version)
    ['1.9', '1.10rc1', '1.10']

See docs/specs.md for the ordering and the grammar.
"""

from cantil.specs._channel import Channel, ChannelSettings, redact_url
from cantil.specs._match_spec import MatchSpec, parse_depends
from cantil.specs._platform import KNOWN_SUBDIRS, native_subdir
from cantil.specs._record import PackageRecord, PrefixRecord
from cantil.specs._version import Version
from cantil.specs._version_spec import VersionSpec
from cantil.specs.errors import (
    InvalidChannel,
    InvalidMatchSpec,
    InvalidRecord,
    InvalidVersion,
    InvalidVersionSpec,
    SpecsError,
)

__all__ = [
    "KNOWN_SUBDIRS",
    "Channel",
    "ChannelSettings",
    "InvalidChannel",
    "InvalidMatchSpec",
    "InvalidRecord",
    "InvalidVersion",
    "InvalidVersionSpec",
    "MatchSpec",
    "PackageRecord",
    "PrefixRecord",
    "RecordSource",
    "SpecsError",
    "Version",
    "VersionSpec",
    "clear_caches",
    "native_subdir",
    "parse_depends",
    "redact_url",
]


TYPE_CHECKING = False
if TYPE_CHECKING:
    from cantil.specs._source import RecordSource
del TYPE_CHECKING


def __getattr__(name: str) -> object:
    if name == "RecordSource":  # loaded on first use: it needs typing, which the rest does not
        from cantil.specs._source import RecordSource

        return RecordSource
    raise AttributeError(f"module 'cantil.specs' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"RecordSource"})


def clear_caches() -> None:
    """Forget every interned Version, VersionSpec and MatchSpec (benchmarks of distinct strings call this)."""
    from cantil.specs import _match_spec, _version, _version_spec

    _version.clear_version_cache()
    _version_spec.clear_version_spec_cache()
    _match_spec.clear_match_spec_cache()
