"""The public surface is what __all__ says, and every public value behaves as documented."""

from __future__ import annotations

from cantil import solver
from cantil.solver import Conflict, SolveRequest, SolverError, Unsatisfiable


def test_all_names_exist_and_nothing_private_leaks() -> None:
    for name in solver.__all__:
        assert hasattr(solver, name)
    public = {n for n in vars(solver) if not n.startswith("_")}
    modules = {"errors", "virtual"}
    assert public - modules - {"annotations"} <= set(solver.__all__)


def test_unsatisfiable_is_a_solver_error_carrying_the_conflict() -> None:
    err = Unsatisfiable(Conflict(("a >=2", "b"), (("a 2.1", "python >=3.12"), ("b 1.0", "python <3.10")), "try a <2"))
    assert isinstance(err, SolverError)
    assert err.to_json() == {
        "specs": ["a >=2", "b"],
        "chains": [["a 2.1", "python >=3.12"], ["b 1.0", "python <3.10"]],
        "hint": "try a <2",
    }
    assert str(err) == "cannot install both `a >=2` and `b`"
    assert err.hint == "try a <2"


def test_request_rejects_unknown_modifiers() -> None:
    import pytest

    with pytest.raises(ValueError, match="update_modifier"):
        SolveRequest(source=None, update_modifier="sometimes")  # type: ignore[arg-type]


def test_solve_leaves_the_garbage_collector_as_it_found_it() -> None:
    """solve pauses the cyclic collector while it runs; the caller's setting must survive success and failure."""
    import gc

    import pytest
    from solver_helpers import MemorySource, rec

    from cantil.solver import solve

    source = MemorySource([rec("a 1.0", "b >=2"), rec("b 1.0"), rec("b 2.0")])
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            if enabled:
                gc.enable()
            else:
                gc.disable()
            assert [r.version for r in solve(SolveRequest(source, specs_to_add=["a"])).records] == ["2.0", "1.0"]
            assert gc.isenabled() is enabled
            with pytest.raises(Unsatisfiable):
                solve(SolveRequest(source, specs_to_add=["a", "b <2"]))
            assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


def test_values_are_frozen_equal_by_value_and_picklable() -> None:
    import pickle

    import pytest

    from cantil.solver import Solution

    conflict = Conflict(("a >=2", "b"), (("a 2.1", "python >=3.12"),), "try a <2", "python")
    request = SolveRequest(None, ["a"], channel_priority="strict")  # type: ignore[arg-type]
    solution = Solution((), neutered={"a": "a"})  # type: ignore[dict-item]
    for value in (conflict, request, solution):
        assert pickle.loads(pickle.dumps(value)) == value
        with pytest.raises(AttributeError):
            value.hint = "changed"  # type: ignore[union-attr]
    assert conflict == Conflict(("a >=2", "b"), (("a 2.1", "python >=3.12"),), "try a <2", "python")
    assert conflict != Conflict(("a >=2", "b"))
    assert hash(conflict) == hash(pickle.loads(pickle.dumps(conflict)))
    assert repr(conflict).startswith("Conflict(specs=('a >=2', 'b'), chains=")
    assert request.specs_to_add == ["a"] and request.channel_priority == "strict" and request.prune is False
    assert solution.to_unlink == () and solution.objective == {} and solution.nothing_to_do


def test_importing_the_solver_loads_no_heavy_stdlib_module() -> None:
    """The CLI imports the solver on every solve: dataclasses (inspect), typing, difflib, platform stay out."""
    import subprocess
    import sys

    code = (
        "import sys; before = set(sys.modules); "
        "from cantil.solver import solve, SolveRequest, Unsatisfiable; import cantil.solver.virtual; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert "cantil.solver._solve" in loaded
    assert not loaded & {"dataclasses", "inspect", "typing", "difflib", "platform", "ast", "re"}
