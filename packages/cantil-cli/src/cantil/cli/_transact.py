"""Wiring the packages below for one change of a prefix: index -> solve -> plan -> confirm -> transaction.

The cli only composes: cantil.repodata fetches (Index, Downloader), cantil.solver decides (SolveRequest, solve),
cantil.link changes the prefix (PackageCache, Transaction), cantil.activate provides the prelude scripts run in.
"""

from __future__ import annotations

import os
import shlex
import sys

from cantil.cli._context import channel_names, expand_channels, settings_of, stderr_is_tty
from cantil.cli._errors import CliError, CondaSystemExit, CondaValueError
from cantil.cli._progress import Progress
from cantil.cli._settings import Settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from pathlib import Path
    from typing import Any

    from cantil.link import LinkSettings, PackageCache
    from cantil.repodata import Index, RepodataSettings
    from cantil.specs import MatchSpec, PackageRecord, PrefixRecord


class Session:
    """One command's settings, output mode and lazily built collaborators."""

    def __init__(self, ns: argparse.Namespace, settings: Settings | None = None) -> None:
        self.ns = ns
        self.settings = settings or settings_of(ns)
        self.json = bool(self.settings.json)
        self.quiet = bool(self.settings.quiet) or self.json
        self.dry_run = bool(getattr(ns, "dry_run", False))
        self.yes = bool(self.settings.always_yes)
        self.progress = Progress(enabled=not self.quiet, tty=stderr_is_tty())
        self._cache: PackageCache | None = None
        self._downloader: Any = None
        self._channels: list[Any] = []  # the channels of the last index: the downloader puts their tokens back

    # -- output ------------------------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        """Text for humans on stdout (nothing with --json)."""
        if not self.json:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            sys.stdout.flush()

    def step(self, label: str) -> None:
        if not self.quiet:
            self.say(f"{label}: done")

    def emit(self, doc: Any) -> None:
        import json

        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n")

    def confirm(self, question: str = "Proceed") -> None:
        """conda's prompt; -y, always_yes and --json skip it; anything but yes stops with CondaSystemExit."""
        if self.yes or self.json:
            return
        sys.stdout.write(f"\n{question} ([y]/n)? ")
        sys.stdout.flush()
        answer = sys.stdin.readline()
        if not answer:  # EOF: no one to ask
            sys.stdout.write("\n")
            raise CondaSystemExit("exiting: no answer (stdin is closed)", hint="pass -y/--yes to proceed without asking")
        if answer.strip().lower() not in ("", "y", "yes"):
            raise CondaSystemExit("exiting: the user declined")

    # -- collaborators ----------------------------------------------------------------------------------------
    def repodata_settings(self) -> RepodataSettings:
        from pathlib import Path

        from cantil.repodata import RepodataSettings

        s = self.settings
        return RepodataSettings(
            cache_dir=Path(cache_dir(s)), local_repodata_ttl=s.local_repodata_ttl, offline=bool(s.offline),
            repodata_threads=s.repodata_threads, repodata_fn=s.repodata_fn, use_only_tar_bz2=bool(s.use_only_tar_bz2),
            ssl_verify=s.ssl_verify, proxy_servers=dict(s.proxy_servers), remote_max_retries=s.remote_max_retries,
            remote_backoff_factor=s.remote_backoff_factor, timeout=s.remote_read_timeout_secs,
        )

    def link_settings(self) -> LinkSettings:
        from pathlib import Path

        from cantil.link import LinkSettings

        s = self.settings
        return LinkSettings(
            always_copy=bool(s.always_copy), always_softlink=bool(s.always_softlink),
            allow_softlinks=bool(s.allow_softlinks), path_conflict=s.path_conflict, safety_checks=s.safety_checks,
            extra_safety_checks=bool(s.extra_safety_checks), execute_threads=s.execute_threads,
            fetch_threads=s.fetch_threads, root_prefix=Path(s.root_prefix),
            environments_txt=Path(self.environments_txt()),
        )

    def environments_txt(self) -> str:
        home = self.settings.environ.get("HOME") or os.path.expanduser("~")
        return os.path.join(home, ".conda", "environments.txt")

    @property
    def cache(self) -> PackageCache:
        if self._cache is None:
            from cantil.link import PackageCache

            self._cache = PackageCache(self.settings.pkgs_dirs, fetch_threads=self.settings.fetch_threads)
        return self._cache

    @property
    def downloader(self) -> Any:
        if self._downloader is None:
            from cantil.repodata import Downloader

            channels = self._channels or expand_channels(channel_names(self.ns, self.settings, []), self.settings)
            self._downloader = Downloader(self.repodata_settings(), reporter=self.progress,  # type: ignore[arg-type]
                                          channels=channels)
        return self._downloader

    def index(self, specs: Sequence[MatchSpec] = ()) -> Index:
        from cantil.repodata import Index

        extra = [str(s.channel) for s in specs if getattr(s, "channel", None) is not None]
        names = channel_names(self.ns, self.settings, extra)
        channels = expand_channels(names, self.settings)
        self._channels = list(channels)
        subdirs = self.settings.subdirs
        if not self.quiet:  # names as given (`defaults` stays `defaults`), but a URL's token is never shown
            shown = [n if len(cs) != 1 else str(cs[0]) for n in names for cs in [expand_channels([n], self.settings)]]
            self.say("Channels:\n" + "".join(f" - {c}\n" for c in shown) + f"Platform: {self.settings.subdir}")
        index = Index(channels, subdirs, self.repodata_settings(), reporter=self.progress)  # type: ignore[arg-type]
        return index

    def activation_prelude(self) -> Callable[[Path], str]:
        from cantil.activate import ActivationSettings, activation_prelude

        s = self.settings
        act = ActivationSettings(s.root_prefix, s.envs_dirs, changeps1=False, env_prompt=s.env_prompt,
                                 auto_stack=s.auto_stack, exe=self.settings.environ.get("CANTIL_EXE"))
        environ = dict(self.settings.environ)
        return lambda prefix: activation_prelude(prefix, act, environ)

    def command_line(self) -> str:
        return shlex.join(["cantil", *getattr(self.ns, "argv", [])])


