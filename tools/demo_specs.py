"""The specs-only demo (`bash tools/demo.sh --specs`): read the real repodata in ../shared/data with cantil.specs and answer a few queries.

It parses every record and every dependency string, sorts the versions of one package the way conda does, and picks
the newest record that matches a spec. No network, no solver yet: that is what the rest of cantil adds.

Usage: python tools/demo_specs.py [SPEC ...]     (default: a few specs over the defaults-index4 snapshot)
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from cantil.specs import InvalidMatchSpec, MatchSpec, PackageRecord, parse_depends

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "repodata"
DEFAULT_SPECS = [
    "numpy >=1.11,<1.14",
    "python 3.6.*",
    "scipy=0.19",
    "conda-forge-numpy::python[build=*_cpython]",
    "openssl 1.0.2*",
]


def main(argv: list[str]) -> int:
    if not DATA.is_dir():
        print(f"error: the shared data is missing: {DATA}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    by_name: dict[str, list[PackageRecord]] = defaultdict(list)
    deps = 0
    for path in sorted(DATA.glob("*/*/repodata.json")):
        data = json.loads(path.read_text())
        channel = path.parent.parent.name
        for key in ("packages", "packages.conda"):
            for fn, entry in data.get(key, {}).items():
                rec = PackageRecord.from_repodata(fn, entry, channel=channel, subdir=path.parent.name)
                by_name[rec.name].append(rec)
                for d in rec.depends:
                    parse_depends(d)
                    deps += 1
    n = sum(len(v) for v in by_name.values())
    print(
        f"read {n:,} records of {len(by_name):,} packages and {deps:,} dependency strings "
        f"from {DATA} in {time.perf_counter() - t0:.2f} s"
    )
    for text in argv or DEFAULT_SPECS:
        try:
            spec = MatchSpec(text)
        except InvalidMatchSpec as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        found = [r for r in by_name.get(spec.name, []) if spec.match(r)]
        found.sort(key=lambda r: (r.version_obj, r.build_number))
        if not found:
            print(f"{text!r:28} -> no match (canonical: {spec})")
            continue
        best = found[-1]
        versions = sorted({r.version_obj for r in found})
        shown = ", ".join(str(v) for v in versions[-5:])
        print(
            f"{text!r:28} -> {len(found):4} records; newest {best.channel}/{best.subdir}::{best.dist_name}; "
            f"versions ... {shown}"
        )
        print(f"{'':31}depends: {', '.join(str(parse_depends(d)) for d in best.depends[:4])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
