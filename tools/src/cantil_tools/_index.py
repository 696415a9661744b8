"""Index a channel folder: repodata.json (+ .zst, .bz2), current_repodata.json, JLAP, CEP 16 shards, channeldata.

Traps:
- repodata records are info/index.json minus `arch` and `platform`, plus `md5`, `sha256` and `size` of the file.
- `.tar.bz2` files go under `packages`, `.conda` under `packages.conda`.
- `info.base_url` (CEP 15) comes with `repodata_version: 2`; without it the version is 1.
- A client treats a missing platform subdir as empty but a missing `noarch` as "no channel": noarch is always written.
- The JLAP hashes name exact bytes, so repodata.json is written once, and its compressed copies from the same bytes.
- A format switched off has its stale file removed, so each client path can be tested alone.
"""

from __future__ import annotations

import bz2 as _bz2
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cantil_tools._archive import atomic_write
from cantil_tools._current import current_records
from cantil_tools._jlap import append_patch, repodata_hash
from cantil_tools._jsonpatch import diff
from cantil_tools._pkginfo import PackageInfo, read_package_info
from cantil_tools._shards import SHARDS_INDEX, write_shards
from cantil_tools._vkey import version_key

__all__ = ["index_channel"]

PACKAGE_SUFFIXES = (".conda", ".tar.bz2")
_CHANNELDATA_ABOUT = ("description", "dev_url", "doc_url", "home", "license", "source_url", "summary")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True).encode("utf-8")


