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
