"""Errors of cantil-repodata.

    RepodataError                          root; `.conda_name` is conda's exception name for `--json` output
    ├── HTTPError                          a request failed: `.url` (redacted), `.status` (None: no response), `.hint`
    ├── ChannelNotFound                    a channel (file:// folder or URL) that does not exist
    │   └── UnavailableInvalidChannel      `noarch` answered 404: there is no channel at that URL
    ├── OfflineError                       offline mode and nothing usable in the cache for a channel
    ├── CacheNotWritable                   the cache directory cannot be created or written: `.path`, `.reason`
    ├── ChecksumMismatch (also ValueError) a download whose size, sha256 or md5 differs from what was expected
    └── RepodataCorrupt (also ValueError)  repodata that cannot be read: bad JSON, HTML, bad zstd/bz2, bad shard

Every message is one line naming what failed and on what; a hint (when any) is in `.hint`, not in the message.
No URL shown here carries a token or a password (`redact_url`).
"""

from __future__ import annotations

import re

__all__ = [
    "CacheNotWritable",
    "ChannelNotFound",
    "ChecksumMismatch",
    "HTTPError",
    "OfflineError",
    "RepodataCorrupt",
    "RepodataError",
    "UnavailableInvalidChannel",
    "redact_url",
]

_TOKEN = re.compile(r"/t/[^/]+")
_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)([^/@]+)@")


def redact_url(url: str) -> str:
    """`url` without secrets: `/t/<TOKEN>/` for conda tokens, `user:***@` for a password."""

    def _user(m: re.Match[str]) -> str:
        user = m.group(2).split(":", 1)[0]
        return f"{m.group(1)}{user}:***@"

    return _TOKEN.sub("/t/<TOKEN>", _USERINFO.sub(_user, url))


class RepodataError(Exception):
    """Root of every error raised by cantil-repodata."""

    conda_name = "CondaError"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class HTTPError(RepodataError):
    """An HTTP (or connection) failure on `.url`; `.status` is None when no response arrived."""

    conda_name = "CondaHTTPError"

    def __init__(self, url: str, status: int | None, reason: str = "", *, hint: str | None = None) -> None:
        self.url = redact_url(url)
        self.status = status
        self.reason = reason
        what = f"HTTP {status}" if status is not None else "connection failed"
        tail = f" ({reason})" if reason else ""
        super().__init__(f"{what} on {self.url}{tail}", hint=hint)


class ChannelNotFound(RepodataError):
    """A channel that does not exist: `.channel` (its name), `.url` (redacted)."""

    conda_name = "ChannelNotFound"

    def __init__(self, channel: str, url: str, reason: str = "does not exist", *, hint: str | None = None) -> None:
        self.channel = channel
        self.url = redact_url(url)
        super().__init__(f"channel {channel} not found: {self.url} {reason}", hint=hint)


class UnavailableInvalidChannel(ChannelNotFound):
    """The `noarch` subdir of a channel answered 404 (or another 4xx): no channel there."""

    conda_name = "UnavailableInvalidChannel"

    def __init__(self, channel: str, url: str, status: int, *, hint: str | None = None) -> None:
        self.status = status
        super().__init__(channel, url, f"answered HTTP {status}", hint=hint)


class OfflineError(RepodataError):
    """Offline mode and the cache has nothing for `.channel` (or for `.name` in it)."""

    conda_name = "OfflineError"

    def __init__(self, channel: str, what: str = "no cached repodata", *, hint: str | None = None) -> None:
        self.channel = channel
        super().__init__(f"offline mode: {what} for channel {channel}", hint=hint)


class CacheNotWritable(RepodataError):
    """The repodata cache cannot be written (permissions, read-only or full disk): `.path`, `.reason`."""

    conda_name = "NotWritableError"

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot write the repodata cache {path}: {reason}",
                         hint="check the permissions of the package cache (pkgs_dirs)")


class ChecksumMismatch(RepodataError, ValueError):
    """A downloaded file differs from what was expected: `.url`, `.kind` (size|sha256|md5), `.expected`, `.actual`."""

    conda_name = "ChecksumMismatchError"

    def __init__(self, url: str, kind: str, expected: str, actual: str) -> None:
        self.url = redact_url(url)
        self.kind = kind
        self.expected = expected
        self.actual = actual
        super().__init__(f"{kind} mismatch for {self.url}: expected {expected}, got {actual}")


class RepodataCorrupt(RepodataError, ValueError):
    """Repodata that cannot be read: `.url` (redacted) or path, `.reason`."""

    conda_name = "CondaError"

    def __init__(self, url: str, reason: str, *, hint: str | None = None) -> None:
        self.url = redact_url(url)
        self.reason = reason
        super().__init__(f"unreadable repodata from {self.url}: {reason}", hint=hint)
