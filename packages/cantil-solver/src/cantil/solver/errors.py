"""The solver's errors, each carrying data so that the caller chooses the words.

    SolverError
    ├── PackagesNotFound    a requested spec that no record matches (e.g. a name that does not exist at all)
    └── Unsatisfiable       records exist, but no combination satisfies the request: `.conflict` says why
"""

from __future__ import annotations

from cantil.solver._frozen import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


class SolverError(Exception):
    """Root of the solver's errors."""

    hint: str | None = None


class Conflict(Frozen):
    """A minimal set of the user's constraints that cannot hold together, and why.

    `specs`: the constraints as text ("numpy >=2", "pin: python 3.6.*", "installed: openssl 1.0.2l ...");
    `chains`: per constraint, a dependency chain `[record, spec, record, spec, ...]` down to where they clash
    (rendered "record requires spec"); a chain of one element is the constraint itself;
    `hint`: one suggestion (e.g. a version of one request that is compatible with the others), or None;
    `clash`: the name where the chains meet, when there is one.
    """

    _fields = __slots__ = ("specs", "chains", "hint", "clash")
    specs: tuple[str, ...]
    chains: tuple[tuple[str, ...], ...]
    hint: str | None
    clash: str | None

    def __init__(
        self,
        specs: tuple[str, ...],
        chains: tuple[tuple[str, ...], ...] = (),
        hint: str | None = None,
        clash: str | None = None,
    ) -> None:
        self._set("specs", specs)
        self._set("chains", chains)
        self._set("hint", hint)
        self._set("clash", clash)

    def to_json(self) -> dict[str, Any]:
        return {"specs": list(self.specs), "chains": [list(c) for c in self.chains], "hint": self.hint}

    def render(self) -> str:
        """A few lines: the headline, one line per hop of each chain, the hint."""
        quoted = " and ".join(f"`{s}`" for s in self.specs)
        head = f"cannot install {quoted}" if len(self.specs) == 1 else f"cannot install both {quoted}"
        if len(self.specs) > 2:
            head = "cannot install all of " + ", ".join(f"`{s}`" for s in self.specs)
        lines = [head + ":"]
        for chain in self.chains:
            if len(chain) == 1:
                lines.append(f"  {chain[0]}")
                continue
            for i in range(0, len(chain) - 1, 2):
                lines.append(f"  {chain[i]} requires {chain[i + 1]}")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class Unsatisfiable(SolverError):
    """No state satisfies the request; `.conflict` holds a minimal conflicting set of the user's constraints."""

    def __init__(self, conflict: Conflict) -> None:
        self.conflict = conflict
        self.hint = conflict.hint
        super().__init__(conflict.render().split("\n", 1)[0].rstrip(":"))

    def to_json(self) -> dict[str, Any]:
        return self.conflict.to_json()

    def render(self) -> str:
        return self.conflict.render()


class PackagesNotFound(SolverError):
    """Requested specs that no record of any channel matches; `.names` are the specs' names, `.specs` their text."""

    def __init__(self, specs: Sequence[str], names: Sequence[str], suggestions: dict[str, list[str]] | None = None) -> None:
        self.specs = tuple(specs)
        self.names = tuple(names)
        self.suggestions = dict(suggestions or {})
        hints = [f"`{n}`: did you mean {', '.join(f'`{s}`' for s in sug)}?" for n, sug in self.suggestions.items() if sug]
        self.hint = "; ".join(hints) or None
        super().__init__("packages not found in the channels: " + ", ".join(f"`{s}`" for s in self.specs))
