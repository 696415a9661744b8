"""The SAT layer: a growing CNF formula over pycosat, compact cardinality encodings, and lexicographic minimisation.

pycosat offers only `solve` (a fresh picosat per call), so an "assumption" is a unit clause appended to the clause
list of one call, and a fixed bound is a unit clause kept in the formula. Traps:

- pycosat copies every clause on every call: keep the formula small (the caller reduces the index first) and make
  as few calls as possible (a cost already at zero is fixed with unit clauses, no call at all).
- at-most-one over a name with thousands of builds must not be pairwise: the sequential counter below is linear.
- sums are encoded as a totalizer over unary numbers (one unary number per group of mutually exclusive literals,
  e.g. all records of one name, whose weight is the record's rank), capped at the bound being tested, so the
  encoding grows with the bound, not with the weights.
"""

from __future__ import annotations

import pycosat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any, TypeVar

    M = TypeVar("M")

Clause = list[int]
Model = frozenset[int]  # the true variables


class Formula:
    """A CNF formula that only grows; `solve` appends temporary unit clauses (assumptions)."""

    __slots__ = ("calls", "clauses", "nvars")

    def __init__(self, nvars: int = 0) -> None:
        self.nvars = nvars
        self.clauses: list[Clause] = []
        self.calls = 0

    def new_var(self) -> int:
        self.nvars += 1
        return self.nvars

    def new_vars(self, n: int) -> list[int]:
        start = self.nvars + 1
        self.nvars += n
        return list(range(start, start + n))

    def add(self, clause: Clause) -> None:
        self.clauses.append(clause)

    def extend(self, clauses: Iterable[Clause]) -> None:
        self.clauses.extend(clauses)

    def at_most_one(self, lits: Sequence[int]) -> None:
        """At most one of `lits`: pairwise up to 6 literals, else Sinz's sequential counter (3n clauses)."""
        n = len(lits)
        if n <= 1:
            return
        add = self.clauses.append
        if n <= 6:
            for i in range(n):
                a = -lits[i]
                for j in range(i + 1, n):
                    add([a, -lits[j]])
            return
        s = self.new_vars(n - 1)
        add([-lits[0], s[0]])
        for i in range(1, n - 1):
            x = lits[i]
            add([-x, s[i]])
            add([-s[i - 1], s[i]])
            add([-x, -s[i - 1]])
        add([-lits[n - 1], -s[n - 2]])

    def solve(self, assumptions: Sequence[int] = ()) -> Model | None:
        """A model (the set of true variables) or None when unsatisfiable under the assumed literals."""
        self.calls += 1
        clauses = self.clauses
        if assumptions:
            clauses = clauses + [[a] for a in assumptions]
        if not clauses:
            return frozenset()
        sol = pycosat.solve(clauses, vars=self.nvars)
        if isinstance(sol, str):
            if sol == "UNSAT":
                return None
            raise RuntimeError(f"pycosat returned {sol}")  # pragma: no cover - no limits are set
        return frozenset(v for v in sol if v > 0)

    # -- cardinality ------------------------------------------------------------------------------------------

    def unary(self, group: Sequence[tuple[int, int]], cap: int) -> list[int]:
        """A unary number u[0..m-1] (u[k] = "weight > k") for mutually exclusive (literal, weight) pairs, capped."""
        top = min(max(w for _, w in group), cap)
        if top == 1 and len(group) == 1:
            return [group[0][0]]
        u = self.new_vars(top)
        ext = self.clauses.extend
        ext([[-lit, u[(w if w < cap else cap) - 1]] for lit, w in group if w > 0])
        ext([[-u[k + 1], u[k]] for k in range(top - 1)])
        return u

    def merge(self, a: list[int], b: list[int], cap: int) -> list[int]:
        """Totalizer node: c[k] is implied when a and b together count more than k (upward clauses only)."""
        n = min(len(a) + len(b), cap)
        c = self.new_vars(n)
        ext = self.clauses.extend
        ext([[-x, z] for x, z in zip(a, c, strict=False)])
        nb = [-y for y in b]
        ext([[y, z] for y, z in zip(nb, c, strict=False)])
        for i, x in enumerate(a[: n - 1]):  # a > i and b > j imply c > i + j + 1 (zip stops at n or at b's end)
            x = -x
            ext([[x, y, z] for y, z in zip(nb, c[i + 1 :], strict=False)])
        return c

    def sum_outputs(self, groups: Sequence[Sequence[tuple[int, int]]], cap: int) -> list[int]:
        """Outputs o[k] implied by "sum of group weights > k", for k < cap."""
        layer = [self.unary(g, cap) for g in groups if any(w > 0 for _, w in g)]
        layer.sort(key=len)
        if not layer:
            return []
        while len(layer) > 1:
            nxt = [self.merge(layer[i], layer[i + 1], cap) for i in range(0, len(layer) - 1, 2)]
            if len(layer) % 2:
                nxt.append(layer[-1])
            layer = nxt
        return layer[0]


