"""cantil.repodata: see docs/contracts.md (work in progress)."""

__all__: list[str] = []
