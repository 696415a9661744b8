"""Per-record weights for conda's classic objectives (its `Resolve.version_key` and `generate_version_metrics`).

The records of one name are sorted best first by (channel priority, version, build number, arch before noarch,
timestamp); with channel priority `disabled` the version comes first and the channel only breaks ties between builds.
Walking that order, a record's rank in each metric counts how many times the key changed at that level since the last
change at a higher level: the channel rank counts channel changes; the version rank counts distinct versions within the
channel (reset when the channel changes), the build rank counts build numbers within the version, and so on. The
installed record that the user did not ask to change (the "target") is skipped and weighs nothing, so keeping it is free.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

# positions in the objective vector (conda's order; see docs/solver.md)
REMOVAL, REQ_C, REQ_V, TRACK, FEATURELESS, REQ_B, REQ_A, OPT_INSTALL, UPDATE = range(9)
OTH_C, OTH_V, OTH_B, OTH_A, COUNT, TIMESTAMP = range(9, 15)
NAMES = (
    "removals",
    "requested channel",
    "requested version",
    "track_features",
    "featureless",
    "requested build",
    "requested arch",
    "optional installs",
    "updates",
    "channel",
    "version",
    "build",
    "arch",
    "package count",
    "timestamp",
)
WIDTH = len(NAMES)


def _sort_key(rec: Any, prio: int, disabled: bool) -> tuple[Any, ...]:
    noarch = 1 if rec.subdir == "noarch" else 0
    ts = -(rec.timestamp or 0)
    if disabled:
        return (_Neg(rec.version_obj), prio, -rec.build_number, noarch, ts, rec.build)
    return (prio, _Neg(rec.version_obj), -rec.build_number, noarch, ts, rec.build)


class _Neg:
    """Reverses the order of a Version inside a sort key."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v

    def __lt__(self, other: _Neg) -> bool:
        return bool(other.v < self.v)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Neg) and bool(self.v == other.v)

    __hash__ = None  # type: ignore[assignment]


def best_first(vars_: Sequence[int], records: Sequence[Any], prio: Sequence[int], disabled: bool) -> list[int]:
    """The vars sorted best first by conda's version key."""
    return sorted(vars_, key=lambda v: _sort_key(records[v], prio[v], disabled))


def ranks(
    vars_: Sequence[int], records: Sequence[Any], prio: Sequence[int], disabled: bool, target: int | None
) -> tuple[list[int], dict[int, tuple[int, int, int, int, int]]]:
    """The vars sorted best first, and per var its (channel, version, build, arch, timestamp) ranks."""
    order = best_first(vars_, records, prio, disabled)
    out: dict[int, tuple[int, int, int, int, int]] = {}
    prev: Any = None
    ic = iv = ib = ia = it = 0
    for v in order:
        if v == target:
            out[v] = (0, 0, 0, 0, 0)
            continue
        r = records[v]
        key = (prio[v], r.version_obj, r.build_number, r.subdir == "noarch", r.timestamp or 0)
        if prev is None:
            pass
        elif disabled and key[1] != prev[1]:
            iv += 1
            ib = ia = it = 0
        elif not disabled and key[0] != prev[0]:
            ic += 1
            iv = ib = ia = it = 0
        elif not disabled and key[1] != prev[1]:
            iv += 1
            ib = ia = it = 0
        elif key[2] != prev[2] or (disabled and key[0] != prev[0]):
            ib += 1
            ia = it = 0
        elif key[3] != prev[3]:
            ia += 1
            it = 0
        elif key[4] != prev[4]:
            it += 1
        out[v] = (ic, iv, ib, ia, it)
        prev = key
    return order, out