class Objective:
    """A sum to minimise: groups of mutually exclusive (literal, weight), and a cost function on a solution."""

    __slots__ = ("cost", "groups", "name")

    def __init__(self, name: str, groups: list[list[tuple[int, int]]], cost: Callable[[Any], int]) -> None:
        self.name = name
        self.groups = groups
        self.cost = cost


def minimize(formula: Formula, objective: Objective, model: M, improve: Callable[[Model], M]) -> tuple[M, int]:
    """Lower `objective` to its minimum given the formula, fix that minimum in the formula, return (model, minimum).

    `model` (a solution in the caller's terms) satisfies the formula; `improve` turns a fresh SAT model into a
    no-worse solution (local search). The first
    probe asks for one less than the current cost, since the model given is usually optimal already; then bisection.
    """
    cost = objective.cost(model)
    if cost == 0:
        for group in objective.groups:
            for lit, w in group:
                if w > 0:
                    formula.add([-lit])
        return model, 0
    out = formula.sum_outputs(objective.groups, cost + 1)
    lo, hi = 0, cost
    first = True
    while lo < hi:
        mid = hi - 1 if first else (lo + hi) // 2
        first = False
        found = formula.solve([-out[mid]])
        if found is None:
            lo = mid + 1
        else:
            model = improve(found)
            cost = objective.cost(model)
            if cost > mid:  # the encoding and the cost function disagree: a bug, never loop on it
                raise RuntimeError(f"objective {objective.name}: model of cost {cost} above the bound {mid}")
            hi = cost
    if hi < len(out):
        formula.add([-out[hi]])
    return model, hi


def lex_minimize(
    formula: Formula,
    objectives: Sequence[Objective],
    model: M,
    improve: Callable[[Model], M],
    *,
    vector: Callable[[M], list[int]] | None = None,
    reshape: Callable[[int, set[int]], tuple[list[Objective], list[int]]] | None = None,
) -> tuple[M, list[int]]:
    """Minimise `objectives` lexicographically from `model`; return (optimal model, its costs).

    Leading objectives at zero are fixed with unit clauses. For the rest, ONE call asks for any model that is
    lexicographically better than the current one (a disjunction over k of "objectives before k no worse and k
    better", each guarded by a selector). Unsatisfiable proves the current model optimal for every objective at
    once; otherwise the better model (after `improve`) becomes current and the question is asked again.
    `vector` (optional) computes every cost at once. `reshape(start, banned)` (optional) may restate the objectives
    from `start` on, with constant offsets, once the variables in `banned` are known to be false.
    """
    offsets = [0] * len(objectives)
    banned: set[int] = set()
    shaped = -1

    def costs_of(m: M) -> list[int]:
        raw = vector(m) if vector is not None else [o.cost(m) for o in objectives]
        return [x - o for x, o in zip(raw, offsets, strict=True)]

    start = 0
    while True:
        costs = costs_of(model)
        while start < len(objectives) and costs[start] == 0:
            for group in objectives[start].groups:
                formula.extend([-lit] for lit, w in group if w > 0)
                banned.update(lit for lit, w in group if w > 0 and lit > 0)
            start += 1
        if start == len(objectives):
            return model, [c + o for c, o in zip(costs, offsets, strict=True)]
        if reshape is not None and shaped != start:
            shaped = start
            objectives, offsets = reshape(start, banned)
            continue
        saved, formula.clauses = formula.clauses, []
        bounds: list[int] = []  # literals whose falsity means "objective k no worse than now"
        selectors: list[int] = []
        guards: list[Clause] = []
        for k in range(start, len(objectives)):
            o, c = objectives[k], costs[k]
            if c == 0:
                z = formula.new_var()
                for group in o.groups:
                    formula.extend([-lit, z] for lit, w in group if w > 0)
                bounds.append(z)
                continue
            out = formula.sum_outputs(o.groups, c + 1)
            d = formula.new_var()
            selectors.append(d)
            guards.append([-d, -out[c - 1]])
            guards.extend([-d, -b] for b in bounds)
            if c < len(out):
                bounds.append(out[c])
        encoding, formula.clauses = formula.clauses, saved
        formula.calls += 1
        found = pycosat.solve([*saved, *encoding, *guards, selectors], vars=formula.nvars)
        if found == "UNSAT":
            formula.extend(encoding)
            formula.extend([-b] for b in bounds)
            return model, [c + o for c, o in zip(costs, offsets, strict=True)]
        if isinstance(found, str):  # pragma: no cover - no limits are set
            raise RuntimeError(f"pycosat returned {found}")
        better = improve(frozenset(v for v in found if v > 0))
        new = costs_of(better)
        if new >= costs:  # the encoding and the cost functions disagree: a bug, never loop on it
            raise RuntimeError(f"lexicographic search did not improve: {new} after {costs}")
        model = better