def cache_dir(settings: Settings) -> str:
    """`<first writable pkgs_dir>/cache`: where repodata is cached (conda's layout)."""
    for d in settings.pkgs_dirs:
        probe = d
        while not os.path.exists(probe) and os.path.dirname(probe) != probe:
            probe = os.path.dirname(probe)
        if os.access(probe, os.W_OK):
            return os.path.join(d, "cache")
    return os.path.join(settings.pkgs_dirs[0], "cache")


# -- specs, history, pins --------------------------------------------------------------------------------------

def parse_specs(texts: Sequence[str]) -> list[MatchSpec]:
    from cantil.specs import MatchSpec

    return [MatchSpec(t) for t in texts]


def read_spec_file(path: str) -> tuple[list[str], bool]:
    """Specs of a --file (one per line, comments dropped); True when it is an @EXPLICIT file (then: URLs)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [ln.strip() for ln in f]
    except OSError as err:
        raise CondaValueError(f"cannot read --file {path}: {err.strerror}", path=path) from err
    explicit = "@EXPLICIT" in lines
    if explicit:
        start = lines.index("@EXPLICIT") + 1
        return [ln for ln in lines[start:] if ln and not ln.startswith("#")], True
    return [ln.split("#", 1)[0].strip() for ln in lines if ln.split("#", 1)[0].strip()], False


def history_specs(prefix: str) -> dict[str, str]:
    """The specs the user asked for in earlier commands (conda-meta/history), by name."""
    if not os.path.exists(os.path.join(prefix, "conda-meta", "history")):
        return {}
    from cantil.link import History
    from cantil.specs import MatchSpec

    out: dict[str, str] = {}
    for rev in History(prefix).revisions():
        for text in rev.specs("update"):
            try:
                out[MatchSpec(text, lenient=True).name] = text
            except ValueError:
                continue
        for text in rev.specs("remove"):
            try:
                out.pop(MatchSpec(text, lenient=True).name, None)
            except ValueError:
                continue
        for text in rev.specs("neutered"):
            try:
                out[MatchSpec(text, lenient=True).name] = text
            except ValueError:
                continue
    return out


def pinned_specs(prefix: str, settings: Settings, ns: argparse.Namespace) -> list[str]:
    if getattr(ns, "no_pin", False):
        return []
    pins = list(settings.pinned_packages)
    try:
        with open(os.path.join(prefix, "conda-meta", "pinned"), encoding="utf-8") as f:
            pins += [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    except OSError:
        pass
    return pins


def installed_records(prefix: str) -> dict[str, PrefixRecord]:
    if not os.path.isdir(os.path.join(prefix, "conda-meta")):
        return {}  # a new prefix: no need to import cantil.link at all (--dry-run of a create stays light)
    from cantil.link import PrefixData

    return dict(PrefixData(prefix).records())


# -- the common tail: plan, confirm, execute -----------------------------------------------------------------

def apply(sess: Session, prefix: str, *, link: Sequence[PackageRecord], unlink: Sequence[PackageRecord],
          added: Sequence[str] = (), removed: Sequence[str] = (), neutered: Sequence[str] = (),
          message_if_nothing: str = "All requested packages already installed.") -> int:
    """Show the plan, ask, then download/extract, verify and execute; --json prints the actions document."""
    link = list(link)
    unlink = list(unlink)
    if not link and not unlink:
        if sess.json:
            sess.emit({"message": message_if_nothing, "success": True, "prefix": prefix})
        else:
            sess.say(f"\n# {message_if_nothing}\n")
        return 0
    cache = sess.cache
    fetch = [r for r in link if cache.extracted(r) is None and cache.tarball(r) is None]
    if not sess.json:
        from cantil.cli._render import package_plan

        sess.say(package_plan(prefix, link, unlink, fetch, added=added, removed=removed))
    doc = {"success": True, "prefix": prefix, "dry_run": sess.dry_run,
           "actions": _actions(prefix, link, unlink, fetch)}
    if sess.dry_run:
        if sess.json:
            sess.emit(doc)
        else:
            sess.say("DryRunExit: Dry run. Exiting.")
        return 0
    sess.confirm()
    sess.progress.expect_extractions(sum(1 for r in link if cache.extracted(r) is None))
    if getattr(sess.ns, "download_only", False):
        cache.ensure(link, sess.downloader, reporter=sess.progress)  # type: ignore[arg-type]
        if sess.json:
            sess.emit({**doc, "download_only": True})
        else:
            sess.say("Downloaded packages; --download-only: the environment is unchanged.")
        return 0
    from cantil.link import Transaction

    unlink_prefix_records = list(unlink)
    txn = Transaction.prepare(
        prefix, unlink=unlink_prefix_records, link=link, cache=cache, download=sess.downloader,  # type: ignore[arg-type]
        settings=sess.link_settings(), requested_specs=list(added), removed_specs=list(removed),
        neutered_specs=list(neutered), activation_prelude=sess.activation_prelude(),
        reporter=sess.progress, command_line=sess.command_line(),  # type: ignore[arg-type]
    )
    sess.step("Preparing transaction")
    txn.verify()
    sess.step("Verifying transaction")
    txn.execute()
    sess.step("Executing transaction")
    if sess.json:
        sess.emit(doc)
    return 0


def _actions(prefix: str, link: Sequence[PackageRecord], unlink: Sequence[PackageRecord],
             fetch: Sequence[PackageRecord]) -> dict[str, Any]:
    from cantil.cli._render import actions

    return actions(prefix, link, unlink, fetch)


def not_installed(names: Sequence[str], prefix: str) -> CliError:
    err = CliError(f"package{'s' if len(names) > 1 else ''} not installed in {prefix}: {', '.join(names)}",
                   packages=list(names), prefix=prefix)
    err.exception_name = "PackageNotInstalledError"
    return err
