"""The one error boundary of the cli: parse, dispatch, map every failure to an exit code and `error:`/`hint:` lines.

Exit codes (DESIGN.md): 0 success (also --dry-run), 1 error, 2 usage (argparse), 130 interrupted. With --json every
outcome, errors included, is exactly one JSON document on stdout. Tracebacks only with --debug.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

# command -> "module:function" (imported only when that command runs)
HANDLERS: dict[str, str] = {
    "create": "cantil.cli._cmd_install:create",
    "install": "cantil.cli._cmd_install:install",
    "update": "cantil.cli._cmd_install:update",
    "upgrade": "cantil.cli._cmd_install:update",
    "remove": "cantil.cli._cmd_install:remove",
    "uninstall": "cantil.cli._cmd_install:remove",
    "list": "cantil.cli._cmd_list:list_",
    "search": "cantil.cli._cmd_search:search",
    "info": "cantil.cli._cmd_info:info",
    "config": "cantil.cli._cmd_config:config",
    "clean": "cantil.cli._cmd_clean:clean",
    "run": "cantil.cli._cmd_run:run",
    "env": "cantil.cli._cmd_env:env",
    "compare": "cantil.cli._cmd_env:compare",
    "rename": "cantil.cli._cmd_misc:rename",
    "doctor": "cantil.cli._cmd_misc:doctor",
}

# conda's exception names for the errors of the packages below (matched by class name along the MRO)
CONDA_NAMES: dict[str, str] = {
    "Unsatisfiable": "UnsatisfiableError",
    "PackagesNotFound": "PackagesNotFoundError",
    "HTTPError": "CondaHTTPError",
    "ChannelNotFound": "UnavailableInvalidChannel",
    "UnavailableInvalidChannel": "UnavailableInvalidChannel",
    "OfflineError": "OfflineError",
    "ChecksumMismatch": "ChecksumMismatchError",
    "RepodataCorrupt": "CondaError",
    "ClobberError": "ClobberError",
    "UnsafeArchive": "CondaError",
    "ScriptError": "LinkError",
    "PrefixLocked": "LockError",
    "PrefixTooLong": "PaddingError",
    "LinkError": "LinkError",
    "InvalidMatchSpec": "InvalidMatchSpec",
    "InvalidVersionSpec": "InvalidVersionSpec",
    "InvalidVersion": "InvalidVersionSpec",
    "InvalidChannel": "CondaValueError",
    "SpecsError": "CondaValueError",
    "RepodataError": "CondaError",
    "SolverError": "CondaError",
    "ActivateError": "CondaError",
}


def _command_of(args: Sequence[str]) -> tuple[str | None, str | None]:
    words = [a for a in args if not a.startswith("-")]
    command = words[0] if words else None
    sub = words[1] if command == "env" and len(words) > 1 else None
    return command, sub


def main(args: Sequence[str]) -> int:
    args = list(args)
    if args in (["--version"], ["-V"]):
        from cantil.cli._version import __version__

        sys.stdout.write(f"cantil {__version__}\n")
        return 0
    if args in (["--help"], ["-h"]):
        from cantil.cli._commands import top_help

        sys.stdout.write(top_help())
        return 0
    from cantil.cli._parser import ALIASES, COMMANDS, build_parser

    command, sub = _command_of(args)
    known = command in COMMANDS or command in ALIASES
    parser = build_parser(only=ALIASES.get(command or "", command) if known else "", env_only=sub)
    if command is not None and not known and not any(a in ("-h", "--help", "-V", "--version") for a in args):
        hint = _did_you_mean(command, [*COMMANDS, *ALIASES])
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"cantil: error: unknown command {command!r}\n")
        if hint:
            sys.stderr.write(f"hint: did you mean `cantil {hint}`?\n")
        return 2
    try:
        ns = parser.parse_args(args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    ns.argv = args
    return run(ns)


def _did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def _handler(ns: argparse.Namespace) -> Any:
    import importlib

    module, _, func = HANDLERS[ns.command].partition(":")
    return getattr(importlib.import_module(module), func)


def run(ns: argparse.Namespace) -> int:
    json_mode = bool(getattr(ns, "json", False))
    debug = bool(getattr(ns, "debug", False))
    try:
        if ns.command in ("activate", "deactivate", "init"):  # normally dispatched by __main__ before us
            from cantil.cli._shell import main as shell_main

            rc: int = shell_main([ns.command, *ns.args])
            return rc
        result = _handler(ns)(ns)
        return int(result or 0)
    except KeyboardInterrupt:
        return _report(_interrupted(), json_mode, debug, exit_code=130)
    except BrokenPipeError:
        return 1
    except Exception as exc:
        return _report(exc, json_mode, debug)


def _interrupted() -> Exception:
    from cantil.cli._errors import CliError

    err = CliError("interrupted by the user; nothing was left half-done")
    err.exception_name = "KeyboardInterrupt"
    return err


def error_document(exc: BaseException) -> tuple[dict[str, Any], int, str | None]:
    """The JSON error document, exit code and hint for any exception."""
    from cantil.cli._errors import CliError

    if isinstance(exc, CliError):
        return exc.to_json(), exc.exit_code, exc.hint
    name = next((CONDA_NAMES[c.__name__] for c in type(exc).__mro__ if c.__name__ in CONDA_NAMES), None)
    message = str(exc) or type(exc).__name__
    hint = getattr(exc, "hint", None)
    doc: dict[str, Any] = {
        "error": f"{name or type(exc).__name__}: {message}",
        "exception_name": name or type(exc).__name__,
        "exception_type": f"<class '{name or type(exc).__name__}'>",
        "message": message,
        "caused_by": repr(exc.__cause__) if exc.__cause__ is not None else None,
    }
    if hint:
        doc["hint"] = hint
    conflict = getattr(exc, "conflict", None)
    if conflict is not None:
        doc["conflict"] = conflict_json(conflict)
    names = getattr(exc, "names", None)
    if names is not None and name == "PackagesNotFoundError":
        doc["packages"] = sorted(str(n) for n in names)
    for attr in ("url", "status", "path"):
        value = getattr(exc, attr, None)
        if value is not None and isinstance(value, (str, int)):
            doc.setdefault(attr if attr != "status" else "status_code", value)
    if name is None and not type(exc).__module__.startswith("cantil."):
        doc["exception_name"] = "CondaError"
        doc["error"] = f"unexpected {type(exc).__name__}: {message}"
    return doc, 1, hint


def conflict_json(conflict: Any) -> dict[str, Any]:
    to_json = getattr(conflict, "to_json", None)
    if callable(to_json):
        data = to_json()
        if isinstance(data, dict):
            return data
    return {
        "specs": [str(s) for s in getattr(conflict, "specs", ())],
        "chains": [[str(x) for x in chain] for chain in getattr(conflict, "chains", ())],
        "hint": getattr(conflict, "hint", None),
    }


def _report(exc: BaseException, json_mode: bool, debug: bool, exit_code: int | None = None) -> int:
    doc, code, hint = error_document(exc)
    if exit_code is not None:
        code = exit_code
    if debug:
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    if json_mode:
        import json

        if code == 0:  # DryRunExit
            doc = {"success": True, "dry_run": True, "message": doc["message"]}
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return code
    if code == 0:
        sys.stdout.write(f"{doc['message']}\n")
        return 0
    ours = type(exc).__module__.startswith("cantil.")
    render = getattr(exc, "render", None)
    lines = (render() if ours and callable(render) else str(doc["message"])).splitlines() or [""]
    hints = [ln[len("hint: "):] for ln in lines if ln.startswith("hint: ")]
    lines = [ln for ln in lines if not ln.startswith("hint: ")] or [""]
    hint = hint or (hints[0] if hints else None)
    text = lines[0] if ours else f"unexpected {type(exc).__name__}: {lines[0]}"
    sys.stderr.write(f"error: {text}\n")
    for extra in lines[1:]:
        sys.stderr.write(f"  {extra.strip()}\n")
    if hint:
        sys.stderr.write(f"hint: {hint}\n")
    elif not debug and not ours:
        sys.stderr.write("hint: run again with --debug for the traceback, and report it as a bug\n")
    return code
