"""Why a request is unsatisfiable, in the user's terms: a minimal conflicting set, the chains that clash, a hint.

Each user-level constraint (a requested spec, a history spec, a pin, a frozen installed record) gets a selector
variable; the problem is reduced WITHOUT those constraints filtering it. Deletion-based minimisation then drops each
constraint in turn while the rest stays unsatisfiable (one SAT call per constraint: few). Chains: from each
constraint, the records it allows are followed through the dependencies all of them share, narrowing the records
allowed per name; where two constraints allow disjoint sets of one name (or one allows none), their chains meet.
The hint relaxes one requested spec to its bare name and names a version compatible with the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cantil.solver._encode import Encoding, Setup
from cantil.solver._index import Problem, collect
from cantil.solver._sat import Formula
from cantil.solver.errors import Conflict
from cantil.specs import MatchSpec


@dataclass(frozen=True)
class Constraint:
    kind: str  # "request" | "history" | "pin" | "installed"
    spec: MatchSpec
    record: Any = None

    @property
    def label(self) -> str:
        text = str(self.spec)
        return text if self.kind == "request" else f"{text} ({'pinned' if self.kind == 'pin' else self.kind})"


class _Selectors:
    """The problem reduced without the constraints, each constraint behind a selector variable."""

    def __init__(self, request: Any, constraints: Sequence[Constraint], removed: set[str]) -> None:
        self.constraints = list(constraints)
        self._deps: dict[int, dict[str, list[str]]] = {}
        virtual: dict[str, list[Any]] = {}
        for r in request.virtual:
            virtual.setdefault(r.name, []).append(r)
        roots = [c.spec.name for c in constraints]
        self.p: Problem = collect(
            request.source,
            roots,
            {},
            excluded=removed,
            virtual=virtual,
            extra={r.name: [r] for r in request.installed},
            strict=request.channel_priority == "strict",
            add_pip=request.add_pip_as_python_dependency,
            prune=False,  # keep the records a missing dependency rules out: the chains name that dependency
        )
        self.enc = Encoding(self.p, Setup(fixed=set(virtual)))
        f: Formula = self.enc.f
        self.sel: list[int] = []
        for c in constraints:
            s = f.new_var()
            self.sel.append(s)
            vs = self.p.by_name.get(c.spec.name, [])
            ok = [v for v in vs if c.spec.match(self.p.records[v])]
            if c.kind in ("request", "history"):
                f.add([-s, *ok])
            else:
                oks = set(ok)
                f.extend([-s, -v] for v in vs if v not in oks)

    def deps_by_name(self, v: int) -> dict[str, list[str]]:
        d = self._deps.get(v)
        if d is None:
            d = self._deps[v] = {}
            for t in self.p.depends[v]:
                d.setdefault(self.p.spec(t).name, []).append(t)
        return d

    def sat(self, active: Sequence[int], extra: Sequence[int] = ()) -> frozenset[int] | None:
        return self.enc.f.solve([self.sel[i] for i in active] + list(extra))


def neuter(request: Any, constraints: Sequence[Constraint], removed: set[str]) -> list[str]:
    """The fewest history specs to relax (names) for the rest to be satisfiable; [] when relaxing them all fails."""
    hist = [i for i, c in enumerate(constraints) if c.kind == "history" and not c.spec.is_name_only()]
    if not hist:
        return []
    sel = _Selectors(request, constraints, removed)
    others = [i for i in range(len(constraints)) if i not in hist]
    bare = {i: sel.p.by_name.get(constraints[i].spec.name, []) for i in hist}

    def ok(kept: list[int]) -> bool:
        extra = [sel.enc.f.new_var() for _ in ()]
        for i in hist:
            if i not in kept:
                v = sel.enc.f.new_var()
                sel.enc.f.add([-v, *bare[i]])
                extra.append(v)
        return sel.sat(others + kept, extra) is not None

    if not ok([]):
        return []
    kept: list[int] = []
    for i in hist:
        if ok([*kept, i]):
            kept.append(i)
    return [constraints[i].spec.name for i in hist if i not in kept]


def explain(request: Any, constraints: Sequence[Constraint], removed: set[str]) -> Conflict:
    sel = _Selectors(request, constraints, removed)
    active = list(range(len(constraints)))
    if sel.sat(active) is not None:  # unsatisfiable only through soft parts: report every constraint
        return Conflict(tuple(c.label for c in constraints), tuple((c.label,) for c in constraints))
    for i in list(active):
        rest = [j for j in active if j != i]
        if sel.sat(rest) is None:
            active = rest
    core = [constraints[i] for i in active]
    chains, clash = _chains(sel, core)
    return Conflict(tuple(c.label for c in core), chains, _hint(sel, core, active), clash)


def _allowed(sel: _Selectors, c: Constraint) -> tuple[dict[str, set[int]], dict[str, tuple[str, int, str]]]:
    """Per name, the records still possible under `c` alone (over-approximated), and how each name was reached."""
    p, enc = sel.p, sel.enc
    start = {v for v in p.by_name.get(c.spec.name, []) if c.spec.match(p.records[v])}
    allowed = {c.spec.name: start}
    via: dict[str, tuple[str, int, str]] = {}
    queue = [c.spec.name]
    for name in queue:
        if len(queue) > 400:
            break
        a = allowed[name]
        if not a:
            continue
        per = [sel.deps_by_name(v) for v in a]
        common = set(per[0]).intersection(*per[1:])
        best = next(v for v in enc.order[name] if v in a)  # the best-ranked allowed record
        for dn in sorted(common):
            union: set[int] = set()
            for d in per:
                texts = d[dn]
                got = set(enc.candidates(texts[0]))
                for t in texts[1:]:
                    got &= enc.candidates(t)
                union |= got
            old = allowed.get(dn)
            new = union if old is None else old & union
            if old is None or len(new) < len(old):
                allowed[dn] = new
                texts = sel.deps_by_name(best).get(dn, [dn])
                via[dn] = (name, best, texts[0])
                queue.append(dn)
    return allowed, via


def _chain(sel: _Selectors, c: Constraint, via: dict[str, tuple[str, int, str]], name: str) -> tuple[str, ...]:
    hops: list[str] = []
    seen = set()
    while name != c.spec.name and name in via and name not in seen:
        seen.add(name)
        parent, v, text = via[name]
        r = sel.p.records[v]
        hops[:0] = [f"{r.name} {r.version}", text]
        name = parent
    return tuple(hops) or (c.label,)


def _chains(sel: _Selectors, core: list[Constraint]) -> tuple[tuple[tuple[str, ...], ...], str | None]:
    maps = [_allowed(sel, c) for c in core]
    best: tuple[int, str, int, int] | None = None
    for i, (ai, vi) in enumerate(maps):
        for name, a in ai.items():
            if not a:
                depth = len(_chain(sel, core[i], vi, name))
                if best is None or depth < best[0]:
                    best = (depth, name, i, i)
        for j in range(i + 1, len(maps)):
            aj, vj = maps[j]
            for name in ai.keys() & aj.keys():
                if ai[name] and aj[name] and not ai[name] & aj[name]:
                    depth = len(_chain(sel, core[i], vi, name)) + len(_chain(sel, core[j], vj, name))
                    if best is None or depth < best[0]:
                        best = (depth, name, i, j)
    if best is None:
        return tuple((c.label,) for c in core), None
    _, name, i, j = best
    if i == j:
        chain = _chain(sel, core[i], maps[i][1], name)
        if chain == (core[i].label,):
            return ((core[i].label,),), name
        return (chain,), name
    return (_chain(sel, core[i], maps[i][1], name), _chain(sel, core[j], maps[j][1], name)), name


def _hint(sel: _Selectors, core: list[Constraint], active: list[int]) -> str | None:
    for k, c in enumerate(core):
        if c.kind != "request" or c.spec.is_name_only():
            continue
        others = [i for i in active if i != active[k]]
        vs = sel.p.by_name.get(c.spec.name, [])
        if not vs:
            continue
        lits = sel.enc.f.new_var()
        sel.enc.f.add([-lits, *vs])
        model = sel.sat(others, [lits])
        if model is None:
            continue
        found = next(v for v in vs if v in model)
        order = sel.enc.order[c.spec.name]
        for v in order[: order.index(found)][:3]:  # a newer compatible version, if any (a few calls at most)
            if sel.sat(others, [v]) is not None:
                found = v
                break
        r = sel.p.records[found]
        rest = ", ".join(f"`{core[i].label}`" for i in range(len(core)) if i != k)
        if rest:
            return f"`{r.name}={r.version}` is compatible with {rest}"
        return f"`{r.name}={r.version}` can be installed"
    pins = [c for c in core if c.kind == "pin"]
    if pins:
        return f"the pin `{pins[0].spec}` rules this out: change conda-meta/pinned or ask for a version it allows"
    return None
