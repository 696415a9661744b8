"""The lexicographic optimisation: a greedy start, local search, then each objective minimised by SAT in turn.

A SAT call is spent only where needed: an objective already at zero is fixed with unit clauses; otherwise the first
probe asks for one less than the current cost (usually unsatisfiable, since the greedy start and the local search
already reach the optimum of most objectives), then bisection. Local search moves one name at a time to a record
(or to nothing) that keeps every depends/constrains and lowers the objective vector lexicographically; a move that
could change the set of active track features is not tried, and a search that did not lower the true vector is undone.
"""

from __future__ import annotations

from cantil.solver._rank import FEATURELESS, NAMES, REMOVAL, TRACK, UPDATE, WIDTH
from cantil.solver._sat import Objective, lex_minimize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from cantil.solver._encode import Encoding
    from cantil.solver._sat import Model

Choice = dict[str, int]


class Search:
    def __init__(self, enc: Encoding) -> None:
        self.enc = enc
        p = enc.p
        pairs: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}  # records share their depends tuples
        named: dict[str, tuple[str, str]] = {}

        def pair(t: str) -> tuple[str, str]:
            got = named.get(t)
            if got is None:
                got = named[t] = (p.spec(t).name, t)
            return got

        dep_names: list[tuple[tuple[str, str], ...]] = [()]
        for v in range(1, len(p.records)):
            ds = p.depends[v]
            got = pairs.get(ds)
            if got is None:
                got = pairs[ds] = tuple(pair(t) for t in ds)
            dep_names.append(got)
        self.dep_names = dep_names
        self.con_names: list[tuple[tuple[str, str], ...]] = [()] + [
            tuple(x for x in map(pair, enc.constrains[v]) if x[0] in p.by_name) if enc.constrains[v] else ()
            for v in range(1, len(p.records))
        ]
        s = enc.setup
        self.pref = {}
        for name, vs in p.by_name.items():
            pos = {v: i for i, v in enumerate(enc.order[name])}
            self.pref[name] = sorted(vs, key=lambda v: (enc.vec[v], pos[v]))
        self._depmaps: list[dict[str, frozenset[int]] | None] = [None] * len(p.records)
        self._depmap_by_deps: dict[tuple[tuple[str, str], ...], dict[str, frozenset[int]]] = {}
        self.movable = [n for n in p.by_name if n not in s.fixed]
        self.values: list[int] = []

    def depmap(self, v: int) -> dict[str, frozenset[int]]:
        """Per dependency name of record `v`, the records its dependency texts on that name all allow (read-only:
        shared by the records with the same depends, computed once per solve)."""
        got = self._depmaps[v]
        if got is None:
            deps = self.dep_names[v]
            got = self._depmap_by_deps.get(deps)
            if got is None:
                cand = self.enc.candidates
                got = {}
                for dn, t in deps:
                    c = cand(t)
                    got[dn] = got[dn] & c if dn in got else c
                self._depmap_by_deps[deps] = got
            self._depmaps[v] = got
        return got

    # -- feasibility of one move under a partial or full choice ---------------------------------------------------

    def _index(self, choice: Choice) -> tuple[dict[str, dict[int, list[str]]], dict[str, dict[int, list[str]]]]:
        rev: dict[str, dict[int, list[str]]] = {}
        crev: dict[str, dict[int, list[str]]] = {}
        for v in choice.values():
            self._link(v, rev, crev)
        return rev, crev

    def _link(self, v: int, rev: dict[str, dict[int, list[str]]], crev: dict[str, dict[int, list[str]]]) -> None:
        for dn, t in self.dep_names[v]:
            rev.setdefault(dn, {}).setdefault(v, []).append(t)
        for cn, t in self.con_names[v]:
            crev.setdefault(cn, {}).setdefault(v, []).append(t)

    def _unlink(self, v: int, rev: dict[str, dict[int, list[str]]], crev: dict[str, dict[int, list[str]]]) -> None:
        for dn, _ in self.dep_names[v]:
            rev.get(dn, {}).pop(v, None)
        for cn, _ in self.con_names[v]:
            crev.get(cn, {}).pop(v, None)

    def _ok(self, name: str, a: int | None, choice: Choice, rev: Any, crev: Any, *, partial: bool) -> bool:
        cand = self.enc.candidates
        cur = choice.get(name)
        users = rev.get(name, {})
        if a is None:
            return name not in self.enc.setup.required and not any(x != cur for x in users)
        for x, texts in users.items():
            if x != cur and any(a not in cand(t) for t in texts):
                return False
        for x, texts in crev.get(name, {}).items():
            if x != cur and any(a not in cand(t) for t in texts):
                return False
        for dn, t in self.dep_names[a]:
            y = a if dn == name else choice.get(dn)
            if y is None:
                if not partial:
                    return False
            elif y not in cand(t):
                return False
        for cn, t in self.con_names[a]:
            y = a if cn == name else choice.get(cn)
            if y is not None and y not in cand(t):
                return False
        return True

    # -- greedy start and local search --------------------------------------------------------------------------

    def greedy(self) -> Choice | None:
        """Best-first picks in breadth-first order, with lookahead; on a clash, the clashing name is decided
        earlier on a retry, and when that is not enough the first requested package's pick is set aside."""
        early: list[str] = []
        banned: set[int] = set()
        for _ in range(12):
            got, first = self._greedy(early, banned)
            if not isinstance(got, str):
                return got
            if got not in early:
                early.append(got)
                continue
            if first is None:
                return None
            banned.add(first)
            early = []
        return None

    def _greedy(self, early: list[str], banned: set[int]) -> tuple[Choice | str, int | None]:
        enc, s = self.enc, self.enc.setup
        choice: Choice = {}
        for name in s.fixed:
            vs = enc.p.by_name.get(name)
            if vs:
                choice[name] = vs[0]
        rev, crev = self._index(choice)
        allowed: dict[str, frozenset[int]] = {}
        self._dead: set[int] = set()
        requested = sorted(s.required & s.requested)
        first: int | None = None
        queue = [*requested, *early, *sorted(s.required - s.requested), *sorted(s.optional)]
        for name in queue:  # breadth-first: the queue grows while it is walked
            if name in choice:
                continue
            pick = next(
                (a for a in self.pref.get(name, ()) if a not in banned and self._fits(name, a, choice, rev, crev, allowed=allowed)),
                None,
            )
            if pick is None:
                if name in s.required or rev.get(name):
                    return name, first
                continue
            if requested and name == requested[0]:
                first = pick
            choice[name] = pick
            allowed[name] = frozenset((pick,))
            self._link(pick, rev, crev)
            self._narrow(allowed, [name])
            queue.extend(dn for dn, _ in self.dep_names[pick] if dn not in choice)
        return choice, first

    def _narrow(self, allowed: dict[str, frozenset[int]], names: list[str]) -> None:
        """Propagate: the dependencies shared by every record a name may still be narrow those names in turn."""
        depmap = self.depmap
        queue = list(names)
        steps = 0
        while queue and steps < 2000:
            steps += 1
            name = queue.pop()
            recs = allowed[name]
            if not recs or len(recs) > 64:
                continue
            common = _common_deps(recs, depmap)
            for dn, ok in common.items():
                old = allowed.get(dn)
                new = frozenset(ok) if old is None else old & ok
                if old is None or len(new) < len(old):
                    allowed[dn] = new
                    queue.append(dn)

    def _fits(
        self, name: str, a: int, choice: Choice, rev: Any, crev: Any, *, allowed: dict[str, frozenset[int]]
    ) -> bool:
        """`_ok` plus lookahead: the record and each of its dependencies must stay within what the choice allows."""
        if name in allowed and a not in allowed[name]:
            return False
        cand = self.enc.candidates
        for dn, t in self.dep_names[a]:
            if dn in choice or dn == name:
                continue
            pool = allowed[dn] & cand(t) if dn in allowed else cand(t)
            if not any(self._viable(c, allowed) for c in pool):
                return False
        return self._ok(name, a, choice, rev, crev, partial=True)

    def _viable(self, c: int, allowed: dict[str, frozenset[int]]) -> bool:
        """No dependency of record `c` is ruled out by what the choice allows (dead records stay dead)."""
        if c in self._dead:
            return False
        cand = self.enc.candidates
        for dn, t in self.dep_names[c]:
            if dn in allowed and allowed[dn].isdisjoint(cand(t)):
                self._dead.add(c)
                return False
        return True

    def polish(self, choice: Choice) -> Choice:
        enc = self.enc
        start = dict(choice)
        rev, crev = self._index(choice)
        recs = enc.p.records
        for _ in range(4):
            moved = False
            for name in self.movable:
                cur = choice.get(name)
                best_vec = enc.vec[cur] if cur else enc.absent[name]
                cur_tf = set(recs[cur].track_features) if cur else set()
                best: int | bool | None = False
                for a in [*self.pref[name], None]:
                    if a == cur:
                        continue
                    av = enc.vec[a] if a else enc.absent[name]
                    if av >= best_vec:
                        continue
                    if a and not cur_tf.issuperset(recs[a].track_features):
                        continue
                    if self._ok(name, a, choice, rev, crev, partial=False):
                        best, best_vec = a, av
                if best is False:
                    continue
                moved = True
                if cur:
                    self._unlink(cur, rev, crev)
                if best:
                    choice[name] = best
                    self._link(best, rev, crev)
                else:
                    del choice[name]
            if not moved:
                break
        if enc.vector(choice) > enc.vector(start):
            return start
        return choice

    # -- the loop ------------------------------------------------------------------------------------------------

    def run(self) -> Choice | None:
        """The optimal choice, or None when the formula is unsatisfiable."""
        enc, f = self.enc, self.enc.f
        start = self.greedy()
        if start is None:
            model = f.solve()
            if model is None:
                return None
            start = enc.choice(model)
        choice = self.polish(start)

        def improve(model: Model) -> Choice:
            return self.polish(enc.choice(model))

        base = [enc.objective_groups(i) for i in range(WIDTH)]
        objectives: list[Objective] = [Objective(NAMES[i], base[i], lambda c: 0) for i in range(WIDTH)]

        def reshape(start: int, banned: set[int]) -> tuple[list[Objective], list[int]]:
            possible = self.forced(banned)
            offsets = [0] * WIDTH
            out = list(objectives)
            for i in range(start, WIDTH):
                if i not in (REMOVAL, TRACK, FEATURELESS, UPDATE):
                    groups, offsets[i] = _shift(base[i], enc, possible)
                    out[i] = Objective(NAMES[i], groups, lambda c: 0)
            return out, offsets

        choice, self.values = lex_minimize(f, objectives, choice, improve, vector=enc.vector, reshape=reshape)
        return choice

    def forced(self, banned: set[int] = frozenset()) -> dict[str, set[int]]:  # type: ignore[assignment]
        """Names installed in every solution, each with the records it can still be (a sound over-approximation).

        Required names are forced; when every possible record of a forced name depends on a name, that name is
        forced too, and its possible records are those some possible parent record's dependencies allow.
        """
        enc, p = self.enc, self.enc.p
        possible: dict[str, set[int]] = {
            n: set(p.by_name.get(n, ())) - banned for n in enc.setup.required | enc.setup.fixed
        }
        queue = list(possible)
        queued = set(queue)
        users: dict[str, set[str]] = {}  # name -> forced names with a possible record depending on it
        cand = enc.candidates
        depmap = self.depmap

        def push(n: str) -> None:
            if n not in queued:
                queued.add(n)
                queue.append(n)

        while queue:
            name = queue.pop()
            queued.discard(name)
            recs = possible[name]
            dead = set()
            for v in recs:
                for dn, t in self.dep_names[v]:
                    users.setdefault(dn, set()).add(name)
                    if dn in possible and possible[dn].isdisjoint(cand(t)):
                        dead.add(v)
                        break
            if dead:
                recs -= dead
                for u in users.get(name, ()):
                    push(u)
            if not recs:
                continue
            common = _common_deps(recs, depmap)
            for dn, allowed in common.items():
                old = possible.get(dn)
                new = set(allowed) - banned if old is None else old & allowed
                if old is None or len(new) < len(old):
                    possible[dn] = new
                    push(dn)
                    for u in users.get(dn, ()):
                        push(u)
        return possible


def _shift(
    groups: list[list[tuple[int, int]]], enc: Encoding, possible: dict[str, set[int]]
) -> tuple[list[list[tuple[int, int]]], int]:
    """Subtract from each forced name's group the least weight its possible records have: a constant offset."""
    out: list[list[tuple[int, int]]] = []
    offset = 0
    for g in groups:
        name = enc.name_of[g[0][0]] if g[0][0] > 0 and g[0][0] < len(enc.name_of) else None
        recs = possible.get(name) if name is not None else None
        if not recs:
            out.append(g)
            continue
        weights = dict(g)
        low = min(weights.get(v, 0) for v in recs)
        if low:
            offset += low
            g = [(v, w - low) for v, w in g if w > low]
        if g:
            out.append(g)
    return out, offset


def _common_deps(recs: Iterable[int], depmap: Callable[[int], dict[str, frozenset[int]]]) -> dict[str, frozenset[int]]:
    """The dependency names every record of `recs` needs, each with the union of the records that satisfy it."""
    common: dict[str, frozenset[int]] | None = None
    for v in recs:
        mine = depmap(v)
        common = mine if common is None else {d: common[d] | mine[d] for d in common.keys() & mine.keys()}
        if not common:
            break
    return common or {}
