"""cantil_tools: dev-only helpers (package builder, channel indexer, test server, pytest plugin). See docs/tools.md.

Names are loaded lazily (`cantil_tools.build_package` imports the builder on first use), so importing the package, as
the pytest plugin does in every session, stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "ChannelError",
    "ChannelServer",
    "InvalidDescription",
    "LocalChannels",
    "LogEntry",
    "PackageDescription",
    "ToolsError",
    "build_package",
    "index_channel",
    "load_channel",
    "read_shards",
    "sample_channel_description",
    "verify_jlap",
]

_WHERE = {
    "ChannelError": "errors", "InvalidDescription": "errors", "ToolsError": "errors",
    "ChannelServer": "server", "LogEntry": "server",
    "PackageDescription": "build", "build_package": "build",
    "index_channel": "index", "read_shards": "index", "verify_jlap": "index",
    "LocalChannels": "channel", "load_channel": "channel",
    "sample_channel_description": "sample",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cantil_tools' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cantil_tools.{module}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
