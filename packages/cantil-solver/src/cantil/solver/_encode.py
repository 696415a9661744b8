"""CNF for a reduced problem: depends, constrains, one record per name, required names, and the objective vector.

Traps:
- a dependency text shared by many records with many candidates gets one auxiliary variable ("some candidate of
  this text is installed"), so the clause volume is records + candidates, not records x candidates; constrains
  likewise ("the constrained name is absent or matches"); both auxiliaries are implied one way only, which is enough;
- every objective is a list of groups of mutually exclusive (literal, weight): per name its records and their ranks,
  or one auxiliary literal (a removed name, an active track feature, an installed record replaced);
- the Python side evaluates the same vector on a plain choice (name -> var) for the greedy start and local search.
"""

from __future__ import annotations

from cantil.solver._index import Problem
from cantil.solver._rank import (
    COUNT,
    FEATURELESS,
    OPT_INSTALL,
    OTH_A,
    OTH_B,
    OTH_C,
    OTH_V,
    REMOVAL,
    REQ_A,
    REQ_B,
    REQ_C,
    REQ_V,
    TIMESTAMP,
    TRACK,
    UPDATE,
    WIDTH,
    ranks,
)
from cantil.solver._sat import Formula

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Setup:
    """Which names play which role in the objectives (see _solve for how a request maps to it)."""

    __slots__ = ("disabled", "fixed", "optional", "pin_only", "requested", "required", "targets")

    def __init__(
        self,
        *,
        required: set[str] | None = None,
        requested: set[str] | None = None,
        targets: dict[str, Any] | None = None,
        optional: set[str] | None = None,
        pin_only: set[str] | None = None,
        disabled: bool = False,
        fixed: set[str] | None = None,
    ) -> None:
        self.required = required if required is not None else set()  # must be installed
        self.requested = requested if requested is not None else set()  # "requested packages" metrics
        self.targets = targets if targets is not None else {}  # name -> installed record kept if possible
        self.optional = optional if optional is not None else set()  # installed names: removing one counts
        self.pin_only = pin_only if pin_only is not None else set()  # names only a pin mentions: installing counts
        self.disabled = disabled  # channel priority disabled
        self.fixed = fixed if fixed is not None else set()  # virtual package names (always installed)


