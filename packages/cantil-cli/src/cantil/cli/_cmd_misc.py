"""`cantil rename` (a clone to the new place, then removal of the old one, as conda does: installed text files
hold their prefix, so a plain move would break them) and `cantil doctor` (files missing or altered against
paths_data, and an interrupted transaction, which --recover finishes or rolls back).
"""

from __future__ import annotations

import json
import os
import sys

from cantil.cli._context import is_env, locate, validate_name
from cantil.cli._errors import CondaValueError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


def rename(ns: argparse.Namespace) -> int:
    from cantil.cli._cmd_install import _remove_prefix
    from cantil.cli._transact import Session, apply, installed_records

    sess = Session(ns)
    s = sess.settings
    if not ns.name and not ns.prefix:
        raise CondaValueError("one of the arguments -n/--name -p/--prefix is required")
    source = locate(s, ns.name, ns.prefix)
    if os.path.normpath(source) == os.path.normpath(s.root_prefix):
        raise CondaValueError("the base environment cannot be renamed")
    if os.path.normpath(source) == os.path.normpath(s.environ.get("CONDA_PREFIX", "") or "/nonexistent"):
        raise CondaValueError("the active environment cannot be renamed", hint="deactivate it first")
    if os.sep in ns.destination:
        dest = os.path.abspath(os.path.expanduser(ns.destination))
    else:
        validate_name(ns.destination)
        dest = locate(s, ns.destination, None, must_exist=False)
    if os.path.exists(dest):
        if not ns.force:
            raise CondaValueError(f"the destination already exists: {dest}", hint="pass --force to replace it")
        if not is_env(dest) and os.listdir(dest):
            raise CondaValueError(f"the destination exists and is not an environment: {dest}")
    records = list(installed_records(source).values())
    if sess.dry_run:
        if sess.json:
            sess.emit({"success": True, "dry_run": True, "source": source, "destination": dest})
        else:
            sess.say(f"would rename {source} to {dest}\nDryRunExit: Dry run. Exiting.")
        return 0
    sess.confirm(f"Rename {source} to {dest}")
    sess.yes = True
    if os.path.exists(dest):
        _remove_prefix(sess, dest)
    quiet_json, sess.json = sess.json, True  # the clone's own summary is not shown
    try:
        import io
        from contextlib import redirect_stdout

        with redirect_stdout(io.StringIO()):
            apply(sess, dest, link=records, unlink=[], added=[r.name for r in records])
    finally:
        sess.json = quiet_json
    _remove_prefix(sess, source)
    if sess.json:
        sess.emit({"success": True, "source": source, "destination": dest})
    else:
        sess.say(f"renamed {source} to {dest}")
    return 0


def doctor(ns: argparse.Namespace) -> int:
    from cantil.cli._context import settings_of
    from cantil.link import PrefixData

    s = settings_of(ns)
    prefix = locate(s, ns.name, ns.prefix)
    journal = os.path.join(prefix, "conda-meta", ".cantil-journal")
    interrupted = os.path.exists(journal)
    recovered: str | None = None
    if interrupted and ns.recover:
        from pathlib import Path

        from cantil.link import recover

        recovered = recover(Path(prefix))
        interrupted = os.path.exists(journal)
    problems = PrefixData(prefix).verify()
    missing: dict[str, list[str]] = {}
    altered: dict[str, list[str]] = {}
    for p in problems:
        (missing if p.kind == "missing" else altered).setdefault(p.package, []).append(p.path)
    doc: dict[str, Any] = {"prefix": prefix, "missing_files": missing, "altered_files": altered,
                           "interrupted_transaction": interrupted, "recovered": recovered,
                           "healthy": not (missing or altered or interrupted)}
    if ns.json:
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return 0
    out = [f"Environment Health Report for: {prefix}", ""]
    if recovered:
        out += [f"Interrupted transaction: {recovered}", ""]
    elif interrupted:
        out += ["Interrupted transaction: a transaction did not finish.",
                "hint: run `cantil doctor --recover` to finish or roll it back", ""]
    for title, group in (("Missing Files", missing), ("Altered Files", altered)):
        if group:
            out.append(f"{title}:")
            out += [f"{pkg}: {len(paths)}  ({', '.join(paths[:5])}{', ...' if len(paths) > 5 else ''})"
                    for pkg, paths in sorted(group.items())]
            out.append("")
        else:
            out += [f"There are no packages with {title.lower()}.", ""]
    sys.stdout.write("\n".join(out) + "\n")
    return 0
