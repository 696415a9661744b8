"""An ordering key for conda version strings, used only to pick the latest version (current_repodata, channeldata).

cantil.specs.Version is used when it is installed; the fallback follows conda's VersionOrder closely enough for
test channels: epoch `N!`, local part after `+`, segments split on `.`/`_`, each into numbers and letters; a
segment that starts with letters gets an implicit leading 0; `dev` < letters < numbers < `post`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["version_key"]

_PART = re.compile(r"\d+|[a-z]+|\*")


def _component(token: str) -> tuple[int, Any]:
    if token.isdigit():
        return (2, int(token))
    if token == "dev":
        return (0, "")
    if token == "post":
        return (3, "")
    return (1, token)


def _segments(text: str) -> tuple[tuple[tuple[int, Any], ...], ...]:
    out = []
    for seg in re.split(r"[._-]", text):
        parts = _PART.findall(seg)
        if parts and not parts[0].isdigit():
            parts.insert(0, "0")
        out.append(tuple(_component(p) for p in parts))
    return tuple(out)


def _pad(segs: tuple[tuple[tuple[int, Any], ...], ...], n: int) -> tuple[Any, ...]:
    zero = ((2, 0),)
    padded = [tuple(s) + ((2, 0),) * 0 for s in segs] + [zero] * (n - len(segs))
    return tuple(padded)


class _Fallback:
    __slots__ = ("epoch", "local", "main")

    def __init__(self, text: str) -> None:
        text = text.strip().lower()
        epoch, _, rest = text.rpartition("!") if "!" in text else ("0", "", text)
        main, _, local = rest.partition("+")
        self.epoch = int(epoch) if epoch.isdigit() else 0
        self.main = _segments(main)
        self.local = _segments(local) if local else ()

    @staticmethod
    def _cmp(a: tuple[Any, ...], b: tuple[Any, ...]) -> int:
        n = max(len(a), len(b))
        for x, y in zip(_pad(a, n), _pad(b, n), strict=True):
            m = max(len(x), len(y))
            xs = x + ((2, 0),) * (m - len(x))
            ys = y + ((2, 0),) * (m - len(y))
            if xs != ys:
                return -1 if xs < ys else 1
        return 0

    def _order(self, other: _Fallback) -> int:
        if self.epoch != other.epoch:
            return -1 if self.epoch < other.epoch else 1
        return self._cmp(self.main, other.main) or self._cmp(self.local, other.local)

    def __lt__(self, other: _Fallback) -> bool:
        return self._order(other) < 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Fallback) and self._order(other) == 0

    def __hash__(self) -> int:
        return 0


@lru_cache(maxsize=4096)
def version_key(text: str) -> Any:
    """A sortable key; all keys of one process are of one type (cantil.specs.Version when it is importable)."""
    try:
        from cantil.specs import Version  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return _Fallback(text)
    try:
        return Version(text)
    except ValueError:
        return Version("0")  # an invalid version sorts with the lowest
