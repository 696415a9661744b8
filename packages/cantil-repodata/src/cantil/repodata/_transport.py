"""GET over HTTP(S) (requests) or from file:// URLs, with retries, backoff, timeouts, auth and progress.

Everything comes from RepodataSettings, never from the environment: the session does not trust the environment
(`trust_env = False`), so proxies are `settings.proxy_servers`, TLS verification is `settings.ssl_verify` (a bool or
a CA bundle path) and `.netrc` is read explicitly (`use_netrc`) when the URL carries no credentials. Tokens
(`/t/<token>/`) and `user:password@` stay in the URL we request and never reach an error message.

Retries: a 5xx answer (and 429), a connection error, a reset or a truncated body (urllib3 enforces Content-Length)
are retried `remote_max_retries` times, sleeping `remote_backoff_factor * 2**attempt` between tries. A body being
streamed to a file is restarted from scratch. Offline mode refuses any http(s) URL before a socket is opened.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from urllib.parse import unquote, urlparse

from ._reporter import Reporter
from ._settings import RepodataSettings
from .errors import HTTPError, OfflineError, RepodataCorrupt, redact_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any

__all__ = ["Result", "Transport", "is_file_url"]

CHUNK = 1 << 16
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def is_file_url(url: str) -> bool:
    return url.startswith("file:")


def file_url_path(url: str) -> Path:
    parsed = urlparse(url)
    if os.name == "nt":  # drive letters and backslashes; urllib.request is heavy, so only imported here
        from urllib.request import url2pathname

        return Path(url2pathname(parsed.path))
    return Path(unquote(parsed.path))  # percent-decoded exactly once


class Result:
    """A response: `status`, lower-cased `headers`, `body` (when read into memory)."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.status = status
        self.headers: dict[str, str] = headers if headers is not None else {}
        self.body = body

    def __repr__(self) -> str:
        return f"Result(status={self.status!r}, headers={self.headers!r}, body=<{len(self.body)} bytes>)"

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class _Decoder:
    """Writes decoded bytes to a file and hashes them (BLAKE2b-256, for JLAP); `kind` is zst, bz2 or None."""

    def __init__(self, out: IO[bytes], kind: str | None, url: str) -> None:
        self.out = out
        self.kind = kind
        self.url = url
        self.hasher = hashlib.blake2b(digest_size=32)
        self.size = 0
        self._obj: Any = None
        if kind == "zst":
            import zstandard

            self._obj = zstandard.ZstdDecompressor().decompressobj()
        elif kind == "bz2":
            import bz2
            self._obj = bz2.BZ2Decompressor()

    def _emit(self, data: bytes) -> None:
        if data:
            self.hasher.update(data)
            self.out.write(data)
            self.size += len(data)

    def write(self, data: bytes) -> None:
        if self._obj is None:
            self._emit(data)
            return
        try:
            self._emit(self._obj.decompress(data))
        except Exception as err:  # zstandard.ZstdError, OSError (bz2), EOFError (data after the end)
            raise RepodataCorrupt(self.url, f"invalid {self.kind} data: {err}") from err

    def finish(self) -> None:
        if self._obj is not None and not self._obj.eof:
            raise RepodataCorrupt(self.url, f"truncated {self.kind} data")


