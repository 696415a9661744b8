from __future__ import annotations

import importlib

import pytest

import cantil_tools

MODULES = ["build", "index", "server", "channel", "sample", "errors"]


def test_all_names_resolve() -> None:
    for name in cantil_tools.__all__:
        assert getattr(cantil_tools, name) is not None
    with pytest.raises(AttributeError):
        cantil_tools.no_such_name  # noqa: B018


@pytest.mark.parametrize("module", MODULES)
def test_public_modules_export_what_they_list(module: str) -> None:
    mod = importlib.import_module(f"cantil_tools.{module}")
    public = {n for n in vars(mod) if not n.startswith("_") and getattr(vars(mod)[n], "__module__", "").startswith("cantil_tools")}
    assert public <= set(mod.__all__) | {"annotations"}
    for name in mod.__all__:
        assert hasattr(mod, name)
