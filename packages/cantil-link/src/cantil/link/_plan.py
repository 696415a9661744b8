"""Planning a transaction: what each package puts where, and the checks made before anything changes.

For each package to link: its files (noarch python remapped), how each is placed (hardlink, softlink, copy, a symlink
recreated, a placeholder file rewritten into a staged copy, generated content such as entry points), its .pyc files
and its conda-meta record. Then conda's checks: safety_checks on the cache, path conflicts (path_conflict), prefix
too long for binary placeholders, write permission and disk space. Nothing here writes to the prefix.
"""

from __future__ import annotations

import operator
import os
import re
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _python
from ._package import PackageInfo, PathEntry, read_package_info
from ._portability import needs_padding_room
from ._settings import LinkSettings, Reporter
from ._struct import Struct
from .errors import ClobberError, InsufficientSpace, LinkError, NotWritable, PrefixTooLong, VerificationError

if TYPE_CHECKING:
    from cantil.specs import PackageRecord

HARDLINK, SOFTLINK, COPY = 1, 2, 3
_NAME = re.compile(r"^\s*(?:[^:\s]*::)?([^\s=<>!~\[,;]+)")


def spec_name(spec: str) -> str:
    m = _NAME.match(spec)
    return m.group(1) if m else spec.strip()


class FileOp(Struct):
    """One file operation: `target` prefix-relative; `how` link | copy | symlink | stage | write (| move once
    staged); `source` absolute, in the cache; `content` and `mode` for "write"; `index` the entry's index in
    info.files (-1: generated content)."""

    __slots__ = ("content", "entry", "how", "index", "mode", "sha256_in_prefix", "source", "target")

    def __init__(self, target: str, how: str, source: str | None = None,  # noqa: PLR0917
                 entry: PathEntry | None = None, content: bytes | None = None, mode: int = 0o644, index: int = -1,
                 sha256_in_prefix: str | None = None) -> None:
        self.target = target
        self.how = how
        self.source = source
        self.entry = entry
        self.content = content
        self.mode = mode
        self.index = index
        self.sha256_in_prefix = sha256_in_prefix


class LinkUnit(Struct):
    """One package to link. Plain hardlinks (most files) are three aligned columns, `link_src` (absolute, in the
    cache), `link_dst` (prefix-relative) and `link_size`; every other file is a FileOp in `ops`. `files` lists every
    target in the record's order (entries, then entry points); `pyc` (py target, pyc target) pairs; `skip` holds
    targets that a later package of the transaction writes (path_conflict)."""

    __slots__ = ("files", "info", "link_dst", "link_size", "link_src", "link_type", "ops", "pyc", "record",
                 "requested_specs", "skip")

    def __init__(self, record: PackageRecord, info: PackageInfo, link_type: int, *,
                 requested_specs: list[str] | None = None) -> None:
        self.record = record
        self.info = info
        self.link_type = link_type
        self.files: list[str] = []
        self.link_src: list[str] = []
        self.link_dst: list[str] = []
        self.link_size: list[int | None] = []
        self.ops: list[FileOp] = []
        self.pyc: list[tuple[str, str]] = []
        self.requested_specs: list[str] = [] if requested_specs is None else requested_specs
        self.skip: set[str] = set()

    @property
    def dist(self) -> str:
        return f"{self.record.name}-{self.record.version}-{self.record.build}"

    @property
    def record_rel(self) -> str:
        return f"conda-meta/{self.info.extracted_dir.name}.json"

    @property
    def as_listed(self) -> bool:
        """Every file lands where paths.json lists it (no noarch remap, no entry points)."""
        return self.files is self.info.files

    def targets(self) -> list[str]:
        return self.files + [p for _, p in self.pyc] if self.pyc else self.files

    def parents(self) -> set[str]:
        """The folders directly holding the unit's files and directory entries (not the prefix itself)."""
        out = set(self.info.parents) if self.as_listed else {t.rpartition("/")[0] for t in self.files}
        out.update(p.rpartition("/")[0] for _, p in self.pyc)
        out.update(d.strip("/") for d in self.info.dirs)
        out.discard("")
        return out


class UnlinkUnit(Struct):
    __slots__ = ("data", "dist", "name", "record_rel")

    def __init__(self, name: str, dist: str, data: dict[str, Any], record_rel: str) -> None:
        self.name = name
        self.dist = dist
        self.data = data
        self.record_rel = record_rel

    @property
    def files(self) -> list[str]:
        return [str(f) for f in self.data.get("files") or ()]


