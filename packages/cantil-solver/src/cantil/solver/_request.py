"""The solver's input and output values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cantil.specs import MatchSpec, PackageRecord, PrefixRecord, RecordSource

ChannelPriority = Literal["strict", "flexible", "disabled"]
UpdateModifier = Literal["freeze_installed", "update_specs", "update_deps", "update_all"]
DepsModifier = Literal["not_set", "no_deps", "only_deps"]


@dataclass(frozen=True)
class SolveRequest:
    """Everything a solve depends on, explicitly (the solver reads no settings, files or environment).

    `specs_to_add`/`specs_to_remove`: this command's request; `installed`: the prefix's records; `history`: the specs
    the user asked for before (conda-meta/history); `pinned`: conda-meta/pinned plus `pinned_packages` (a pin holds
    when its name is installed, and never installs anything); `virtual`: the target's virtual packages (see
    `cantil.solver.virtual.detect`). Specs may be given as text.
    """

    source: RecordSource
    specs_to_add: Sequence[MatchSpec | str] = ()
    specs_to_remove: Sequence[MatchSpec | str] = ()
    installed: Sequence[PrefixRecord | PackageRecord] = ()
    history: Sequence[MatchSpec | str] = ()
    pinned: Sequence[MatchSpec | str] = ()
    virtual: Sequence[PackageRecord] = ()
    channel_priority: ChannelPriority = "flexible"
    add_pip_as_python_dependency: bool = True
    update_modifier: UpdateModifier = "update_specs"
    deps_modifier: DepsModifier = "not_set"
    force_remove: bool = False
    prune: bool = False

    def __post_init__(self) -> None:
        if self.channel_priority not in ("strict", "flexible", "disabled"):
            raise ValueError(f"invalid channel_priority {self.channel_priority!r}")
        if self.update_modifier not in ("freeze_installed", "update_specs", "update_deps", "update_all"):
            raise ValueError(f"invalid update_modifier {self.update_modifier!r}")
        if self.deps_modifier not in ("not_set", "no_deps", "only_deps"):
            raise ValueError(f"invalid deps_modifier {self.deps_modifier!r}")


@dataclass(frozen=True)
class Solution:
    """The final state of the prefix and the diff that reaches it.

    `records`: every record of the final state (installed ones as the PrefixRecord given), dependencies before
    their dependents; `to_unlink`: installed records that go (in reverse dependency order); `to_link`: records that
    come (in dependency order); `neutered`: history specs relaxed because they conflicted with this request,
    name -> the relaxed spec (what conda's history then records); `objective`: the optimum of each objective.
    """

    records: tuple[PackageRecord, ...]
    to_unlink: tuple[PackageRecord, ...] = ()
    to_link: tuple[PackageRecord, ...] = ()
    neutered: Mapping[str, MatchSpec] = field(default_factory=dict)
    objective: Mapping[str, int] = field(default_factory=dict)

    @property
    def nothing_to_do(self) -> bool:
        return not self.to_link and not self.to_unlink

    def names(self) -> dict[str, Any]:
        return {r.name: r for r in self.records}
