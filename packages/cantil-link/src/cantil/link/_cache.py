"""The package cache: conda's `pkgs_dirs` layout, downloads through a callable, verified, locked, extracted.

Layout (conda's): `<pkgs>/<fn>` (the archive), `<pkgs>/<dist>/` (extracted, with `info/repodata_record.json` written
LAST, so its presence marks a complete extraction), `<pkgs>/urls.txt` (one url per line, also conda's "this is a
package cache" marker). Our own files: `<pkgs>/.cantil-locks/<dist>.lock` (per-entry flock) and temporary
`<pkgs>/.<fn>.<pid>.part` downloads / `<pkgs>/.<dist>.<pid>.extracting` directories, renamed into place when complete.
An entry is only ever created under its lock, so two processes never download the same file twice nor read a
half-extracted package; a stale temporary (a killed extraction) is removed and redone by the next holder of the lock.
Read-only caches later in `pkgs_dirs` are used but never written.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

from ._archive import dist_name_of
from ._fs import flocked, hash_file, write_json_atomic
from ._reporter import Reporter
from .errors import CacheError, ChecksumMismatch, DownloadError, LinkError, NotWritable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, Protocol

    from cantil.specs import PackageRecord

LOCKS_DIR = ".cantil-locks"


if TYPE_CHECKING:  # typing is not imported at run time (start-up cost)
    class Download(Protocol):
        def __call__(self, url: str, dest: Path, *, size: int | None = None, sha256: str | None = None,
                     md5: str | None = None) -> None: ...

    DownloadLike = Download | Callable[..., None]


def record_dict(record: PackageRecord) -> dict[str, Any]:
    return dict(record.to_dict())


def _fn_of(record: PackageRecord) -> str:
    fn = getattr(record, "fn", "") or ""
    if not fn:
        url = getattr(record, "url", "") or ""
        fn = url.rsplit("/", 1)[-1] if url else f"{record.name}-{record.version}-{record.build}.conda"
    return str(fn)


def _matches(data: dict[str, Any], record: PackageRecord) -> bool:
    sha, md5 = getattr(record, "sha256", None), getattr(record, "md5", None)
    if sha and data.get("sha256"):
        return bool(data["sha256"] == sha)
    if md5 and data.get("md5"):
        return bool(data["md5"] == md5)
    return (data.get("name"), str(data.get("version")), data.get("build")) == (
        record.name, str(record.version), record.build)


def _file_download(url: str, dest: Path, **_: object) -> None:
    """The download used when none is given: file:// URLs only (a local channel)."""
    import shutil
    import urllib.parse

    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "file":
        raise DownloadError(url, "no download function given for a non-file URL")
    from urllib.request import url2pathname  # lazily: it pulls in http.client, email and ssl (50 ms)

    shutil.copyfile(url2pathname(parsed.path), dest)


