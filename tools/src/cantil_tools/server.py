"""A test channel server over real HTTP on loopback, with a request log and fault injection: see docs/tools.md."""

from __future__ import annotations

from cantil_tools._faults import KINDS as FAULT_KINDS
from cantil_tools._server import HTML_ERROR, ChannelServer, LogEntry

__all__ = ["FAULT_KINDS", "HTML_ERROR", "ChannelServer", "LogEntry"]
