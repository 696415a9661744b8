"""The configuration parameters cantil honours: conda's names, kinds, defaults and descriptions.

Kinds follow conda's configuration model: a *primitive* is overridden by higher sources, a *sequence* merges (higher
sources first, duplicates dropped, `#!top`/`#!bottom` markers), a *map* merges key by key. `CONDA_<KEY>`/`CANTIL_<KEY>`
variables set any primitive or sequence; a sequence from a variable is split on its delimiter (`,` mostly, the path
separator for `envs_dirs`, `&` for `pinned_packages`, whose specs hold commas).

Only the standard library is imported here: the activation path loads this module.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing costs ~10 ms to import: the activation path must not pay it
if TYPE_CHECKING:
    from typing import Any

PRIMITIVE, SEQUENCE, MAP = "primitive", "sequence", "map"


class Param:
    """One parameter: kind, element type ("str", "bool", "int", "float", "bool|str", "int|bool", "int|None")."""

    __slots__ = ("aliases", "choices", "default", "delimiter", "description", "expand", "kind", "name", "type")

    def __init__(
        self,
        name: str,
        kind: str,
        type: str,
        default: Any,
        description: str,
        *,
        aliases: tuple[str, ...] = (),
        choices: tuple[str, ...] = (),
        delimiter: str = ",",
        expand: bool = False,
    ) -> None:
        self.name = name
        self.kind = kind
        self.type = type
        self.default = default
        self.description = description
        self.aliases = aliases
        self.choices = choices
        self.delimiter = delimiter
        self.expand = expand

    def __repr__(self) -> str:
        return f"Param({self.name!r}, {self.kind!r}, {self.type!r})"


_P = Param
PARAMETERS: dict[str, Param] = {
    p.name: p
    for p in (
        # channels
        _P("channels", SEQUENCE, "str", ["defaults"], "The channels searched for packages, in priority order; `defaults` expands to default_channels.", expand=True),
        _P("default_channels", SEQUENCE, "str", ["https://repo.anaconda.com/pkgs/main", "https://repo.anaconda.com/pkgs/r"], "The channels `defaults` stands for.", expand=True),
        _P("channel_alias", PRIMITIVE, "str", "https://conda.anaconda.org", "The URL prepended to channel names that are not URLs.", expand=True),
        _P("custom_channels", MAP, "str", {}, "Channel names mapped to the base URL that serves them.", expand=True),
        _P("custom_multichannels", MAP, "list", {}, "Names that stand for a list of channels, as `defaults` does.", expand=True),
        _P("migrated_channel_aliases", SEQUENCE, "str", [], "Former channel aliases, rewritten to channel_alias."),
        _P("channel_priority", PRIMITIVE, "str", "flexible", "strict: a package from a lower channel is never used when a higher channel has the name; flexible: prefer higher channels; disabled: the highest version wins.", choices=("strict", "flexible", "disabled")),
        _P("override_channels_enabled", PRIMITIVE, "bool", True, "Whether --override-channels is allowed."),
        _P("repodata_fn", PRIMITIVE, "str", "repodata.json", "The repodata file name fetched from each subdir."),
        _P("use_only_tar_bz2", PRIMITIVE, "bool", False, "Ignore .conda packages; use only .tar.bz2."),
        _P("local_repodata_ttl", PRIMITIVE, "int|bool", 1, "Seconds cached repodata is trusted; 1 or true honours the server's Cache-Control, 0 always revalidates."),
        _P("repodata_threads", PRIMITIVE, "int|None", None, "Threads fetching repodata (default: as many as needed)."),
        _P("fetch_threads", PRIMITIVE, "int", 5, "Threads downloading packages."),
        _P("offline", PRIMITIVE, "bool", False, "Never touch the network; use only cached repodata and packages."),
        # network
        _P("ssl_verify", PRIMITIVE, "bool|str", True, "Verify TLS certificates: true, false, or a CA bundle path.", expand=True),
        _P("proxy_servers", MAP, "str", {}, "Proxy URLs by scheme (http, https) or scheme://host."),
        _P("remote_connect_timeout_secs", PRIMITIVE, "float", 9.15, "Seconds to wait for a connection."),
        _P("remote_read_timeout_secs", PRIMITIVE, "float", 60.0, "Seconds to wait for data once connected."),
        _P("remote_max_retries", PRIMITIVE, "int", 3, "Retries of a failed HTTP request."),
        _P("remote_backoff_factor", PRIMITIVE, "float", 1.0, "Backoff factor between HTTP retries."),
        # directories
        _P("pkgs_dirs", SEQUENCE, "str", [], "Package cache directories; the first writable one receives downloads. Default: <root_prefix>/pkgs.", expand=True),
        _P("envs_dirs", SEQUENCE, "str", [], "Directories holding named environments; the first writable one receives new ones. Always followed by <root_prefix>/envs and ~/.conda/envs.", aliases=("envs_path",), delimiter=os.pathsep, expand=True),
        # solving
        _P("pinned_packages", SEQUENCE, "str", [], "Specs every solve in every environment must satisfy (conda-meta/pinned adds per-environment pins).", delimiter="&"),
        _P("aggressive_update_packages", SEQUENCE, "str", ["ca-certificates", "certifi", "openssl"], "Packages updated to their latest version whenever an environment changes."),
        _P("create_default_packages", SEQUENCE, "str", [], "Packages added to every new environment (unless --no-default-packages)."),
        _P("add_pip_as_python_dependency", PRIMITIVE, "bool", True, "Make python depend on pip."),
        _P("subdir", PRIMITIVE, "str", None, "The platform to solve for (default: this machine's, e.g. linux-64)."),
        _P("subdirs", SEQUENCE, "str", [], "The subdirs fetched from each channel (default: subdir and noarch)."),
        # linking
        _P("always_copy", PRIMITIVE, "bool", False, "Copy files into environments instead of hard-linking them."),
        _P("always_softlink", PRIMITIVE, "bool", False, "Symlink files into environments instead of hard-linking them."),
        _P("allow_softlinks", PRIMITIVE, "bool", False, "Allow symlinks when hard links are impossible."),
        _P("path_conflict", PRIMITIVE, "str", "clobber", "When two packages ship the same file: clobber, warn or prevent.", choices=("clobber", "warn", "prevent")),
        _P("safety_checks", PRIMITIVE, "str", "warn", "Verify extracted package files: disabled, warn or enabled.", choices=("disabled", "warn", "enabled")),
        _P("extra_safety_checks", PRIMITIVE, "bool", False, "Also verify file checksums (slow)."),
        _P("execute_threads", PRIMITIVE, "int", 1, "Threads linking files."),
        _P("rollback_enabled", PRIMITIVE, "bool", True, "Roll a failed transaction back."),
        # activation
        _P("changeps1", PRIMITIVE, "bool", True, "Show the active environment in the shell prompt."),
        _P("env_prompt", PRIMITIVE, "str", "({default_env}) ", "The prompt prefix; {default_env}, {name}, {prefix} are replaced."),
        _P("auto_activate_base", PRIMITIVE, "bool", True, "Activate base when the shell hook loads."),
        _P("auto_stack", PRIMITIVE, "int", 0, "Stack activations up to this depth from base."),
        # output
        _P("json", PRIMITIVE, "bool", False, "Print JSON instead of text."),
        _P("always_yes", PRIMITIVE, "bool", False, "Answer yes to every confirmation prompt."),
        _P("quiet", PRIMITIVE, "bool", False, "Print no progress."),
        _P("verbosity", PRIMITIVE, "int", 0, "Logging verbosity: 0 to 4."),
        _P("show_channel_urls", PRIMITIVE, "bool", False, "Show channel URLs in the transaction summary."),
    )
}

ALIASES: dict[str, str] = {a: p.name for p in PARAMETERS.values() for a in p.aliases}


def canonical(key: str) -> str | None:
    """The parameter a key (or alias) names, or None for an unknown key."""
    if key in PARAMETERS:
        return key
    return ALIASES.get(key)
