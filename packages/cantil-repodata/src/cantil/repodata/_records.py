"""Repodata entries -> PackageRecords, fast: normalise once (when the prepared index is built), build by assignment.

`normalize(fn, data)` turns one repodata entry into a flat tuple holding exactly the field values
`PackageRecord.from_repodata` would give (features split, `run_constrained` read as `constrains`, a numeric version
made a string, unknown keys kept as `extra`); None for an entry conda would also skip (no name, version or build).
The tuple marshals compactly and needs no dict lookups to turn into a record.

`make_records` fills a plain object with PackageRecord's own `__slots__` and switches its class: same layout, so
CPython allows it, and the result is a genuine, frozen PackageRecord. Setting attributes through PackageRecord's
frozen `__setattr__` costs about a microsecond each (a Python-level slot); plain assignment is ~20x cheaper. If
PackageRecord's slots ever differ from the fields known here, `from_repodata` is used instead (slower, same result);
tests compare both on real repodata.

URLs: `package_base_url + fn` (the subdir URL, or the CEP 15 `info.base_url`), never with credentials.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cantil.specs import PackageRecord

__all__ = ["make_records", "normalize"]

# (fn, name, version, build, build_number, depends, constrains, subdir, noarch, license,
#  license_family, md5, sha256, size, timestamp, track_features, features, python_site_packages_path, extra)
if TYPE_CHECKING:
    Row = tuple[Any, ...]
else:  # no typing at run time (import cost)
    Row = tuple
_KNOWN = frozenset({
    "name", "version", "build", "build_number", "depends", "constrains", "run_constrained", "subdir", "noarch",
    "channel", "url", "fn", "license", "license_family", "md5", "sha256", "size", "timestamp", "track_features",
    "features", "python_site_packages_path",
})
_SLOTS = frozenset({
    "_vobj", "build", "build_number", "channel", "constrains", "depends", "extra", "features", "fn", "license",
    "license_family", "md5", "name", "noarch", "python_site_packages_path", "sha256", "size", "subdir", "timestamp",
    "track_features", "url", "version",
})
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _features(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(f for f in value.replace(",", " ").split() if f)
    try:
        return tuple(str(f) for f in value)
    except TypeError:
        return ()


def normalize(fn: str, data: Mapping[str, Any]) -> Row | None:
    """The record fields of one repodata entry, or None when it lacks a usable name, version or build."""
    g = data.get
    name, version, build = g("name"), g("version"), g("build")
    if not isinstance(name, str) or not name or not isinstance(build, str):
        return None
    if not isinstance(version, str):
        if isinstance(version, bool) or not isinstance(version, (int, float)):
            return None
        version = str(version)
    if not version:
        return None
    depends = g("depends") or ()
    constrains = g("constrains")
    if constrains is None:
        constrains = g("run_constrained")
    try:
        depends = tuple(depends)
        constrains = tuple(constrains) if constrains else ()
    except TypeError:
        return None
    unknown = data.keys() - _KNOWN
    extra = {k: data[k] for k in unknown} if unknown else None
    tf, f = g("track_features"), g("features")
    return (fn, name, version, build, g("build_number", 0), depends, constrains, g("subdir") or "", g("noarch"),
            g("license"), g("license_family"), g("md5"), g("sha256"), g("size"), g("timestamp"),
            _features(tf) if tf else (), _features(f) if f else (), g("python_site_packages_path"), extra)


def _fast_builder() -> Any:
    from cantil.specs import PackageRecord

    slots = getattr(PackageRecord, "__slots__", ())
    if set(slots) != _SLOTS:
        return None
    plain: Any = type("_PlainRecord", (), {"__slots__": tuple(slots)})
    probe = plain.__new__(plain)
    try:
        probe.__class__ = PackageRecord
    except TypeError:
        return None
    return plain


_PLAIN: list[Any] = []


def make_records(rows: Iterable[Row], channel: str, subdir: str, package_base_url: str) -> list[PackageRecord]:
    """PackageRecords of normalised `rows` for a channel subdir whose packages live at `package_base_url`."""
    from cantil.specs import PackageRecord

    if not _PLAIN:
        _PLAIN.append(_fast_builder())
    plain: Any = _PLAIN[0]
    out: list[PackageRecord] = []
    if plain is None:   # pragma: no cover - only when PackageRecord's layout changed
        for row in rows:
            fn = row[0]
            data = dict(zip(_ROW_KEYS, row[1:-1], strict=True))
            data.update(row[-1] or {})
            data["subdir"] = row[7] or subdir
            data["url"] = package_base_url + fn
            out.append(PackageRecord.from_repodata(fn, data, channel=channel, subdir=subdir))
        return out
    new = plain.__new__
    append = out.append
    for (fn, name, version, build, build_number, depends, constrains, sub, noarch, lic, lic_family, md5, sha256,
         size, timestamp, track_features, features, pspp, extra) in rows:
        r = new(plain)
        r.name = name
        r.version = version
        r.build = build
        r.build_number = build_number
        r.depends = depends
        r.constrains = constrains
        r.subdir = sub or subdir
        r.noarch = noarch
        r.channel = channel
        r.fn = fn
        r.url = package_base_url + fn
        r.license = lic
        r.license_family = lic_family
        r.md5 = md5
        r.sha256 = sha256
        r.size = size
        r.timestamp = timestamp
        r.track_features = track_features
        r.features = features
        r.python_site_packages_path = pspp
        r.extra = extra or _EMPTY
        r._vobj = None
        r.__class__ = PackageRecord
        append(r)
    return out


_ROW_KEYS = ("name", "version", "build", "build_number", "depends", "constrains", "subdir", "noarch", "license",
             "license_family", "md5", "sha256", "size", "timestamp", "track_features", "features",
             "python_site_packages_path")
