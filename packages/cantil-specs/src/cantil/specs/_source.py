"""The ``RecordSource`` protocol: the shape that joins an index (cantil.repodata) and a solver (cantil.solver).

Kept apart so that ``import cantil.specs`` does not load ``typing``: cantil.specs imports it on first access.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from cantil.specs._record import PackageRecord

__all__ = ["RecordSource"]


@runtime_checkable
class RecordSource(Protocol):
    """Where a solver gets records: an index (cantil.repodata) or a test channel (cantil_tools)."""

    def records(self, name: str) -> Sequence[PackageRecord]:
        """Every record named ``name`` across all channels, in channel priority order."""
        ...

    def priority(self, record: PackageRecord) -> int:
        """0 for the first channel, 1 for the next..."""
        ...

    def prefetch(self, names: Iterable[str]) -> None:
        """A hint that these names will be asked for soon (fetch shards in parallel); may do nothing."""
        ...