class Transport:
    """One per Index/Downloader: a requests session (made lazily) and the settings that govern every request."""

    def __init__(self, settings: RepodataSettings, *, session: Any = None, reporter: Reporter | None = None) -> None:
        self.settings = settings
        self.reporter = reporter or Reporter()
        self._session = session
        self._lock = threading.Lock()

    @property
    def session(self) -> Any:
        with self._lock:
            if self._session is None:
                import requests
                from requests.adapters import HTTPAdapter

                session = requests.Session()
                session.trust_env = False
                size = max(10, 2 * (self.settings.repodata_threads or 8))
                adapter = HTTPAdapter(pool_connections=size, pool_maxsize=size, max_retries=0)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers["User-Agent"] = self.settings.user_agent
                if self.settings.ssl_verify is False:
                    # the user turned verification off: urllib3 would warn on every request (conda silences it too)
                    import urllib3

                    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
                self._session = session
            return self._session

    def _auth(self, url: str) -> Any:
        if not self.settings.use_netrc or "@" in (urlparse(url).netloc or ""):
            return None
        from requests.utils import get_netrc_auth

        try:
            return get_netrc_auth(url)
        except Exception:  # an unreadable .netrc is not our user's problem here
            return None

    def _check_online(self, url: str) -> None:
        if self.settings.offline:
            raise OfflineError(redact_url(url), "refusing to open a connection")

    def _sleep(self, attempt: int) -> None:
        delay = self.settings.remote_backoff_factor * (2**attempt)
        if delay > 0:
            time.sleep(delay)

    @contextlib.contextmanager
    def open(self, url: str, headers: Mapping[str, str]) -> Iterator[Any]:
        import requests

        try:
            response = self.session.get(
                url, headers=dict(headers), stream=True, timeout=(self.settings.timeout, self.settings.timeout),
                verify=self.settings.ssl_verify, proxies=dict(self.settings.proxy_servers), auth=self._auth(url),
            )
        except requests.exceptions.SSLError as err:
            raise HTTPError(url, None, "SSL verification failed", hint="check ssl_verify or the CA bundle") from err
        except requests.exceptions.ProxyError as err:
            raise HTTPError(url, None, "proxy error", hint="check proxy_servers") from err
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                requests.exceptions.MissingSchema) as err:
            raise HTTPError(url, None, f"invalid URL: {err.__class__.__name__}") from err
        try:
            yield response
        finally:
            response.close()

    def attempts(self, url: str, fn: Callable[[int], Result]) -> Result:
        """Run fn(attempt) with retries on transient failures."""
        import requests

        retries = max(0, self.settings.remote_max_retries)
        for attempt in range(retries + 1):
            last = attempt == retries
            try:
                result = fn(attempt)
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.Timeout, requests.exceptions.ContentDecodingError) as err:
                if last:
                    if isinstance(err, requests.exceptions.Timeout):
                        reason = "timed out"
                    elif isinstance(err, (requests.exceptions.ChunkedEncodingError,
                                          requests.exceptions.ContentDecodingError)):
                        reason = "interrupted mid-transfer"
                    else:
                        reason = "could not connect"
                    raise HTTPError(url, None, reason, hint="check the network, or retry") from err
                self._sleep(attempt)
                continue
            if result.status in RETRY_STATUS and not last:
                self._sleep(attempt)
                continue
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def get_bytes(self, url: str, headers: Mapping[str, str] | None = None) -> Result:
        """GET `url` into memory. Any status is returned (the caller decides); transient failures are retried."""
        if is_file_url(url):
            path = file_url_path(url)
            try:
                return Result(200, {}, path.read_bytes())
            except FileNotFoundError:
                return Result(404)
            except IsADirectoryError:
                return Result(404)
        self._check_online(url)

        def once(attempt: int) -> Result:
            with self.open(url, headers or {}) as response:
                hdrs = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code >= 300:
                    return Result(response.status_code, hdrs)
                body = b"".join(response.iter_content(CHUNK))
                return Result(response.status_code, hdrs, body)

        return self.attempts(url, once)

    def get_to_file(self, url: str, dest: Path, *, headers: Mapping[str, str] | None = None,
                    decode: str | None = None, progress: Callable[[int, int | None], None] | None = None,
                    ) -> tuple[Result, str]:
        """GET `url` (decoding zst/bz2) into `dest`; returns (result, blake2b-256 of the decoded bytes).

        `dest` is only meaningful when the status is 200. RepodataCorrupt on undecodable content.
        """
        if is_file_url(url):
            path = file_url_path(url)
            if not path.is_file():
                return Result(404), ""
            with path.open("rb") as src, dest.open("wb") as out:
                sink = _Decoder(out, decode, url)
                while chunk := src.read(CHUNK):
                    sink.write(chunk)
                sink.finish()
            return Result(200), sink.hasher.hexdigest()
        self._check_online(url)
        digest = ""

        def once(attempt: int) -> Result:
            nonlocal digest
            with self.open(url, headers or {}) as response:
                hdrs = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code != 200:
                    return Result(response.status_code, hdrs)
                total = to_int(hdrs.get("content-length"))
                done = 0
                with dest.open("wb") as out:
                    sink = _Decoder(out, decode, url)
                    for chunk in response.raw.stream(CHUNK, decode_content=True):
                        sink.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
                    sink.finish()
                digest = sink.hasher.hexdigest()
                return Result(200, hdrs)

        return self.attempts(url, lambda a: wrap_urllib3(once, a)), digest

    def copy_file(self, url: str, dest: Path) -> None:
        import shutil
        shutil.copyfile(file_url_path(url), dest)


def wrap_urllib3(fn: Callable[[int], Result], attempt: int) -> Result:
    """`response.raw.stream` raises urllib3 errors: present them as the requests ones `_attempts` retries."""
    import requests
    import urllib3.exceptions as u3

    try:
        return fn(attempt)
    except (u3.ProtocolError, u3.IncompleteRead) as err:
        raise requests.exceptions.ChunkedEncodingError(err) from err
    except u3.ReadTimeoutError as err:
        raise requests.exceptions.Timeout(err) from err
    except u3.DecodeError as err:
        raise requests.exceptions.ContentDecodingError(err) from err


def to_int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
