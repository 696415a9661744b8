"""The execution phases of a Transaction, each keeping the journal rule (see _journal): a path that held something at
plan time is renamed into the backup before it is changed. Linking runs in `execute_threads` threads; no two
operations touch the same path (shared paths are written by their last package only).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from . import _plan, _python
from ._history import History
from ._portability import PaddingTooShort, replace_binary, replace_text
from ._scripts import run_script, script_path
from .errors import PrefixTooLong, ScriptError

if TYPE_CHECKING:
    from cantil.specs import PackageRecord

    from ._journal import Journal, Plan
    from ._package import PackageInfo
    from ._transaction import Transaction

T = TypeVar("T")
_FALLBACK_ERRNOS = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EACCES, errno.ENOTSUP}


class Executor:
    def __init__(self, tx: Transaction, journal: Journal, plan: Plan) -> None:
        self.tx = tx
        self.journal = journal
        self.plan = plan
        self.prefix = tx.prefix
        self.prefix_s = str(tx.prefix)
        self.rep = tx.reporter
        s = tx.settings
        self.threads = s.execute_threads or min(4, os.cpu_count() or 1)
        self._texts: dict[str, str] = {}

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _parallel(self, fn: Callable[[T], None], items: list[T], meanwhile: Callable[[], None] | None = None) -> None:
        """fn over items in `execute_threads` threads; `meanwhile` runs in this thread while the workers wait on
        the kernel. The first error stops the others taking new items and is raised once every worker has
        stopped (never roll back while a worker still writes). Plain threads: concurrent.futures costs ~8 ms of
        import (logging) for nothing here."""
        if self.threads <= 1 or len(items) < 2:
            for it in items:
                fn(it)
            if meanwhile is not None:
                meanwhile()
            return
        todo = iter(items)  # next() on a list iterator is atomic (GIL)
        stop: list[BaseException | None] = []  # non-empty: workers take no new item

        def worker() -> None:
            for item in todo:
                if stop:
                    return
                try:
                    fn(item)
                except BaseException as e:
                    stop.append(e)
                    return

        workers = [threading.Thread(target=worker, name=f"cantil-link-{i}", daemon=True)
                   for i in range(min(self.threads, len(items)))]
        for w in workers:
            w.start()
        try:
            if meanwhile is not None:
                meanwhile()
            for w in workers:
                w.join()
        except BaseException:
            stop.append(None)
            for w in workers:
                w.join()
            raise
        for e in stop:
            if e is not None:
                raise e

    def _backup(self, rel: str) -> bool:
        """Move the original at `rel` into the backup (once); True if something was moved."""
        b = self.journal.backup(rel)
        if os.path.lexists(b):
            return False
        src = os.path.join(self.prefix_s, rel)
        if not os.path.lexists(src):
            return False
        os.makedirs(os.path.dirname(b), exist_ok=True)
        os.rename(src, b)
        return True

    _hard = _plan.HARDLINK

    def _tmp(self, name: str) -> str:
        return str(self.journal.stage_dir / f"{name}.tmp")

    # -- phases ----------------------------------------------------------------------------------------------------

    def run(self) -> None:
        tx = self.tx
        self._stage()
        self._precompute_records()  # CPU work while the journal's fsync waits on the disk
        self.journal.durable()  # the plan is on disk before the first change in the prefix
        if tx.unlink_units:
            self.rep.phase("unlink")
            self._scripts_unlink("pre-unlink")
            self._unlink()
            self._scripts_unlink("post-unlink")
        if tx.link_units:
            self.rep.phase("link")
            self._pre_link()
            self._link()
            self.rep.phase("post-link")
            self._post_link()
            self._compile()
        self.rep.phase("records")
        self._records()
        self._history()

    def _stage(self) -> None:
        """Rewrite every placeholder file into the stage directory: no prefix file changes yet."""
        n = 0
        stage = str(self.journal.stage_dir) + "/"
        for unit in self.tx.link_units:
            for op in unit.ops:
                if op.how != "stage" or op.target in unit.skip or op.entry is None or op.source is None:
                    continue
                e = op.entry
                data, mode = _read_all(op.source)
                try:
                    if e.file_mode == "binary":
                        new = replace_binary(data, e.prefix_placeholder or "", self.prefix_s)
                    else:
                        new = replace_text(data, e.prefix_placeholder or "", self.prefix_s)
                except PaddingTooShort as err:
                    raise PrefixTooLong(unit.dist, op.target, e.prefix_placeholder or "", self.prefix_s) from err
                staged = stage + str(n)
                n += 1
                _write(staged, new, mode & 0o7777)
                op.sha256_in_prefix = hashlib.sha256(new).hexdigest()
                op.content = None
                op.source, op.how = staged, "move"

    def _scripts_unlink(self, action: str) -> None:
        for u in self.tx.unlink_units:
            rel = f"bin/.{u.name}-{action}.sh"
            if rel not in u.files:
                continue
            # post-unlink: the file has been unlinked already; run the package's copy from the backup
            path = self.prefix / rel if action == "pre-unlink" else self.journal.backup(rel)
            if not path.is_file():
                continue
            version, bn = u.data.get("version", ""), u.data.get("build_number", 0)
            res = run_script(action=action, script=path, prefix=self.prefix, name=u.name, version=str(version),
                             build_number=int(bn or 0), root_prefix=self.tx.settings.root_prefix,
                             prelude=self.tx.activation_prelude, reporter=self.rep, dist=u.dist)
            if res.returncode != 0:
                self.rep.warning(f"{action} script failed for package {u.dist} (exit code {res.returncode}); "
                                 "consider notifying the package maintainer")

    def _unlink(self) -> None:
        units = self.tx.unlink_units

        def one(u: _plan.UnlinkUnit) -> None:
            for f in u.files:
                if self.plan.paths.get(f):
                    self._backup(f)

        self._parallel(one, units)
        for u in units:
            if self.plan.paths.get(u.record_rel):
                self._backup(u.record_rel)
        for d in sorted(self.plan.old_dirs, key=lambda p: p.count("/"), reverse=True):
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(self.prefix_s, d))

    def _pre_link(self) -> None:
        for unit in self.tx.link_units:
            path = script_path(unit.info.extracted_dir, unit.record.name, "pre-link")
            if not path.is_file():
                continue
            self.rep.warning(f"package {unit.dist} uses a pre-link script; pre-link scripts are potentially dangerous")
            res = run_script(action="pre-link", script=path, prefix=self.prefix, name=unit.record.name,
                             version=str(unit.record.version), build_number=int(unit.record.build_number),
                             root_prefix=self.tx.settings.root_prefix, prelude=None, reporter=self.rep,
                             source_dir=unit.info.extracted_dir, dist=unit.dist)
            if res.returncode != 0:
                raise ScriptError(unit.dist, "pre-link", path, res.returncode, res.output)

    def _link(self) -> None:
        root = self.prefix_s + "/"
        for d in self.tx.needed_dirs:  # parents first; unlinking may have removed some that existed at plan time
            try:
                os.mkdir(root + d)
            except FileExistsError:
                if not os.path.isdir(root + d):
                    raise
            except FileNotFoundError:
                os.makedirs(root + d, exist_ok=True)
        plan_paths = self.plan.paths
        # targets holding something at plan time: the careful path (a new prefix has none: `any` runs in C)
        had = {p for p, h in plan_paths.items() if h} if any(plan_paths.values()) else set()
        fast_src: list[str] = []  # plain hardlinks onto nothing: a tight loop
        fast_dst: list[str] = []
        slow: list[tuple[_plan.LinkUnit | int, _plan.FileOp]] = []
        for unit in self.tx.link_units:
            skip = unit.skip
            if not had and not skip:
                fast_src += unit.link_src  # plain links exist only when hardlinking
                fast_dst += unit.link_dst
            else:  # an existing prefix or a clobber: the plain links onto something take the careful path
                for src, dst in zip(unit.link_src, unit.link_dst, strict=True):
                    if dst in skip:
                        continue
                    if dst in had:
                        slow.append((unit, _plan.FileOp(dst, "link", src)))
                    else:
                        fast_src.append(src)
                        fast_dst.append(dst)
            for op in unit.ops:
                if op.target in unit.skip:
                    continue
                if op.how == "link" and unit.link_type == _plan.HARDLINK and op.target not in had:
                    fast_src.append(op.source or "")
                    fast_dst.append(op.target)
                else:
                    slow.append((unit, op))
        n = len(fast_src)
        chunk = max(256, n // (self.threads * 2) + 1)
        self._parallel(self._link_fast, [(fast_src[i:i + chunk], fast_dst[i:i + chunk]) for i in range(0, n, chunk)])
        chunk = max(64, len(slow) // (self.threads * 4) + 1)
        self._parallel(self._link_batch, [slow[i:i + chunk] for i in range(0, len(slow), chunk)])

    def _link_fast(self, batch: tuple[list[str], list[str]]) -> None:
        src, rel = batch
        root = self.prefix_s + "/"
        try:
            # the loop runs in C (map), the GIL is released in each link(2)
            deque(map(os.link, src, [root + r for r in rel]), maxlen=0)
        except OSError:
            # something exists already, or cannot be hardlinked: the careful path, which also accepts the
            # links this batch made before failing
            self._link_batch([(self._hard, _plan.FileOp(r, "link", s)) for s, r in zip(src, rel, strict=True)])

    def _link_batch(self, batch: list[tuple[_plan.LinkUnit | int, _plan.FileOp]]) -> None:
        prefix, paths = self.prefix_s, self.plan.paths
        for unit, op in batch:
            dst = f"{prefix}/{op.target}"
            if paths.get(op.target):
                self._backup(op.target)
            how = op.how
            if how == "link":
                lt = unit if isinstance(unit, int) else unit.link_type
                if lt == _plan.HARDLINK:
                    try:
                        os.link(op.source, dst)  # type: ignore[arg-type]
                        continue
                    except FileExistsError:
                        os.unlink(dst)
                        os.link(op.source, dst)  # type: ignore[arg-type]
                        continue
                    except OSError as e:
                        if e.errno not in _FALLBACK_ERRNOS:
                            raise
                        lt = _plan.SOFTLINK if self.tx.settings.allow_softlinks else _plan.COPY
                if lt == _plan.SOFTLINK:
                    _replace_with(dst, lambda d, s=op.source: os.symlink(s, d))  # type: ignore[misc]
                else:
                    _replace_with(dst, lambda d, s=op.source: _copy(s, d))  # type: ignore[misc]
            elif how == "copy":
                _replace_with(dst, lambda d, s=op.source: _copy(s, d))  # type: ignore[misc]
            elif how == "symlink":
                target = os.readlink(op.source or "")
                _replace_with(dst, lambda d, t=target: os.symlink(t, d))  # type: ignore[misc]
            elif how == "move":
                os.replace(op.source, dst)  # type: ignore[arg-type]
            elif how == "write":
                _replace_with(dst, lambda d, c=op.content, m=op.mode: _write(d, c or b"", m))  # type: ignore[misc]

    def _post_link(self) -> None:
        for unit in self.tx.link_units:
            path = script_path(self.prefix, unit.record.name, "post-link")
            if f"bin/.{unit.record.name}-post-link.sh" not in unit.files or not path.is_file():
                continue
            res = run_script(action="post-link", script=path, prefix=self.prefix, name=unit.record.name,
                             version=str(unit.record.version), build_number=int(unit.record.build_number),
                             root_prefix=self.tx.settings.root_prefix, prelude=self.tx.activation_prelude,
                             reporter=self.rep, dist=unit.dist)
            if res.returncode != 0:
                raise ScriptError(unit.dist, "post-link", path, res.returncode, res.output)

    def _compile(self) -> None:
        py = self.tx._python
        files = [p for unit in self.tx.link_units for p, _ in unit.pyc]
        if not files or py is None or not self.tx.settings.compile_pyc:
            return
        ran, output = _python.compile_pyc(self.prefix, py.exe, files)
        if not ran:
            self.rep.warning(f".pyc files not compiled ({output.strip()[:300]}); the packages still work")

    def _precompute_records(self) -> None:
        """Encode the records of packages without .pyc (their content is known once placeholders are staged)."""
        for unit in self.tx.link_units:
            if not unit.pyc:
                self._texts[unit.record_rel] = record_json(self._record_data(unit))

    def _records(self) -> None:
        for unit in self.tx.link_units:
            text = self._texts.get(unit.record_rel) or record_json(self._record_data(unit))
            dst = os.path.join(self.prefix_s, unit.record_rel)
            if self.plan.paths.get(unit.record_rel):
                self._backup(unit.record_rel)
            tmp = self._tmp(os.path.basename(dst))
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, dst)

    def _record_data(self, unit: _plan.LinkUnit) -> dict[str, Any]:
        from cantil.specs import PrefixRecord

        record = unit.record
        rr = unit.info.extracted_dir / "info" / "repodata_record.json"
        with contextlib.suppress(OSError, ValueError):
            cached = json.loads(rr.read_text())
            fill = {k: cached[k] for k in ("md5", "sha256", "size", "url", "fn")
                    if not getattr(record, k, None) and cached.get(k)}
            if fill:
                record = record.replace(**fill)
        files = unit.files + [pyc for _, pyc in unit.pyc]
        staged = {op.index: op.sha256_in_prefix for op in unit.ops if op.sha256_in_prefix and op.index >= 0}
        info = unit.info
        raw_text = None
        if unit.as_listed and not unit.pyc and not info.dirs and all(i in info.spans for i in staged):
            # every entry is paths.json's own, in its order: the record reuses the text as read, with the
            # rewritten entries (sha256_in_prefix added) spliced in
            raw_text = info.paths_text
            if raw_text is not None and staged:
                raw_text = _splice(raw_text, info, staged)
        if raw_text is not None:
            paths_data: Any = RawJSON('{"paths_version": 1, "paths": ' + raw_text + "}")
        else:
            paths_data = {"paths_version": 1, "paths": self._paths_data(unit, staged)}
        tarball = None
        for ext in (".conda", ".tar.bz2"):
            cand = unit.info.extracted_dir.with_name(unit.info.extracted_dir.name + ext)
            if cand.exists():
                tarball = str(cand)
                break
        specs = unit.requested_specs
        data = PrefixRecord.from_record(
            record,
            files=files,
            paths_data=paths_data,
            link={"source": str(unit.info.extracted_dir), "type": unit.link_type},
            extracted_package_dir=str(unit.info.extracted_dir),
            package_tarball_full_path=tarball,
            requested_spec=specs[-1] if specs else None,
            requested_specs=list(specs),
        ).to_dict()
        if unit.info.noarch and "noarch" not in data:
            data["noarch"] = unit.info.noarch
        return data

    def _paths_data(self, unit: _plan.LinkUnit, staged: dict[int, str]) -> list[dict[str, Any]]:
        entries = [e for e in unit.info.paths if e.path_type != "directory"]  # aligned with info.files
        paths: list[dict[str, Any]] = []
        for i, e in enumerate(entries):
            target = unit.files[i]
            if e.raw is not None and target == e.path and i not in staged and "_path" in e.raw:
                d = e.raw  # unchanged: serialised as read
            else:
                d = e.to_paths_data()
                d["_path"] = target
                if i in staged:
                    d["sha256_in_prefix"] = staged[i]
            paths.append(d)
        generated = [op for op in unit.ops if op.index < 0]  # entry points, in the order of unit.files
        for target, op in zip(unit.files[len(entries):], generated, strict=True):
            paths.append({"_path": target, "path_type": "unix_python_entry_point",
                          "size_in_bytes": len(op.content or b"")})
        for _, pyc in unit.pyc:
            d = {"_path": pyc, "path_type": "pyc_file"}
            with contextlib.suppress(OSError):
                d["size_in_bytes"] = os.path.getsize(os.path.join(self.prefix_s, pyc))
            paths.append(d)
        paths.extend(e.to_paths_data() for e in unit.info.paths if e.path_type == "directory")
        return paths

    def _history(self) -> None:
        from cantil.specs import PrefixRecord

        history = History(self.prefix)
        current = set()
        unlinked = {u.name for u in self.tx.unlink_units}
        for name, data in self.tx._installed_raw.items():
            if name not in unlinked:
                current.add(_dist_str(PrefixRecord.from_dict(data)))
        for unit in self.tx.link_units:
            current.add(_dist_str(unit.record))
        text = history.render(current, command_line=self.tx.command_line, update_specs=self.tx.requested_specs,
                              remove_specs=self.tx.removed_specs, neutered_specs=self.tx.neutered_specs)
        path = str(history.path)
        old = b""
        if self.plan.paths.get("conda-meta/history"):
            b = self.journal.backup("conda-meta/history")
            if not os.path.lexists(b):
                os.makedirs(os.path.dirname(b), exist_ok=True)
                os.link(path, b)  # the original stays in the backup; the new file replaces it
            with open(b, "rb") as f:
                old = f.read()
        tmp = self._tmp("history")
        with open(tmp, "wb") as f:
            f.write(old + text.encode())
        os.replace(tmp, path)


def _dist_str(record: PackageRecord) -> str:
    """conda's dist_str: `channel/subdir::name-version-build` with the canonical channel name."""
    channel = record.channel or "<unknown>"
    head = f"{channel}/{record.subdir}" if record.subdir else channel
    return f"{head}::{record.name}-{record.version}-{record.build}"


