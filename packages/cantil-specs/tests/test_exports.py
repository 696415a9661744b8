from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

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


def test_works_alone_in_a_clean_venv(tmp_path: Path) -> None:
    """A venv with nothing but the stdlib and a copy of cantil/specs imports and uses it."""
    import cantil.specs as pkg

    lib = tmp_path / "lib" / "cantil"
    shutil.copytree(Path(pkg.__file__).parent, lib / "specs", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "cantil_specs_copy.pth").write_text(str(tmp_path / "lib") + "\n")
    code = (
        "import sys, cantil.specs as s\n"
        "assert s.MatchSpec('numpy >=1.20').match(s.PackageRecord('numpy', '1.26.4', '0'))\n"
        "assert sorted(['1.10', '1.9'], key=s.Version) == ['1.9', '1.10']\n"
        "assert isinstance(s.RecordSource, type)\n"
        "third = [m for m in sys.modules if m.split('.')[0] not in sys.stdlib_module_names and m not in ('cantil', '__main__')"
        " and not m.startswith('cantil.')]\n"
        "print(third)\n"
    )
    out = subprocess.run([str(py), "-c", code], capture_output=True, text=True, check=True, env={"PATH": ""})
    assert out.stdout.strip() == "[]"