class PythonInfo(Struct):
    """The environment's python: `version` major.minor, `sp_dir` its site-packages, `exe` bin/pythonX.Y."""

    __slots__ = ("exe", "sp_dir", "version")

    def __init__(self, version: str, sp_dir: str, exe: str) -> None:
        self.version = version
        self.sp_dir = sp_dir
        self.exe = exe


def python_info(links: Sequence[PackageRecord], installed: dict[str, dict[str, Any]],
                unlinking: set[str]) -> PythonInfo | None:
    rec: Any = next((r for r in links if r.name == "python"), None)
    if rec is not None:
        version, sp = str(rec.version), getattr(rec, "python_site_packages_path", None)
    elif "python" in installed and "python" not in unlinking:
        data = installed["python"]
        version, sp = str(data.get("version", "")), data.get("python_site_packages_path")
    else:
        return None
    mm = _python.major_minor(version)
    if mm is None:
        return None
    return PythonInfo(mm, _python.site_packages(version, sp), f"bin/python{mm}")


def dependency_order(records: Sequence[PackageRecord]) -> list[PackageRecord]:
    """Stable topological order: a package after the packages of this set it depends on."""
    by_name = {r.name: r for r in records}
    seen: set[str] = set()
    out: list[PackageRecord] = []

    def visit(r: PackageRecord, stack: set[str]) -> None:
        if r.name in seen or r.name in stack:
            return
        stack.add(r.name)
        for dep in getattr(r, "depends", ()) or ():
            d = by_name.get(spec_name(dep))
            if d is not None:
                visit(d, stack)
        stack.discard(r.name)
        seen.add(r.name)
        out.append(r)

    for r in records:
        visit(r, set())
    return out


def hardlink_works(source_dir: Path, prefix: Path) -> bool:
    anchor = existing_ancestor(prefix)
    try:
        return os.stat(source_dir).st_dev == os.stat(anchor).st_dev
    except OSError:
        return False


