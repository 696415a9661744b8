"""The argparse tree: conda's verbs and flags.

`build_parser(only=NAME)` fills in the arguments of one command and leaves the others as bare entries (their help
line only): `cantil --help` and `cantil list` never pay for building twenty sub-parsers. `build_parser()` builds the
whole tree (docs/commands.md is generated from it).
"""

from __future__ import annotations

import argparse

from cantil.cli._commands import ALIASES, COMMANDS, DESCRIPTION, ENV_COMMANDS, EPILOG, PROG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ALIASES", "COMMANDS", "ENV_COMMANDS", "PROG", "build_parser"]


def version() -> str:
    from cantil.cli._version import __version__

    return __version__


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=_columns())


HELP_WIDTH = 100  # fixed, so that help (and docs/commands.md) reads the same everywhere


def _columns() -> int:
    return HELP_WIDTH


def _output(p: argparse.ArgumentParser, *, dry_run: bool = False, yes: bool = False) -> None:
    g = p.add_argument_group("Output, Prompt, and Flow Control Options")
    g.add_argument("--json", action="store_true", default=None, help="Report all output as a single JSON document.")
    g.add_argument("-v", "--verbose", action="count", default=0, help="More output; repeat for more (-vv).")
    g.add_argument("-q", "--quiet", action="store_true", default=None, help="Do not display progress bars.")
    g.add_argument("--debug", action="store_true", help="Show tracebacks and debug logging.")
    if dry_run:
        g.add_argument("-d", "--dry-run", action="store_true", help="Only display what would have been done.")
    if yes:
        g.add_argument("-y", "--yes", action="store_true", default=None, help="Do not ask for confirmation.")