class Encoding:
    def __init__(self, p: Problem, setup: Setup) -> None:
        self.p = p
        self.setup = setup
        n = len(p.records) - 1
        self.f = Formula(n)
        self.name_of = [""] * (n + 1)
        for name, vs in p.by_name.items():
            for v in vs:
                self.name_of[v] = name
        self.order: dict[str, list[int]] = {}  # name -> vars, best first
        self.vec: list[tuple[int, ...]] = [()] * (n + 1)  # per var: its contribution when installed
        self.absent: dict[str, tuple[int, ...]] = {}
        self.target_var: dict[str, int] = {}
        self.cset: dict[str, frozenset[int]] = {}
        self.constrains: list[tuple[str, ...]] = [()] * (n + 1)
        self._clauses()
        self._vectors()

    # -- clauses ------------------------------------------------------------------------------------------------

    def candidates(self, text: str) -> frozenset[int]:
        c = self.cset.get(text)
        if c is None:
            c = self.cset[text] = frozenset(self.p.matching(text))
        return c

    def _clauses(self) -> None:
        p, f = self.p, self.f
        add = f.clauses.append
        users: dict[str, list[int]] = {}
        for v in range(1, len(p.records)):
            for text in p.depends[v]:
                users.setdefault(text, []).append(v)
            cons = tuple(p.records[v].constrains)
            self.constrains[v] = cons
        for text, vs in users.items():
            c = p.matching(text)
            if len(vs) > 1 and len(c) > 2:
                a = f.new_var()
                add([-a, *c])
                for v in vs:
                    add([-v, a])
            else:
                for v in vs:
                    add([-v, *c])
        cusers: dict[str, list[int]] = {}
        for v in range(1, len(p.records)):
            for text in self.constrains[v]:
                if p.spec(text).name in p.by_name:
                    cusers.setdefault(text, []).append(v)
        for text, vs in cusers.items():
            bad = p.forbidden(text)
            if not bad:
                continue
            if len(vs) > 1 and len(bad) > 1:
                a = f.new_var()
                for v in vs:
                    add([-v, a])
                for b in bad:
                    add([-a, -b])
            else:
                for v in vs:
                    for b in bad:
                        add([-v, -b])
        for name, vs in p.by_name.items():
            f.at_most_one(vs)
            if name in self.setup.required or name in self.setup.fixed:
                add(list(vs))
        for name in self.setup.fixed:
            for v in p.by_name.get(name, ()):
                if len(p.by_name[name]) == 1:
                    add([v])

    # -- objective vectors -------------------------------------------------------------------------------------

    def _vectors(self) -> None:
        p, s = self.p, self.setup
        for name, vs in p.by_name.items():
            tgt = s.targets.get(name)
            tvar = next((v for v in vs if tgt is not None and p.records[v].key == tgt.key), None)
            if tvar is not None:
                self.target_var[name] = tvar
            order, rk = ranks(vs, p.records, p.priority, s.disabled, tvar)
            self.order[name] = order
            req = name in s.requested
            fixed = name in s.fixed
            for v in vs:
                c, ver, b, a, t = rk[v]
                vec = [0] * WIDTH
                if not fixed:
                    if req:
                        vec[REQ_C], vec[REQ_V], vec[REQ_B], vec[REQ_A] = c, ver, b, a
                    else:
                        vec[OTH_C], vec[OTH_V], vec[OTH_B], vec[OTH_A] = c, ver, b, a
                    vec[TIMESTAMP] = t
                    vec[COUNT] = 1
                    vec[TRACK] = len(p.records[v].track_features)
                    if name in s.pin_only:
                        vec[OPT_INSTALL] = 1
                    if tvar is not None and v != tvar:
                        vec[UPDATE] = 1
                self.vec[v] = tuple(vec)
            ab = [0] * WIDTH
            if name in s.optional:
                ab[REMOVAL] = 1
            if tvar is not None:
                ab[UPDATE] = 1
            self.absent[name] = tuple(ab)

    def objective_groups(self, index: int) -> list[list[tuple[int, int]]]:
        """The SAT groups of objective `index` (auxiliary variables are created on demand)."""
        p, f, s = self.p, self.f, self.setup
        groups: list[list[tuple[int, int]]] = []
        if index == REMOVAL:
            for name in s.optional:
                z = f.new_var()
                f.add([z, *p.by_name.get(name, ())])
                groups.append([(z, 1)])
        elif index == TRACK:
            feats: dict[str, list[int]] = {}
            for v in range(1, len(p.records)):
                for ft in p.records[v].track_features:
                    feats.setdefault(ft, []).append(v)
            for vs in feats.values():
                y = f.new_var()
                for v in vs:
                    f.add([-v, y])
                groups.append([(y, 1)])
        elif index == FEATURELESS:
            groups = self._featureless()
        elif index == UPDATE:
            for name in s.targets:
                t = self.target_var.get(name)
                if t is not None:
                    groups.append([(-t, 1)])
        else:
            for vs in p.by_name.values():
                g = [(v, self.vec[v][index]) for v in vs if self.vec[v][index]]
                if g:
                    groups.append(g)
        return groups

    def _featureless(self) -> list[list[tuple[int, int]]]:
        p, f = self.p, self.f
        trackers: dict[str, list[int]] = {}
        for v in range(1, len(p.records)):
            for ft in p.records[v].track_features:
                trackers.setdefault(ft, []).append(v)
        groups: list[list[tuple[int, int]]] = []
        for vs in p.by_name.values():
            feats = {ft for v in vs for ft in p.records[v].features} & trackers.keys()
            for ft in feats:
                y = f.new_var()
                for t in trackers[ft]:
                    f.add([-t, y])
                for v in vs:
                    if ft not in p.records[v].features:
                        m = f.new_var()
                        f.add([-v, -y, m])
                        groups.append([(m, 1)])
        return groups

    def vector(self, choice: dict[str, int]) -> list[int]:
        """The objective vector of a choice (name -> var; absent names missing)."""
        p = self.p
        total = [0] * WIDTH
        for name in p.by_name:
            v = choice.get(name)
            src = self.vec[v] if v else self.absent[name]
            for i, x in enumerate(src):
                if x:
                    total[i] += x
        feats: set[str] = set()
        for v in choice.values():
            feats.update(p.records[v].track_features)
        total[TRACK] = len(feats)
        total[FEATURELESS] = 0
        if feats:
            for name, v in choice.items():
                has = {ft for w in p.by_name[name] for ft in p.records[w].features}
                total[FEATURELESS] += sum(1 for ft in feats & has if ft not in p.records[v].features)
        return total

    def choice(self, model: frozenset[int]) -> dict[str, int]:
        n = len(self.p.records)
        return {self.name_of[v]: v for v in model if v < n}
