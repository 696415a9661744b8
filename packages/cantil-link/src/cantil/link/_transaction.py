"""Transaction: the solver's diff applied to a prefix, in conda's order, journaled, rolled back on any failure.

Order (conda's UnlinkLinkTransaction): pre-unlink scripts, unlink (files to the journal's backup, then records, then
emptied directories), post-unlink scripts, pre-link scripts, link (parallel), entry points, post-link scripts (one
package at a time, dependency order), .pyc compilation, records, history; then the journal commits, backups are
deleted and the environment is registered. Any exception (a script, a disk error, KeyboardInterrupt) rolls back
newest first, with SIGINT ignored while it runs.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _plan
from ._cache import PackageCache
from ._exec import Executor
from ._fs import PrefixLock
from ._history import default_environments_txt, register_environment
from ._journal import Journal, Plan, rollback, snapshot
from ._prefix import PrefixData
from ._scripts import script_path
from ._settings import LinkSettings, Reporter
from .errors import LinkError, TransactionFailed

if TYPE_CHECKING:
    from cantil.specs import PackageRecord, PrefixRecord

    from ._cache import DownloadLike


class Transaction:
    """Unlink then link packages in one prefix. Build it with `prepare`, then `execute()`."""

    def __init__(self, prefix: Path, unlink: Sequence[PrefixRecord], link: Sequence[PackageRecord],
                 extracted: dict[PackageRecord, Path], settings: LinkSettings, *, requested_specs: Sequence[str],
                 removed_specs: Sequence[str], neutered_specs: Sequence[str],
                 activation_prelude: Callable[[Path], str] | None, reporter: Reporter | None,
                 command_line: str, cache: PackageCache | None = None) -> None:
        self.prefix = Path(os.path.abspath(prefix))
        self.unlink_records = list(unlink)
        self.link_records = _plan.dependency_order(list(link))
        self.extracted = extracted
        self.settings = settings
        self.requested_specs = list(requested_specs)
        self.removed_specs = list(removed_specs)
        self.neutered_specs = list(neutered_specs)
        self.activation_prelude = activation_prelude
        self.reporter = reporter or Reporter()
        self.command_line = command_line
        self.cache = cache
        self.link_units: list[_plan.LinkUnit] = []
        self.unlink_units: list[_plan.UnlinkUnit] = []
        self._verified = False
        self._seen_meta: list[str] | None = None
        self.needed_dirs: list[str] = []

    @classmethod
    def prepare(cls, prefix: Path | str, *, unlink: Sequence[PrefixRecord] = (), link: Sequence[PackageRecord] = (),
                cache: PackageCache | None = None, download: DownloadLike | None = None,
                settings: LinkSettings | None = None, requested_specs: Sequence[str] = (),
                removed_specs: Sequence[str] = (), neutered_specs: Sequence[str] = (),
                activation_prelude: Callable[[Path], str] | None = None, reporter: Reporter | None = None,
                command_line: str = "") -> Transaction:
        """Fetch and extract what the cache lacks, and return the transaction (not yet verified nor executed)."""
        settings = settings or LinkSettings()
        extracted: dict[PackageRecord, Path] = {}
        if link:
            if cache is None:
                raise ValueError("a transaction that links packages needs a PackageCache")
            extracted = cache.ensure(list(link), download, reporter=reporter, threads=settings.fetch_threads)
        return cls(Path(prefix), unlink, link, extracted, settings, requested_specs=requested_specs,
                   removed_specs=removed_specs, neutered_specs=neutered_specs, activation_prelude=activation_prelude,
                   reporter=reporter, command_line=command_line, cache=cache)

    @property
    def nothing_to_do(self) -> bool:
        return not self.unlink_records and not self.link_records

    # -- verification -------------------------------------------------------------------------------------------

    def verify(self) -> None:
        """Every check conda makes before changing anything; raises a LinkError, or warns through the reporter."""
        if self.nothing_to_do:
            self._verified = True
            return
        with _gc_paused():
            self._verify()

    def _verify(self) -> None:
        if Journal(self.prefix).exists():
            from ._recover import recover

            recover(self.prefix, reporter=self.reporter, timeout=self.settings.lock_timeout)
        self._seen_meta = self._meta_listing()
        self._plan_units()
        _plan.check_prefix_length(self.link_units, self.prefix)
        _plan.check_safety(self.link_units, self.settings, self.reporter)
        _plan.check_writable_and_space(self.link_units, self.prefix)
        self._check_conflicts()
        _plan.prelink_messages(self.link_units, self.reporter)
        self._verified = True

    def _meta_listing(self) -> list[str]:
        try:
            return sorted(f for f in os.listdir(self.prefix / "conda-meta") if f.endswith(".json"))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def _plan_units(self) -> None:
        pd = PrefixData(self.prefix)
        raw = pd.raw()
        installed = {name: data for name, (_, data) in raw.items()}
        self.unlink_units = []
        unlink_names = set()
        for rec in reversed(_plan.dependency_order(self.unlink_records)):
            name = rec.name
            unlink_names.add(name)
            if name in raw:
                path, data = raw[name]
                self.unlink_units.append(_plan.UnlinkUnit(name, path.stem, data, f"conda-meta/{path.name}"))
            else:
                data = {"files": list(getattr(rec, "files", ()) or ()), "name": name}
                dist = f"{rec.name}-{rec.version}-{rec.build}"
                self.unlink_units.append(_plan.UnlinkUnit(name, dist, data, f"conda-meta/{dist}.json"))
        py = _plan.python_info(self.link_records, installed, unlink_names)
        requested: dict[str, list[str]] = {}
        for spec in self.requested_specs:
            requested.setdefault(_plan.spec_name(spec), []).append(spec)
        self.link_units = []
        writable = None
        if self.cache is not None:
            with contextlib.suppress(LinkError):
                writable = self.cache.writable_dir  # manifests are cached there only (other caches: never written)
        # the safety checks (one lstat per cache file, `map` in C) run after, in this thread: checking in threads
        # while the next package is parsed was slower (each lstat waits for the GIL that the parser holds)
        for rec in self.link_records:
            extracted = self.extracted.get(rec)
            if extracted is None and self.cache is not None:
                extracted = self.cache.extracted(rec)
            if extracted is None:
                raise LinkError(f"{rec.name}-{rec.version}-{rec.build} is not in the package cache")
            self.link_units.append(_plan.build_link_unit(rec, extracted, self.prefix, settings=self.settings, py=py,
                                                         requested=requested.get(rec.name, []),
                                                         cache_manifest=extracted.parent == writable))
        self._python = py
        self._installed_raw = installed
        self._owners = pd.owners()

    def _check_conflicts(self) -> None:
        unlink_paths = {f for u in self.unlink_units for f in u.files}
        disk = _plan.DiskView(self.prefix)
        _plan.check_conflicts(self.link_units, unlink_paths, owners=self._owners,
                              unlinking={u.name for u in self.unlink_units}, disk=disk, settings=self.settings,
                              reporter=self.reporter)

    # -- execution ----------------------------------------------------------------------------------------------

    def execute(self) -> None:
        """Apply the transaction under the prefix lock; on any failure roll back and raise."""
        if self.nothing_to_do:
            return
        with _gc_paused():
            self._execute()
        self._register()

    def _execute(self) -> None:
        if not self._verified:
            self._verify()  # fails before the lock creates anything
        lock = PrefixLock(self.prefix, self.settings.lock_timeout)
        created_prefix = not self.prefix.exists()
        lock.acquire()
        try:
            journal = Journal(self.prefix)
            if journal.exists():
                from ._recover import recover_locked

                recover_locked(self.prefix, self.reporter)
            if self._meta_listing() != self._seen_meta:
                self._verify()  # another process changed the prefix since: check again under the lock
            plan = self._make_plan()
            journal.begin(plan)
            try:
                Executor(self, journal, plan).run()
                journal.commit()
            except BaseException as exc:
                self._rollback(journal, plan, exc, created_prefix)
            journal.finish()
        finally:
            lock.release()

    def _make_plan(self) -> Plan:
        disk = _plan.DiskView(self.prefix)
        plan = Plan()
        paths = plan.paths
        old_dirs: set[str] = set()
        for u in self.unlink_units:
            for f in u.files:
                parent = f.rpartition("/")[0]
                if disk.exists(f):
                    paths[f] = True
                else:
                    # listed but absent (a .pyc that could not be compiled): the folders made for it may exist and
                    # are emptied like any other (as conda does); only existing ones, so rollback makes no new folder
                    while parent and parent not in old_dirs and not disk.is_dir(parent):
                        parent = parent.rpartition("/")[0]
                while parent and parent not in old_dirs:
                    old_dirs.add(parent)
                    parent = parent.rpartition("/")[0]
            paths[u.record_rel] = disk.exists(u.record_rel)
        needed_dirs: set[str] = {"conda-meta"}
        for unit in self.link_units:
            targets = [*unit.targets(), unit.record_rel]
            if disk.empty or disk.fresh:  # targets are never our conda-meta dot-files
                paths.update(dict.fromkeys(targets, False))
            else:
                for t in targets:
                    if t not in paths:
                        # a folder where a file goes is not "something to back up": unlinking empties it or
                        # linking fails
                        paths[t] = disk.exists(t) and not disk.is_dir(t)
            for parent in unit.parents():
                while parent and parent not in needed_dirs:
                    needed_dirs.add(parent)
                    parent = parent.rpartition("/")[0]
        if "conda-meta/history" not in paths:
            paths["conda-meta/history"] = disk.exists("conda-meta/history")
        self.needed_dirs = sorted(needed_dirs, key=lambda d: (d.count("/"), d))
        plan.new_dirs = [d for d in self.needed_dirs if not disk.is_dir(d)]
        plan.old_dirs = sorted(old_dirs - {"conda-meta"})
        if self._has_scripts():
            plan.snapshot = snapshot(self.prefix) if self.prefix.exists() else []
        return plan

    def _has_scripts(self) -> bool:
        for u in self.unlink_units:
            for action in ("pre-unlink", "post-unlink"):
                if f"bin/.{u.name}-{action}.sh" in u.files:
                    return True
        for unit in self.link_units:
            for action, base in (("pre-link", unit.info.extracted_dir), ("post-link", unit.info.extracted_dir)):
                if script_path(base, unit.record.name, action).exists():
                    return True
        return False

    def _rollback(self, journal: Journal, plan: Plan, exc: BaseException, created_prefix: bool) -> None:
        self.reporter.phase("rollback")
        previous = None
        if threading.current_thread() is threading.main_thread():
            import signal

            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            errors = rollback(journal, plan)
            if not errors:
                journal.finish()
                if created_prefix:
                    _remove_created_prefix(self.prefix)
            # else: the journal and its backups stay, so that recover() (the next command) can finish the job
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        if isinstance(exc, LinkError) and not errors:
            exc.rolled_back = True  # type: ignore[attr-defined]
            raise exc
        if not isinstance(exc, Exception):
            raise exc  # KeyboardInterrupt, SystemExit: the prefix is restored, the interruption goes on
        failed = TransactionFailed(exc, errors)
        if errors:
            failed.hint = "the rollback was incomplete: run the command again to recover the prefix"
        raise failed from exc

    def _register(self) -> None:
        reg = self.settings.environments_txt
        if reg is False or not self.link_units:
            return
        path = default_environments_txt() if reg is None else Path(reg)
        try:
            register_environment(self.prefix, path)
        except OSError as e:
            self.reporter.warning(f"could not register {self.prefix} in {path}: {e}")

    def summary(self) -> dict[str, Any]:
        return {"PREFIX": str(self.prefix),
                "UNLINK": [f"{r.name}-{r.version}-{r.build}" for r in self.unlink_records],
                "LINK": [f"{r.name}-{r.version}-{r.build}" for r in self.link_records]}


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic GC paused: a transaction allocates tens of thousands of short-lived objects (stat results, paths)
    and makes no garbage cycles worth collecting; collections triggered by them cost a few percent."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _remove_created_prefix(prefix: Path) -> None:
    meta = prefix / "conda-meta"
    with contextlib.suppress(OSError):
        (meta / ".cantil.lock").unlink()
    for d in (meta, prefix):
        with contextlib.suppress(OSError):
            d.rmdir()
