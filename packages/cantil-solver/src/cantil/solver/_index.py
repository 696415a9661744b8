"""Index reduction: pull the names a request reaches from the RecordSource, filter, prune, number the survivors.

Traps:
- a name is pulled only when reached (requested, installed, or a dependency of a record kept so far), and the whole
  frontier is passed to `prefetch` first, so a sharded index fetches one BFS level at a time;
- a hard spec on a name (request, history, pin, freeze lock) removes the other records of that name before their
  dependencies are followed: `python=2.7` keeps the python-3-only builds of numpy out of the problem;
- a record with a dependency that no surviving record satisfies is dead; deaths cascade (worklist, linear);
- conda adds `pip` to the depends of python 2.*/3.* when `add_pip_as_python_dependency` is on (its SubdirData does);
- strict channel priority keeps, per name, only the records of the best channel that has the name;
- virtual packages (`__glibc`, ...) come only from the request, never from the source.
"""

from __future__ import annotations

from cantil.specs import parse_depends

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

    from cantil.specs import MatchSpec, PackageRecord, RecordSource

    Rec = Any  # PackageRecord or PrefixRecord (duck-typed: the solver reads attributes only)


def _pip_depends(rec: Rec) -> tuple[str, ...]:
    deps: tuple[str, ...] = rec.depends
    if rec.name == "python" and rec.version[:2] in ("2.", "3.") and not any(d.split()[0] == "pip" for d in deps):
        return (*deps, "pip")
    return deps


def _version_only(s: MatchSpec) -> bool:
    """A spec on the name and version only (its canonical text is exactly "name version")."""
    return (
        s.build is None
        and s.build_number is None
        and s.channel is None
        and s.subdir is None
        and s.version is not None
        and str(s) == f"{s.name} {s.version}"
    )


class Problem:
    """The reduced index: records numbered 1..n (the SAT variables), grouped by name, with their dependencies."""

    def __init__(self) -> None:
        self.records: list[Rec] = [None]  # var -> record (index 0 unused)
        self.by_name: dict[str, list[int]] = {}  # name -> vars
        self.depends: list[tuple[str, ...]] = [()]  # var -> dependency texts (after the pip rule)
        self.cands: dict[str, tuple[int, ...]] = {}  # dependency/constrains text -> matching vars
        self.specs: dict[str, MatchSpec] = {}
        self.priority: list[int] = [0]
        self.missing: set[str] = set()  # names reached that have no record at all
        self._by_build: dict[str, dict[str, list[int]]] = {}

    def spec(self, text: str) -> MatchSpec:
        s = self.specs.get(text)
        if s is None:
            s = self.specs[text] = parse_depends(text)
        return s

    def matching(self, text: str) -> tuple[int, ...]:
        """The vars of the records matching the dependency `text` (cached per text)."""
        c = self.cands.get(text)
        if c is None:
            s = self.spec(text)
            recs = self.records
            vs = self.by_name.get(s.name, ())
            if s.is_name_only():
                c = tuple(vs)
            elif s.build is not None and not any(ch in s.build for ch in "*?[!"):  # an exact build string
                by_build = self._by_build.get(s.name)
                if by_build is None:
                    by_build = self._by_build[s.name] = {}
                    for v in vs:
                        by_build.setdefault(recs[v].build, []).append(v)
                c = tuple(v for v in by_build.get(s.build, ()) if s.match(recs[v]))
            elif _version_only(s):  # the answer depends on the version text alone: ask once per version
                memo: dict[str, bool] = {}
                out = []
                for v in vs:
                    key = recs[v].version
                    ok = memo.get(key)
                    if ok is None:
                        ok = memo[key] = s.match(recs[v])
                    if ok:
                        out.append(v)
                c = tuple(out)
            else:
                c = tuple(v for v in vs if s.match(recs[v]))
            self.cands[text] = c
        return c

    def forbidden(self, text: str) -> tuple[int, ...]:
        """The vars of the records of the constrained name that violate the constrains `text`."""
        s = self.spec(text)
        allowed = set(self.matching(text))
        return tuple(v for v in self.by_name.get(s.name, ()) if v not in allowed)