def existing_ancestor(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def build_link_unit(record: PackageRecord, extracted: Path, prefix: Path, *, settings: LinkSettings,
                    py: PythonInfo | None, requested: list[str], cache_manifest: bool = False) -> LinkUnit:
    info = read_package_info(extracted, cache_manifest=cache_manifest)
    if settings.always_copy:
        link_type = COPY
    elif settings.always_softlink:
        link_type = SOFTLINK
    elif hardlink_works(extracted, prefix):
        link_type = HARDLINK
    else:
        link_type = SOFTLINK if settings.allow_softlinks else COPY
    unit = LinkUnit(record, info, link_type, requested_specs=requested)
    noarch_py = info.noarch == "python"
    if noarch_py and py is None:
        raise LinkError(f"{unit.dist} is a noarch: python package but the environment will have no python",
                        hint="install python in the same environment")
    src_root = str(extracted) + "/"
    files, special = info.files, info.special
    if not (noarch_py and py is not None):
        unit.files = files  # the same list: as_listed
        if link_type != HARDLINK:
            unit.ops = [_op(special.get(i) or PathEntry(f, "hardlink", None, info.sizes[i]), i, src_root, link_type)
                        for i, f in enumerate(files)]
        elif not special:
            # the common case: columns, no object per file
            unit.link_dst, unit.link_size = files, info.sizes
            unit.link_src = [src_root + f for f in files]
        else:
            unit.link_dst = [f for i, f in enumerate(files) if i not in special]
            unit.link_size = [n for i, n in enumerate(info.sizes) if i not in special]
            unit.link_src = [src_root + f for f in unit.link_dst]
            unit.ops = [_op(e, i, src_root, link_type) for i, e in special.items()]
        return unit
    unit.files = []
    for i, f in enumerate(files):
        target = _python.noarch_target(f, py.sp_dir)
        unit.files.append(target)
        e = special.get(i)
        if e is None and link_type == HARDLINK:
            unit.link_src.append(src_root + f)
            unit.link_dst.append(target)
            unit.link_size.append(info.sizes[i])
        else:
            unit.ops.append(_op(e or PathEntry(f, "hardlink", None, info.sizes[i]), i, src_root, link_type, target))
        if f.startswith("site-packages/") and f.endswith(".py"):
            unit.pyc.append((target, _python.pyc_path(target, py.version)))
    for ep in info.entry_points:
        try:
            cmd, module, func = _python.parse_entry_point(ep)
        except ValueError as err:
            raise LinkError(f"{unit.dist}: {err}") from err
        content = _python.entry_point_script(str(prefix / py.exe), module, func)
        unit.files.append(f"bin/{cmd}")
        unit.ops.append(FileOp(f"bin/{cmd}", "write", content=content, mode=0o755))
    return unit


def _op(e: PathEntry, index: int, src_root: str, link_type: int, target: str | None = None) -> FileOp:
    """The operation for one entry; `target` is its place in the prefix when noarch python remaps it."""
    source = src_root + e.path
    if e.prefix_placeholder:
        how = "stage"
    elif e.path_type == "softlink":
        how = "symlink" if os.path.islink(source) else "copy"
    elif e.no_link or link_type == COPY:
        how = "copy"
    else:
        how = "link"
    return FileOp(e.path if target is None else target, how, source, e, index=index)


class DiskView:
    """Cached listings of prefix directories: one listdir per directory instead of one lstat per file."""

    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self._dirs: dict[str, set[str] | None] = {}
        self.empty = not prefix.is_dir()  # a new prefix: nothing exists, no lookups needed
        # `fresh`: the prefix holds only conda-meta/ with our dot-files (the lock of a prefix this transaction
        # creates): nothing outside conda-meta exists, no lookups needed there either
        meta = None if self.empty or self.listing("") != {"conda-meta"} else self.listing("conda-meta")
        self.fresh = meta is not None and all(n.startswith(".") for n in meta)

    def listing(self, rel_dir: str) -> set[str] | None:
        if rel_dir not in self._dirs:
            parent, _, name = rel_dir.rpartition("/")
            if rel_dir and (up := self.listing(parent)) is not None and name not in up:
                self._dirs[rel_dir] = None
            else:
                try:
                    self._dirs[rel_dir] = set(os.listdir(self.prefix / rel_dir))
                except (FileNotFoundError, NotADirectoryError):
                    self._dirs[rel_dir] = None
        return self._dirs[rel_dir]

    def exists(self, rel: str) -> bool:
        if self.empty or (self.fresh and not rel.startswith("conda-meta")):
            return False
        parent, _, name = rel.rpartition("/")
        listing = self.listing(parent)
        return listing is not None and name in listing

    def is_dir(self, rel: str) -> bool:
        if self.empty or (self.fresh and not rel.startswith("conda-meta")):
            return False
        return self.listing(rel) is not None


def check_safety(units: Sequence[LinkUnit], settings: LinkSettings, reporter: Reporter) -> None:
    """conda's safety_checks: `enabled` raises the first problem, `warn` reports each."""
    if settings.safety_checks == "disabled":
        return
    for unit in units:
        for err in unit_problems(unit, settings):
            if settings.safety_checks == "enabled":
                raise err
            reporter.warning(str(err))


def unit_problems(unit: LinkUnit, settings: LinkSettings) -> list[VerificationError]:
    if settings.extra_safety_checks:  # sha256 of every file: the full entries
        root = str(unit.info.extracted_dir) + "/"
        return _close_look(unit, [(e, root + e.path) for e in unit.info.paths if e.path_type != "directory"],
                           settings)
    out: list[VerificationError] = []
    if unit.link_src:
        # the plain links: lstat in C (map), sizes compared as one list; only the entries that differ (or all, when
        # one is missing) get a close look
        sizes = unit.link_size
        suspects: Sequence[int]
        try:
            stats = list(map(os.lstat, unit.link_src))
        except OSError:
            suspects = range(len(sizes))
        else:
            if set(map(stat.S_IFMT, map(_MODE, stats))) == {stat.S_IFREG} and list(map(_SIZE, stats)) == sizes:
                suspects = range(0)
            else:
                suspects = [i for i, (st, n) in enumerate(zip(stats, sizes, strict=True))
                            if not stat.S_ISREG(st.st_mode) or (n is not None and st.st_size != n)]
        if suspects:
            root = str(unit.info.extracted_dir) + "/"
            src = unit.link_src
            out += _close_look(unit, [(PathEntry(src[i][len(root):], "hardlink", None, sizes[i]), src[i])
                                      for i in suspects], settings)
    # the other entries (softlinks, placeholder files, no_link): few, each looked at
    out += _close_look(unit, [(op.entry, op.source) for op in unit.ops
                              if op.entry is not None and op.source is not None], settings)
    return out


_MODE = operator.attrgetter("st_mode")
_SIZE = operator.attrgetter("st_size")


def _close_look(unit: LinkUnit, items: Sequence[tuple[PathEntry, str]],
                settings: LinkSettings) -> list[VerificationError]:
    from ._fs import sha256_file

    out = []
    for e, src in items:
        problem = None
        try:
            st = os.lstat(src)
        except FileNotFoundError:
            problem = "is listed in the package manifest but missing from the cache"
        else:
            is_link = stat.S_ISLNK(st.st_mode)
            if e.path_type == "softlink":
                if not is_link:
                    problem = "is listed as a softlink but is not a symlink in the cache"
                else:
                    target = os.readlink(src)
                    norm = os.path.normpath(os.path.join(os.path.dirname(e.path), target))
                    if not target or os.path.isabs(target) or norm.startswith(".."):
                        problem = f"is a softlink whose target {target!r} leaves the package"
            elif is_link:
                problem = "is listed as a file but is a symlink in the cache"
            elif e.size is not None and st.st_size != e.size:
                problem = f"has an incorrect size ({st.st_size} bytes, expected {e.size})"
            elif settings.extra_safety_checks and e.sha256:
                actual = sha256_file(src)
                if actual != e.sha256:
                    problem = f"has a sha256 mismatch ({actual}, expected {e.sha256})"
        if problem:
            out.append(VerificationError(unit.dist, e.path, problem))
    return out


def check_conflicts(units: Sequence[LinkUnit], unlink_paths: set[str], *, owners: dict[str, str],
                    unlinking: set[str], disk: DiskView, settings: LinkSettings, reporter: Reporter) -> None:
    """conda's path_conflict: shared paths within the transaction, and paths owned by others or by no package."""
    last: dict[str, int] = {}
    total = 0
    for i, unit in enumerate(units):
        last.update(dict.fromkeys(unit.files, i))
        total += len(unit.files)
    if len(last) == total and not owners and (disk.empty or disk.fresh):
        return  # a new prefix and no path shared within the transaction: nothing can conflict
    for i, unit in enumerate(units):
        for target in unit.files:
            if last[target] != i:
                unit.skip.add(target)
                _conflict(ClobberError(target, units[last[target]].dist, unit.dist), settings, reporter)
            if target in unlink_paths:
                continue
            owner = owners.get(target)
            if owner is not None and owner not in unlinking and owner != unit.record.name:
                _conflict(ClobberError(target, unit.dist, owner), settings, reporter)
            elif owner is None and not disk.empty and disk.exists(target):
                _conflict(ClobberError(target, unit.dist, None), settings, reporter)


def _conflict(err: ClobberError, settings: LinkSettings, reporter: Reporter) -> None:
    if settings.path_conflict == "prevent":
        raise err
    if settings.path_conflict == "warn":
        reporter.warning(f"clobber: {err}")


def check_prefix_length(units: Sequence[LinkUnit], prefix: Path) -> None:
    for unit in units:
        for op in unit.ops:
            e = op.entry
            if (op.how == "stage" and e and e.file_mode == "binary" and e.prefix_placeholder
                    and needs_padding_room(e.prefix_placeholder, str(prefix))):
                raise PrefixTooLong(unit.dist, op.target, e.prefix_placeholder, str(prefix))


def check_writable_and_space(units: Sequence[LinkUnit], prefix: Path) -> None:
    anchor = existing_ancestor(prefix)
    if not anchor.is_dir():
        raise NotWritable(anchor, "not a directory")
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise NotWritable(anchor)
    meta = prefix / "conda-meta"
    if meta.exists() and not os.access(meta, os.W_OK | os.X_OK):
        raise NotWritable(meta)
    need = 0
    for unit in units:
        need += 64 * 1024  # its record
        for op in unit.ops:
            if op.how in ("copy", "stage") and op.entry and op.entry.size:
                need += op.entry.size
            elif op.content is not None:
                need += len(op.content)
    try:
        free = shutil.disk_usage(anchor).free
    except OSError:
        return
    if need > free:
        raise InsufficientSpace(prefix, need, free)


def prelink_messages(units: Sequence[LinkUnit], reporter: Reporter) -> None:
    for unit in units:
        folder = unit.info.extracted_dir / "info" / "prelink_messages"
        if not folder.is_dir():
            continue
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            reporter.message(unit.dist, f.read_text(encoding="utf-8", errors="replace"), "prelink")
