"""Why a request is unsatisfiable, in the user's terms: a minimal conflicting set, the chains that clash, a hint.

Each user-level constraint (a requested spec, a history spec, a pin, a frozen installed record) is a selector over
the problem reduced WITHOUT those constraints filtering it (`_selectors.Selectors`, which answers "is this subset
satisfiable?" by propagation or a greedy witness first, by SAT only when those do not decide). Deletion-based
minimisation drops each constraint in turn while the rest stays unsatisfiable. Chains: from each constraint, the
records it allows are followed through the dependencies all of them share, narrowing the records allowed per name;
where two constraints allow disjoint sets of one name (or one allows none), their chains meet. The hint relaxes one
requested spec to its bare name and names its newest version compatible with the others.
"""

from __future__ import annotations

from cantil.solver._selectors import Constraint, Selectors
from cantil.solver.errors import Conflict

__all__ = ["Constraint", "Selectors", "explain", "neuter"]


def neuter(sel: Selectors) -> list[str]:
    """The fewest history specs to relax (names) for the rest to be satisfiable; [] when relaxing them all fails."""
    constraints = sel.constraints
    hist = [i for i, c in enumerate(constraints) if c.kind == "history" and not c.spec.is_name_only()]
    if not hist:
        return []
    others = [i for i in range(len(constraints)) if i not in hist]
    bare = {i: (constraints[i].spec.name, frozenset(sel.p.by_name.get(constraints[i].spec.name, ()))) for i in hist}

    def ok(kept: list[int]) -> bool:
        return sel.satisfiable(others + kept, [bare[i] for i in hist if i not in kept]) is not None

    if not ok([]):
        return []
    kept: list[int] = []
    for i in hist:
        if ok([*kept, i]):
            kept.append(i)
    return [constraints[i].spec.name for i in hist if i not in kept]


def explain(sel: Selectors) -> Conflict:
    constraints = sel.constraints
    active = list(range(len(constraints)))
    if sel.satisfiable(active) is not None:  # unsatisfiable only through soft parts: report every constraint
        return Conflict(tuple(c.label for c in constraints), tuple((c.label,) for c in constraints))
    for i in list(active):
        rest = [j for j in active if j != i]
        if sel.satisfiable(rest) is None:
            active = rest
    core = [constraints[i] for i in active]
    chains, clash = _chains(sel, active)
    return Conflict(tuple(c.label for c in core), chains, _hint(sel, active), clash)


def _chain(sel: Selectors, i: int, name: str) -> tuple[str, ...]:
    c = sel.constraints[i]
    via = sel.allowed(i)[1]
    hops: list[str] = []
    seen = set()
    while name != c.spec.name and name in via and name not in seen:
        seen.add(name)
        parent, v, text = via[name]
        r = sel.p.records[v]
        hops[:0] = [f"{r.name} {r.version}", text]
        name = parent
    return tuple(hops) or (c.label,)


def _chains(sel: Selectors, active: list[int]) -> tuple[tuple[tuple[str, ...], ...], str | None]:
    core = [sel.constraints[i] for i in active]
    maps = [sel.allowed(i)[0] for i in active]
    best: tuple[int, str, int, int] | None = None
    for i, ai in enumerate(maps):
        for name, a in ai.items():
            if not a:
                depth = len(_chain(sel, active[i], name))
                if best is None or depth < best[0]:
                    best = (depth, name, i, i)
        for j in range(i + 1, len(maps)):
            aj = maps[j]
            for name in ai.keys() & aj.keys():
                if ai[name] and aj[name] and not ai[name] & aj[name]:
                    depth = len(_chain(sel, active[i], name)) + len(_chain(sel, active[j], name))
                    if best is None or depth < best[0]:
                        best = (depth, name, i, j)
    if best is None:
        return tuple((c.label,) for c in core), None
    _, name, i, j = best
    if i == j:
        chain = _chain(sel, active[i], name)
        if chain == (core[i].label,):
            return ((core[i].label,),), name
        return (chain,), name
    return (_chain(sel, active[i], name), _chain(sel, active[j], name)), name


def _hint(sel: Selectors, active: list[int]) -> str | None:
    core = [sel.constraints[i] for i in active]
    for k, c in enumerate(core):
        if c.kind != "request" or c.spec.is_name_only():
            continue
        name = c.spec.name
        others = [i for i in active if i != active[k]]
        found = _newest(sel, others, name)
        if found is None:
            continue
        r = sel.p.records[found]
        rest = ", ".join(f"`{core[i].label}`" for i in range(len(core)) if i != k)
        if rest:
            return f"`{r.name}={r.version}` is compatible with {rest}"
        return f"`{r.name}={r.version}` can be installed"
    pins = [c for c in core if c.kind == "pin"]
    if pins:
        return f"the pin `{pins[0].spec}` rules this out: change conda-meta/pinned or ask for a version it allows"
    return None


def _newest(sel: Selectors, others: list[int], name: str) -> int | None:
    """The best-ranked record of `name` compatible with the `others` constraints, or None when there is none.

    The records the others rule out by propagation are skipped; a greedy walk that decides `name` first picks the
    best of the rest that fits, and when it succeeds that pick is the answer (the records before it were ruled out
    by propagation alone). Otherwise any model gives one compatible record, and the better ones are tried in order
    (cheap answers first; at most three SAT calls).
    """
    vs = sel.p.by_name.get(name, [])
    if not vs:
        return None
    bound = sel.bounds(others, [(name, frozenset(vs))])
    if bound is None:
        return None
    cands = [v for v in sel.order(name) if v in bound[name]]
    model = sel.satisfiable(others, [(name, frozenset(cands))], first=name)
    if model is None:
        return None
    found = model[name]
    if sel.witnessed:
        return found
    budget = sel.calls + 3
    for v in cands[: cands.index(found)]:
        if sel.calls >= budget:
            break
        if sel.satisfiable(others, [(name, frozenset((v,)))]) is not None:
            return v
    return found
