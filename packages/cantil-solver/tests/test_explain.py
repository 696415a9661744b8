"""Unsatisfiable requests as data: the minimal conflicting constraints, the chains where they clash, the hint.

Minimality is checked, not assumed: dropping any one constraint of the explanation makes the request satisfiable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from solver_helpers import MemorySource, rec, verify

from cantil.solver import PackagesNotFound, SolveRequest, Unsatisfiable, solve
from cantil.solver.virtual import detect


@dataclass
class Case:
    name: str
    records: list[Any]
    specs: list[str]
    conflict: list[str]  # the expected explanation's constraints
    chains: list[list[str]] = field(default_factory=list)
    pinned: list[str] = field(default_factory=list)
    virtual: list[Any] = field(default_factory=list)
    hint: str | None = ""  # "" = do not check


PY = [rec("python 3.9.1"), rec("python 3.12.0")]
CASES = [
    Case("two_requests_clash_on_a_shared_dependency",
         [rec("a 2.1", "python >=3.12"), rec("a 1.0", "python"), rec("b 1.0", "python <3.10"), *PY],
         ["a >=2", "b"], ["a >=2", "b"],
         [["a 2.1", "python >=3.12"], ["b 1.0", "python <3.10"]], hint="`a=1.0` is compatible with `b`"),
    Case("irrelevant_requests_are_left_out",
         [rec("a 2.1", "python >=3.12"), rec("b 1.0", "python <3.10"), rec("c 1.0"), rec("d 1.0", "c"), *PY],
         ["c", "a >=2", "d", "b"], ["a >=2", "b"]),
    Case("clash_deep_in_the_chains",
         [rec("a 1.0", "x"), rec("x 1.0", "lib 1.*"), rec("b 1.0", "y"), rec("y 1.0", "lib 2.*"),
          rec("lib 1.0"), rec("lib 2.0")],
         ["a", "b"], ["a", "b"], [["a 1.0", "x", "x 1.0", "lib 1.*"], ["b 1.0", "y", "y 1.0", "lib 2.*"]]),
    Case("pin_against_a_dependency",
         [rec("a 1.0", "lib >=2"), rec("lib 1.0"), rec("lib 2.0")], ["a"], ["a", "lib <2 (pinned)"],
         pinned=["lib <2"]),
    Case("request_against_its_own_version",
         [rec("python 3.7.0"), rec("pandas 0.20.3", "python >=3.6,<3.7"), rec("python 3.6.5")],
         ["python=3.7", "pandas=0.20"], ["python 3.7.*", "pandas 0.20.*"],
         [["python 3.7.*"], ["pandas 0.20.3", "python >=3.6,<3.7"]], hint="`python=3.6.5` is compatible with `pandas 0.20.*`"),
    Case("missing_virtual_package",
         [rec("cudnn 8.0", "__cuda >=11")], ["cudnn"], ["cudnn"], [["cudnn 8.0", "__cuda >=11"]],
         virtual=detect({"CONDA_OVERRIDE_CUDA": ""}, "linux-64")),
    Case("dependency_that_no_channel_has",
         [rec("a 1.0", "ghost >=1")], ["a"], ["a"], [["a 1.0", "ghost >=1"]]),
]


def _request(c: Case, specs: list[str], pinned: list[str]) -> SolveRequest:
    return SolveRequest(MemorySource(c.records), specs_to_add=specs, pinned=pinned, virtual=c.virtual,
                        add_pip_as_python_dependency=False)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_conflict(case: Case) -> None:
    with pytest.raises(Unsatisfiable) as info:
        solve(_request(case, case.specs, case.pinned))
    conflict = info.value.conflict
    assert sorted(conflict.specs) == sorted(case.conflict)
    if case.chains:
        assert sorted(map(list, conflict.chains)) == sorted(case.chains)
    if case.hint != "":
        assert conflict.hint == case.hint
    text = info.value.render()
    assert len(text.splitlines()) <= 8
    assert info.value.to_json()["specs"] == list(conflict.specs)
    # minimality: dropping any one constraint of the explanation makes the rest satisfiable
    for drop in conflict.specs:
        specs = [s for s in case.specs if not _same(s, drop)]
        pins = [p for p in case.pinned if f"{p} (pinned)" != drop]
        assert len(specs) + len(pins) == len(case.specs) + len(case.pinned) - 1
        if specs:
            req = _request(case, specs, pins)
            assert verify(req, solve(req)) == []


def _same(spec: str, label: str) -> bool:
    from cantil.specs import MatchSpec

    return str(MatchSpec(spec)) == label


def test_render_reads_like_the_issue_example() -> None:
    case = CASES[0]
    with pytest.raises(Unsatisfiable) as info:
        solve(_request(case, case.specs, []))
    assert info.value.render() == (
        "cannot install both `a >=2` and `b`:\n"
        "  a 2.1 requires python >=3.12\n"
        "  b 1.0 requires python <3.10\n"
        "hint: `a=1.0` is compatible with `b`"
    )


def test_unknown_name_is_packages_not_found_with_a_suggestion() -> None:
    source = MemorySource([rec("numpy 1.0"), rec("scipy 1.0")])
    with pytest.raises(PackagesNotFound) as info:
        solve(SolveRequest(source, specs_to_add=["nunpy", "scipy"]))
    assert info.value.names == ("nunpy",)
    assert info.value.suggestions == {"nunpy": ["numpy"]}
    assert "numpy" in (info.value.hint or "")
