"""cantil.solver: records and specs in, the best final state (or a readable conflict) out.

    solve(SolveRequest(source, specs_to_add=["numpy"])) -> Solution(records, to_unlink, to_link, neutered)

A pycosat SAT solver with conda's classic optimisation order (docs/solver.md). No files, no network, no clock:
`cantil.solver.virtual.detect` is the one function that reads the machine.
"""

# Names are imported on first use (PEP 562), so that importing the package costs almost nothing: the CLI
# pays only for the modules a command reaches.

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cantil.solver._request import Solution, SolveRequest
    from cantil.solver._solve import solve
    from cantil.solver.errors import Conflict, PackagesNotFound, SolverError, Unsatisfiable
del TYPE_CHECKING

__all__ = [
    "Conflict",
    "PackagesNotFound",
    "Solution",
    "SolveRequest",
    "SolverError",
    "Unsatisfiable",
    "solve",
]

_WHERE = {
    "Conflict": "cantil.solver.errors",
    "PackagesNotFound": "cantil.solver.errors",
    "Solution": "cantil.solver._request",
    "SolveRequest": "cantil.solver._request",
    "SolverError": "cantil.solver.errors",
    "Unsatisfiable": "cantil.solver.errors",
    "solve": "cantil.solver._solve",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cantil.solver' has no attribute {name!r}")
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
