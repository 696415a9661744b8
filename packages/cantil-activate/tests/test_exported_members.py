from __future__ import annotations

import subprocess
import sys

import cantil.activate
from cantil.activate import errors


def test_all_lists_exactly_the_public_names() -> None:
    public = {n for n in dir(cantil.activate) if not n.startswith("_")} - {"errors"}
    assert set(cantil.activate.__all__) == public


def test_every_error_derives_from_the_root() -> None:
    for name in cantil.activate.__all__:
        obj = getattr(cantil.activate, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.ActivateError)


def test_imports_no_other_cantil_package_nor_heavy_modules() -> None:
    code = (
        "import sys, cantil.activate; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('cantil') or m in "
        "('json', 're', 'typing', 'dataclasses', 'tempfile', 'difflib'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["cantil", "cantil.activate", *sorted(m for m in out if m.startswith("cantil.activate."))]
