"""The lexicographic optimisation: a greedy start, local search, then each objective minimised by SAT in turn.

A SAT call is spent only where needed: an objective already at zero is fixed with unit clauses; otherwise the first
probe asks for one less than the current cost (usually unsatisfiable, since the greedy start and the local search
already reach the optimum of most objectives), then bisection. Local search moves one name at a time to a record
(or to nothing) that keeps every depends/constrains and lowers the objective vector lexicographically; a move that
could change the set of active track features is not tried, and a search that did not lower the true vector is undone.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from cantil.solver._encode import Encoding
from cantil.solver._rank import NAMES, WIDTH
from cantil.solver._sat import Model, Objective, minimize

Choice = dict[str, int]


class Search:
    def __init__(self, enc: Encoding) -> None:
        self.enc = enc
        p = enc.p
        self.dep_names: list[tuple[tuple[str, str], ...]] = [()] + [
            tuple((p.spec(t).name, t) for t in p.depends[v]) for v in range(1, len(p.records))
        ]
        self.con_names: list[tuple[tuple[str, str], ...]] = [()] + [
            tuple((p.spec(t).name, t) for t in enc.constrains[v] if p.spec(t).name in p.by_name)
            for v in range(1, len(p.records))
        ]
        s = enc.setup
        self.pref = {
            name: sorted(vs, key=lambda v: (enc.vec[v], enc.order[name].index(v)))
            for name, vs in p.by_name.items()
        }
        self.movable = [n for n in p.by_name if n not in s.fixed]
        self.values: list[int] = []

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

    def _ok(self, name: str, a: int | None, choice: Choice, rev: Any, crev: Any, partial: bool) -> bool:
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
        enc, s = self.enc, self.enc.setup
        choice: Choice = {}
        for name in s.fixed:
            vs = enc.p.by_name.get(name)
            if vs:
                choice[name] = vs[0]
        rev, crev = self._index(choice)
        queue = deque([*sorted(s.required & s.requested), *sorted(s.required - s.requested), *sorted(s.optional)])
        while queue:
            name = queue.popleft()
            if name in choice:
                continue
            pick = next((a for a in self.pref.get(name, ()) if self._ok(name, a, choice, rev, crev, True)), None)
            if pick is None:
                if name in s.required or rev.get(name):
                    return None
                continue
            choice[name] = pick
            self._link(pick, rev, crev)
            queue.extend(dn for dn, _ in self.dep_names[pick] if dn not in choice)
        return choice

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
                best: int | None | bool = False
                for a in [*self.pref[name], None]:
                    if a == cur:
                        continue
                    av = enc.vec[a] if a else enc.absent[name]
                    if av >= best_vec:
                        continue
                    if a and not cur_tf.issuperset(recs[a].track_features):
                        continue
                    if self._ok(name, a, choice, rev, crev, False):
                        best, best_vec = a, av
                if best is False:
                    continue
                moved = True
                if cur:
                    self._unlink(cur, rev, crev)
                if best:
                    choice[name] = best  # type: ignore[assignment]
                    self._link(best, rev, crev)  # type: ignore[arg-type]
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

        for index in range(WIDTH):
            obj: Objective[Choice] = Objective(
                NAMES[index], enc.objective_groups(index), lambda c, i=index: enc.vector(c)[i]  # type: ignore[misc]
            )
            choice, value = minimize(f, obj, choice, improve)
            self.values.append(value)
        return choice