def _record(info: PackageInfo, subdir: str) -> dict[str, Any]:
    record = {k: v for k, v in info.index.items() if k not in ("arch", "platform")}
    record.setdefault("subdir", subdir)
    record.update(md5=info.md5, sha256=info.sha256, size=info.size)
    return record


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _current(repodata: Mapping[str, Any], legacy: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    keep = {id(r) for r in current_records([*repodata["packages"].values(), *repodata["packages.conda"].values()])}
    current: dict[str, Any] = {k: v for k, v in repodata.items() if k not in ("packages", "packages.conda")}
    current["packages"] = {fn: r for fn, r in repodata["packages"].items() if id(r) in keep}
    current["packages.conda"] = {}
    for fn, r in repodata["packages.conda"].items():
        if id(r) in keep:
            bz = legacy.get(fn[: -len(".conda")] + ".tar.bz2")
            current["packages.conda"][fn] = {**r, "legacy_bz2_md5": bz["md5"], "legacy_bz2_size": bz["size"]} if bz else r
    return current


def _index_subdir(path: Path, subdir: str, *, base_url: str | None, removed: set[str], jlap: bool, zst: bool,
                  bz2: bool, current: bool, shards: bool, shard_checksums: str) -> list[tuple[PackageInfo, str]]:
    infos = [read_package_info(p) for p in sorted(path.iterdir())
             if p.is_file() and p.name.endswith(PACKAGE_SUFFIXES) and not p.name.startswith(".")]
    repodata: dict[str, Any] = {"info": {"subdir": subdir}, "packages": {}, "packages.conda": {},
                                "removed": sorted(removed), "repodata_version": 1}
    if base_url is not None:
        repodata["info"]["base_url"] = base_url
        repodata["repodata_version"] = 2
    for info in infos:
        if info.fn in removed:
            continue
        key = "packages.conda" if info.fn.endswith(".conda") else "packages"
        repodata[key][info.fn] = _record(info, subdir)
    data = _dumps(repodata)
    target = path / "repodata.json"
    if jlap:
        old = target.read_bytes() if target.exists() else None
        patch = diff(json.loads(old), repodata) if old is not None else None
        text = append_patch(path / "repodata.jlap", repodata_hash(old) if old is not None else None,
                            repodata_hash(data), patch)
        atomic_write(path / "repodata.jlap", text.encode("utf-8"))
    else:
        _remove(path / "repodata.jlap")
    atomic_write(target, data)
    if zst:
        import zstandard

        atomic_write(path / "repodata.json.zst", zstandard.ZstdCompressor(level=16, write_content_size=True).compress(data))
    else:
        _remove(path / "repodata.json.zst")
    if bz2:
        atomic_write(path / "repodata.json.bz2", _bz2.compress(data, 9))
    else:
        _remove(path / "repodata.json.bz2")
    if current:
        atomic_write(path / "current_repodata.json", _dumps(_current(repodata, repodata["packages"])))
    else:
        _remove(path / "current_repodata.json")
    if shards:
        write_shards(path, repodata, base_url=base_url or "", checksums=shard_checksums)
    else:
        _remove(path / SHARDS_INDEX)
    return [(i, subdir) for i in infos if i.fn not in removed]


def _channeldata(found: list[tuple[PackageInfo, str]], subdirs: list[str]) -> dict[str, Any]:
    by_name: dict[str, list[tuple[PackageInfo, str]]] = {}
    for info, subdir in found:
        by_name.setdefault(info.index["name"], []).append((info, subdir))
    packages: dict[str, Any] = {}
    for name, items in sorted(by_name.items()):
        def rank(item: tuple[PackageInfo, str]) -> tuple[Any, ...]:
            idx = item[0].index
            return (version_key(str(idx.get("version", ""))), idx.get("build_number", 0), idx.get("timestamp", 0),
                    item[0].fn.endswith(".conda"))

        info, subdir = max(items, key=rank)
        files = set().union(*(set(i.files) for i, _ in items))
        prefix_modes = {line.split()[1] for i, _ in items for line in i.has_prefix.splitlines() if len(line.split()) >= 3}
        entry: dict[str, Any] = {k: info.about[k] for k in _CHANNELDATA_ABOUT if k in info.about}
        entry.update({
            "activate.d": any(f.startswith("etc/conda/activate.d/") for f in files),
            "deactivate.d": any(f.startswith("etc/conda/deactivate.d/") for f in files),
            "post_link": any(f.endswith(f".{name}-post-link.sh") for f in files),
            "pre_link": any(f.endswith(f".{name}-pre-link.sh") for f in files),
            "pre_unlink": any(f.endswith(f".{name}-pre-unlink.sh") for f in files),
            "binary_prefix": "binary" in prefix_modes,
            "text_prefix": "text" in prefix_modes,
            "reference_package": f"{subdir}/{info.fn}",
            "run_exports": {i.index["version"]: i.run_exports for i, _ in items if i.run_exports},
            "subdirs": sorted({s for _, s in items}),
            "timestamp": info.index.get("timestamp", 0) // 1000 if info.index.get("timestamp", 0) > 1e11 else info.index.get("timestamp", 0),
            "version": info.index.get("version"),
        })
        if "license" in info.index:
            entry.setdefault("license", info.index["license"])
        packages[name] = entry
    return {"channeldata_version": 1, "packages": packages, "subdirs": subdirs}


def index_channel(channel_dir: Path | str, *, shards: bool = True, jlap: bool = True, zst: bool = True,
                  bz2: bool = True, current: bool = True, channeldata: bool = True, base_url: str | None = None,
                  subdirs: Iterable[str] = (), removed: Iterable[str] = (), shard_checksums: str = "hex") -> None:
    """Index every subdir of `channel_dir` that holds packages (plus `noarch` and any in `subdirs`).

    `removed` lists `<subdir>/<fn>` entries to leave out of `packages` and list under `removed`.
    Raises ChannelError on an unreadable package.
    """
    root = Path(channel_dir)
    root.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
             and any(c.name.endswith(PACKAGE_SUFFIXES) or c.name == "repodata.json" for c in p.iterdir())}
    names |= {"noarch", *subdirs}
    gone: dict[str, set[str]] = {}
    for item in removed:
        sub, _, fn = item.rpartition("/")
        gone.setdefault(sub, set()).add(fn)
    found: list[tuple[PackageInfo, str]] = []
    for subdir in sorted(names):
        (root / subdir).mkdir(exist_ok=True)
        found += _index_subdir(root / subdir, subdir, base_url=base_url, removed=gone.get(subdir, set()), jlap=jlap,
                               zst=zst, bz2=bz2, current=current, shards=shards, shard_checksums=shard_checksums)
    if channeldata:
        atomic_write(root / "channeldata.json", _dumps(_channeldata(found, sorted(names))))
    else:
        _remove(root / "channeldata.json")
