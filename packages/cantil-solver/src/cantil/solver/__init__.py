"""cantil.solver: records and specs in, the best final state (or a readable conflict) out.

    solve(SolveRequest(source, specs_to_add=["numpy"])) -> Solution(records, to_unlink, to_link, neutered)

A pycosat SAT solver with conda's classic optimisation order (docs/solver.md). No files, no network, no clock:
`cantil.solver.virtual.detect` is the one function that reads the machine.
"""

from cantil.solver._request import Solution, SolveRequest
from cantil.solver._solve import solve
from cantil.solver.errors import Conflict, PackagesNotFound, SolverError, Unsatisfiable

__all__ = ["Conflict", "PackagesNotFound", "Solution", "SolveRequest", "SolverError", "Unsatisfiable", "solve"]
