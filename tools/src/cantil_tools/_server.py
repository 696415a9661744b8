"""A channel server over real HTTP on 127.0.0.1 (ephemeral port), in a background thread.

HTTP details that clients depend on:
- ETag is a strong validator of the file bytes (not of the gzip encoding); `If-None-Match` wins over
  `If-Modified-Since` (RFC 9110 13.2.2); a 304 carries ETag, Last-Modified and Cache-Control but no body.
- Last-Modified has one-second resolution: a file changed within the same second keeps its date, so tests that rewrite
  files should rely on ETag.
- Range: one `bytes=` range (`a-b`, `a-`, `-n`); 206 with Content-Range, 416 with `bytes */size` when unsatisfiable.
  Ranged responses are never gzip-encoded (offsets are in file bytes, as a .jlap client needs).
- gzip only when the request's Accept-Encoding allows it, for uncompressed types (json, jlap, text); `Vary` says so.
- `/t/<token>/...` paths and HTTP basic auth: missing credentials give 401 (with WWW-Authenticate for basic auth);
  wrong ones give 403.
- `tls=True` serves https with a certificate for 127.0.0.1 signed by a throw-away CA (`.ca_bundle`, see _tls.py).
  The TLS handshake runs in the request's own thread, so a client that refuses the certificate cannot stall others.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import gzip
import hashlib
import mimetypes
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cantil_tools._faults import Fault, FaultTable
from cantil_tools._tls import make_test_certificates

__all__ = ["ChannelServer", "LogEntry"]

_COMPRESSIBLE = (".json", ".jlap", ".txt", ".html")
HTML_ERROR = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n"


@dataclass
class LogEntry:
    """One request as the server saw it. `path` is channel-relative (token removed), `raw_path` as requested;
    `headers` are the request headers with canonical names (`If-None-Match`, `Range`, `Accept-Encoding`)."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    range: str | None = None
    bytes_sent: int = 0
    fault: str | None = None
    raw_path: str = ""
    response_headers: dict[str, str] = field(default_factory=dict)
    logged: bool = field(default=False, repr=False, compare=False)  # set once the log holds it

    def __str__(self) -> str:
        extra = f" range={self.range}" if self.range else ""
        extra += f" fault={self.fault}" if self.fault else ""
        return f"{self.method} /{self.path} -> {self.status} ({self.bytes_sent} bytes){extra}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # the log list replaces stderr lines
        return

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    # -- helpers ----------------------------------------------------------------------------------------------------
    def _send(self, status: int, headers: dict[str, str], body: bytes, entry: LogEntry, head: bool, *,
              sent: int | None = None) -> None:
        """Log the response first (so a client never sees a response the log lacks), then send it."""
        headers.setdefault("Content-Length", str(len(body)))
        entry.status = status
        entry.response_headers = headers
        entry.bytes_sent = 0 if head else (len(body) if sent is None else min(sent, len(body)))
        self.server.channel._record(entry)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head and body:
            self.wfile.write(body[: entry.bytes_sent])

    def _error(self, status: int, entry: LogEntry, head: bool, extra: dict[str, str] | None = None) -> None:
        body = f"{status} {self.responses.get(status, ('',))[0]}\n".encode()
        self._send(status, {"Content-Type": "text/plain", **(extra or {})}, body, entry, head)

    def _authorise(self, path: str, entry: LogEntry, head: bool) -> str | None:
        cfg = self.server.channel
        if cfg.token is not None:
            parts = path.split("/", 2)
            if len(parts) < 2 or parts[0] != "t":
                self._error(401, entry, head)
                return None
            if parts[1] != cfg.token:
                self._error(403, entry, head)
                return None
            path = parts[2] if len(parts) > 2 else ""
        if cfg.auth is not None:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                self._error(401, entry, head, {"WWW-Authenticate": 'Basic realm="cantil-test"'})
                return None
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                user, password = "", ""
            if (user, password) != cfg.auth:
                self._error(403, entry, head)
                return None
        return path

    def _serve(self, head: bool) -> None:
        raw = urlsplit(self.path).path
        path = unquote(raw).lstrip("/")
        entry = LogEntry(self.command, path, 0, {_canonical(k): v for k, v in self.headers.items()},
                         range=self.headers.get("Range"), raw_path=self.path)
        try:
            self._respond(path, entry, head)
        finally:
            self.server.channel._record(entry)  # no-op when the response was already logged

    def _respond(self, path: str, entry: LogEntry, head: bool) -> None:
        cfg = self.server.channel
        authorised = self._authorise(path, entry, head)
        if authorised is None:
            return
        path = entry.path = authorised
        fault = cfg.faults.take(path)
        if fault is not None:
            entry.fault = fault.kind
            if fault.kind == "status":
                status = int(fault.options.get("status", 500))
                extra = {"Retry-After": str(fault.options["retry_after"])} if "retry_after" in fault.options else {}
                self._error(status, entry, head, extra)
                return
            if fault.kind == "delay":
                time.sleep(float(fault.options.get("seconds", 1.0)))
            if fault.kind == "barrier":
                try:
                    fault.options["barrier"].wait()
                except threading.BrokenBarrierError:
                    self._error(503, entry, head)
                    return
            if fault.kind == "html":
                self._send(200, {"Content-Type": "application/json"}, HTML_ERROR, entry, head)
                return
        file = (cfg.root / path).resolve()
        if not path or not file.is_relative_to(cfg.root) or not file.is_file():
            self._error(404, entry, head)
            return
        data, etag, mtime = cfg._file(file)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": f"public, max-age={cfg.max_age}",
                   "Accept-Ranges": "bytes", "Vary": "Accept-Encoding"}
        if self._not_modified(etag, mtime):
            self._send(304, {**headers, "Content-Length": "0"}, b"", entry, head)
            return
        ctype = "application/json" if file.suffix == ".json" else (
            mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        if file.name.endswith((".jlap", ".conda", ".zst", ".bz2")):
            ctype = "text/plain" if file.name.endswith(".jlap") else "application/octet-stream"
        headers["Content-Type"] = ctype
        status, body = 200, data
        range_header = self.headers.get("Range")
        if range_header:
            span = _parse_range(range_header, len(data))
            if span is None:
                self._send(416, {**headers, "Content-Range": f"bytes */{len(data)}"}, b"", entry, head)
                return
            start, end = span
            status, body = 206, data[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        elif file.name.endswith(_COMPRESSIBLE) and _accepts_gzip(self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(data, mtime=0)
            headers["Content-Encoding"] = "gzip"
        if fault is not None and fault.kind in ("reset", "truncate", "corrupt"):
            self._faulty_body(fault, status, headers, body, entry, head=head)
            return
        self._send(status, headers, body, entry, head)

    def _not_modified(self, etag: str, mtime: float) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or etag in tags or f"W/{etag}" in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return int(mtime) <= since
        return False

    def _faulty_body(self, fault: Fault, status: int, headers: dict[str, str], body: bytes, entry: LogEntry, *,
                     head: bool) -> None:
        if fault.kind == "corrupt":
            corrupted = bytes(b ^ 0xFF for b in body[:64]) + body[64:] if body else b"x"
            self._send(status, {**headers, "Content-Length": str(len(corrupted))}, corrupted, entry, head)
            return
        after = int(fault.options.get("after", len(body) // 2))
        self._send(status, {**headers, "Content-Length": str(len(body))}, body, entry, head, sent=after)
        self.wfile.flush()
        self.close_connection = True
        if fault.kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        else:
            self.connection.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass


def _canonical(name: str) -> str:
    """`if-none-match` -> `If-None-Match`: clients differ in header case (reqwest sends lowercase)."""
    return "-".join(part.capitalize() for part in name.split("-"))


def _accepts_gzip(header: str) -> bool:
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return "q=0" not in params.replace(" ", "") or "q=0." in params.replace(" ", "")
    return False


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if not first:
            n = int(last)
            if n <= 0 or size == 0:
                return None
            return max(0, size - n), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return None
    return start, min(end, size - 1)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    channel: ChannelServer
    tls: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):  # the client refused our certificate, or spoke plain HTTP
            return
        try:
            super().finish_request(conn, client_address)
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # a client hung up: normal for a test server, not news
            return
        super().handle_error(request, client_address)


class ChannelServer:
    """Serve the folder `root` at `.url` (http://127.0.0.1:<port>, plus `/t/<token>` when a token is set).

    Use as a context manager or call `.stop()`. `.log` lists every request (LogEntry); `.fault(...)` injects faults.
    """

    def __init__(self, root: Path | str, *, token: str | None = None, auth: tuple[str, str] | None = None,
                 max_age: int = 60, tls: bool = False) -> None:
        self.root = Path(root).resolve()
        self.ca_bundle: Path | None = None
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None
        context: ssl.SSLContext | None = None
        if tls:
            self._tls_dir = tempfile.TemporaryDirectory(prefix="cantil-tls-")
            certs = make_test_certificates(self._tls_dir.name)
            self.ca_bundle = certs.ca
            context = certs.server_context()
        self.token = token
        self.auth = auth
        self.max_age = max_age
        self.faults = FaultTable()
        self.log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, int, int], tuple[bytes, str, float]] = {}
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.channel = self
        self._httpd.tls = context
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"cantil-channel-server:{self.port}", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        """The server's origin, without token or credentials (`https://` when serving TLS)."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def scheme(self) -> str:
        return "https" if self._httpd.tls is not None else "http"

    @property
    def url(self) -> str:
        """The channel URL a client should use (with `/t/<token>` when the server wants a token)."""
        return f"{self.base_url}/t/{self.token}" if self.token else self.base_url

    @property
    def url_with_credentials(self) -> str:
        """`url` with `user:password@` when basic auth is on."""
        if self.auth is None:
            return self.url
        scheme = f"{self.scheme}://"
        return self.url.replace(scheme, f"{scheme}{self.auth[0]}:{self.auth[1]}@", 1)

    def fault(self, path: str, kind: str | int, times: int | None = 1, **options: Any) -> None:
        """Inject a fault for the next `times` requests of `path` (see cantil_tools._faults for the kinds)."""
        self.faults.add(path, kind, times, **options)

    def requests(self, path: str | None = None) -> list[LogEntry]:
        """The log, or only the entries for the channel-relative `path`."""
        with self._lock:
            return [e for e in self.log if path is None or e.path == path.lstrip("/")]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def log_text(self) -> str:
        """The request log as readable lines (for assertion messages)."""
        return "\n".join(str(e) for e in self.requests())

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        if self._tls_dir is not None:
            self._tls_dir.cleanup()

    def __enter__(self) -> ChannelServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"ChannelServer({str(self.root)!r}, url={self.url!r})"

    def _record(self, entry: LogEntry) -> None:
        # Once per entry: `_send` logs before answering and `_serve` again at the end (for a dropped connection).
        # A flag, not a search of the log: a test may clear the log between the two, and the entry must not come
        # back into the new log after the client has its answer.
        with self._lock:
            if not entry.logged:
                entry.logged = True
                self.log.append(entry)

    def _file(self, file: Path) -> tuple[bytes, str, float]:
        st = file.stat()
        key = (str(file), st.st_mtime_ns, st.st_size)
        cached = self._cache.get(key)
        if cached is None:
            data = file.read_bytes()
            cached = (data, f'"{hashlib.sha256(data).hexdigest()[:32]}"', st.st_mtime)
            with self._lock:
                if len(self._cache) >= 256:  # old versions of rewritten files: drop them all, cheap to rebuild
                    self._cache.clear()
                self._cache[key] = cached
        return cached
