"""The explanation's cheap answers (propagation, greedy witnesses, kept models) agree with SAT on every question.

Deletion-based minimisation, neutering and the hint are functions of the answers to "is this subset of the
constraints satisfiable?", so answers equal to the SAT calls' give the explanation the SAT calls alone would give.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pycosat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from solver_helpers import MemorySource, data_dir, rec

from cantil.solver import SolveRequest
from cantil.solver._explain import _newest
from cantil.solver._selectors import Constraint, Selectors
from cantil.solver.virtual import detect
from cantil.specs import MatchSpec

PY = [rec("python 3.9.1"), rec("python 3.12.0")]
MEMORY = [
    # name, records, constraints as (kind, spec), virtual
    ("clash_on_a_shared_dependency",
     [rec("a 2.1", "python >=3.12"), rec("a 1.0", "python"), rec("b 1.0", "python <3.10"), *PY],
     [("request", "a >=2"), ("request", "b"), ("request", "python")], []),
    ("greedy_dead_end",  # the best `a` leads to `y 2`, which `d` rules out: only SAT finds `a 1`
     [rec("a 2", "x"), rec("a 1"), rec("x 1", "y 2.*"), rec("y 1"), rec("y 2"), rec("d 1", "y 1.*")],
     [("request", "a"), ("request", "d"), ("request", "x")], []),
    ("pins_and_constrains",
     [rec("a 1.0", "lib >=2"), rec("a 0.9", "lib"), rec("lib 1.0"), rec("lib 2.0"),
      rec("c 1.0", constrains=["lib <2"]), rec("c 0.5")],
     [("request", "a"), ("pin", "lib <2"), ("request", "c >=1"), ("history", "a >=1")], []),
    ("two_pins_on_one_name",  # every pin restricts the name (found by the random test below)
     [rec("a 1"), rec("b 1"), rec("c 1 0", "b"), rec("c 1 1", "a >=2")],
     [("request", "c"), ("pin", "b >=2"), ("pin", "b")], []),
    ("missing_virtual_and_dependency",
     [rec("cudnn 8.0", "__cuda >=11"), rec("cudnn 7.0"), rec("g 1.0", "ghost"), rec("h 1.0", "__glibc >=2.17")],
     [("request", "cudnn >=8"), ("request", "g"), ("request", "h"), ("request", "cudnn")],
     detect({"CONDA_OVERRIDE_CUDA": "", "CONDA_OVERRIDE_GLIBC": "2.28"}, "linux-64")),
]
REAL = [
    [("request", "python 3.7.*"), ("request", "pandas 0.20.*"), ("request", "numpy"), ("history", "scipy <1")],
    [("request", "python 3.7.*"), ("request", "conda 4.3.*"), ("pin", "openssl 1.0.*"), ("installed", "python 3.6.*")],
]


@pytest.fixture(scope="module")
def index4() -> Any:
    from cantil_tools.channel import load_channel

    return load_channel(data_dir() / "repodata" / "defaults-index4")


def _selectors(source: Any, constraints: list[tuple[str, str]], virtual: list[Any]) -> Selectors:
    request = SolveRequest(source, virtual=virtual)
    return Selectors(request, [Constraint(k, MatchSpec(s)) for k, s in constraints], set())


def _is_model(sel: Selectors, model: dict[str, int], active: list[int]) -> bool:
    """A witness is a model of the SAT encoding: its records true, every other record false, selectors on."""
    sel._sat(active, [])  # builds the encoding
    enc = sel._enc
    assert enc is not None
    units = [[v if v in model.values() else -v] for v in range(1, len(sel.p.records))]
    units += [[sel._sel[i]] for i in active]
    return pycosat.solve(enc.f.clauses + units, vars=enc.f.nvars) != "UNSAT"


def _check_every_subset(make: Any) -> int:
    sel = make()
    truth = make()  # a separate instance answers by SAT only
    n = len(sel.constraints)
    witnessed = 0
    for k in range(n + 1):
        for active in map(list, combinations(range(n), k)):
            expected = truth._sat(active, []) is not None
            got = sel.satisfiable(active)
            assert (got is not None) == expected, [sel.constraints[i].label for i in active]
            if got is not None and sel.witnessed:
                witnessed += 1
                assert _is_model(make(), got, active)
            for i in active:  # the hint's question: constraint i relaxed to its bare name, newest record first
                c = sel.constraints[i]
                others = [j for j in active if j != i]
                order = truth.order(c.spec.name)
                best = next((v for v in order if truth._sat(others, [(c.spec.name, frozenset((v,)))]) is not None), None)
                assert _newest(sel, others, c.spec.name) == best
    return witnessed


@pytest.mark.parametrize("case", MEMORY, ids=[c[0] for c in MEMORY])
def test_every_answer_equals_sat_on_small_problems(case: Any) -> None:
    _, records, constraints, virtual = case
    _check_every_subset(lambda: _selectors(MemorySource(records), constraints, virtual))


@pytest.mark.parametrize("constraints", REAL, ids=["pandas", "conda"])
def test_every_answer_equals_sat_on_real_data(index4: Any, constraints: list[tuple[str, str]]) -> None:
    assert _check_every_subset(lambda: _selectors(index4, constraints, [])) > 0  # the greedy walk did answer


def test_greedy_dead_end_falls_back_to_sat() -> None:
    _, records, constraints, virtual = next(c for c in MEMORY if c[0] == "greedy_dead_end")
    sel = _selectors(MemorySource(records), constraints, virtual)
    model = sel.satisfiable([0, 1])
    assert model is not None and not sel.witnessed and sel.calls == 1
    assert sel.p.records[model["a"]].version == "1"


def test_clash_is_proven_without_a_sat_call(index4: Any) -> None:
    sel = _selectors(index4, REAL[0], [])
    assert sel.satisfiable([0, 1]) is None
    assert sel.calls == 0


NAMES = ["a", "b", "c", "d"]
_dep = st.builds(lambda n, op, v: f"{n} {op}{v}" if op else n,
                 st.sampled_from([*NAMES, "ghost"]), st.sampled_from(["", ">=", "<", "=="]), st.integers(1, 3))
_rec = st.tuples(st.sampled_from(NAMES), st.integers(1, 3), st.integers(0, 1), st.lists(_dep, max_size=2),
                 st.lists(_dep, max_size=1))
_constraint = st.tuples(st.sampled_from(["request", "request", "history", "pin", "installed"]), _dep.filter(
    lambda d: not d.startswith("ghost")))


@settings(max_examples=60, deadline=None)
@given(st.lists(_rec, min_size=1, max_size=9), st.lists(_constraint, min_size=1, max_size=4))
def test_every_answer_equals_sat_on_random_problems(recs: list[Any], constraints: list[tuple[str, str]]) -> None:
    """Random records (versions, dependencies, constrains, a missing name) and constraints of every kind."""
    records = {}
    for name, version, build, deps, cons in recs:
        records.setdefault((name, version, build), rec(f"{name} {version} {build}", *deps, constrains=cons))
    _check_every_subset(lambda: _selectors(MemorySource(list(records.values())), constraints, []))
