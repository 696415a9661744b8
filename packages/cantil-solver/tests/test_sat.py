"""The SAT layer checked against brute force on small formulas."""

from __future__ import annotations

import itertools

import pycosat
from hypothesis import given, settings
from hypothesis import strategies as st

from cantil.solver._sat import Formula, Objective, lex_minimize, minimize


def _models(f: Formula, nvars: int) -> set[tuple[int, ...]]:
    """All assignments of the first `nvars` variables that extend to a model."""
    out = set()
    clauses = list(f.clauses)
    while True:
        sol = pycosat.solve(clauses, vars=f.nvars)
        if isinstance(sol, str):
            return out
        a = tuple(1 if sol[i] > 0 else 0 for i in range(nvars))
        out.add(a)
        clauses.append([-(i + 1) if x else i + 1 for i, x in enumerate(a)] or [1, -1])


def test_at_most_one_allows_exactly_the_assignments_with_one_or_no_true_literal() -> None:
    for n in (2, 5, 7, 12):
        f = Formula(n)
        f.at_most_one(list(range(1, n + 1)))
        got = _models(f, n)
        assert got == {a for a in itertools.product((0, 1), repeat=n) if sum(a) <= 1}


def test_at_most_one_over_many_literals_is_linear_in_size() -> None:
    f = Formula(3000)
    f.at_most_one(list(range(1, 3001)))
    assert len(f.clauses) < 3 * 3000


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=3), min_size=1, max_size=4),
    st.integers(0, 9),
)
def test_sum_outputs_bound_matches_brute_force(weights: list[list[int]], bound: int) -> None:
    f = Formula()
    groups = []
    for ws in weights:
        vs = f.new_vars(len(ws))
        f.at_most_one(vs)
        groups.append(list(zip(vs, ws, strict=True)))
    n = f.nvars
    out = f.sum_outputs(groups, bound + 1)
    if bound < len(out):
        f.add([-out[bound]])
    got = _models(f, n)
    allowed = set()
    for a in itertools.product((0, 1), repeat=n):
        picks = [sum(a[v - 1] for v, _ in g) for g in groups]
        if all(p <= 1 for p in picks):
            total = sum(w for g in groups for v, w in g if a[v - 1])
            if total <= bound:
                allowed.add(a)
    assert got == allowed


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=3), min_size=1, max_size=4),
    st.lists(st.lists(st.integers(-6, 6).filter(bool), min_size=1, max_size=3), max_size=6),
)
def test_minimize_finds_the_brute_force_minimum(weights: list[list[int]], extra: list[list[int]]) -> None:
    f = Formula()
    groups = []
    for ws in weights:
        vs = f.new_vars(len(ws))
        f.at_most_one(vs)
        f.add(list(vs))  # exactly one per group
        groups.append(list(zip(vs, ws, strict=True)))
    n = f.nvars
    f.extend([[lit for lit in c if abs(lit) <= n] or [1, -1] for c in extra])

    def cost(model: frozenset[int]) -> int:
        return sum(w for g in groups for v, w in g if v in model)

    feasible = list(_models(f, n))
    model = f.solve()
    if model is None:
        assert not feasible
        return
    best = min(sum(w for g in groups for v, w in g if a[v - 1]) for a in feasible)
    got, value = minimize(f, Objective("t", groups, cost), model, lambda m: m)
    assert value == best == cost(got)
    # the minimum is now fixed in the formula
    assert all(cost(frozenset(i + 1 for i, x in enumerate(a) if x)) == best for a in _models(f, n))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.lists(st.integers(0, 3), min_size=2, max_size=3), min_size=1, max_size=3), min_size=2, max_size=3),
    st.lists(st.lists(st.integers(-9, 9).filter(bool), min_size=1, max_size=3), max_size=5),
)
def test_lex_minimize_finds_the_brute_force_lexicographic_minimum(
    weights: list[list[list[int]]], extra: list[list[int]]
) -> None:
    """Groups of records (exactly one per group); each record has a weight per objective."""
    f = Formula()
    groups_vars = []
    for g in weights:
        vs = f.new_vars(len(g))
        f.at_most_one(vs)
        f.add(list(vs))
        groups_vars.append(vs)
    n = f.nvars
    f.extend([[lit for lit in c if abs(lit) <= n] or [1, -1] for c in extra])
    nobj = min(len(r) for g in weights for r in g)
    objectives = []
    for k in range(nobj):
        groups = [[(v, g[i][k]) for i, v in enumerate(vs)] for g, vs in zip(weights, groups_vars, strict=True)]

        def cost(model: frozenset[int], groups: list[list[tuple[int, int]]] = groups) -> int:
            return sum(w for grp in groups for v, w in grp if v in model)

        objectives.append(Objective(f"o{k}", groups, cost))
    feasible = [frozenset(i + 1 for i, x in enumerate(a) if x) for a in _models(f, n)]
    model = f.solve()
    if model is None:
        assert not feasible
        return
    best = min([o.cost(m) for o in objectives] for m in feasible)
    got, values = lex_minimize(f, objectives, frozenset(v for v in model if v <= n), lambda m: frozenset(v for v in m if v <= n))
    assert values == best == [o.cost(got) for o in objectives]
