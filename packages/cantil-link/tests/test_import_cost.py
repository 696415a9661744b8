"""What `cantil.link` loads: the CLI reads the package cache and prefixes on commands that link nothing (`--dry-run`,
`list`, `doctor`), so those paths must not pay for the linking machinery."""

from __future__ import annotations

import json
import subprocess
import sys

# Each costs milliseconds at start-up; none is needed to read a cache or a prefix.
HEAVY = ["dataclasses", "inspect", "typing", "concurrent.futures", "logging", "tarfile", "zipfile", "tempfile",
         "shutil", "subprocess", "hashlib"]


def _loaded(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"],
                         check=True, capture_output=True, text=True).stdout
    return set(json.loads(out))


def test_reading_the_cache_and_prefixes_loads_no_heavy_module() -> None:
    loaded = _loaded("from cantil.link import PackageCache, PrefixData, LinkSettings, History, LinkError, Problem, "
                     "recover, register_environment")
    assert "cantil.link._cache" in loaded and "cantil.link._prefix" in loaded
    assert sorted(loaded & set(HEAVY)) == []


def test_package_import_is_lazy() -> None:
    assert [m for m in _loaded("import cantil.link") if m.startswith("cantil.link.")] == []


def test_a_transaction_loads_no_dataclasses_or_thread_pool() -> None:
    loaded = _loaded("from cantil.link import Transaction")
    assert "cantil.link._transaction" in loaded
    assert sorted(loaded & {"dataclasses", "inspect", "concurrent.futures", "logging", "tempfile"}) == []
