"""`solve(request)`: from a request to the roles of names, an attempt, neutering of history specs, the diff.

How conda's request maps here (docs/solver.md has the whole story):
- a requested name must be installed and match every requested spec; its metrics are the "requested" ones;
- a history spec is a hard requirement like a request, unless this request names the same package (the new spec
  replaces it); when history specs make the request unsatisfiable, the fewest of them are "neutered" (relaxed to
  the bare name) and reported;
- an installed name is optional: removing it costs (fewest removals first), keeping its record is free (it weighs
  nothing in the version metrics) and replacing it counts as an update; update_specs frees the requested names,
  update_deps also their dependencies, update_all every name; freeze_installed locks every installed record the
  request does not name, and falls back to update_specs when that is unsatisfiable, as conda does;
- a pin holds whenever its name is installed; installing a name only a pin mentions costs (fewest optional installs);
- prune: installed names are not optional, so what no request or history spec needs goes;
- conda's business rule: an installed python keeps its minor version unless the request names python.
"""

from __future__ import annotations

import gc

from cantil.solver._encode import Encoding, Setup
from cantil.solver._explain import Constraint, Selectors, explain, neuter
from cantil.solver._index import collect
from cantil.solver._optimize import Search
from cantil.solver._rank import NAMES
from cantil.solver._request import Solution, SolveRequest
from cantil.solver.errors import PackagesNotFound, Unsatisfiable
from cantil.specs import MatchSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any


def _spec(s: MatchSpec | str) -> MatchSpec:
    return s if isinstance(s, MatchSpec) else MatchSpec(s)


def solve(request: SolveRequest) -> Solution:
    """The best final state for `request`, or raise PackagesNotFound / Unsatisfiable (both SolverError).

    The cyclic garbage collector is paused for the call (and restored after, if it was on): a solve allocates
    hundreds of thousands of small clause lists and no cycles worth collecting, and the collections those
    allocations trigger cost up to a fifth of a large solve.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _solve(request)
    finally:
        if paused:
            gc.enable()


def _solve(request: SolveRequest) -> Solution:
    add = [_spec(s) for s in request.specs_to_add]
    remove = [_spec(s) for s in request.specs_to_remove]
    history = [_spec(s) for s in request.history]
    pins = [_spec(s) for s in request.pinned]
    installed = {r.name: r for r in request.installed if not r.name.startswith("__")}

    missing_removals = [s for s in remove if not (s.name in installed and s.match(installed[s.name]))]
    if missing_removals:
        raise PackagesNotFound([str(s) for s in missing_removals], [s.name for s in missing_removals])
    removed = {s.name for s in remove}
    if request.force_remove and remove:
        gone = tuple(installed[n] for n in sorted(removed))
        return Solution(tuple(r for n, r in installed.items() if n not in removed), to_unlink=gone)
    _check_exists(request, add)

    requested: dict[str, list[MatchSpec]] = {}
    for s in add:
        requested.setdefault(s.name, []).append(s)
    if request.update_modifier == "update_all":
        for name in installed:
            if name not in removed:
                requested.setdefault(name, [])
    explicit = {s.name for s in add}  # update_all's names keep their history specs; this request's replace them
    hist = [h for h in history if h.name not in explicit and h.name not in removed]

    def attempt(freeze: bool) -> Solution | None:
        """The solution, or None when the frozen attempt fails (the caller retries unfrozen: no explanation)."""
        neutered: dict[str, MatchSpec] = {}
        for _ in range(3):
            constraints = [Constraint("request", s) for s in add]
            constraints += [Constraint("history", h) for h in hist if h.name not in neutered]
            constraints += [Constraint("history", neutered[h.name]) for h in hist if h.name in neutered]
            constraints += [Constraint("pin", s) for s in pins if s.name not in removed]
            constraints += _python_rule(installed, explicit, removed, request)
            if freeze:
                constraints += [
                    Constraint("installed", MatchSpec.from_fields(name=r.name, version=f"=={r.version}", build=r.build), record=r)
                    for n, r in installed.items()
                    if n not in requested and n not in removed
                ]
            sol = _attempt(request, constraints, requested, installed, removed, freeze=freeze)
            if sol is not None:
                return Solution(sol.records, sol.to_unlink, sol.to_link, dict(neutered), sol.objective)
            selectors = Selectors(request, constraints, removed)  # one reduced problem for neutering and explaining
            relaxed = neuter(selectors)
            if not relaxed:
                break
            for name in relaxed:
                neutered[name] = MatchSpec(name)
        if freeze:
            return None
        raise Unsatisfiable(explain(selectors))

    if request.update_modifier == "freeze_installed" and installed:
        frozen = attempt(True)
        if frozen is not None:
            return frozen
    sol = attempt(False)
    assert sol is not None  # an unfrozen attempt raises instead
    return sol


def _python_rule(
    installed: Mapping[str, Any], explicit: set[str], removed: set[str], request: SolveRequest
) -> list[Constraint]:
    """conda's business rule: an installed python keeps its minor version unless this request names python."""
    py = installed.get("python")
    if py is None or "python" in explicit or "python" in removed or request.update_modifier == "freeze_installed":
        return []
    minor = ".".join(py.version.split(".")[:2])
    return [Constraint("installed", MatchSpec(f"python {minor}.*"))]


