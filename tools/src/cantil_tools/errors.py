"""Errors of cantil-tools.

    ToolsError
    ├── InvalidDescription (also ValueError)   a package description that cannot be built
    └── ChannelError                           a channel folder that cannot be indexed or read
"""

from __future__ import annotations

__all__ = ["ChannelError", "InvalidDescription", "ToolsError"]


class ToolsError(Exception):
    """Root of every error raised by cantil-tools."""


class InvalidDescription(ToolsError, ValueError):
    """A package description is malformed: `.package` names it (when known), `.reason` says why."""

    def __init__(self, package: str, reason: str) -> None:
        self.package = package
        self.reason = reason
        super().__init__(f"invalid package description {package!r}: {reason}" if package else f"invalid package description: {reason}")


class ChannelError(ToolsError):
    """A channel folder cannot be indexed or read: `.path` names the file, `.reason` says why."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
