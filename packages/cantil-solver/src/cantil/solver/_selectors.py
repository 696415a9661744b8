"""Is a subset of the user's constraints satisfiable? Answered cheaply first, by SAT only when needed.

The explanation asks this question many times (deletion-based minimisation, the hint, neutering of history specs),
about one problem: the index reduced WITHOUT the constraints filtering it, each constraint behind a selector. Each
question is answered by the first of these that decides it:

1. a proof of unsatisfiability from propagation: per requiring constraint (a request or history spec), the records
   still possible per name (`allowed`: the dependencies every allowed record of a name shares narrow those names in
   turn; every name reached must be installed). Two constraints allowing disjoint records of one name, or one
   allowing none, cannot hold together; a pin or frozen record restricts its own name;
2. a model found by a greedy walk from the required names (best record first, dependencies checked against what is
   chosen and looked ahead against what is allowed), verified by construction: it is a witness of satisfiability;
3. a model found before that satisfies the question (models are kept);
4. one pycosat call on the selector encoding, built on first use: the selectors of the active constraints are unit
   clauses appended to that call only (pycosat has no assumptions).

Answers 1-3 are exact (a proof either way), so the explanation is the one the SAT calls alone would give.
"""

from __future__ import annotations

from cantil.solver._encode import Encoding, Setup
from cantil.solver._index import collect
from cantil.solver._rank import best_first

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from cantil.solver._index import Problem
    from cantil.specs import MatchSpec

Need = tuple[str, "set[int] | frozenset[int]"]  # (name, records): one of them must be installed
Allowed = tuple[dict[str, set[int]], dict[str, tuple[str, int, str]]]
REQUIRING = ("request", "history")


class Constraint:
    """One user-level constraint: a requested spec, a history spec, a pin, a frozen installed record."""

    __slots__ = ("kind", "record", "spec")

    def __init__(self, kind: str, spec: MatchSpec, record: Any = None) -> None:
        self.kind = kind  # "request" | "history" | "pin" | "installed"
        self.spec = spec
        self.record = record

    @property
    def label(self) -> str:
        text = str(self.spec)
        return text if self.kind == "request" else f"{text} ({'pinned' if self.kind == 'pin' else self.kind})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Constraint):
            return NotImplemented
        return (self.kind, self.spec, self.record) == (other.kind, other.spec, other.record)

    def __hash__(self) -> int:
        return hash((self.kind, self.spec))

    def __repr__(self) -> str:
        return f"Constraint({self.kind!r}, {self.spec!r}, record={self.record!r})"


