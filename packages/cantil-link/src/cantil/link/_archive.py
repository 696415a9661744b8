"""Extraction of conda packages: `.tar.bz2` and `.conda` (a zip holding `info-*.tar.zst` and `pkg-*.tar.zst`), streamed.

Every member is checked before it is written: absolute names, `..` components, symlinks or hardlinks whose target
leaves the package, symlinks with an empty target (the real zlib 1.2.11 `.conda` has two), device files and members
that would be written through an earlier symlink are refused with UnsafeArchive naming the package and the member.
Traps: tarfile in stream mode ('r|') cannot seek, so members are read in order; a member may replace an earlier file of
the same name (last wins, as tar does) but never a directory.
"""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path

from .errors import CorruptPackage, UnsafeArchive

TYPE_CHECKING = False
if TYPE_CHECKING:
    import tarfile
    from typing import IO

CONDA_EXT = ".conda"
TAR_EXT = ".tar.bz2"


def dist_name_of(fn: str) -> str:
    for ext in (CONDA_EXT, TAR_EXT):
        if fn.endswith(ext):
            return fn[: -len(ext)]
    return fn


def extract_package(archive: Path, dest: Path) -> None:
    """Extract a `.conda` or `.tar.bz2` into `dest` (created; should not exist or be empty)."""
    import tarfile  # lazily (with zipfile: ~10 ms of import), so that reading the cache does not pay for them
    import zipfile

    name = archive.name
    dest.mkdir(parents=True, exist_ok=True)
    writer = _Writer(name, dest)
    try:
        if name.endswith(CONDA_EXT):
            _extract_conda(archive, writer)
        elif name.endswith(TAR_EXT):
            with tarfile.open(archive, mode="r|bz2") as tf:
                writer.extract_stream(tf)
        else:
            raise CorruptPackage(name, "unknown package format (expected .conda or .tar.bz2)")
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, ValueError) as e:
        if isinstance(e, UnsafeArchive):
            raise
        raise CorruptPackage(name, f"unreadable archive ({e})") from e
    if not (dest / "info" / "index.json").is_file():
        raise CorruptPackage(name, "no info/index.json in the archive")


def _extract_conda(archive: Path, writer: _Writer) -> None:
    import tarfile
    import zipfile

    import zstandard

    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        inner = [n for n in names if n.endswith(".tar.zst") and n.startswith(("info-", "pkg-"))]
        if not any(n.startswith("info-") for n in inner):
            raise CorruptPackage(archive.name, "no info-*.tar.zst in the .conda archive")
        # pkg first, then info: info/ is what marks a complete extraction in readers that look early
        for member in sorted(inner, key=lambda n: n.startswith("info-")):
            with zf.open(member) as raw:
                dctx = zstandard.ZstdDecompressor(max_window_size=2**31)
                try:
                    with dctx.stream_reader(raw) as zr, tarfile.open(fileobj=zr, mode="r|") as tf:
                        writer.extract_stream(tf)
                except zstandard.ZstdError as e:
                    raise CorruptPackage(archive.name, f"bad zstd stream in {member} ({e})") from e


class _Writer:
    def __init__(self, package: str, dest: Path) -> None:
        self.package = package
        self.dest = dest
        self.root = os.path.realpath(dest)
        self._safe_dirs: set[str] = {""}
        self._written: set[str] = set()

    def _refuse(self, member: str, reason: str) -> UnsafeArchive:
        return UnsafeArchive(self.package, member, reason)

    def _clean_name(self, raw: str, member: str | None = None) -> str:
        who, what = (member, f"links to {raw!r}, which") if member else (raw, "")
        if not raw or raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
            raise self._refuse(who, f"{what} has an absolute path".strip())
        if "\\" in raw or "\0" in raw:
            raise self._refuse(who, f"{what} contains a backslash or NUL".strip())
        parts = [p for p in raw.split("/") if p not in ("", ".")]
        if any(p == ".." for p in parts):
            raise self._refuse(who, f"{what} contains a '..' component".strip())
        return "/".join(parts)

    def _ensure_parent(self, member: str, rel: str) -> str:
        """Create the parent directories of `rel`, refusing to write through a symlink; return the full path."""
        parent = posixpath.dirname(rel)
        if parent not in self._safe_dirs:
            full_parent = os.path.join(self.root, parent)
            os.makedirs(full_parent, exist_ok=True)
            real = os.path.realpath(full_parent)
            if real != self.root and not real.startswith(self.root + os.sep):
                raise self._refuse(member, "would be written through a symlink pointing outside the package")
            self._safe_dirs.add(parent)
        return os.path.join(self.root, rel)

    def _check_link_target(self, member: str, rel: str, target: str, *, hard: bool) -> str:
        if not target:
            raise self._refuse(member, "is a link with an empty target")
        if target.startswith("/") or "\0" in target:
            raise self._refuse(member, f"is a link to an absolute path {target!r}")
        joined = target if hard else posixpath.join(posixpath.dirname(rel), target)
        norm = posixpath.normpath(joined)
        if norm == ".." or norm.startswith("../"):
            raise self._refuse(member, f"is a link pointing outside the package ({target!r})")
        if not hard:
            # resolve through links already written: a lexical check misses `a -> sub/link/..`
            full = os.path.realpath(os.path.join(self.root, posixpath.dirname(rel), target))
            if full != self.root and not full.startswith(self.root + os.sep):
                raise self._refuse(member, f"is a link pointing outside the package ({target!r})")
        return norm

    def _clear(self, full: str, member: str) -> None:
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(st.st_mode):
            raise self._refuse(member, "would replace a directory")
        os.unlink(full)

    def extract_stream(self, tf: tarfile.TarFile) -> None:
        for m in tf:
            rel = self._clean_name(m.name)
            if not rel:
                continue
            if m.isdir():
                full = self._ensure_parent(m.name, rel)
                if os.path.islink(full):
                    raise self._refuse(m.name, "would replace a symlink with a directory")
                os.makedirs(full, exist_ok=True)
                self._safe_dirs.discard(rel)
                continue
            full = self._ensure_parent(m.name, rel)
            if m.isfile():
                self._clear(full, m.name)
                src = tf.extractfile(m)
                if src is None:  # pragma: no cover - isfile() members always have data
                    raise CorruptPackage(self.package, f"no data for {m.name!r}")
                _write_file(src, full, m.mode)
            elif m.issym():
                self._check_link_target(m.name, rel, m.linkname, hard=False)
                self._clear(full, m.name)
                os.symlink(m.linkname, full)
            elif m.islnk():
                target = self._check_link_target(m.name, rel, self._clean_name(m.linkname, m.name), hard=True)
                if target not in self._written:
                    raise self._refuse(m.name, f"is a hardlink to {m.linkname!r}, which is not in the package")
                self._clear(full, m.name)
                os.link(os.path.join(self.root, target), full, follow_symlinks=False)
            else:
                raise self._refuse(m.name, "is a device, fifo or other special file")
            self._written.add(rel)


def _write_file(src: IO[bytes], full: str, mode: int) -> None:
    import shutil  # lazily (a dictionary lookup once imported): reading the cache does not need it

    fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    # keep only the executable bit: setuid/setgid/sticky and world-writable modes never reach the cache
    os.chmod(full, 0o755 if mode & 0o111 else 0o644)
