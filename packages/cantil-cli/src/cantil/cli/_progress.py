"""Progress for downloads, extraction and linking, drawn on stderr.

On a terminal each file gets a bar redrawn in place; otherwise one plain line per finished file. With --json or -q
nothing is drawn. Hooks may run on worker threads, so drawing holds a lock. The class implements the hooks of both
cantil.repodata's and cantil.link's reporters (they share the download hook names).
"""

from __future__ import annotations

import sys
import threading
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO


_PHASES = {"unlink": "Unlinking packages", "link": "Linking packages", "post-link": "Running post-link scripts",
           "rollback": "Rolling back"}


def _name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


class Progress:
    """Reporter hooks for repodata fetches, package downloads, extraction and transaction phases."""

    def __init__(self, *, enabled: bool, tty: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.tty = tty
        self.stream = stream or sys.stderr
        self.lock = threading.Lock()
        self.totals: dict[str, int | None] = {}
        self.last_draw = 0.0
        self.warnings: list[str] = []
        self.done: set[str] = set()
        self.extract_total = 0
        self.extracted = 0
        self.messages: list[str] = []

    def _write(self, text: str) -> None:
        if not self.enabled:
            return
        with self.lock:
            self.stream.write(text)
            self.stream.flush()

    def _bar(self, label: str, done: int, total: int | None, *, final: bool = False) -> None:
        if not (self.enabled and self.tty):
            return
        now = time.monotonic()
        if not final and now - self.last_draw < 0.1:
            return
        self.last_draw = now
        width = 30
        if total:
            frac = min(1.0, done / total)
            bar = "#" * int(frac * width)
            text = f"\r{label[:40]:<40} [{bar:<{width}}] {frac * 100:5.1f}%"
        else:
            text = f"\r{label[:40]:<40} {done // 1024:>8} KB"
        self._write(text + ("\n" if final else ""))

    # cantil.repodata hooks
    def fetch_start(self, url: str) -> None: ...

    def fetch_progress(self, url: str, done: int, total: int | None) -> None:
        self._bar(url.split("://", 1)[-1], done, total)

    def fetch_end(self, url: str, source: str) -> None:
        if self.tty and source not in ("cache", "not-modified", "empty", "file"):
            self._bar(url.split("://", 1)[-1], 1, 1, final=True)

    def shards_fetched(self, url: str, count: int) -> None: ...

    # downloads (both packages)
    def download_start(self, url: str, total: int | None) -> None:
        with self.lock:
            self.totals[url] = total

    def download_progress(self, url: str, done: int, total: int | None) -> None:
        self._bar(_name(url), done, total or self.totals.get(url))

    def download_end(self, url: str) -> None:
        with self.lock:
            if url in self.done:  # both the downloader and the package cache report the same file
                return
            self.done.add(url)
        total = self.totals.get(url)
        if self.tty:
            self._bar(_name(url), total or 1, total or 1, final=True)
        else:
            self._write(f"downloaded {_name(url)}\n")

    def download_done(self, url: str) -> None:
        self.download_end(url)

    # cantil.link hooks
    def expect_extractions(self, count: int) -> None:
        self.extract_total = count
        self.extracted = 0

    def extract_done(self, dist: str) -> None:
        if not self.tty:
            self._write(f"extracted {dist}\n")
            return
        with self.lock:
            self.extracted += 1
            done, total = self.extracted, max(self.extract_total, self.extracted)
        self._bar(f"Extracting packages ({done}/{total})", done, total, final=done == total)

    def phase(self, name: str) -> None:
        if self.tty and name in _PHASES:
            self._write(f"\r{_PHASES[name]}\n")

    def warning(self, message: str) -> None:
        self.warnings.append(message)
        self._write(f"warning: {message}\n")

    def message(self, package: str, text: str, kind: str) -> None:
        self.messages.append(f"{package}: {text}")
        self._write(f"{package}: {text.rstrip()}\n")

    def script_output(self, package: str, action: str, output: str) -> None:
        if output.strip():
            self._write(f"{package} ({action}): {output.rstrip()}\n")
