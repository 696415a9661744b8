"""The requests of issue 5 on real repodata (defaults-index4, linux-64 + noarch), checked by the verifier.

Single-package requests are also checked for optimality: asking for a newer version than the one chosen must fail.
"""

from __future__ import annotations

from typing import Any

import pytest
from solver_helpers import data_dir, verify

from cantil.solver import PackagesNotFound, SolveRequest, Unsatisfiable, solve
from cantil.specs import MatchSpec

REQUESTS = [
    ["numpy"],
    ["scipy", "pandas"],
    ["python=3.6", "numpy", "pandas", "matplotlib"],
    ["python=2.7", "numpy=1.11"],
    ["conda-build"],
    ["jupyter"],
    ["dask", "bokeh", "python=3.6"],
    ["ibis-framework", "python-graphviz"],
    ["r-base=3.5", "r-ggplot2", "r-tidyverse"],
    ["flask", "sqlalchemy", "requests", "python=3.5"],
    ["r-essentials"],
]
UNSATISFIABLE = [["python=3.7", "pandas=0.20"], ["python=3.7", "conda=4.3"]]


@pytest.fixture(scope="module")
def index4() -> Any:
    from cantil_tools.channel import load_channel

    return load_channel(data_dir() / "repodata" / "defaults-index4")


@pytest.mark.parametrize("specs", REQUESTS, ids=[" ".join(r) for r in REQUESTS])
def test_real_request_is_solved_validly(index4: Any, specs: list[str]) -> None:
    req = SolveRequest(index4, specs_to_add=specs)
    sol = solve(req)
    assert verify(req, sol) == []
    assert [r.name for r in sol.to_link] == [r.name for r in sol.records]
    if len(specs) == 1:
        name = MatchSpec(specs[0]).name
        chosen = sol.names()[name]
        with pytest.raises((Unsatisfiable, PackagesNotFound)):
            solve(SolveRequest(index4, specs_to_add=[*specs, f"{name} >{chosen.version}"]))


def test_python_pin_of_the_request_reaches_every_python_package(index4: Any) -> None:
    sol = solve(SolveRequest(index4, specs_to_add=["python=2.7", "numpy=1.11"]))
    names = sol.names()
    assert names["python"].version.startswith("2.7.")
    assert names["numpy"].version.startswith("1.11.")
    assert all("py3" not in r.build for r in sol.records)


@pytest.mark.parametrize("specs", UNSATISFIABLE, ids=[" ".join(r) for r in UNSATISFIABLE])
def test_real_conflict_is_explained_minimally(index4: Any, specs: list[str]) -> None:
    req = SolveRequest(index4, specs_to_add=specs)
    with pytest.raises(Unsatisfiable) as info:
        solve(req)
    conflict = info.value.conflict
    assert sorted(conflict.specs) == sorted(str(MatchSpec(s)) for s in specs)
    assert any(c[-1].startswith("python ") for c in conflict.chains)  # the chains meet at python
    assert conflict.hint and "compatible" in conflict.hint
    doc = info.value.to_json()
    assert set(doc) == {"specs", "chains", "hint"}
    for drop in specs:  # minimal: without any one of them the rest is satisfiable
        rest = [s for s in specs if s != drop]
        sub = SolveRequest(index4, specs_to_add=rest)
        assert verify(sub, solve(sub)) == []
    assert len(info.value.render().splitlines()) <= 6


def test_installed_environment_is_updated_in_place(index4: Any) -> None:
    from cantil.specs import PrefixRecord

    first = solve(SolveRequest(index4, specs_to_add=["python=3.6", "numpy=1.14"]))
    env = [PrefixRecord.from_record(r) for r in first.records]
    req = SolveRequest(index4, specs_to_add=["pandas"], installed=env, history=["python=3.6", "numpy=1.14"])
    sol = solve(req)
    assert verify(req, sol) == []
    assert sol.names()["numpy"].version.startswith("1.14")
    assert not sol.to_unlink or all(r.name != "python" for r in sol.to_unlink)
    assert "pandas" in {r.name for r in sol.to_link}
