"""A small record builder, an in-memory RecordSource, and an independent verifier of solutions.

The verifier shares no code with the solver: it re-reads every spec with cantil.specs.MatchSpec and checks the
final state directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from cantil.solver import Solution, SolveRequest
from cantil.specs import MatchSpec, PackageRecord, PrefixRecord


def rec(
    spec: str,
    *depends: str,
    constrains: Sequence[str] = (),
    channel: str = "main",
    subdir: str = "linux-64",
    ts: int = 0,
    track: Sequence[str] = (),
    features: Sequence[str] = (),
    noarch: str | None = None,
) -> PackageRecord:
    """`rec("a 1.0 2", "b >=1")`: name, version, build number (default 0); the build string is derived."""
    parts = spec.split()
    name, version = parts[0], parts[1]
    bn = int(parts[2]) if len(parts) > 2 else 0
    build = parts[3] if len(parts) > 3 else (f"h{'_'.join(track) or 'x'}_{bn}")
    return PackageRecord(
        name,
        version,
        build,
        bn,
        depends=depends,
        constrains=constrains,
        channel=channel,
        subdir="noarch" if noarch else subdir,
        noarch=noarch,
        timestamp=ts or None,
        track_features=tuple(track),
        features=tuple(features),
        fn=f"{name}-{version}-{build}.conda",
    )


def installed(r: PackageRecord, requested: str | None = None) -> PrefixRecord:
    return PrefixRecord.from_record(r, requested_spec=requested)


class MemorySource:
    """A RecordSource over a list of records; channel priority follows `channels` (first = 0)."""

    def __init__(self, records: Iterable[PackageRecord], channels: Sequence[str] = ("main",)) -> None:
        self.by_name: dict[str, list[PackageRecord]] = {}
        for r in records:
            self.by_name.setdefault(r.name, []).append(r)
        self.channels = list(channels)
        for recs in self.by_name.values():
            for r in recs:
                if r.channel not in self.channels:
                    self.channels.append(r.channel)
        self.pulled: list[str] = []
        self.prefetched: list[list[str]] = []

    def records(self, name: str) -> list[PackageRecord]:
        self.pulled.append(name)
        recs = self.by_name.get(name, [])
        return sorted(recs, key=lambda r: self.channels.index(r.channel))

    def priority(self, record: PackageRecord) -> int:
        return self.channels.index(record.channel)

    def prefetch(self, names: Iterable[str]) -> None:
        self.prefetched.append(list(names))

    def names(self) -> set[str]:
        return set(self.by_name)


def _specs(xs: Iterable[MatchSpec | str]) -> list[MatchSpec]:
    return [x if isinstance(x, MatchSpec) else MatchSpec(x) for x in xs]


def verify(request: SolveRequest, solution: Solution) -> list[str]:
    """Every problem with `solution` for `request` (empty when valid)."""
    problems: list[str] = []
    final = {}
    for r in solution.records:
        if r.name in final:
            problems.append(f"two records for {r.name}")
        final[r.name] = r
    virtual = {r.name: r for r in request.virtual}
    for name in final:
        if name.startswith("__"):
            problems.append(f"virtual package {name} installed")
    world = {**virtual, **final}
    if request.deps_modifier == "not_set":
        for s in _specs(request.specs_to_add):
            if s.name not in world or not s.match(world[s.name]):
                problems.append(f"request {s} not satisfied")
    for s in _specs(request.specs_to_remove):
        if s.name in final:
            problems.append(f"removed {s.name} still installed")
    for s in _specs(request.pinned):
        if s.name in final and not s.match(final[s.name]):
            problems.append(f"pin {s} broken by {final[s.name].dist_name}")
    if request.deps_modifier != "not_set" or request.force_remove:
        return problems
    for r in final.values():
        deps = list(r.depends)
        if (
            request.add_pip_as_python_dependency
            and r.name == "python"
            and r.version[:2] in ("2.", "3.")
        ):
            deps.append("pip")
        for d in deps:
            s = MatchSpec(d, lenient=True)
            if s.name not in world or not s.match(world[s.name]):
                problems.append(f"{r.dist_name} requires {d}: unsatisfied")
        for c in r.constrains:
            s = MatchSpec(c, lenient=True)
            if s.name in world and not s.match(world[s.name]):
                problems.append(f"{r.dist_name} constrains {c}: violated by {world[s.name].dist_name}")
    inst = {r.name: r for r in request.installed}
    link = {r.key for r in solution.to_link}
    unlink = {r.key for r in solution.to_unlink}
    for name, r in final.items():
        if name in inst and inst[name].key == r.key:
            if r.key in link:
                problems.append(f"{name} unchanged but linked")
        elif r.key not in link:
            problems.append(f"{r.dist_name} new but not in to_link")
    for name, r in inst.items():
        if (name not in final or final[name].key != r.key) and r.key not in unlink:
            problems.append(f"{r.dist_name} gone but not in to_unlink")
    return problems


def data_dir() -> Path:
    """../shared/data beside the repository root; a missing directory fails the test (never skips)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "noxfile.py").exists() and (parent / "packages").is_dir():
            d = parent.parent / "shared" / "data"
            assert d.is_dir(), f"real data missing: {d}"
            return d
    raise AssertionError("repository root not found from " + str(here))


def versions(solution: Solution) -> dict[str, str]:
    return {r.name: r.version for r in solution.records}


def summary(solution: Solution) -> dict[str, Any]:
    return {r.name: f"{r.version}-{r.build_number}" for r in solution.records}