class PackageCache:
    """One or more pkgs_dirs; the first writable one receives downloads and extractions."""

    def __init__(self, pkgs_dirs: Sequence[Path | str], *, fetch_threads: int | None = None) -> None:
        if not pkgs_dirs:
            raise ValueError("PackageCache needs at least one pkgs_dir")
        self.pkgs_dirs = [Path(p) for p in pkgs_dirs]
        self.fetch_threads = fetch_threads
        self._writable: Path | bool | None = False
        self._lock = threading.Lock()

    @property
    def writable_dir(self) -> Path:
        with self._lock:
            return self._find_writable()

    def _find_writable(self) -> Path:
        if self._writable is False:
            self._writable = None
            for d in self.pkgs_dirs:
                try:
                    d.mkdir(parents=True, exist_ok=True)
                    marker = d / "urls.txt"
                    if not marker.exists():
                        marker.touch()
                    if os.access(d, os.W_OK) and os.access(marker, os.W_OK):
                        self._writable = d
                        break
                except OSError:
                    continue
        if not isinstance(self._writable, Path):
            raise NotWritable(self.pkgs_dirs[0], "no writable package cache among pkgs_dirs")
        return self._writable

    def extracted(self, record: PackageRecord) -> Path | None:
        """The extracted directory of `record` in any pkgs_dir, when complete and matching; else None."""
        dist = dist_name_of(_fn_of(record))
        for d in self.pkgs_dirs:
            rr = d / dist / "info" / "repodata_record.json"
            try:
                with open(rr, "rb") as f:
                    data = json.load(f)
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and _matches(data, record):
                return d / dist
        return None

    def tarball(self, record: PackageRecord) -> Path | None:
        fn = _fn_of(record)
        for d in self.pkgs_dirs:
            p = d / fn
            if p.is_file():
                return p
        return None

    def ensure(self, records: Sequence[PackageRecord], download: DownloadLike | None = None, *,
               reporter: Reporter | None = None, threads: int | None = None) -> dict[PackageRecord, Path]:
        """Download (to a temp file, verified), extract and return the extracted directory of every record."""
        rep = reporter or Reporter()
        todo = list(records)
        out: dict[PackageRecord, Path] = {}
        missing = []
        for r in todo:
            p = self.extracted(r)
            if p is not None:
                out[r] = p
            else:
                missing.append(r)
        if not missing:
            return out
        dl = download or _file_download
        threads = max(1, min(threads or self.fetch_threads or 4, len(missing)))
        if threads == 1:
            results = [self._ensure_one(r, dl, rep) for r in missing]
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(threads, thread_name_prefix="cantil-fetch") as ex:
                results = list(ex.map(lambda r: self._ensure_one(r, dl, rep), missing))
        out.update(zip(missing, results, strict=True))
        return out

    def _ensure_one(self, record: PackageRecord, download: DownloadLike, rep: Reporter) -> Path:
        fn = _fn_of(record)
        dist = dist_name_of(fn)
        import shutil  # lazily, as the other modules that only fetching and extracting need

        pkgs = self.writable_dir
        with flocked(pkgs / LOCKS_DIR / f"{dist}.lock"):
            done = self.extracted(record)  # another process may have finished it while we waited
            if done is not None:
                return done
            for stale in pkgs.glob(f".{dist}.*.extracting"):
                shutil.rmtree(stale, ignore_errors=True)
            for part in pkgs.glob(f".{fn}.*.part"):
                part.unlink(missing_ok=True)
            found = self._find_verified_tarball(record)
            if found is None:
                found = self._download(record, fn, pkgs, download, rep)
            return self._extract(record, found[0], found[1], pkgs / dist, rep)

    def _find_verified_tarball(self, record: PackageRecord) -> tuple[Path, tuple[str, str, int]] | None:
        fn = _fn_of(record)
        for d in self.pkgs_dirs:
            p = d / fn
            if not p.is_file():
                continue
            try:
                return p, self._verify(p, record, fn)
            except ChecksumMismatch:
                continue
        return None

    @staticmethod
    def _verify(path: Path, record: PackageRecord, what: str) -> tuple[str, str, int]:
        sha, md5, size = hash_file(path)
        exp_size = getattr(record, "size", None)
        if exp_size is not None and exp_size != size:
            raise ChecksumMismatch(what, "size", str(exp_size), str(size))
        exp_sha = getattr(record, "sha256", None)
        exp_md5 = getattr(record, "md5", None)
        if exp_sha and exp_sha != sha:
            raise ChecksumMismatch(what, "sha256", exp_sha, sha)
        if not exp_sha and exp_md5 and exp_md5 != md5:
            raise ChecksumMismatch(what, "md5", exp_md5, md5)
        return sha, md5, size

    def _download(self, record: PackageRecord, fn: str, pkgs: Path, download: DownloadLike,
                  rep: Reporter) -> tuple[Path, tuple[str, str, int]]:
        url = getattr(record, "url", "") or ""
        if not url:
            raise CacheError(f"{fn} is not in the package cache and its record has no url")
        import tempfile

        fd, tmpname = tempfile.mkstemp(prefix=f".{fn}.", suffix=".part", dir=pkgs)
        os.fchmod(fd, 0o644)
        os.close(fd)
        tmp = Path(tmpname)
        try:
            rep.download_start(url, getattr(record, "size", None))
            try:
                download(url, tmp, size=getattr(record, "size", None), sha256=getattr(record, "sha256", None),
                         md5=getattr(record, "md5", None))
            except LinkError:
                raise
            except Exception as e:
                raise DownloadError(url, str(e) or type(e).__name__) from e
            hashes = self._verify(tmp, record, url)
            final = pkgs / fn
            os.replace(tmp, final)
            rep.download_done(url)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return final, hashes

    def _extract(self, record: PackageRecord, archive: Path, hashes: tuple[str, str, int], target: Path,
                 rep: Reporter) -> Path:
        dist = target.name
        import shutil
        import tempfile

        from ._archive import extract_package
        from ._package import read_package_info

        work = Path(tempfile.mkdtemp(prefix=f".{dist}.", suffix=".extracting", dir=target.parent))
        try:
            os.chmod(work, 0o755)  # mkdtemp makes it private; the cache is shared
            extract_package(archive, work)
            with contextlib.suppress(LinkError):  # the manifest, while the files are ours alone (see _manifest)
                read_package_info(work, cache_manifest=True, extracting=True)  # bad metadata: reported at link time
            data = record_dict(record)
            sha, md5, size = hashes
            data.setdefault("fn", archive.name)
            for k, v in (("sha256", sha), ("md5", md5), ("size", size)):
                if not data.get(k):
                    data[k] = v
            # the completion marker: written last, atomically
            write_json_atomic(work / "info" / "repodata_record.json", data)
            if target.exists() or target.is_symlink():
                old = target.with_name(f".{dist}.{os.getpid()}.old.extracting")
                os.replace(target, old)
                shutil.rmtree(old, ignore_errors=True)
            os.replace(work, target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        self._add_url(target.parent, getattr(record, "url", "") or "")
        rep.extract_done(dist)
        return target

    @staticmethod
    def _add_url(pkgs: Path, url: str) -> None:
        if not url:
            return
        with flocked(pkgs / LOCKS_DIR / "urls.txt.lock"):
            path = pkgs / "urls.txt"
            try:
                lines = path.read_text().splitlines()
            except FileNotFoundError:
                lines = []
            if url not in lines:
                with open(path, "a") as f:
                    f.write(url + "\n")
