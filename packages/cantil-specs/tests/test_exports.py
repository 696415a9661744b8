from __future__ import annotations

import subprocess
import sys

import cantil.specs
import cantil.specs.errors


def test_all_is_honest() -> None:
    public = {n for n in dir(cantil.specs) if not n.startswith("_")}
    modules = {"errors"}
    assert set(cantil.specs.__all__) == public - modules
    for name in cantil.specs.__all__:
        assert getattr(cantil.specs, name) is not None


def test_error_tree() -> None:
    from cantil.specs import SpecsError

    for name in cantil.specs.errors.__all__:
        cls = getattr(cantil.specs.errors, name)
        assert issubclass(cls, SpecsError)
        if cls is not SpecsError:
            assert issubclass(cls, ValueError)
        assert getattr(cantil.specs, name) is cls


def test_imports_nothing_beyond_the_stdlib() -> None:
    code = (
        "import sys; before = set(sys.modules); import cantil.specs; "
        "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "std = set(sys.stdlib_module_names) | {'cantil'}; "
        "print(sorted(new - std))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
