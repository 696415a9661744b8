"""Solver scenarios as data: name, records, installed, request, then the expected state (or the expected error).

Every solution is checked by the independent verifier; single-package requests on one channel are also checked for
optimality (asking for a newer version of the chosen one must be impossible).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from solver_helpers import MemorySource, installed, rec, verify

from cantil.solver import PackagesNotFound, SolveRequest, Unsatisfiable, solve
from cantil.solver.virtual import detect


@dataclass
class Scenario:
    name: str
    records: list[Any]
    request: dict[str, Any]
    expect: dict[str, str | None] = field(default_factory=dict)  # name -> version, None = absent
    installed: list[Any] = field(default_factory=list)
    channels: tuple[str, ...] = ("main",)
    error: type[Exception] | None = None
    link: set[str] | None = None  # names in to_link
    unlink: set[str] | None = None  # names in to_unlink
    neutered: set[str] | None = None


A1, A2 = rec("a 1.0"), rec("a 2.0")
PY36, PY37, PY38 = rec("python 3.6.8"), rec("python 3.7.3"), rec("python 3.8.1")
PIP = rec("pip 20.0", "python")

SCENARIOS = [
    Scenario("picks_newest_version", [A1, A2], {"specs_to_add": ["a"]}, {"a": "2.0"}),
    Scenario("picks_highest_build_number", [rec("a 1.0 0"), rec("a 1.0 3"), rec("a 1.0 1")], {"specs_to_add": ["a"]},
             {"a": "1.0"}),
    Scenario("dependency_bound_holds", [rec("a 2.0", "b <2"), rec("b 1.0"), rec("b 2.0")], {"specs_to_add": ["a"]},
             {"a": "2.0", "b": "1.0"}),
    Scenario("requested_version_beats_dependency_version",
             [rec("a 2.0", "c 1.*"), rec("a 1.0", "c 2.*"), rec("c 1.0"), rec("c 2.0")],
             {"specs_to_add": ["a"]}, {"a": "2.0", "c": "1.0"}),
    Scenario("flexible_priority_prefers_the_first_channel",
             [rec("a 1.0", channel="first"), rec("a 2.0", channel="second")], {"specs_to_add": ["a"]},
             {"a": "1.0"}, channels=("first", "second")),
    Scenario("flexible_priority_falls_back_to_a_lower_channel",
             [rec("a 1.0", "nothing-provides-this", channel="first"), rec("a 2.0", channel="second")],
             {"specs_to_add": ["a"]}, {"a": "2.0"}, channels=("first", "second")),
    Scenario("strict_priority_never_falls_back",
             [rec("a 1.0", "nothing-provides-this", channel="first"), rec("a 2.0", channel="second")],
             {"specs_to_add": ["a"], "channel_priority": "strict"}, error=Unsatisfiable, channels=("first", "second")),
    Scenario("disabled_priority_takes_the_newest_anywhere",
             [rec("a 1.0", channel="first"), rec("a 2.0", channel="second")],
             {"specs_to_add": ["a"], "channel_priority": "disabled"}, {"a": "2.0"}, channels=("first", "second")),
    Scenario("pin_bounds_a_dependency", [rec("a 1.0", "b"), rec("b 1.0"), rec("b 2.0")],
             {"specs_to_add": ["a"], "pinned": ["b <2"]}, {"a": "1.0", "b": "1.0"}),
    Scenario("pin_installs_nothing", [A1, rec("b 1.0")], {"specs_to_add": ["a"], "pinned": ["b <2"]},
             {"a": "1.0", "b": None}),
    Scenario("pin_against_request_is_unsatisfiable", [A1, A2], {"specs_to_add": ["a >=2"], "pinned": ["a <2"]},
             error=Unsatisfiable),
    Scenario("installed_dependency_is_kept_by_default",
             [rec("a 1.0", "b"), rec("b 1.0"), rec("b 2.0"), rec("c 1.0", "b")],
             {"specs_to_add": ["c"]}, {"c": "1.0", "b": "1.0", "a": "1.0"},
             installed=[rec("a 1.0", "b"), rec("b 1.0")], link={"c"}, unlink=set()),
    Scenario("freeze_installed_keeps_everything_else",
             [rec("a 1.0", "b"), rec("a 2.0", "b >=2"), rec("b 1.0"), rec("b 2.0"), rec("c 1.0", "b")],
             {"specs_to_add": ["c"], "update_modifier": "freeze_installed"}, {"c": "1.0", "b": "1.0", "a": "1.0"},
             installed=[rec("a 1.0", "b"), rec("b 1.0")], link={"c"}, unlink=set()),
    Scenario("freeze_installed_holds_builds_with_spec_characters",
             [rec("a 1.0 0 py_x-1,2=3"), rec("a 2.0"), rec("c 1.0")],
             {"specs_to_add": ["c"], "update_modifier": "freeze_installed"}, {"c": "1.0", "a": "1.0"},
             installed=[rec("a 1.0 0 py_x-1,2=3")], link={"c"}, unlink=set()),
    Scenario("freeze_installed_unfreezes_when_it_must",
             [rec("a 1.0", "b <2"), rec("a 2.0", "b >=2"), rec("b 1.0"), rec("b 2.0"), rec("c 1.0", "b >=2")],
             {"specs_to_add": ["c"], "update_modifier": "freeze_installed"}, {"c": "1.0", "b": "2.0", "a": "2.0"},
             installed=[rec("a 1.0", "b <2"), rec("b 1.0")]),
    Scenario("update_specs_leaves_dependencies",
             [rec("a 1.0", "b"), rec("a 2.0", "b"), rec("b 1.0"), rec("b 2.0")],
             {"specs_to_add": ["a"]}, {"a": "2.0", "b": "1.0"},
             installed=[rec("a 1.0", "b"), rec("b 1.0")], link={"a"}, unlink={"a"}),
    Scenario("update_deps_updates_dependencies",
             [rec("a 1.0", "b"), rec("a 2.0", "b"), rec("b 1.0"), rec("b 2.0")],
             {"specs_to_add": ["a"], "update_modifier": "update_deps"}, {"a": "2.0", "b": "2.0"},
             installed=[rec("a 1.0", "b"), rec("b 1.0")], link={"a", "b"}, unlink={"a", "b"}),
    Scenario("update_all_updates_every_installed_name",
             [A1, A2, rec("x 1.0"), rec("x 1.5")], {"update_modifier": "update_all"}, {"a": "2.0", "x": "1.5"},
             installed=[A1, rec("x 1.0")]),
    Scenario("update_all_keeps_history_specs", [rec("a 1.0"), rec("a 1.5"), rec("a 2.0")],
             {"update_modifier": "update_all", "history": ["a <2"]}, {"a": "1.5"}, installed=[rec("a 1.0")]),
    Scenario("removal_takes_the_dependents_along", [rec("a 1.0", "b"), rec("b 1.0"), rec("x 1.0")],
             {"specs_to_remove": ["b"]}, {"a": None, "b": None, "x": "1.0"},
             installed=[rec("a 1.0", "b"), rec("b 1.0"), rec("x 1.0")], unlink={"a", "b"}, link=set()),
    Scenario("removal_prefers_a_dependent_that_survives",
             [rec("a 1.0", "b"), rec("a 0.9"), rec("b 1.0")], {"specs_to_remove": ["b"]}, {"a": "0.9", "b": None},
             installed=[rec("a 1.0", "b"), rec("b 1.0")]),
    Scenario("force_remove_removes_only_that_record", [rec("a 1.0", "b"), rec("b 1.0")],
             {"specs_to_remove": ["b"], "force_remove": True}, {"a": "1.0", "b": None},
             installed=[rec("a 1.0", "b"), rec("b 1.0")], unlink={"b"}, link=set()),
    Scenario("removing_what_is_not_installed_is_not_found", [A1], {"specs_to_remove": ["a"]},
             error=PackagesNotFound),
    Scenario("prune_drops_orphans", [rec("a 1.0"), rec("old 1.0")],
             {"specs_to_add": ["a"], "prune": True}, {"a": "1.0", "old": None},
             installed=[rec("old 1.0")]),
    Scenario("without_prune_orphans_stay", [rec("a 1.0"), rec("old 1.0")],
             {"specs_to_add": ["a"]}, {"a": "1.0", "old": "1.0"}, installed=[rec("old 1.0")]),
    Scenario("track_features_are_deprioritised",
             [rec("x 1.0", "b"), rec("b 1.0 0"), rec("b 1.0 5", track=["debug"])], {"specs_to_add": ["x"]},
             {"b": "1.0"}),
    Scenario("requested_version_beats_track_features",
             [rec("a 1.0"), rec("a 2.0", track=["debug"])], {"specs_to_add": ["a"]}, {"a": "2.0"}),
    Scenario("track_features_beat_dependency_versions",
             [rec("x 1.0", "b"), rec("b 1.0"), rec("b 2.0", track=["debug"])], {"specs_to_add": ["x"]},
             {"b": "1.0"}),
    Scenario("constrains_bound_a_package_when_installed",
             [rec("a 1.0", constrains=["b <2"]), rec("b 1.0"), rec("b 2.0")], {"specs_to_add": ["a", "b"]},
             {"a": "1.0", "b": "1.0"}),
    Scenario("constrains_install_nothing", [rec("a 1.0", constrains=["b <2"]), rec("b 1.0")],
             {"specs_to_add": ["a"]}, {"a": "1.0", "b": None}),
    Scenario("constrains_pick_an_older_constrainer",
             [rec("a 2.0", constrains=["b <2"]), rec("a 1.0"), rec("b 2.0")], {"specs_to_add": ["a", "b"]},
             {"a": "1.0", "b": "2.0"}),
    Scenario("arch_beats_noarch_at_equal_build", [rec("a 1.0 0", noarch="generic"), rec("a 1.0 0")],
             {"specs_to_add": ["a"]}, {"a": "1.0"}),
    Scenario("pip_comes_with_python", [PY38, PIP], {"specs_to_add": ["python"]}, {"python": "3.8.1", "pip": "20.0"}),
    Scenario("pip_not_added_when_disabled", [PY38, PIP],
             {"specs_to_add": ["python"], "add_pip_as_python_dependency": False}, {"python": "3.8.1", "pip": None}),
    Scenario("virtual_package_satisfies_but_is_never_installed",
             [rec("a 1.0", "__glibc >=2.17")], {"specs_to_add": ["a"], "virtual": detect({"CONDA_OVERRIDE_GLIBC": "2.28"}, "linux-64")},
             {"a": "1.0", "__glibc": None}),
    Scenario("virtual_package_too_old_rules_a_build_out",
             [rec("a 2.0", "__glibc >=2.28"), rec("a 1.0", "__glibc >=2.12")],
             {"specs_to_add": ["a"], "virtual": detect({"CONDA_OVERRIDE_GLIBC": "2.17"}, "linux-64")}, {"a": "1.0"}),
    Scenario("missing_cuda_is_unsatisfiable", [rec("a 1.0", "__cuda >=11")],
             {"specs_to_add": ["a"], "virtual": detect({"CONDA_OVERRIDE_CUDA": ""}, "linux-64")}, error=Unsatisfiable),
    Scenario("cuda_override_satisfies", [rec("a 1.0", "__cuda >=11")],
             {"specs_to_add": ["a"], "virtual": detect({"CONDA_OVERRIDE_CUDA": "12.2"}, "linux-64")}, {"a": "1.0"}),
    Scenario("history_spec_is_kept", [PY36, PY37, PIP, rec("numpy 1.0", "python")],
             {"specs_to_add": ["numpy"], "history": ["python=3.6"]}, {"python": "3.6.8", "numpy": "1.0"},
             installed=[PY36]),
    Scenario("conflicting_history_spec_is_neutered", [rec("a 1.0"), rec("a 2.0"), rec("b 1.0", "a >=2")],
             {"specs_to_add": ["b"], "history": ["a=1"]}, {"a": "2.0", "b": "1.0"},
             installed=[rec("a 1.0")], neutered={"a"}),
    Scenario("installed_python_keeps_its_minor_version", [PY36, PY37, PIP, rec("numpy 2.0", "python >=3.7")],
             {"specs_to_add": ["numpy >=2"]}, installed=[PY36], error=Unsatisfiable),
    Scenario("python_named_in_the_request_may_change_minor", [PY36, PY37, PIP, rec("numpy 2.0", "python >=3.7")],
             {"specs_to_add": ["numpy >=2", "python"]}, {"python": "3.7.3", "numpy": "2.0"}, installed=[PY36]),
    Scenario("no_deps_links_only_the_request", [rec("a 1.0", "b"), rec("b 1.0")],
             {"specs_to_add": ["a"], "deps_modifier": "no_deps"}, {"a": "1.0", "b": None}, link={"a"}),
    Scenario("only_deps_links_only_the_dependencies", [rec("a 1.0", "b"), rec("b 1.0")],
             {"specs_to_add": ["a"], "deps_modifier": "only_deps"}, {"a": None, "b": "1.0"}, link={"b"}),
    Scenario("unrelated_installed_packages_stay", [A1, rec("x 1.0"), rec("x 2.0")], {"specs_to_add": ["a"]},
             {"a": "1.0", "x": "1.0"}, installed=[rec("x 1.0")]),
    Scenario("fewest_packages", [rec("a 1.0", "b"), rec("b 1.0"), rec("b 1.0 1", "c"), rec("c 1.0")],
             {"specs_to_add": ["a"]}, {"a": "1.0", "b": "1.0", "c": "1.0"}),
    Scenario("unknown_name_is_not_found", [A1], {"specs_to_add": ["nope"]}, error=PackagesNotFound),
    Scenario("no_matching_version_is_not_found", [A1], {"specs_to_add": ["a >=5"]}, error=PackagesNotFound),
    Scenario("dependency_conflict_is_unsatisfiable",
             [rec("a 2.1", "python >=3.8"), rec("a 1.0", "python"), rec("b 1.0", "python <3.7"), PY36, PY38],
             {"specs_to_add": ["a >=2", "b"], "add_pip_as_python_dependency": False}, error=Unsatisfiable),
]


def _run(sc: Scenario) -> tuple[SolveRequest, Any]:
    source = MemorySource(sc.records, sc.channels)
    req = SolveRequest(source, installed=[installed(r) for r in sc.installed], **sc.request)
    return req, solve(req)


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(sc: Scenario) -> None:
    if sc.error is not None:
        with pytest.raises(sc.error):
            _run(sc)
        return
    req, sol = _run(sc)
    assert verify(req, sol) == []
    got = {r.name: r.version for r in sol.records}
    for name, version in sc.expect.items():
        assert got.get(name) == version, (name, got)
    if sc.name == "picks_highest_build_number":
        assert sol.records[0].build_number == 3
    if sc.name == "track_features_are_deprioritised":
        assert sol.names()["b"].track_features == ()
    if sc.name == "arch_beats_noarch_at_equal_build":
        assert sol.names()["a"].subdir == "linux-64"
    if sc.name == "fewest_packages":
        assert sol.names()["b"].build_number == 1  # newest build wins before the package count
    if sc.link is not None:
        assert {r.name for r in sol.to_link} == sc.link
    if sc.unlink is not None:
        assert {r.name for r in sol.to_unlink} == sc.unlink
    if sc.neutered is not None:
        assert set(sol.neutered) == sc.neutered
    else:
        assert not sol.neutered
    specs = sc.request.get("specs_to_add", [])
    if len(specs) == 1 and len(sc.channels) == 1 and not sc.request.get("deps_modifier") and not sc.request.get("pinned"):
        name = specs[0].split()[0]
        chosen = sol.names()[name]
        newer = SolveRequest(req.source, specs_to_add=[*specs, f"{name} >{chosen.version}"], installed=req.installed,
                             virtual=req.virtual, add_pip_as_python_dependency=req.add_pip_as_python_dependency)
        with pytest.raises((Unsatisfiable, PackagesNotFound)):
            solve(newer)


def test_unchanged_installed_records_are_returned_as_given() -> None:
    sc = next(s for s in SCENARIOS if s.name == "installed_dependency_is_kept_by_default")
    req, sol = _run(sc)
    given = {r.name: r for r in req.installed}
    assert sol.names()["a"] is given["a"]


def test_records_come_in_dependency_order() -> None:
    _req, sol = _run(Scenario("", [rec("a 1.0", "b"), rec("b 1.0", "c"), rec("c 1.0")], {"specs_to_add": ["a"]}))
    assert [r.name for r in sol.records] == ["c", "b", "a"]
    assert [r.name for r in sol.to_link] == ["c", "b", "a"]


def test_only_reached_names_are_pulled_and_prefetched_by_level() -> None:
    source = MemorySource([rec("a 1.0", "b"), rec("b 1.0", "c"), rec("c 1.0"), rec("unrelated 1.0")])
    solve(SolveRequest(source, specs_to_add=["a"]))
    assert "unrelated" not in source.pulled
    assert ["b"] in source.prefetched and ["c"] in source.prefetched