class Selectors:
    """The problem reduced without the constraints; `satisfiable(active, need)` answers subsets of them."""

    def __init__(self, request: Any, constraints: Sequence[Constraint], removed: set[str]) -> None:
        self.constraints = list(constraints)
        self.virtual: dict[str, list[Any]] = {}
        for r in request.virtual:
            self.virtual.setdefault(r.name, []).append(r)
        self.p: Problem = collect(
            request.source,
            [c.spec.name for c in constraints],
            {},
            excluded=removed,
            virtual=self.virtual,
            extra={r.name: [r] for r in request.installed},
            strict=request.channel_priority == "strict",
            add_pip=request.add_pip_as_python_dependency,
            prune=False,  # keep the records a missing dependency rules out: the chains name that dependency
        )
        p = self.p
        self.ok: list[frozenset[int]] = [
            frozenset(v for v in p.by_name.get(c.spec.name, ()) if c.spec.match(p.records[v])) for c in constraints
        ]
        self.calls = 0  # SAT calls made (the other answers are free)
        self.witnessed = False  # the last model came from the greedy walk
        self._cset: dict[str, frozenset[int]] = {}
        self._order: dict[str, list[int]] = {}
        self._deps: dict[int, dict[str, list[str]]] = {}
        self._dsets: dict[tuple[str, ...], dict[str, frozenset[int]]] = {}
        self._cons: dict[int, list[tuple[str, frozenset[int]]]] = {}
        self._allowed: dict[int, Allowed] = {}
        self._models: list[dict[str, int]] = []
        self._enc: Encoding | None = None
        self._sel: list[int] = []

    # -- cached views of the problem ------------------------------------------------------------------------------

    def candidates(self, text: str) -> frozenset[int]:
        c = self._cset.get(text)
        if c is None:
            c = self._cset[text] = frozenset(self.p.matching(text))
        return c

    def order(self, name: str) -> list[int]:
        """The records of `name`, best first (conda's version key; channel priority flexible)."""
        o = self._order.get(name)
        if o is None:
            p = self.p
            o = self._order[name] = best_first(p.by_name.get(name, ()), p.records, p.priority, False)
        return o

    def deps_by_name(self, v: int) -> dict[str, list[str]]:
        d = self._deps.get(v)
        if d is None:
            d = self._deps[v] = {}
            for t in self.p.depends[v]:
                d.setdefault(self.p.spec(t).name, []).append(t)
        return d

    def dep_sets(self, v: int) -> dict[str, frozenset[int]]:
        """Per dependency name of `v`, the records all its texts on that name allow (shared by equal depends)."""
        key = self.p.depends[v]
        d = self._dsets.get(key)
        if d is None:
            d = self._dsets[key] = {}
            for dn, texts in self.deps_by_name(v).items():
                got = self.candidates(texts[0])
                for t in texts[1:]:
                    got = got & self.candidates(t)
                d[dn] = got
        return d

    def cons(self, v: int) -> list[tuple[str, frozenset[int]]]:
        """The constrains of `v` on names of the problem: (name, the records it allows)."""
        c = self._cons.get(v)
        if c is None:
            p = self.p
            texts = p.records[v].constrains
            c = self._cons[v] = [(p.spec(t).name, self.candidates(t)) for t in texts if p.spec(t).name in p.by_name]
        return c

    def allowed(self, i: int) -> Allowed:
        """Per name, the records still possible under constraint `i` alone (over-approximated), and how each name
        was reached: (parent name, the parent's best allowed record, its dependency text)."""
        got = self._allowed.get(i)
        if got is not None:
            return got
        c = self.constraints[i]
        allowed: dict[str, set[int]] = {c.spec.name: set(self.ok[i])}
        via: dict[str, tuple[str, int, str]] = {}
        queue = [c.spec.name]
        for name in queue:
            if len(queue) > 400:
                break
            a = allowed[name]
            if not a:
                continue
            per = [self.dep_sets(v) for v in a]
            common = set(per[0]).intersection(*per[1:])
            if not common:
                continue
            best = next(v for v in self.order(name) if v in a)  # the best-ranked allowed record
            for dn in sorted(common):
                union: set[int] = set()
                for d in per:
                    union |= d[dn]
                old = allowed.get(dn)
                new = union if old is None else old & union
                if old is None or len(new) < len(old):
                    allowed[dn] = new
                    texts = self.deps_by_name(best).get(dn, [dn])
                    via[dn] = (name, best, texts[0])
                    queue.append(dn)
        got = self._allowed[i] = (allowed, via)
        return got

    # -- the question ---------------------------------------------------------------------------------------------

    def satisfiable(self, active: Sequence[int], need: Sequence[Need] = (), first: str | None = None) -> dict[str, int] | None:
        """A model (name -> record var) where the `active` constraints and every `need` hold, or None.

        `first`: a name the greedy walk decides before any other, so that its pick is the best record of that
        name compatible with the rest whenever the walk succeeds (records it skips are ruled out by propagation).
        """
        bound = self.bounds(active, need)
        if bound is None:
            return None
        model = self._greedy(active, need, bound, first)
        self.witnessed = model is not None
        if model is None:
            model = next((m for m in self._models if self._holds(m, active, need)), None)
        if model is None:
            model = self._sat(active, need)
            if model is not None:
                self._models.append(model)
        return model

    def bounds(self, active: Sequence[int], need: Sequence[Need] = ()) -> dict[str, set[int]] | None:
        """Per name, the records any model of the question may install (None: proven unsatisfiable)."""
        bound: dict[str, set[int]] = {}
        for i in active:
            if self.constraints[i].kind not in REQUIRING:
                continue
            for name, a in self.allowed(i)[0].items():
                old = bound.get(name)
                new = set(a) if old is None else old & a
                if not new:
                    return None
                bound[name] = new
        for name, vs in need:  # a needed record whose dependency the bounds rule out is ruled out
            old = bound.get(name)
            new = {v for v in (vs if old is None else old & vs) if self._viable(v, bound)}
            if not new:
                return None
            bound[name] = new
        for i in active:
            c = self.constraints[i]
            if c.kind not in REQUIRING:
                name = c.spec.name
                old = bound.get(name)
                if old is not None:  # the name must be installed, so the pin or lock applies
                    old &= self.ok[i]
                    if not old:
                        return None
        return bound

    def _viable(self, v: int, bound: dict[str, set[int]]) -> bool:
        for dn, ok in self.dep_sets(v).items():
            b = bound.get(dn)
            if b is not None and b.isdisjoint(ok):
                return False
        return True

    def _greedy(
        self, active: Sequence[int], need: Sequence[Need], bound: dict[str, set[int]], first: str | None
    ) -> dict[str, int] | None:
        allow: dict[str, set[int] | frozenset[int]] = dict(bound)  # name -> records allowed if installed
        for i in active:  # pins and locks: a name installed must match every one of them
            c = self.constraints[i]
            if c.kind not in REQUIRING:
                old = allow.get(c.spec.name)
                allow[c.spec.name] = self.ok[i] if old is None else old & self.ok[i]
        roots = [first] if first else []
        roots += [name for name, _ in need]
        roots += [self.constraints[i].spec.name for i in active if self.constraints[i].kind in REQUIRING]
        roots += [n for n in self.virtual if self.p.by_name.get(n)]
        queue = list(dict.fromkeys(roots))
        chosen: dict[str, int] = {}
        for name in queue:
            if name in chosen:
                continue
            a = allow.get(name)
            pick = next((v for v in self.order(name) if (a is None or v in a) and self._fits(name, v, chosen, allow)), None)
            if pick is None:
                return None
            chosen[name] = pick
            for dn, ok in self.dep_sets(pick).items():
                old = allow.get(dn)
                allow[dn] = ok if old is None else old & ok
                if dn not in chosen:
                    queue.append(dn)
            for cn, ok in self.cons(pick):
                old = allow.get(cn)
                allow[cn] = ok if old is None else old & ok
        return chosen

    def _fits(self, name: str, v: int, chosen: dict[str, int], allow: dict[str, set[int] | frozenset[int]]) -> bool:
        for dn, ok in self.dep_sets(v).items():
            y = v if dn == name else chosen.get(dn)
            if y is not None:
                if y not in ok:
                    return False
            else:
                a = allow.get(dn)
                if not ok if a is None else a.isdisjoint(ok):
                    return False
        for cn, ok in self.cons(v):
            y = v if cn == name else chosen.get(cn)
            if y is not None and y not in ok:
                return False
        return True

    def _holds(self, model: dict[str, int], active: Sequence[int], need: Sequence[Need]) -> bool:
        for i in active:
            v = model.get(self.constraints[i].spec.name)
            if v is None:
                if self.constraints[i].kind in REQUIRING:
                    return False
            elif v not in self.ok[i]:
                return False
        return all(model.get(name) in vs for name, vs in need)

    def _sat(self, active: Sequence[int], need: Sequence[Need]) -> dict[str, int] | None:
        enc = self._enc
        if enc is None:
            enc = self._enc = Encoding(self.p, Setup(fixed=set(self.virtual)))
            enc.cset = self._cset
            f = enc.f
            for i, c in enumerate(self.constraints):
                s = f.new_var()
                self._sel.append(s)
                recs = self.p.by_name.get(c.spec.name, [])
                if c.kind in REQUIRING:
                    f.add([-s, *(v for v in recs if v in self.ok[i])])
                else:
                    f.extend([-s, -v] for v in recs if v not in self.ok[i])
        f = enc.f
        lits = [self._sel[i] for i in active]
        for _, vs in need:
            if len(vs) == 1:
                lits.extend(vs)
            else:
                x = f.new_var()
                f.add([-x, *sorted(vs)])
                lits.append(x)
        self.calls += 1
        model = f.solve(lits)
        return None if model is None else enc.choice(model)
