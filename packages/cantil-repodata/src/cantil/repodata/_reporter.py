"""Progress hooks. A library never prints: the CLI subclasses Reporter and draws bars; every hook does nothing here.

Hooks may be called from worker threads (channels and shards are fetched in parallel): an implementation that
draws must lock.
"""

from __future__ import annotations

__all__ = ["Reporter"]


class Reporter:
    """Every hook does nothing; override the ones you need."""

    def fetch_start(self, url: str) -> None:
        """Repodata for a subdir URL is about to be refreshed or read from the cache."""

    def fetch_progress(self, url: str, done: int, total: int | None) -> None:
        """Bytes received so far for the file at `url` (total from Content-Length when known)."""

    def fetch_end(self, url: str, source: str) -> None:
        """Done with a subdir: `source` is how it was obtained: cache, not-modified, shards, jlap, zst, bz2, json,
        file, empty (a platform subdir that does not exist)."""

    def shards_fetched(self, url: str, count: int) -> None:
        """`count` shards were downloaded for the subdir at `url` (cache hits excluded)."""

    def download_start(self, url: str, total: int | None) -> None:
        """A package file download begins."""

    def download_progress(self, url: str, done: int, total: int | None) -> None:
        """Bytes of a package file received so far."""

    def download_end(self, url: str) -> None:
        """A package file download finished and was verified."""
