"""Fault injection for the test channel server: what to do to the next N requests of a path.

Kinds (`ChannelServer.fault(path, kind, times=1, **kw)`):
- `"status"` (kw `status`, default 500; an int kind such as 503 means the same) with an optional `retry_after`;
- `"delay"` (kw `seconds`): wait, then serve normally;
- `"reset"` (kw `after` bytes, default half the body): send the headers with the full Content-Length and part of the
  body, then reset the connection (RST);
- `"truncate"` (kw `after`): the same, but close cleanly (FIN): the body is shorter than promised;
- `"corrupt"`: serve bytes of the right length that differ from the file (checksum mismatch);
- `"html"`: serve a 200 HTML error page labelled `application/json`, as captive portals and broken proxies do;
- `"barrier"` (kw `parties`, default 2; `timeout`, default 30 s): hold each matching request until `parties` of them
  are waiting at once, then serve them all normally. Proves that a client sends requests in parallel without timing
  anything: a client that sends them one by one never fills the barrier, which then breaks after `timeout` and every
  waiting (and later) request of this fault gets a 503.
`path` is the channel-relative path (`"linux-64/repodata.json"`, leading `/` optional) or an fnmatch pattern
(`"*.conda"`); `times=None` applies the fault to every later request.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "Fault", "FaultTable"]

KINDS = ("status", "delay", "reset", "truncate", "corrupt", "html", "barrier")


@dataclass
class Fault:
    pattern: str
    kind: str
    times: int | None
    options: dict[str, Any] = field(default_factory=dict)

    def matches(self, path: str) -> bool:
        return path == self.pattern or fnmatch.fnmatchcase(path, self.pattern)


class FaultTable:
    """Thread-safe list of pending faults; `take(path)` consumes one use of the first matching fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, path: str, kind: str | int, times: int | None = 1, **options: Any) -> Fault:
        if isinstance(kind, int):
            options.setdefault("status", kind)
            kind = "status"
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r} (expected one of {', '.join(KINDS)} or a status code)")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        if kind == "barrier":
            parties = int(options.get("parties", 2))
            if parties < 1:
                raise ValueError("a barrier needs at least 1 party")
            options["barrier"] = threading.Barrier(parties, timeout=float(options.get("timeout", 30.0)))
        fault = Fault(path.lstrip("/"), kind, times, options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
