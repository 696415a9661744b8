"""The command table (names, aliases, one-line help) and `cantil --help` without argparse.

`cantil --help` is the first thing a new user runs: it is printed from this table with no argparse import (a test
checks it equals argparse's own rendering of the same parser, so the two cannot drift).
"""

from __future__ import annotations

PROG = "cantil"
DESCRIPTION = "cantil is a conda-compatible package and environment manager."
EPILOG = "Run `cantil COMMAND --help` for the options of a command."

# command -> one-line help; the order is the order of `cantil --help`
COMMANDS: dict[str, str] = {
    "create": "Create a new environment from a list of specified packages.",
    "install": "Install a list of packages into an environment.",
    "update": "Update packages in an environment to their latest compatible versions.",
    "remove": "Remove a list of packages from an environment.",
    "list": "List the packages installed in an environment.",
    "search": "Search channels for packages with a MatchSpec query.",
    "info": "Display information about the current installation.",
    "config": "Modify configuration values in .condarc.",
    "clean": "Remove unused packages and caches.",
    "run": "Run an executable inside an environment.",
    "env": "Manage environments from environment.yml files.",
    "compare": "Compare the packages of an environment with an environment.yml file.",
    "rename": "Rename an existing environment.",
    "doctor": "Check an environment for missing or altered files and interrupted transactions.",
    "activate": "Activate an environment (needs `cantil init`).",
    "deactivate": "Deactivate the active environment (needs `cantil init`).",
    "init": "Add the cantil shell function to your shell's startup files.",
}
ALIASES = {"uninstall": "remove", "upgrade": "update"}
ENV_COMMANDS: dict[str, str] = {
    "create": "Create an environment from an environment.yml file.",
    "update": "Update an environment from an environment.yml file.",
    "export": "Export an environment to an environment.yml file.",
    "list": "List the known environments.",
    "remove": "Remove an environment.",
    "config": "Configure an environment (environment variables).",
}

WIDTH = 100
_COLUMN = 22  # where argparse starts the help text of the commands (the longest fitting name, plus indent)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def top_help() -> str:
    """The text of `cantil --help`, as argparse renders build_parser() at WIDTH columns."""
    out = [f"usage: {PROG} [-h] [-V] COMMAND ...", "", DESCRIPTION, "", "options:",
           f"  {'-h, --help':<{_COLUMN - 4}}  show this help message and exit",
           f"  {'-V, --version':<{_COLUMN - 4}}  Show the cantil version number and exit.", "", "commands:", "  COMMAND"]
    width = WIDTH - _COLUMN
    for name, text in COMMANDS.items():
        aliases = [a for a, target in ALIASES.items() if target == name]
        label = f"{name} ({', '.join(aliases)})" if aliases else name
        body = _wrap(text, width)
        if len(label) + 4 <= _COLUMN - 2:
            out.append(f"    {label:<{_COLUMN - 6}}  {body[0]}")
        else:
            out += [f"    {label}", f"{'':<{_COLUMN}}{body[0]}"]
        out += [f"{'':<{_COLUMN}}{more}" for more in body[1:]]
    out += ["", EPILOG]
    return "\n".join(out) + "\n"
