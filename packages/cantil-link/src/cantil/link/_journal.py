"""The transaction journal (conda-meta/.cantil-journal) and the rollback that reads it.

Before the first change a transaction writes its plan, atomically and fsynced: every prefix-relative path it may
touch with whether something was there at plan time (`paths`), the directories it may create (`new_dirs`), the
directories unlinking may empty (`old_dirs`) and, when scripts run, a listing of the prefix (`snapshot`). One rule
makes every state reachable by a crash recoverable:

    a path that held something at plan time is only ever changed after that something was renamed into
    conda-meta/.cantil-txn/backup/<path> (or hardlinked there, for a file rewritten in place).

So rollback, path by path, newest first: a backup exists -> put it back (replacing whatever is there); no backup and
nothing was there -> remove what is there; no backup but something was there -> it was never touched. Each step is a
rename or an unlink, so rollback can itself be interrupted and run again. After the plan, the journal gets one more
line, `{"state": "committed"}`, once everything is in place; a committed journal is completed (backups deleted), an
uncommitted one is rolled back. The file operations themselves are not fsynced (a SIGKILL loses nothing the kernel
has; a power cut may).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
from pathlib import Path

from ._fs import LOCK_NAME, fsync_dir
from ._struct import Struct
from .errors import JournalError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

JOURNAL_NAME = ".cantil-journal"
TXN_DIR_NAME = ".cantil-txn"
_OURS = {JOURNAL_NAME, TXN_DIR_NAME, LOCK_NAME}


class Plan(Struct):
    __slots__ = ("id", "new_dirs", "old_dirs", "paths", "snapshot")

    def __init__(self, paths: dict[str, bool] | None = None, new_dirs: list[str] | None = None,
                 old_dirs: list[str] | None = None, snapshot: list[str] | None = None, id: str | None = None) -> None:
        self.paths: dict[str, bool] = {} if paths is None else paths  # rel -> had something at plan time
        self.new_dirs: list[str] = [] if new_dirs is None else new_dirs
        self.old_dirs: list[str] = [] if old_dirs is None else old_dirs
        self.snapshot = snapshot
        self.id = os.urandom(16).hex() if id is None else id

    def to_json(self) -> dict[str, Any]:
        # two flat lists (cheap to encode for 20,000 paths); the order within each is the order of the plan
        if any(self.paths.values()):
            had, new = [p for p, h in self.paths.items() if h], [p for p, h in self.paths.items() if not h]
        else:  # a new prefix: nothing was there (the lists made in C)
            had, new = [], list(self.paths)
        return {"version": 1, "id": self.id, "pid": os.getpid(), "had": had, "new": new,
                "new_dirs": self.new_dirs, "old_dirs": self.old_dirs, "snapshot": self.snapshot}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        paths = dict.fromkeys(data["had"], True)
        paths.update(dict.fromkeys(data["new"], False))
        return cls(paths=paths, new_dirs=list(data["new_dirs"]), old_dirs=list(data.get("old_dirs", ())),
                   snapshot=data.get("snapshot"), id=data["id"])


class Journal:
    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self.meta = prefix / "conda-meta"
        self.path = self.meta / JOURNAL_NAME
        self.txn_dir = self.meta / TXN_DIR_NAME
        self.backup_dir = self.txn_dir / "backup"
        self.stage_dir = self.txn_dir / "stage"
        self._sync: threading.Thread | None = None
        self._sync_error: BaseException | None = None

    def exists(self) -> bool:
        return self.path.exists()

    def begin(self, plan: Plan) -> None:
        self.meta.mkdir(parents=True, exist_ok=True)
        if self.txn_dir.exists():
            import shutil  # only when a transaction's backups go: its import is not free
            shutil.rmtree(self.txn_dir)
        self.backup_dir.mkdir(parents=True)
        self.stage_dir.mkdir()
        tmp = self.meta / f"{JOURNAL_NAME}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(plan.to_json(), separators=(",", ":")) + "\n")
        os.replace(tmp, self.path)
        # fsync in the background while the caller prepares (staging writes only inside .cantil-txn); durable()
        # waits for it before the first change in the prefix
        self._sync_error = None
        self._sync = threading.Thread(target=self._fsync, name="cantil-journal-fsync", daemon=True)
        self._sync.start()

    def _fsync(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            fsync_dir(self.meta)
        except BaseException as e:  # reported by durable()
            self._sync_error = e

    def durable(self) -> None:
        """Wait until the plan is on disk (raises what fsync raised)."""
        sync = self._sync
        if sync is not None:
            sync.join()
            self._sync = None
            if self._sync_error is not None:
                raise self._sync_error

    def commit(self) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write('{"state":"committed"}\n')
            f.flush()
            os.fsync(f.fileno())

    def read(self) -> tuple[Plan, bool]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise JournalError(self.path, str(e)) from e
        try:
            plan = Plan.from_json(json.loads(lines[0]))
        except (IndexError, ValueError, KeyError, TypeError) as e:
            raise JournalError(self.path, f"bad plan ({e})") from e
        committed = False
        for line in lines[1:]:
            with contextlib.suppress(ValueError):
                if json.loads(line).get("state") == "committed":
                    committed = True
        return plan, committed

    def finish(self) -> None:
        """Forget the transaction: delete backups and staged files, then the journal."""
        sync = self._sync
        if sync is not None:
            sync.join()
        if self.txn_dir.exists():
            import shutil  # only when a transaction's backups go: its import is not free
            shutil.rmtree(self.txn_dir, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        fsync_dir(self.meta)

    def backup(self, rel: str) -> Path:
        return self.backup_dir / rel


def _remove(path: Path) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        import shutil  # only when a transaction's backups go: its import is not free
        shutil.rmtree(path)
    else:
        os.unlink(path)


def rollback(journal: Journal, plan: Plan) -> list[BaseException]:
    """Undo everything `plan` may have done; idempotent. Returns the errors met (each path is still tried)."""
    errors: list[BaseException] = []
    prefix = journal.prefix
    for rel in reversed(list(plan.paths)):
        had = plan.paths[rel]
        b = journal.backup(rel)
        t = prefix / rel
        try:
            if os.path.lexists(b):
                _remove(t)
                t.parent.mkdir(parents=True, exist_ok=True)
                os.replace(b, t)
            elif not had:
                _remove(t)
        except OSError as e:
            errors.append(e)
    for d in plan.old_dirs:
        with contextlib.suppress(OSError):
            (prefix / d).mkdir(parents=True, exist_ok=True)
    if plan.snapshot is not None:
        errors.extend(_restore_snapshot(prefix, set(plan.snapshot)))
    for d in sorted(plan.new_dirs, key=lambda p: p.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            (prefix / d).rmdir()
    return errors


def snapshot(prefix: Path) -> list[str]:
    """Every file, link and directory under `prefix` (directories with a trailing '/'), our own files excluded."""
    out: list[str] = []
    root = str(prefix)
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        if rel_dir == "conda-meta/":
            dirnames[:] = [d for d in dirnames if d not in _OURS]
            filenames = [f for f in filenames if f not in _OURS and not f.startswith(JOURNAL_NAME)]
        for d in list(dirnames):
            if os.path.islink(os.path.join(dirpath, d)):
                out.append(rel_dir + d)  # a link to a directory is a file here: never descended, unlinked
                dirnames.remove(d)
            else:
                out.append(f"{rel_dir}{d}/")
        for f in filenames:
            out.append(rel_dir + f)
    return out


def _restore_snapshot(prefix: Path, before: set[str]) -> list[BaseException]:
    errors: list[BaseException] = []
    now = snapshot(prefix)
    for rel in sorted(now, key=lambda p: p.rstrip("/").count("/"), reverse=True):
        if rel in before:
            continue
        if rel.endswith("/"):
            with contextlib.suppress(OSError):
                (prefix / rel).rmdir()
            continue
        try:
            os.unlink(prefix / rel)
        except FileNotFoundError:
            pass
        except OSError as e:
            errors.append(e)
    return errors
