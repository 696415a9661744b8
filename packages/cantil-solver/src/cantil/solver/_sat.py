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

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

import pycosat

Clause = list[int]
Model = frozenset[int]  # the true variables
M = TypeVar("M")


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
        add = self.clauses.append
        for lit, w in group:
            if w > 0:
                add([-lit, u[min(w, cap) - 1]])
        for k in range(top - 1):
            add([-u[k + 1], u[k]])
        return u

    def merge(self, a: list[int], b: list[int], cap: int) -> list[int]:
        """Totalizer node: c[k] is implied when a and b together count more than k (upward clauses only)."""
        n = min(len(a) + len(b), cap)
        c = self.new_vars(n)
        add = self.clauses.append
        for i, x in enumerate(a[:n]):
            add([-x, c[i]])
        for j, y in enumerate(b[:n]):
            add([-y, c[j]])
        for i in range(min(len(a), n)):
            x = -a[i]
            for j in range(min(len(b), n - i - 1)):
                add([x, -b[j], c[i + j + 1]])
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


class Objective(Generic[M]):
    """A sum to minimise: groups of mutually exclusive (literal, weight), and a cost function on a solution."""

    __slots__ = ("cost", "groups", "name")

    def __init__(self, name: str, groups: list[list[tuple[int, int]]], cost: Callable[[M], int]) -> None:
        self.name = name
        self.groups = groups
        self.cost = cost


def minimize(formula: Formula, objective: Objective[M], model: M, improve: Callable[[Model], M]) -> tuple[M, int]:
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
