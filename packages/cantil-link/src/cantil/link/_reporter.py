"""The Reporter hooks (default: do nothing); apart from LinkSettings, so that reading the cache imports no
dataclasses."""

from __future__ import annotations


class Reporter:
    """Progress and message hooks. Libraries never print: subclass and override what you want to show."""

    def warning(self, message: str) -> None:
        """A problem that does not stop the operation (safety_checks=warn, path_conflict=warn, script notes)."""

    def message(self, package: str, text: str, kind: str) -> None:
        """Text a package wants shown: kind is "prelink" (info/prelink_messages) or "script" ($PREFIX/.messages.txt)."""

    def script_output(self, package: str, action: str, output: str) -> None:
        """Combined stdout/stderr of a package script."""

    def download_start(self, url: str, size: int | None) -> None: ...

    def download_done(self, url: str) -> None: ...

    def extract_done(self, dist: str) -> None: ...

    def phase(self, name: str) -> None:
        """A transaction phase starts: verify, unlink, link, post-link, records, rollback, recover."""
