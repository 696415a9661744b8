"""Downloader: package files to a path, with the repodata rules (auth, proxies, TLS, retries, offline), verified.

The caller (cantil-link) passes a temp path as `dest` and renames it once the call returns: on any failure the
partial file is removed and an error raised, so a bad download never looks like a good one. Expected `size`,
`sha256` and `md5` are all checked when given (a server or proxy that serves other bytes is caught by any of them).

Records carry URLs without credentials (conda does not write tokens into conda-meta); `channels` lets the
downloader put a channel's token back for URLs under that channel.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from pathlib import Path

from ._reporter import Reporter
from ._settings import RepodataSettings
from ._transport import CHUNK, Result, Transport, file_url_path, is_file_url, to_int, wrap_urllib3
from .errors import ChecksumMismatch, HTTPError, OfflineError, redact_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cantil.specs import Channel

__all__ = ["Downloader"]


class Downloader:
    """`downloader(url, dest, size=, sha256=, md5=)`: thread-safe; one session shared by all calls."""

    def __init__(self, settings: RepodataSettings, *, session: Any = None, reporter: Reporter | None = None,
                 channels: Sequence[Channel] = ()) -> None:
        self.settings = settings
        self.reporter = reporter or Reporter()
        self._t = Transport(settings, session=session, reporter=self.reporter)
        self._creds: list[tuple[str, str]] = []
        for ch in channels:
            if getattr(ch, "token", None) is None:
                continue
            plain = ch.urls(["noarch"])[0].rsplit("/", 1)[0] + "/"
            cred = ch.urls(["noarch"], with_credentials=True)[0].rsplit("/", 1)[0] + "/"
            if plain != cred:
                self._creds.append((plain, cred))
        self._creds.sort(key=lambda pc: -len(pc[0]))

    def _with_credentials(self, url: str) -> str:
        for plain, cred in self._creds:
            if url.startswith(plain):
                return cred + url[len(plain):]
        return url

    def __call__(self, url: str, dest: Path, *, size: int | None = None, sha256: str | None = None,
                 md5: str | None = None) -> None:
        dest = Path(dest)
        shown = redact_url(url)
        try:
            self._fetch(self._with_credentials(url), url, dest, size=size, sha256=sha256, md5=md5)
        except BaseException:
            with contextlib.suppress(OSError):
                dest.unlink()
            raise
        self.reporter.download_end(shown)

    def _fetch(self, url: str, plain: str, dest: Path, *, size: int | None, sha256: str | None,
               md5: str | None) -> None:
        shown = redact_url(plain)
        if is_file_url(url):
            self._copy_local(url, dest)
            self._verify_file(plain, dest, size, sha256, md5)
            return
        if self.settings.offline:
            raise OfflineError(shown, "cannot download a package", hint="the package is not in the package cache")
        sums: dict[str, Any] = {}

        def once(attempt: int) -> Result:
            with self._t.open(url, {"Accept-Encoding": "identity"}) as response:
                hdrs = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code != 200:
                    return Result(response.status_code, hdrs)
                total = to_int(hdrs.get("content-length")) or size
                self.reporter.download_start(shown, total)
                h256, h5, done = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
                with dest.open("wb") as out:
                    for chunk in response.raw.stream(CHUNK, decode_content=True):
                        out.write(chunk)
                        h256.update(chunk)
                        h5.update(chunk)
                        done += len(chunk)
                        self.reporter.download_progress(shown, done, total)
                sums.update(size=done, sha256=h256.hexdigest(), md5=h5.hexdigest())
                return Result(200, hdrs)

        result = self._t.attempts(url, lambda a: wrap_urllib3(once, a))
        if result.status != 200:
            hint = None
            if result.status in (401, 403):
                hint = "the channel needs credentials, or its token is wrong or lacks access"
            raise HTTPError(url, result.status, hint=hint)
        _check(shown, size, sha256, md5, got=(sums["size"], sums["sha256"], sums["md5"]))

    def _copy_local(self, url: str, dest: Path) -> None:
        src = file_url_path(url)
        if not src.is_file():
            raise HTTPError(url, 404, "no such file")
        self.reporter.download_start(redact_url(url), src.stat().st_size)
        self._t.copy_file(url, dest)

    @staticmethod
    def _verify_file(url: str, path: Path, size: int | None, sha256: str | None, md5: str | None) -> None:
        h256, h5, n = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                h256.update(chunk)
                h5.update(chunk)
                n += len(chunk)
        _check(redact_url(url), size, sha256, md5, got=(n, h256.hexdigest(), h5.hexdigest()))


def _check(url: str, size: int | None, sha256: str | None, md5: str | None, *, got: tuple[int, str, str]) -> None:
    got_size, got_sha256, got_md5 = got
    if size is not None and size != got_size:
        raise ChecksumMismatch(url, "size", str(size), str(got_size))
    if sha256 and sha256.lower() != got_sha256:
        raise ChecksumMismatch(url, "sha256", sha256.lower(), got_sha256)
    if md5 and md5.lower() != got_md5:
        raise ChecksumMismatch(url, "md5", md5.lower(), got_md5)
