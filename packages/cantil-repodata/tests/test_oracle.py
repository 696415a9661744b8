"""Differential test against py-rattler's SparseRepoData on real repodata (../shared/data).

py-rattler runs in a child process that ends with os._exit(0) (it sometimes aborts at interpreter shutdown). For the
name closure of a root package (every name reachable through depends, across linux-64 and noarch), the child lists
the records py-rattler loads, preferring `.conda` over `.tar.bz2` as conda does; cantil's Index must load the same
records (same files, same URLs) with the same fields.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from cantil.repodata import Index, RepodataSettings
from cantil.specs import Channel

CHILD = textwrap.dedent("""
    import json, os, sys
    from rattler import Channel, PackageName, SparseRepoData
    url, root, subdirs, names = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4].split(",")
    sparse = [SparseRepoData(Channel(url), s, os.path.join(root, s, "repodata.json")) for s in subdirs]
    out = []
    for group in SparseRepoData.load_records_recursive(sparse, [PackageName(n) for n in names]):
        for r in group:
            out.append({
                "url": r.url, "fn": r.file_name, "name": r.name.normalized, "version": str(r.version),
                "build": str(r.build), "build_number": r.build_number, "subdir": r.subdir,
                "depends": list(r.depends), "constrains": list(r.constrains),
                "sha256": r.sha256.hex() if r.sha256 else None, "md5": r.md5.hex() if r.md5 else None,
                "size": r.size, "license": r.license,
                "noarch": str(r.noarch.python and "python" or r.noarch.generic and "generic" or "") or None,
                "track_features": [f for f in r.track_features if f],
                "timestamp": int(r.timestamp.timestamp()) if r.timestamp else None,
            })
    sys.stdout.write(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)
""")


MAX_SECONDS = 253402300799  # conda's rule: a larger timestamp is in milliseconds (cantil.specs keeps it as given)


def _rattler(url: str, root: Path, subdirs: list[str], names: list[str]) -> list[dict[str, Any]]:
    proc = subprocess.run([sys.executable, "-c", CHILD, url, str(root), ",".join(subdirs), ",".join(names)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _ours(idx: Index, names: list[str]) -> list[dict[str, Any]]:
    out = []
    for name in sorted(idx.closure(names)):
        for r in idx.records(name):
            ts = r.timestamp
            out.append({
                "url": r.url, "fn": r.fn, "name": r.name, "version": str(r.version), "build": r.build,
                "build_number": r.build_number, "subdir": r.subdir, "depends": list(r.depends),
                "constrains": list(r.constrains), "sha256": r.sha256 or None, "md5": r.md5 or None,
                "size": r.size, "license": r.license or None, "noarch": str(r.noarch) if r.noarch else None,
                "track_features": [f for f in r.track_features if f],
                "timestamp": (ts // 1000 if ts > MAX_SECONDS else ts) if ts else None,
            })
    return out


@pytest.mark.oracle
@pytest.mark.parametrize(("dataset", "roots"), [
    ("defaults-index4", ["numpy"]),
    ("conda-forge-numpy", ["numpy"]),
    ("pytorch", ["pytorch", "torchvision"]),
    ("r", ["r-base"]),
])
def test_closure_records_equal_py_rattler_sparse_repodata(data_dir: Path, tmp_path: Path, dataset: str,
                                                          roots: list[str]) -> None:
    root = data_dir / "repodata" / dataset
    subdirs = sorted(p.name for p in root.iterdir() if (p / "repodata.json").is_file())
    url = root.as_uri()
    idx = Index([Channel(url)], subdirs, RepodataSettings(tmp_path / "cache"))
    ours = sorted(_ours(idx, roots), key=lambda d: d["url"])
    theirs = sorted(_rattler(url, root, subdirs, roots), key=lambda d: d["url"])
    assert len(ours) > len(roots)                                  # a real closure, not only the roots
    assert [d["url"] for d in ours] == [d["url"] for d in theirs]  # same records: .conda preferred, same names
    for a, b in zip(ours, theirs, strict=True):
        assert a == b, (a["fn"], {k: (a[k], b[k]) for k in a if a[k] != b[k]})