def _target(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Target Environment Specification").add_mutually_exclusive_group()
    g.add_argument("-n", "--name", help="Name of the environment.")
    g.add_argument("-p", "--prefix", help="Full path to the environment location (i.e. prefix).")


def _channels(p: argparse.ArgumentParser, *, platform: bool = True) -> None:
    g = p.add_argument_group("Channel Customization")
    g.add_argument("-c", "--channel", dest="channel", action="append", metavar="CHANNEL",
                   help="Additional channel to search for packages; searched before the configured channels.")
    g.add_argument("--override-channels", action="store_true", help="Do not search the configured channels (requires --channel).")
    g.add_argument("--repodata-fn", help="The repodata file name to fetch (default: repodata.json).")
    if platform:
        g.add_argument("--platform", "--subdir", dest="subdir", metavar="SUBDIR",
                       help="Use packages built for this platform (e.g. linux-64, osx-arm64).")


def _network(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Networking Options")
    g.add_argument("-C", "--use-index-cache", action="store_true", help="Use the cached repodata without checking it.")
    g.add_argument("-k", "--insecure", action="store_true", help="Allow TLS connections without certificate verification.")
    g.add_argument("--offline", action="store_true", default=None, help="Offline mode: never touch the network.")


def _solver(p: argparse.ArgumentParser, *, update: bool = False) -> None:
    g = p.add_argument_group("Solver Mode Modifiers")
    prio = g.add_mutually_exclusive_group()
    prio.add_argument("--strict-channel-priority", dest="channel_priority", action="store_const", const="strict",
                      help="Packages in lower-priority channels are not considered if a higher channel has the name.")
    prio.add_argument("--no-channel-priority", dest="channel_priority", action="store_const", const="disabled",
                      help="The highest version wins, whatever its channel.")
    prio.add_argument("--channel-priority", dest="channel_priority", choices=("strict", "flexible", "disabled"),
                      help="Set the channel priority mode for this command.")
    deps = g.add_mutually_exclusive_group()
    deps.add_argument("--no-deps", dest="deps_modifier", action="store_const", const="no_deps",
                      help="Do not install, update, remove or change dependencies.")
    deps.add_argument("--only-deps", dest="deps_modifier", action="store_const", const="only_deps",
                      help="Only install dependencies, not the requested packages.")
    g.add_argument("--no-pin", action="store_true", help="Ignore pinned files (conda-meta/pinned and pinned_packages).")
    mod = g.add_mutually_exclusive_group()
    mod.add_argument("--freeze-installed", "--no-update-deps", dest="update_modifier", action="store_const",
                     const="freeze_installed", help="Do not update or change already-installed dependencies.")
    mod.add_argument("--update-deps", dest="update_modifier", action="store_const", const="update_deps",
                     help="Update dependencies that have newer compatible versions.")
    mod.add_argument("--update-specs", dest="update_modifier", action="store_const", const="update_specs",
                     help="Update based on the given specs only (default).")
    if update:
        mod.add_argument("--all", "--update-all", dest="update_all", action="store_true",
                         help="Update every installed package in the environment.")
    g.add_argument("--force-reinstall", action="store_true", help="Reinstall the packages even when already installed.")
    g.add_argument("--no-default-packages", action="store_true", help="Ignore create_default_packages.")
    g.add_argument("--prune", action="store_true", help=argparse.SUPPRESS)


def _install_like(p: argparse.ArgumentParser, *, update: bool = False, create: bool = False) -> None:
    _target(p)
    p.add_argument("packages", nargs="*", metavar="package_spec", help="Packages to install or update (MatchSpecs such as 'numpy>=1.20' or 'conda-forge::numpy').")
    p.add_argument("--file", action="append", default=[], metavar="FILE",
                   help="Read package specs from FILE (one per line; an @EXPLICIT file installs without solving). Repeatable.")
    if create:
        p.add_argument("--clone", metavar="ENV", help="Create a new environment as a copy of an existing one.")
    else:
        p.add_argument("--revision", type=int, metavar="N", help="Roll the environment back to revision N (see `list --revisions`).")
    _channels(p)
    _solver(p, update=update)
    g = p.add_argument_group("Package Linking and Install-time Options")
    g.add_argument("--copy", action="store_true", help="Install all packages using copies instead of hard or soft links.")
    g.add_argument("--download-only", action="store_true", help="Download packages into the cache but do not link them.")
    _network(p)
    _output(p, dry_run=True, yes=True)


def _cmd_remove(p: argparse.ArgumentParser) -> None:
    _target(p)
    p.add_argument("packages", nargs="*", metavar="package_name", help="Package names to remove.")
    p.add_argument("--all", dest="remove_all", action="store_true", help="Remove all packages, i.e. the entire environment.")
    p.add_argument("--force", "--force-remove", dest="force_remove", action="store_true",
                   help="Remove the packages without removing what depends on them (may break the environment).")
    _channels(p)
    g = p.add_argument_group("Solver Mode Modifiers")
    g.add_argument("--no-pin", action="store_true", help="Ignore pinned files.")
    _network(p)
    _output(p, dry_run=True, yes=True)


def _cmd_list(p: argparse.ArgumentParser) -> None:
    _target(p)
    p.add_argument("regex", nargs="?", help="List only packages whose name matches this regular expression.")
    p.add_argument("-f", "--full-name", action="store_true", help="Only search for full names, i.e. ^<regex>$.")
    p.add_argument("--explicit", action="store_true", help="List explicitly all installed packages with URL (an @EXPLICIT file for `create --file`).")
    p.add_argument("--md5", action="store_true", help="Add the MD5 hash of each package with --explicit.")
    p.add_argument("-e", "--export", action="store_true", help="Output the requirement string only (for `create --file`).")
    p.add_argument("-r", "--revisions", action="store_true", help="List the revision history of the environment.")
    p.add_argument("-c", "--canonical", action="store_true", help="Output canonical names of packages only.")
    p.add_argument("--show-channel-urls", action="store_true", default=None, help="Show channel URLs.")
    p.add_argument("--no-pip", action="store_true", help="Do not include packages installed with pip.")
    _output(p)


def _cmd_search(p: argparse.ArgumentParser) -> None:
    p.add_argument("match_spec", nargs="?", default="*", help="A MatchSpec query, e.g. 'numpy>=1.20', 'conda-forge::numpy', '*py*'.")
    p.add_argument("-i", "--info", action="store_true", help="Show detailed information about each package.")
    p.add_argument("--envs", action="store_true", help="Search the installed environments instead of the channels.")
    _channels(p)
    _network(p)
    _output(p)


def _cmd_info(p: argparse.ArgumentParser) -> None:
    p.add_argument("-a", "--all", action="store_true", help="Show all information.")
    p.add_argument("--base", action="store_true", help="Display the base environment path.")
    p.add_argument("-e", "--envs", action="store_true", help="List the known environments.")
    p.add_argument("-s", "--system", action="store_true", help="List the environment variables cantil reads.")
    _output(p)


def _cmd_config(p: argparse.ArgumentParser) -> None:
    loc = p.add_argument_group("Config File Location Selection").add_mutually_exclusive_group()
    loc.add_argument("--system", action="store_true", help="Write to the system .condarc (<root_prefix>/.condarc).")
    loc.add_argument("--env", action="store_true", help="Write to the active environment's .condarc.")
    loc.add_argument("--file", metavar="FILE", help="Write to the given file.")
    g = p.add_argument_group("Config Subcommands").add_mutually_exclusive_group()
    g.add_argument("--show", nargs="*", metavar="KEY", help="Display configuration values (all, or the KEYs given).")
    g.add_argument("--show-sources", action="store_true", help="Display all identified configuration sources.")
    g.add_argument("--validate", action="store_true", help="Validate all configuration sources.")
    g.add_argument("--describe", nargs="*", metavar="KEY", help="Describe the configuration parameters.")
    g.add_argument("--get", nargs="*", metavar="KEY", help="Get a configuration value from the target file.")
    g.add_argument("--append", nargs=2, action="append", metavar=("KEY", "VALUE"), help="Add one value to the end of a list key.")
    g.add_argument("--prepend", "--add", dest="prepend", nargs=2, action="append", metavar=("KEY", "VALUE"),
                   help="Add one value to the beginning of a list key.")
    g.add_argument("--set", nargs=2, action="append", metavar=("KEY", "VALUE"), help="Set a boolean or string key.")
    g.add_argument("--remove", nargs=2, action="append", metavar=("KEY", "VALUE"), help="Remove a value from a list key.")
    g.add_argument("--remove-key", action="append", metavar="KEY", help="Remove a key and all its values.")
    _output(p)


def _cmd_clean(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Removal Targets")
    g.add_argument("-a", "--all", action="store_true", help="Remove index cache, unused packages and tarballs.")
    g.add_argument("-i", "--index-cache", action="store_true", help="Remove the repodata index cache.")
    g.add_argument("-p", "--packages", action="store_true", help="Remove extracted packages no environment links.")
    g.add_argument("-t", "--tarballs", action="store_true", help="Remove cached package archives.")
    g.add_argument("-c", "--tempfiles", action="store_true", help="Remove temporary files left by interrupted runs.")
    _output(p, dry_run=True, yes=True)


def _cmd_run(p: argparse.ArgumentParser) -> None:
    _target(p)
    p.add_argument("--cwd", help="Current working directory for the command.")
    p.add_argument("--live-stream", "--no-capture-output", dest="live_stream", action="store_true",
                   help="Stream the output of the command (the default: output is never captured).")
    p.add_argument("-v", "--verbose", action="count", default=0, help=argparse.SUPPRESS)
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("executable_call", nargs=argparse.REMAINDER, help="The executable and its arguments.")


def _cmd_compare(p: argparse.ArgumentParser) -> None:
    _target(p)
    p.add_argument("file", help="Path to an environment.yml file.")
    _output(p)


def _cmd_rename(p: argparse.ArgumentParser) -> None:
    _target(p)
    p.add_argument("destination", help="The new name or path of the environment.")
    p.add_argument("--force", action="store_true", help="Replace the destination if it exists.")
    _output(p, dry_run=True, yes=True)


def _cmd_doctor(p: argparse.ArgumentParser) -> None:
    _target(p)
    p.add_argument("--recover", action="store_true", help="Finish or roll back an interrupted transaction.")
    _output(p)


def _cmd_env(p: argparse.ArgumentParser, only: str | None) -> None:
    sub = p.add_subparsers(dest="env_command", metavar="COMMAND", title="commands")
    sub.required = True
    for name, text in ENV_COMMANDS.items():
        e = sub.add_parser(name, help=text, description=text, formatter_class=_Formatter)
        if only is None or only == name:
            ENV_BUILDERS[name](e)


def _env_create(p: argparse.ArgumentParser) -> None:
    _target(p)
    p.add_argument("-f", "--file", default="environment.yml", help="The environment definition (default: environment.yml).")
    p.add_argument("remote_definition", nargs="?", help=argparse.SUPPRESS)
    p.add_argument("--force", action="store_true", help="Replace an existing environment.")
    _channels(p)
    _network(p)
    _output(p, dry_run=True, yes=True)


def _env_update(p: argparse.ArgumentParser) -> None:
    _target(p)
    p.add_argument("-f", "--file", default="environment.yml", help="The environment definition (default: environment.yml).")
    p.add_argument("--prune", action="store_true", help="Remove packages the file no longer asks for.")
    _channels(p)
    _network(p)
    _output(p, dry_run=True, yes=True)


def _env_export(p: argparse.ArgumentParser) -> None:
    _target(p)
    p.add_argument("-f", "--file", help="Write to FILE instead of stdout.")
    p.add_argument("-c", "--channel", action="append", help="Additional channel to include in the export.")
    p.add_argument("--override-channels", action="store_true", help="Do not include the configured channels.")
    p.add_argument("--no-builds", action="store_true", help="Remove build specification from dependencies.")
    p.add_argument("--ignore-channels", action="store_true", help="Do not include the channel names in the specs.")
    p.add_argument("--from-history", action="store_true", help="Export only the packages explicitly asked for (from history).")
    _output(p)


def _env_list(p: argparse.ArgumentParser) -> None:
    _output(p)


def _env_remove(p: argparse.ArgumentParser) -> None:
    _target(p)
    _output(p, dry_run=True, yes=True)


def _env_config(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="config_command", metavar="COMMAND", title="commands")
    sub.required = True
    v = sub.add_parser("vars", help="Environment variables set at activation.", formatter_class=_Formatter)
    vsub = v.add_subparsers(dest="vars_command", metavar="COMMAND", title="commands")
    vsub.required = True
    for name, text, arg in (("list", "List the variables.", None), ("set", "Set variables (KEY=VALUE ...).", "vars"),
                            ("unset", "Unset variables (KEY ...).", "vars")):
        s = vsub.add_parser(name, help=text, description=text, formatter_class=_Formatter)
        if arg:
            s.add_argument(arg, nargs="+", metavar="KEY=VALUE" if name == "set" else "KEY")
        _target(s)
        _output(s)


ENV_BUILDERS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "create": _env_create, "update": _env_update, "export": _env_export, "list": _env_list,
    "remove": _env_remove, "config": _env_config,
}


def _shell_placeholder(p: argparse.ArgumentParser) -> None:
    p.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


BUILDERS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "create": lambda p: _install_like(p, create=True),
    "install": _install_like,
    "update": lambda p: _install_like(p, update=True),
    "remove": _cmd_remove,
    "list": _cmd_list,
    "search": _cmd_search,
    "info": _cmd_info,
    "config": _cmd_config,
    "clean": _cmd_clean,
    "run": _cmd_run,
    "compare": _cmd_compare,
    "rename": _cmd_rename,
    "doctor": _cmd_doctor,
    "activate": _shell_placeholder,
    "deactivate": _shell_placeholder,
    "init": _shell_placeholder,
}


def build_parser(only: str | None = None, env_only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that command's arguments are built (the others keep their help line)."""
    parser = argparse.ArgumentParser(
        prog=PROG, formatter_class=_Formatter,
        description=DESCRIPTION, epilog=EPILOG,
    )
    parser.add_argument("-V", "--version", action="version", version=f"{PROG} {version()}",
                        help="Show the cantil version number and exit.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    sub.required = True
    for name, text in COMMANDS.items():
        aliases = [a for a, target in ALIASES.items() if target == name]
        p = sub.add_parser(name, aliases=aliases, help=text, description=text, formatter_class=_Formatter)
        if only is None or only == name:
            if name == "env":
                _cmd_env(p, env_only)
            else:
                BUILDERS[name](p)
    return parser
