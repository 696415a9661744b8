"""Differential test against py-rattler's solver on the same real records (dev only: needs py-rattler).

py-rattler runs in a child process that ends with os._exit(0) (it may abort at interpreter shutdown). Both results
must be valid (ours by the verifier, rattler's through the same verifier); the requested packages must get the same
versions, except where docs/solver.md records that the objective orders differ (KNOWN_DIFFERENCES).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from typing import Any

import pytest
from solver_helpers import data_dir, verify
from test_realdata import REQUESTS, UNSATISFIABLE

from cantil.solver import Solution, SolveRequest, Unsatisfiable, solve
from cantil.specs import MatchSpec

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(importlib.util.find_spec("rattler") is None, reason="py-rattler (dev-only oracle) not installed"),
]

CHILD = r"""
import asyncio, json, os, sys
from rattler import Channel, SparseRepoData, solve_with_sparse_repodata
root, requests = sys.argv[1], json.loads(sys.argv[2])
channel = Channel("defaults-index4")
sparse = [SparseRepoData(channel, sd, f"{root}/{sd}/repodata.json") for sd in ("linux-64", "noarch")]
out = {}
for specs in requests:
    try:
        recs = asyncio.run(solve_with_sparse_repodata(specs, sparse, add_pip_as_python_dependency=True))
        out[" ".join(specs)] = [[r.name.normalized, str(r.version), str(r.build), int(r.build_number), str(r.subdir)] for r in recs]
    except Exception as e:
        out[" ".join(specs)] = type(e).__name__
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)
"""

# request -> {name: (ours, rattler's)}: recorded in docs/solver.md with the reason
KNOWN_DIFFERENCES: dict[str, dict[str, tuple[str, str]]] = {}


@pytest.fixture(scope="module")
def rattler_results() -> dict[str, Any]:
    root = data_dir() / "repodata" / "defaults-index4"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), json.dumps(REQUESTS + UNSATISFIABLE)],
        capture_output=True, text=True, timeout=600, check=True,
    )
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def index4() -> Any:
    from cantil_tools.channel import load_channel

    return load_channel(data_dir() / "repodata" / "defaults-index4")


def _as_solution(index4: Any, rows: list[list[Any]]) -> Solution:
    recs = []
    for name, version, build, _bn, subdir in rows:
        match = [r for r in index4.records(name) if r.version == version and r.build == build and r.subdir == subdir]
        assert match, (name, version, build)
        recs.append(match[0])
    return Solution(tuple(recs), (), tuple(recs))


@pytest.mark.parametrize("specs", REQUESTS, ids=[" ".join(r) for r in REQUESTS])
def test_same_versions_as_rattler_for_requested_packages(index4: Any, rattler_results: dict[str, Any], specs: list[str]) -> None:
    key = " ".join(specs)
    req = SolveRequest(index4, specs_to_add=specs)
    ours = solve(req)
    theirs = rattler_results[key]
    assert isinstance(theirs, list), theirs
    assert verify(req, ours) == []
    assert verify(req, _as_solution(index4, theirs)) == []
    mine = {r.name: r.version for r in ours.records}
    other = {row[0]: row[1] for row in theirs}
    for name in (MatchSpec(s).name for s in specs):
        expected = KNOWN_DIFFERENCES.get(key, {}).get(name)
        if expected is not None:
            assert (mine[name], other[name]) == expected
        else:
            assert mine[name] == other[name], (name, mine[name], other[name])


@pytest.mark.parametrize("specs", UNSATISFIABLE, ids=[" ".join(r) for r in UNSATISFIABLE])
def test_rattler_agrees_on_unsatisfiable(index4: Any, rattler_results: dict[str, Any], specs: list[str]) -> None:
    assert rattler_results[" ".join(specs)] == "SolverError"
    with pytest.raises(Unsatisfiable):
        solve(SolveRequest(index4, specs_to_add=specs))
