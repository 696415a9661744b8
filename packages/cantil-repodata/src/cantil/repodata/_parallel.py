"""Run calls on a few threads and collect every outcome in order.

`concurrent.futures` would do, but importing it loads `logging`, which costs a command-line start-up more than the
threads save on a two-subdir fetch: this is the small part of it that cantil-repodata needs.
"""

from __future__ import annotations

import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TypeVar

    T = TypeVar("T")

__all__ = ["run_parallel"]


def run_parallel(calls: Sequence[Callable[[], T]], threads: int, name: str) -> list[T | BaseException]:
    """Call every item of `calls` on up to `threads` threads; the result or the exception of each, in order.

    Exceptions are returned, not raised: the caller decides which ones matter. The calling thread works too, so
    `threads=1` runs everything in place.
    """
    outcomes: list[T | BaseException] = [None] * len(calls)  # type: ignore[list-item]
    position = iter(range(len(calls)))
    guard = threading.Lock()

    def work() -> None:
        while True:
            with guard:
                i = next(position, None)
            if i is None:
                return
            try:
                outcomes[i] = calls[i]()
            except BaseException as err:
                outcomes[i] = err

    helpers = [threading.Thread(target=work, name=f"{name}-{k}", daemon=True)
               for k in range(min(threads, len(calls)) - 1)]
    for t in helpers:
        t.start()
    work()
    for t in helpers:
        t.join()
    return outcomes
