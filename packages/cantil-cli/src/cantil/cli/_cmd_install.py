"""`create`, `install`, `update`, `remove`: requests turned into a solve, then one transaction.

Special paths that do not solve: an @EXPLICIT --file (exact URLs), `create --clone` (the source's records),
`install --revision N` (the state recorded in conda-meta/history), `remove --all` (everything, then the directory).
"""

from __future__ import annotations

import os

from cantil.cli._context import env_name, is_env, locate
from cantil.cli._errors import CliError, CondaValueError, PackagesNotFoundError
from cantil.cli._transact import (
    Session,
    apply,
    history_specs,
    installed_records,
    not_installed,
    parse_specs,
    pinned_specs,
    read_spec_file,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

    from cantil.specs import MatchSpec, PackageRecord


def _gather(ns: argparse.Namespace) -> tuple[list[str], list[str]]:
    """(specs, explicit URLs) from the command line and every --file."""
    specs = list(ns.packages or [])
    urls: list[str] = []
    for path in getattr(ns, "file", None) or []:
        lines, explicit = read_spec_file(path)
        (urls if explicit else specs).extend(lines)
    return specs, urls


def _solve(sess: Session, prefix: str, specs: list[MatchSpec], *, update_modifier: str | None = None,
           remove: Sequence[MatchSpec] = (), force_remove: bool = False, extra_history: bool = True,
           drop_history: set[str] | None = None) -> Any:
    from cantil.solver import SolveRequest, solve
    from cantil.solver.virtual import detect

    ns, s = sess.ns, sess.settings
    installed = installed_records(prefix)
    index = sess.index(specs)
    try:
        index.prefetch({sp.name for sp in specs} | set(installed))
        sess.step("Collecting package metadata (repodata.json)")
        history = [v for k, v in history_specs(prefix).items() if k not in (drop_history or set())] if extra_history else []
        request = SolveRequest(
            source=index, specs_to_add=specs, specs_to_remove=list(remove), installed=list(installed.values()),
            history=history, pinned=pinned_specs(prefix, s, ns), virtual=detect(s.environ, s.subdir),
            channel_priority=s.channel_priority, add_pip_as_python_dependency=bool(s.add_pip_as_python_dependency),
            update_modifier=update_modifier or getattr(ns, "update_modifier", None) or "update_specs",  # type: ignore[arg-type]
            deps_modifier=getattr(ns, "deps_modifier", None) or "not_set", force_remove=force_remove,
            prune=bool(getattr(ns, "prune", False)),
        )
        solution = solve(request)
    finally:
        close = getattr(index, "close", None)
        if callable(close):
            close()
    sess.step("Solving environment")
    return solution


def _aggressive(sess: Session, installed: dict[str, Any], specs: list[MatchSpec]) -> list[MatchSpec]:
    from cantil.specs import MatchSpec

    asked = {s.name for s in specs}
    return [MatchSpec(n) for n in sess.settings.aggressive_update_packages if n in installed and n not in asked]


def _force_reinstall(solution: Any, specs: Sequence[MatchSpec], installed: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    link, unlink = list(solution.to_link), list(solution.to_unlink)
    linked = {r.name for r in link}
    final = {r.name: r for r in solution.records}
    for sp in specs:
        if sp.name in installed and sp.name not in linked and sp.name in final:
            unlink.append(installed[sp.name])
            link.append(final[sp.name])
    return link, unlink


def install(ns: argparse.Namespace) -> int:
    sess = Session(ns)
    prefix = locate(sess.settings, ns.name, ns.prefix)
    if ns.revision is not None:
        return _revision(sess, prefix, ns.revision)
    texts, urls = _gather(ns)
    if urls:
        return _explicit(sess, prefix, urls)
    if not texts:
        raise CondaValueError("too few arguments: no package names supplied",
                              hint="for example: cantil install -n myenv scipy")
    return _install_specs(sess, prefix, texts)


def _install_specs(sess: Session, prefix: str, texts: list[str], *, update_modifier: str | None = None) -> int:
    specs = parse_specs(texts)
    installed = installed_records(prefix)
    solution = _solve(sess, prefix, specs + _aggressive(sess, installed, specs), update_modifier=update_modifier)
    link, unlink = list(solution.to_link), list(solution.to_unlink)
    if getattr(sess.ns, "force_reinstall", False):
        link, unlink = _force_reinstall(solution, specs, installed)
    neutered = [str(v) for v in getattr(solution, "neutered", {}).values()]
    return apply(sess, prefix, link=link, unlink=unlink, added=[str(s) for s in specs], neutered=neutered)


def update(ns: argparse.Namespace) -> int:
    sess = Session(ns)
    prefix = locate(sess.settings, ns.name, ns.prefix)
    texts, urls = _gather(ns)
    if urls:
        return _explicit(sess, prefix, urls)
    installed = installed_records(prefix)
    if ns.update_all:
        if texts:
            raise CondaValueError("--all cannot be combined with package names")
        asked = history_specs(prefix)
        names = [n for n in asked if n in installed] or sorted(installed)
        return _install_specs(sess, prefix, names, update_modifier="update_all")
    if not texts:
        raise CondaValueError("no package names supplied", hint="name the packages, or update them all with --all")
    specs = parse_specs(texts)
    missing = [s.name for s in specs if s.name not in installed]
    if missing:
        raise not_installed(missing, prefix)
    return _install_specs(sess, prefix, texts, update_modifier=ns.update_modifier or "update_specs")


def create(ns: argparse.Namespace) -> int:
    sess = Session(ns)
    s = sess.settings
    if not ns.name and not ns.prefix:
        raise CondaValueError("one of the arguments -n/--name -p/--prefix is required")
    prefix = locate(s, ns.name, ns.prefix, must_exist=False)
    if os.path.normpath(prefix) == os.path.normpath(s.root_prefix) and is_env(prefix):
        raise CondaValueError("the base environment cannot be replaced with create", hint="use `cantil install -n base`")
    _make_room(sess, prefix)
    texts, urls = _gather(ns)
    if ns.clone:
        source = locate(s, None, ns.clone) if os.sep in ns.clone else locate(s, ns.clone, None)
        link: list[PackageRecord] = list(installed_records(source).values())
        rc = apply(sess, prefix, link=link, unlink=[], added=[r.name for r in link])
    elif urls:
        rc = _explicit(sess, prefix, urls)
    else:
        if not ns.no_default_packages:
            asked = {t.split("=")[0].split("<")[0].split(">")[0].split(" ")[0] for t in texts}
            texts += [p for p in s.create_default_packages if p.split(" ")[0] not in asked]
        rc = _install_specs(sess, prefix, texts) if texts else _empty_env(sess, prefix)
    if rc == 0 and not sess.dry_run and not sess.json and not getattr(ns, "download_only", False) and is_env(prefix):
        from cantil.cli._render import activation_hint

        sess.say(activation_hint(ns.name or env_name(s, prefix)))
    return rc


def _make_room(sess: Session, prefix: str) -> None:
    """An existing environment is replaced only after confirmation; a non-empty non-environment is refused."""
    if not os.path.exists(prefix):
        return
    if not os.path.isdir(prefix):
        raise CondaValueError(f"the target prefix exists and is not a directory: {prefix}")
    if not is_env(prefix):
        if os.listdir(prefix):
            raise CondaValueError(f"the target directory exists, is not empty and is not an environment: {prefix}")
        return
    if sess.dry_run:
        return
    if sess.json and not sess.yes:
        raise CondaValueError(f"an environment already exists at {prefix}", hint="pass -y/--yes to replace it")
    if not sess.yes:
        sess.say(f"warning: an environment already exists at {prefix}")
        sess.confirm("Remove existing environment")
    _remove_prefix(sess, prefix, quiet=True)


def _empty_env(sess: Session, prefix: str) -> int:
    if sess.dry_run:
        return apply(sess, prefix, link=[], unlink=[], message_if_nothing="The environment would be empty.")
    from cantil.link import History

    os.makedirs(os.path.join(prefix, "conda-meta"), exist_ok=True)
    hist = History(prefix)
    text = hist.render([], command_line=sess.command_line())
    with open(hist.path, "a", encoding="utf-8") as f:
        f.write(text)
    _register(sess, prefix)
    if sess.json:
        sess.emit({"success": True, "prefix": prefix, "dry_run": False,
                   "actions": {"FETCH": [], "LINK": [], "UNLINK": [], "PREFIX": prefix}})
    return 0


def _register(sess: Session, prefix: str) -> None:
    from pathlib import Path

    from cantil.link import register_environment

    register_environment(Path(prefix), Path(sess.environments_txt()))


def remove(ns: argparse.Namespace) -> int:
    sess = Session(ns)
    s = sess.settings
    prefix = locate(s, ns.name, ns.prefix)
    installed = installed_records(prefix)
    if ns.remove_all:
        if os.path.normpath(prefix) == os.path.normpath(s.root_prefix):
            raise CondaValueError("cannot remove the base environment")
        if os.path.normpath(prefix) == os.path.normpath(s.environ.get("CONDA_PREFIX", "")):
            raise CondaValueError("cannot remove the active environment", hint="deactivate it first")
        rc = apply(sess, prefix, link=[], unlink=list(installed.values()), removed=sorted(installed),
                   message_if_nothing="The environment is already empty.")
        if rc == 0 and not sess.dry_run and not getattr(ns, "download_only", False):
            _remove_prefix(sess, prefix, quiet=True)
        return rc
    texts, _ = _gather(ns)
    if not texts:
        raise CondaValueError("no package names supplied", hint="name the packages, or remove everything with --all")
    specs = parse_specs(texts)
    missing = [sp.name for sp in specs if sp.name not in installed]
    if missing:
        raise PackagesNotFoundError(f"packages missing from the target environment: {', '.join(missing)}",
                                    packages=missing, prefix=prefix)
    if ns.force_remove:
        unlink = [installed[sp.name] for sp in specs]
        return apply(sess, prefix, link=[], unlink=unlink, removed=[str(sp) for sp in specs])
    # as conda: removing a package also removes what depends on it, so their history specs are dropped
    solution = _solve(sess, prefix, [], remove=specs, drop_history=dependents(installed, {sp.name for sp in specs}))
    return apply(sess, prefix, link=list(solution.to_link), unlink=list(solution.to_unlink),
                 removed=[str(sp) for sp in specs])


def dependents(installed: dict[str, Any], names: set[str]) -> set[str]:
    """Installed packages that depend, directly or not, on any of `names` (conda's PrefixGraph.remove_spec)."""
    from cantil.specs import parse_depends

    deps = {n: {parse_depends(d).name for d in r.depends} for n, r in installed.items()}
    found: set[str] = set()
    frontier = set(names)
    while frontier:
        new = {n for n, ds in deps.items() if ds & frontier and n not in found and n not in names}
        found |= new
        frontier = new
    return found


def _remove_prefix(sess: Session, prefix: str, *, quiet: bool = False) -> None:
    """Unlink everything (so pre-unlink scripts run), then delete the directory and unregister it."""
    from pathlib import Path

    from cantil.link import Transaction, unregister_environment

    installed = installed_records(prefix)
    if installed:
        txn = Transaction.prepare(prefix, unlink=list(installed.values()), settings=sess.link_settings(),
                                  activation_prelude=sess.activation_prelude(), reporter=sess.progress,  # type: ignore[arg-type]
                                  command_line=sess.command_line())
        txn.verify()
        txn.execute()
    import shutil

    shutil.rmtree(prefix, ignore_errors=True)
    unregister_environment(Path(prefix), Path(sess.environments_txt()))


# -- explicit files and revisions ------------------------------------------------------------------------------

def _explicit(sess: Session, prefix: str, urls: list[str]) -> int:
    from cantil.cli._explicit import records_from_urls

    records = records_from_urls(sess, urls)
    installed = installed_records(prefix)
    link = [r for r in records if r.name not in installed or installed[r.name].dist_name != r.dist_name]
    unlink = [installed[r.name] for r in link if r.name in installed]
    return apply(sess, prefix, link=link, unlink=unlink, added=[r.name for r in records])


def _revision(sess: Session, prefix: str, revision: int) -> int:
    from cantil.link import History

    states = History(prefix).states()
    if not 0 <= revision < len(states):
        raise CliError(f"no revision {revision} in {prefix} (revisions 0 to {len(states) - 1})",
                       hint="list them with `cantil list --revisions`")
    target = {_dist_key(d) for d in states[revision]}
    installed = installed_records(prefix)
    have = {_dist_key(r.dist_name): r for r in installed.values()}
    unlink = [r for k, r in have.items() if k not in target]
    wanted = [k for k in target if k not in have]
    link = _find_dists(sess, wanted)
    return apply(sess, prefix, link=link, unlink=unlink)


def _dist_key(dist: str) -> tuple[str, str, str]:
    """(name, version, build) of a history line such as `conda-forge/linux-64::zlib-1.3-h0_1` or `zlib-1.3-h0_1`."""
    tail = dist.rsplit("::", 1)[-1]
    name, version, build = tail.rsplit("-", 2)
    return name, version, build


def _find_dists(sess: Session, wanted: list[tuple[str, str, str]]) -> list[PackageRecord]:
    if not wanted:
        return []
    from cantil.specs import MatchSpec

    index = sess.index()
    try:
        index.prefetch({n for n, _, _ in wanted})
        found: list[PackageRecord] = []
        missing: list[str] = []
        for name, version, build in wanted:
            spec = MatchSpec.from_fields(name=name, version=f"=={version}", build=build)
            matches = [r for r in index.records(name) if spec.match(r)]
            if matches:
                found.append(matches[0])
            else:
                missing.append(f"{name}-{version}-{build}")
    finally:
        close = getattr(index, "close", None)
        if callable(close):
            close()
    if missing:
        raise PackagesNotFoundError(f"packages of the revision missing from the channels: {', '.join(missing)}",
                                    packages=missing)
    return found
