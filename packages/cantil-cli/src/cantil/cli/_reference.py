"""docs/commands.md: the command reference, rendered from the argparse tree so that it never drifts.

`tools/gen_commands_doc.py` writes it; a test checks that the file equals `render()`.
"""

from __future__ import annotations

import argparse

from cantil.cli import _parser

HEADER = """\
# Command reference

Generated from cantil's argparse parsers by `tools/gen_commands_doc.py`; do not edit by hand (a test fails when this
file and the parsers differ). `activate`, `deactivate` and `init` are described by `cantil init --help` and the user
guide.
"""


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: dict[int, str] = {}
            out: dict[str, argparse.ArgumentParser] = {}
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # aliases share the parser
                    seen[id(sub)] = name
                    out[name] = sub
            return out
    return {}


def _walk(prefix: str, parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    out = [(prefix, parser)]
    for name, sub in _subparsers(parser).items():
        if prefix == "cantil" and name in ("activate", "deactivate", "init"):
            continue
        out += _walk(f"{prefix} {name}", sub)
    return out


def render() -> str:
    old = _parser.HELP_WIDTH
    _parser.HELP_WIDTH = 100
    try:
        parser = _parser.build_parser()
        parts = [HEADER]
        for title, p in _walk("cantil", parser):
            p.prog = title
            parts.append(f"## `{title}`\n\n```text\n{p.format_help().rstrip()}\n```\n")
        return "\n".join(parts)
    finally:
        _parser.HELP_WIDTH = old
