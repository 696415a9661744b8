"""The solver's input and output values."""

from __future__ import annotations

from cantil.solver._frozen import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any, Literal

    from cantil.specs import MatchSpec, PackageRecord, PrefixRecord, RecordSource

    ChannelPriority = Literal["strict", "flexible", "disabled"]
    UpdateModifier = Literal["freeze_installed", "update_specs", "update_deps", "update_all"]
    DepsModifier = Literal["not_set", "no_deps", "only_deps"]


class SolveRequest(Frozen):
    """Everything a solve depends on, explicitly (the solver reads no settings, files or environment).

    `specs_to_add`/`specs_to_remove`: this command's request; `installed`: the prefix's records; `history`: the specs
    the user asked for before (conda-meta/history); `pinned`: conda-meta/pinned plus `pinned_packages` (a pin holds
    when its name is installed, and never installs anything); `virtual`: the target's virtual packages (see
    `cantil.solver.virtual.detect`). Specs may be given as text.
    """

    _fields = __slots__ = (
        "source",
        "specs_to_add",
        "specs_to_remove",
        "installed",
        "history",
        "pinned",
        "virtual",
        "channel_priority",
        "add_pip_as_python_dependency",
        "update_modifier",
        "deps_modifier",
        "force_remove",
        "prune",
    )
    source: RecordSource
    specs_to_add: Sequence[MatchSpec | str]
    specs_to_remove: Sequence[MatchSpec | str]
    installed: Sequence[PrefixRecord | PackageRecord]
    history: Sequence[MatchSpec | str]
    pinned: Sequence[MatchSpec | str]
    virtual: Sequence[PackageRecord]
    channel_priority: ChannelPriority
    add_pip_as_python_dependency: bool
    update_modifier: UpdateModifier
    deps_modifier: DepsModifier
    force_remove: bool
    prune: bool

    def __init__(  # noqa: PLR0917 - positional like the dataclass it replaces (the public signature is unchanged)
        self,
        source: RecordSource,
        specs_to_add: Sequence[MatchSpec | str] = (),
        specs_to_remove: Sequence[MatchSpec | str] = (),
        installed: Sequence[PrefixRecord | PackageRecord] = (),
        history: Sequence[MatchSpec | str] = (),
        pinned: Sequence[MatchSpec | str] = (),
        virtual: Sequence[PackageRecord] = (),
        channel_priority: ChannelPriority = "flexible",
        add_pip_as_python_dependency: bool = True,
        update_modifier: UpdateModifier = "update_specs",
        deps_modifier: DepsModifier = "not_set",
        force_remove: bool = False,
        prune: bool = False,
    ) -> None:
        if channel_priority not in ("strict", "flexible", "disabled"):
            raise ValueError(f"invalid channel_priority {channel_priority!r}")
        if update_modifier not in ("freeze_installed", "update_specs", "update_deps", "update_all"):
            raise ValueError(f"invalid update_modifier {update_modifier!r}")
        if deps_modifier not in ("not_set", "no_deps", "only_deps"):
            raise ValueError(f"invalid deps_modifier {deps_modifier!r}")
        self._set("source", source)
        self._set("specs_to_add", specs_to_add)
        self._set("specs_to_remove", specs_to_remove)
        self._set("installed", installed)
        self._set("history", history)
        self._set("pinned", pinned)
        self._set("virtual", virtual)
        self._set("channel_priority", channel_priority)
        self._set("add_pip_as_python_dependency", add_pip_as_python_dependency)
        self._set("update_modifier", update_modifier)
        self._set("deps_modifier", deps_modifier)
        self._set("force_remove", force_remove)
        self._set("prune", prune)


class Solution(Frozen):
    """The final state of the prefix and the diff that reaches it.

    `records`: every record of the final state (installed ones as the PrefixRecord given), dependencies before
    their dependents; `to_unlink`: installed records that go (in reverse dependency order); `to_link`: records that
    come (in dependency order); `neutered`: history specs relaxed because they conflicted with this request,
    name -> the relaxed spec (what conda's history then records); `objective`: the optimum of each objective.
    """

    _fields = __slots__ = ("records", "to_unlink", "to_link", "neutered", "objective")
    records: tuple[PackageRecord, ...]
    to_unlink: tuple[PackageRecord, ...]
    to_link: tuple[PackageRecord, ...]
    neutered: Mapping[str, MatchSpec]
    objective: Mapping[str, int]

    def __init__(
        self,
        records: tuple[PackageRecord, ...],
        to_unlink: tuple[PackageRecord, ...] = (),
        to_link: tuple[PackageRecord, ...] = (),
        neutered: Mapping[str, MatchSpec] | None = None,
        objective: Mapping[str, int] | None = None,
    ) -> None:
        self._set("records", records)
        self._set("to_unlink", to_unlink)
        self._set("to_link", to_link)
        self._set("neutered", neutered if neutered is not None else {})
        self._set("objective", objective if objective is not None else {})

    @property
    def nothing_to_do(self) -> bool:
        return not self.to_link and not self.to_unlink

    def names(self) -> dict[str, Any]:
        return {r.name: r for r in self.records}