class RawJSON:
    """A value already encoded (paths_data reusing paths.json's text); record_json writes it as is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _splice(text: str, info: PackageInfo, staged: dict[int, str]) -> str | None:
    """paths.json's array text with each staged entry's object replaced by the entry plus its sha256_in_prefix
    (the same dict the record would otherwise encode); None when a span does not frame an object."""
    out: list[str] = []
    last = 0
    for i in sorted(staged, key=lambda i: info.spans[i][0]):
        start, end = info.spans[i]
        if start < last or text[start:start + 1] != "{" or text[end - 1:end] != "}":
            return None
        d = info.special[i].to_paths_data()
        d["sha256_in_prefix"] = staged[i]
        out += (text[last:start], _dumps(d))
        last = end
    out.append(text[last:])
    return "".join(out)


_ESCAPED = bytes(range(32)) + b'"\\'  # what the encoder escapes when ensure_ascii is off


def _strings(items: list[str]) -> str:
    """A list of strings as the encoder writes it; when nothing needs escaping (the rule), in one join. The check
    runs on the UTF-8 bytes (every byte of a multi-byte character is >= 0x80), `translate` in C."""
    try:
        text = '", "'.join(items)
        raw = text.encode("utf-8")
    except (TypeError, UnicodeEncodeError):
        return _dumps(items)
    if items and len(raw.translate(None, _ESCAPED)) == len(raw):
        return f'["{text}"]'
    return _dumps(items)


def record_json(data: dict[str, Any]) -> str:
    """One top-level key a line (readable, like conda's), each value in the C encoder (json.dump with indent is
    pure Python and takes seconds for 20,000 paths); one join at the end (paths_data is ~0.5 MB of text)."""
    parts = ["{"]
    for k in sorted(data):
        v = data[k]
        text = v.text if isinstance(v, RawJSON) else _strings(v) if k == "files" and type(v) is list else _dumps(v)
        parts += ("\n  ", _dumps(k), ": ", text, ",")
    if len(parts) == 1:
        return "{}\n"
    parts[-1] = "\n}\n"
    return "".join(parts)


def _replace_with(dst: str, make: Callable[[str], None]) -> None:
    try:
        make(dst)
    except FileExistsError:
        os.unlink(dst)
        make(dst)


def _copy(src: str, dst: str) -> None:
    if os.path.islink(src):
        os.symlink(os.readlink(src), dst)
        return
    import shutil  # lazily: hardlinks need no copy

    shutil.copyfile(src, dst)
    os.chmod(dst, os.stat(src).st_mode & 0o7777)


def _write(dst: str, content: bytes, mode: int) -> None:
    """A new file with exactly `mode` (not masked by the umask): os-level calls, no file object."""
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _read_all(path: str) -> tuple[bytes, int]:
    """A file's bytes and mode: os-level calls, no file object."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        chunks = [os.read(fd, st.st_size + 1)]
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 20))
        return b"".join(chunks), st.st_mode
    finally:
        os.close(fd)

