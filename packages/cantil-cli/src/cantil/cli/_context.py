"""From parsed arguments to what a command works with: settings (flags applied), the target prefix, channels.

Name lookup follows conda: `base` (or `root`) is the root prefix; another name is searched in every envs dir and,
for a new environment, placed in the first writable one. Without -n/-p the active environment ($CONDA_PREFIX) is the
target, else base.
"""

from __future__ import annotations

import os
import sys

from cantil.cli._errors import (
    CondaValueError,
    DirectoryNotACondaEnvironmentError,
    EnvironmentLocationNotFound,
    EnvironmentNameNotFound,
)
from cantil.cli._settings import Settings, load_settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping
    from typing import Any

    from cantil.specs import Channel, ChannelSettings

USE_INDEX_CACHE_TTL = 10**9  # -C: trust the cached repodata as fresh


def flags_of(ns: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line sets (the highest source of the cascade)."""
    g = vars(ns)
    flags: dict[str, Any] = {}
    for opt, key in (("json", "json"), ("yes", "always_yes"), ("quiet", "quiet"), ("offline", "offline"),
                     ("channel_priority", "channel_priority"), ("subdir", "subdir"), ("repodata_fn", "repodata_fn")):
        if g.get(opt):
            flags[key] = g[opt]
    if g.get("copy"):
        flags["always_copy"] = True
    if g.get("insecure"):
        flags["ssl_verify"] = False
    if g.get("use_index_cache"):
        flags["local_repodata_ttl"] = USE_INDEX_CACHE_TTL
    if g.get("verbose"):
        flags["verbosity"] = g["verbose"]
    if g.get("show_channel_urls"):
        flags["show_channel_urls"] = True
    return flags


def settings_of(ns: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
    return load_settings(os.environ if environ is None else environ, flags_of(ns))


def is_env(prefix: str) -> bool:
    return os.path.isdir(os.path.join(prefix, "conda-meta"))


def _writable(directory: str) -> bool:
    probe = directory
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            return False
        probe = parent
    return os.access(probe, os.W_OK)


def validate_name(name: str) -> None:
    if not name or any(c in name for c in "/\\:#") or name in (".", ".."):
        raise CondaValueError(f"invalid environment name {name!r}: a name cannot contain '/', ' \\', ':' or '#'",
                              hint="use -p/--prefix for a path")


def locate(settings: Settings, name: str | None, prefix: str | None, *, must_exist: bool = True,
           default_active: bool = True) -> str:
    """The target prefix of -n/-p (or the active environment); EnvironmentNameNotFound etc. when it must exist."""
    if prefix:
        path = os.path.abspath(os.path.expanduser(prefix))
        if must_exist and not os.path.isdir(path):
            raise EnvironmentLocationNotFound(f"not a conda environment: {path}", path=path)
        if must_exist and not is_env(path):
            raise DirectoryNotACondaEnvironmentError(f"the target directory exists but is not a conda environment: {path}",
                                                     path=path)
        return path
    if name:
        if name in ("base", "root"):
            path = settings.root_prefix
            if must_exist and not is_env(path):
                raise EnvironmentLocationNotFound(f"the base environment does not exist yet: {path}", path=path,
                                                  hint="create it with `cantil create -p " + path + " python` or set CANTIL_ROOT_PREFIX")
            return path
        validate_name(name)
        for d in settings.envs_dirs:
            candidate = os.path.join(d, name)
            if is_env(candidate):
                return candidate
        if must_exist:
            raise EnvironmentNameNotFound(f"could not find conda environment: {name}", environment_name=name,
                                          hint="list the known environments with `cantil env list`")
        for d in settings.envs_dirs:
            if _writable(d):
                return os.path.join(d, name)
        raise CondaValueError(f"no writable envs directory for {name!r} among {', '.join(settings.envs_dirs)}")
    if not default_active:
        raise CondaValueError("one of the arguments -n/--name -p/--prefix is required")
    active = settings.environ.get("CONDA_PREFIX")
    path = active if active and is_env(active) else settings.root_prefix
    if must_exist and not is_env(path):
        raise EnvironmentLocationNotFound(f"no environment is active and the base environment does not exist: {path}",
                                          path=path, hint="name the environment with -n NAME or -p PATH")
    return path


def env_name(settings: Settings, prefix: str) -> str:
    """`base`, the name (when the prefix is in an envs dir), else the path, as conda shows environments."""
    if os.path.normpath(prefix) == os.path.normpath(settings.root_prefix):
        return "base"
    parent = os.path.dirname(os.path.normpath(prefix))
    if parent in settings.envs_dirs:
        return os.path.basename(prefix)
    return prefix


def channel_settings(settings: Settings) -> ChannelSettings:
    from cantil.specs import ChannelSettings

    return ChannelSettings(
        channel_alias=settings.channel_alias,
        default_channels=tuple(settings.default_channels),
        custom_channels=dict(settings.custom_channels),
        migrated_channel_aliases=tuple(settings.migrated_channel_aliases),
        custom_multichannels={k: tuple(v) for k, v in settings.custom_multichannels.items()},
    )


def channel_names(ns: argparse.Namespace, settings: Settings, extra: list[str] | None = None) -> list[str]:
    """-c channels first, then the configured ones (unless --override-channels), then channels named by specs."""
    cli = list(getattr(ns, "channel", None) or [])
    if getattr(ns, "override_channels", False):
        if not settings.override_channels_enabled:
            raise CondaValueError("--override-channels is disabled by the configuration (override_channels_enabled)")
        if not cli and not extra:
            raise CondaValueError("--override-channels requires at least one -c/--channel")
        names = cli
    else:
        names = cli + list(settings.channels)
    return list(dict.fromkeys([*names, *(extra or [])]))


def expand_channels(names: list[str], settings: Settings) -> list[Channel]:
    cs = channel_settings(settings)
    out: list[Channel] = []
    for n in names:
        for ch in cs.expand(n):
            if ch not in out:
                out.append(ch)
    return out


def stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
