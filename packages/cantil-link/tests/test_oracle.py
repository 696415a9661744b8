"""Our conda-meta records read by an independent implementation (py-rattler), in a child process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent("""
    import json, os, sys
    from rattler import PrefixRecord
    out = []
    for path in sys.argv[1:]:
        r = PrefixRecord.from_path(path)
        out.append({"name": r.name.normalized, "version": str(r.version), "build": str(r.build),
                    "files": [str(f) for f in r.files],
                    "paths": sorted(str(p.relative_path) for p in r.paths_data.paths),
                    "requested_spec": None if r.requested_spec is None else str(r.requested_spec)})
    sys.stdout.write(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)  # py-rattler may abort at interpreter shutdown
""")


@pytest.mark.oracle
def test_py_rattler_reads_our_records(env, channel, recipes):
    channel.build({"name": "lib", "version": "1.0", "files": {"lib/a.txt": "a\n", "etc/c.conf": "@PREFIX@\n",
                                                            "lib/l.so": {"symlink": "a.txt"}}})
    env.install(channel.record("lib"), recipes["small-executable-1.0"])
    paths = sorted(str(p) for p in (env.prefix / "conda-meta").glob("*.json"))
    proc = subprocess.run([sys.executable, "-c", CHILD, *paths], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    got = {r["name"]: r for r in json.loads(proc.stdout)}
    assert set(got) == {"lib", "small-executable"}
    for name, r in got.items():
        ours = json.loads(next(p for p in (env.prefix / "conda-meta").glob(f"{name}-*.json")).read_text())
        assert r["files"] == ours["files"] and r["version"] == ours["version"] and r["build"] == ours["build"]
        assert r["paths"] == sorted(ours["files"])
        assert r["requested_spec"] == name
