"""`cantil init [SHELL ...] [--all] [--reverse] [--dry-run]`: the rc blocks that load `cantil shell.<shell> hook`.

As conda: with no shell named, `bash` (on Windows `cmd.exe` and `powershell`); `--dry-run` prints the diff of each
file instead of writing it; `--reverse` removes exactly cantil's block. `--system` writes the machine-wide drop-ins
instead of the user's rc files (`/etc/profile.d/cantil.sh` for bash and zsh, as conda's `/etc/profile.d/conda.sh`;
fish, tcsh and xonsh have their own), never conda's files.
"""

from __future__ import annotations

import argparse
import io
import os
import sys

from cantil.activate import INIT_SHELLS, ActivateError, default_rc_paths, init, system_rc_paths


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cantil init",
        description="Add (or remove) the block that loads `cantil activate` in your shells' start-up files.",
    )
    p.add_argument("shells", nargs="*", metavar="SHELL", help=f"one or more of: {', '.join(INIT_SHELLS)}")
    p.add_argument("--all", action="store_true", help="every shell cantil knows")
    p.add_argument("--reverse", action="store_true", help="remove cantil's block instead of adding it")
    p.add_argument("-d", "--dry-run", action="store_true", help="show the changes without writing them")
    p.add_argument("--system", action="store_true",
                   help="initialize for every user of this machine (files under /etc) instead of for you")
    p.add_argument("--rc-file", action="append", metavar="PATH", help="write this file instead of the shell's default")
    p.add_argument("--json", action="store_true", help="report as one JSON document on stdout")
    return p


def init_command(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if not args.json:
        return _run(args)
    import io
    import json

    out = io.StringIO()
    try:
        _run(args, out)
    except ActivateError as err:
        doc = {"error": f"{type(err).__name__}: {err.message}", "exception_name": type(err).__name__,
               "message": err.message, "caused_by": repr(err.__cause__) if err.__cause__ else None}
        if err.hint:
            doc["hint"] = err.hint
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return 1
    sys.stdout.write(out.getvalue())
    return 0


def _run(args: argparse.Namespace, json_out: io.StringIO | None = None) -> int:
    from cantil.cli._shell import activation_settings, find_exe

    aliases = {"csh": "tcsh", "pwsh": "powershell"}
    shells = [aliases.get(s, s) for s in args.shells]
    if args.all:
        shells = [s for s in INIT_SHELLS if not args.system or s not in ("powershell", "cmd.exe")]
    elif not shells:
        shells = ["cmd.exe", "powershell"] if sys.platform == "win32" else ["bash"]
    unknown = [s for s in shells if s not in INIT_SHELLS]
    if unknown:
        _parser().error(f"unknown shell(s): {', '.join(unknown)} (choose from {', '.join(INIT_SHELLS)})")
    if args.rc_file and len(shells) != 1:
        _parser().error("--rc-file needs exactly one shell")
    exe, dev = find_exe()
    if dev:
        raise ActivateError(
            "cannot find the `cantil` command to write into the rc file",
            hint="run `cantil init` from the installed `cantil` script, not `python -m cantil`",
        )
    environ = os.environ
    home = environ.get("HOME") or os.path.expanduser("~")
    root = activation_settings(environ, exe).root_prefix
    any_change = False
    report: list[dict[str, object]] = []
    seen: set[str] = set()
    for shell in shells:
        if args.rc_file:
            paths = args.rc_file
        elif args.system:
            paths = system_rc_paths(shell)
        else:
            paths = default_rc_paths(shell, home=home, environ=environ, root_prefix=root)
        paths = [p for p in paths if p not in seen]  # bash and zsh share one system file
        seen.update(paths)
        result = init(shell, paths, exe=exe, reverse=args.reverse, dry_run=args.dry_run, system=args.system)
        for change in result.changes:
            any_change |= change.changed
            report.append({"shell": shell, "path": change.path, "modified": change.changed, "diff": change.diff()})
            if json_out is not None:
                continue
            if args.dry_run:
                sys.stdout.write(change.diff())
            state = "modified" if change.changed else "no change"
            sys.stdout.write(f"{state:<10} {change.path}\n")
    if json_out is not None:
        import json

        doc = {"success": True, "dry_run": args.dry_run, "reverse": args.reverse, "changes": report}
        json_out.write(json.dumps(doc, indent=2) + "\n")
        return 0
    if args.dry_run:
        sys.stdout.write("\ndry run: nothing was written.\n")
    elif any_change:
        sys.stdout.write("\n==> For changes to take effect, close and re-open your current shell. <==\n")
    else:
        sys.stdout.write("\nNo action taken.\n")
    return 0