def _check_exists(request: SolveRequest, add: Sequence[MatchSpec]) -> None:
    bad = []
    for s in add:
        if s.name.startswith("__"):
            recs: Sequence[Any] = [r for r in request.virtual if r.name == s.name]
        else:
            recs = [*request.source.records(s.name), *(r for r in request.installed if r.name == s.name)]
        if not any(s.match(r) for r in recs):
            bad.append(s)
    if not bad:
        return
    names_fn = getattr(request.source, "names", None)
    suggestions: dict[str, list[str]] = {}
    if callable(names_fn):
        import difflib  # only for this error: its import costs more than a small solve

        known = list(names_fn())
        for s in bad:
            suggestions[s.name] = difflib.get_close_matches(s.name, known, n=3, cutoff=0.75)
    raise PackagesNotFound([str(s) for s in bad], [s.name for s in bad], suggestions)


def _attempt(
    request: SolveRequest,
    constraints: list[Constraint],
    requested: Mapping[str, list[MatchSpec]],
    installed: Mapping[str, Any],
    removed: set[str],
    *,
    freeze: bool,
) -> Solution | None:
    filters: dict[str, list[MatchSpec]] = {}
    for c in constraints:
        filters.setdefault(c.spec.name, []).append(c.spec)
    setup = Setup(disabled=request.channel_priority == "disabled")
    setup.requested = set(requested)
    setup.required = set(requested) | {c.spec.name for c in constraints if c.kind in ("request", "history")}
    setup.fixed = {r.name for r in request.virtual}
    free = set(requested)
    if request.update_modifier == "update_deps":
        free |= _installed_closure(installed, set(requested))
    for name, r in installed.items():
        if name in removed:
            continue
        if request.prune and name not in setup.required:
            continue  # conda's prune: only what a request or history spec needs stays
        setup.optional.add(name)
        if name not in free:
            setup.targets[name] = r
    setup.pin_only = {c.spec.name for c in constraints if c.kind == "pin"} - set(installed) - setup.required
    roots = [*sorted(setup.required), *sorted(n for n in installed if n not in removed), *sorted(setup.fixed)]
    virtual: dict[str, list[Any]] = {}
    for r in request.virtual:
        virtual.setdefault(r.name, []).append(r)
    extra = {n: [r] for n, r in installed.items()}
    problem = collect(
        request.source,
        roots,
        filters,
        excluded=removed,
        virtual=virtual,
        extra=extra,
        strict=request.channel_priority == "strict",
        add_pip=request.add_pip_as_python_dependency,
    )
    enc = Encoding(problem, setup)
    search = Search(enc)
    choice = search.run()
    if choice is None:
        return None
    chosen = [problem.records[v] for name, v in choice.items() if name not in setup.fixed]
    objective = dict(zip(NAMES, search.values, strict=False))
    return _diff(request, chosen, installed, set(requested), removed, objective=objective)


def _installed_closure(installed: Mapping[str, Any], names: set[str]) -> set[str]:
    out: set[str] = set()
    todo = [n for n in names if n in installed]
    while todo:
        n = todo.pop()
        for d in installed[n].depends:
            dn = d.split()[0]
            if dn in installed and dn not in out and dn not in names:
                out.add(dn)
                todo.append(dn)
    return out


def _diff(
    request: SolveRequest,
    chosen: list[Any],
    installed: Mapping[str, Any],
    requested: set[str],
    removed: set[str],
    *,
    objective: dict[str, int],
) -> Solution:
    final = {r.name: r for r in chosen}
    for name, r in final.items():
        old = installed.get(name)
        if old is not None and old.key == r.key:
            final[name] = old
    if request.deps_modifier == "no_deps":
        kept = {n: r for n, r in installed.items() if n not in removed}
        for name in requested:
            if name in final:
                kept[name] = final[name]
        final = kept
    elif request.deps_modifier == "only_deps":
        for name in requested:
            if name not in installed:
                final.pop(name, None)
    ordered = _dependency_order(final)
    unlink = [r for n, r in installed.items() if n not in final or final[n].key != r.key]
    link = [r for r in ordered if r.name not in installed or installed[r.name].key != r.key]
    order_of = {r.name: i for i, r in enumerate(_dependency_order(dict(installed)))}
    unlink.sort(key=lambda r: -order_of.get(r.name, 0))
    return Solution(tuple(ordered), tuple(unlink), tuple(link), {}, objective)


def _dependency_order(records: Mapping[str, Any]) -> list[Any]:
    """Dependencies before dependents (cycles, e.g. python <-> pip, broken by name)."""
    deps = {n: sorted({d.split()[0] for d in r.depends} & records.keys() - {n}) for n, r in records.items()}
    out: list[Any] = []
    state: dict[str, int] = {}
    for root in sorted(records):
        stack = [(root, iter(deps[root]))]
        if root in state:
            continue
        state[root] = 1
        while stack:
            name, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                state[name] = 2
                out.append(records[name])
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(deps[nxt])))
    return out