def collect(
    source: RecordSource,
    roots: Iterable[str],
    filters: Mapping[str, Sequence[MatchSpec]],
    *,
    excluded: set[str],
    virtual: Mapping[str, Sequence[PackageRecord]],
    extra: Mapping[str, Sequence[Rec]],
    strict: bool,
    add_pip: bool,
    prune: bool = True,
) -> Problem:
    """Pull, filter and prune; `extra` adds records the source may lack (the installed ones)."""
    pulled: dict[str, list[Rec]] = {}
    prio: dict[int, int] = {}
    deps_of: dict[int, tuple[str, ...]] = {}
    specs: dict[str, MatchSpec] = {}

    def dep_name(text: str) -> str:
        s = specs.get(text)
        if s is None:
            s = specs[text] = parse_depends(text)
        return s.name

    frontier = list(dict.fromkeys(roots))
    while frontier:
        new = list(dict.fromkeys(n for n in frontier if n not in pulled))
        real = [n for n in new if not n.startswith("__") and n not in excluded]
        if real:
            source.prefetch(real)
        nxt: list[str] = []
        seen: set[str] = set(new)
        for name in new:
            if name in excluded:
                pulled[name] = []
                continue
            if name.startswith("__"):
                recs: list[Rec] = list(virtual.get(name, ()))
                ps = [0] * len(recs)
            else:
                recs = list(source.records(name))
                ps = [source.priority(r) for r in recs]
                keys = {r.key for r in recs}
                for r in extra.get(name, ()):
                    if r.key not in keys:
                        recs.append(r)
                        ps.append(len(ps) + 10**6 if not ps else max(ps) + 1)
                if strict and ps:
                    best = min(ps)
                    kept = [(r, p) for r, p in zip(recs, ps, strict=True) if p == best]
                    # an installed record from a lower channel stays possible (conda keeps installed records)
                    ekeys = {r.key for r in extra.get(name, ())}
                    kept += [(r, p) for r, p in zip(recs, ps, strict=True) if p != best and r.key in ekeys]
                    recs, ps = [r for r, _ in kept], [p for _, p in kept]
            fs = filters.get(name)
            if fs:
                keep = [i for i, r in enumerate(recs) if all(f.match(r) for f in fs)]
                recs, ps = [recs[i] for i in keep], [ps[i] for i in keep]
            pulled[name] = recs
            for r, p in zip(recs, ps, strict=True):
                prio[id(r)] = p
                d = _pip_depends(r) if add_pip else tuple(r.depends)
                deps_of[id(r)] = d
                for text in d:
                    n = dep_name(text)
                    if n not in pulled and n not in seen:
                        seen.add(n)
                        nxt.append(n)
        frontier = nxt
    return _number(pulled, prio, deps_of, specs, prune)


def _number(
    pulled: dict[str, list[Rec]],
    prio: dict[int, int],
    deps_of: dict[int, tuple[str, ...]],
    specs: dict[str, MatchSpec],
    prune: bool,
) -> Problem:
    p = Problem()
    p.specs = specs
    for name, recs in pulled.items():
        if not recs:
            p.missing.add(name)
        vs = []
        for r in recs:
            p.records.append(r)
            p.depends.append(deps_of[id(r)])
            p.priority.append(prio[id(r)])
            vs.append(len(p.records) - 1)
        p.by_name[name] = vs
    if prune:
        _prune(p)
    return p


def _prune(p: Problem) -> None:
    """Kill records with an unsatisfiable dependency, cascading, then renumber the survivors."""
    n = len(p.records)
    alive = bytearray(b"\x01") * n
    alive[0] = 0
    live_count: dict[str, int] = {}
    users: dict[int, list[str]] = {}  # var -> dependency texts it is a candidate of
    work: list[int] = []
    dependents: dict[str, list[int]] = {}
    depends = p.depends
    for v in range(1, n):
        for text in depends[v]:
            left = live_count.get(text)
            if left is None:
                c = p.matching(text)
                left = live_count[text] = len(c)
                for u in c:
                    users.setdefault(u, []).append(text)
                dependents[text] = [v]
            else:
                dependents[text].append(v)
            if left == 0 and alive[v]:
                alive[v] = 0
                work.append(v)
    while work:
        v = work.pop()
        for text in users.get(v, ()):
            live_count[text] -= 1
            if live_count[text] == 0:
                for w in dependents.get(text, ()):
                    if alive[w]:
                        alive[w] = 0
                        work.append(w)
    if all(alive[1:]):
        return
    old_records, old_deps, old_prio = p.records, p.depends, p.priority
    new_of = [0] * n
    p.records, p.depends, p.priority = [None], [()], [0]
    for name, vs in p.by_name.items():
        nv = []
        for v in vs:
            if alive[v]:
                p.records.append(old_records[v])
                p.depends.append(old_deps[v])
                p.priority.append(old_prio[v])
                new_of[v] = len(p.records) - 1
                nv.append(new_of[v])
        p.by_name[name] = nv
    p.cands = {t: tuple(new_of[v] for v in c if alive[v]) for t, c in p.cands.items()}
    p._by_build = {}
