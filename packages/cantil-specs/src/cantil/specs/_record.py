"""Package records: a repodata entry (``PackageRecord``), an installed one (``PrefixRecord``, conda's
``conda-meta/<name>-<version>-<build>.json``). The ``RecordSource`` protocol is in _source.

Traps of the format:

- ``track_features`` and ``features`` are one string in repodata (``"mkl debug"``, sometimes comma-separated);
  here they are tuples, written back as one space-separated string.
- ``constrains`` is called ``run_constrained`` in some old records; both are read.
- ``timestamp`` is in milliseconds in modern repodata and in seconds in some old records; it is kept as given.
- In conda-meta, ``channel`` is a URL ending in the subdir; ``PackageRecord.channel`` is the canonical name.
- Unknown keys are kept in ``extra`` and written back by ``to_dict``.

Records are frozen: assigning an attribute raises. ``from_repodata`` builds one without per-field overhead
(it runs hundreds of thousands of times when an index loads).
"""

from __future__ import annotations

from cantil.specs._version import Version
from cantil.specs.errors import InvalidRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

__all__ = ["PackageRecord", "PrefixRecord"]

_EMPTY: Mapping[str, Any] = {}

_KNOWN = frozenset(
    {
        "name",
        "version",
        "build",
        "build_number",
        "depends",
        "constrains",
        "run_constrained",
        "subdir",
        "noarch",
        "channel",
        "url",
        "fn",
        "license",
        "license_family",
        "md5",
        "sha256",
        "size",
        "timestamp",
        "track_features",
        "features",
        "python_site_packages_path",
    }
)
_PREFIX_FIELDS = (
    "files",
    "paths_data",
    "link",
    "requested_spec",
    "requested_specs",
    "package_tarball_full_path",
    "extracted_package_dir",
)
_KNOWN_PREFIX = _KNOWN | frozenset(_PREFIX_FIELDS)


def _features(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(f for f in value.replace(",", " ").split() if f)
    return tuple(str(f) for f in value)


def _channel_name(value: str) -> str:
    """The canonical name of a channel written as a URL (conda-meta) or a name (repodata)."""
    if "://" not in value and "/" not in value:
        return value
    from cantil.specs._channel import Channel

    try:
        return Channel(value).name
    except ValueError:
        return value


class PackageRecord:
    """One package build, as repodata describes it. Frozen; compared and hashed by ``key``."""

    __slots__ = (
        "_vobj",
        "build",
        "build_number",
        "channel",
        "constrains",
        "depends",
        "extra",
        "features",
        "fn",
        "license",
        "license_family",
        "md5",
        "name",
        "noarch",
        "python_site_packages_path",
        "sha256",
        "size",
        "subdir",
        "timestamp",
        "track_features",
        "url",
        "version",
    )
    name: str
    version: str
    build: str
    build_number: int
    depends: tuple[str, ...]
    constrains: tuple[str, ...]
    subdir: str
    noarch: str | None
    channel: str
    url: str
    fn: str
    license: str | None
    license_family: str | None
    md5: str | None
    sha256: str | None
    size: int | None
    timestamp: int | None
    track_features: tuple[str, ...]
    features: tuple[str, ...]
    python_site_packages_path: str | None
    extra: Mapping[str, Any]
    _vobj: Version | None

    def __init__(
        self,
        name: str,
        version: str,
        build: str = "",
        build_number: int = 0,
        *,
        depends: Iterable[str] = (),
        constrains: Iterable[str] = (),
        subdir: str = "",
        noarch: str | None = None,
        channel: str = "",
        url: str = "",
        fn: str = "",
        license: str | None = None,
        license_family: str | None = None,
        md5: str | None = None,
        sha256: str | None = None,
        size: int | None = None,
        timestamp: int | None = None,
        track_features: Iterable[str] | str = (),
        features: Iterable[str] | str = (),
        python_site_packages_path: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        if not name or not isinstance(name, str):
            raise InvalidRecord(repr(name), "a record needs a name")
        if not isinstance(version, str) or not version:
            raise InvalidRecord(name, f"bad version {version!r}")
        s = object.__setattr__
        s(self, "name", name)
        s(self, "version", version)
        s(self, "build", build)
        s(self, "build_number", int(build_number))
        s(self, "depends", tuple(depends))
        s(self, "constrains", tuple(constrains))
        s(self, "subdir", subdir)
        s(self, "noarch", noarch)
        s(self, "channel", channel)
        s(self, "fn", fn or (f"{name}-{version}-{build}.conda" if build else ""))
        s(self, "url", url)
        s(self, "license", license)
        s(self, "license_family", license_family)
        s(self, "md5", md5)
        s(self, "sha256", sha256)
        s(self, "size", size)
        s(self, "timestamp", timestamp)
        s(self, "track_features", _features(track_features))
        s(self, "features", _features(features))
        s(self, "python_site_packages_path", python_site_packages_path)
        s(self, "extra", dict(extra) if extra else _EMPTY)
        s(self, "_vobj", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen; use .replace(**fields)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    @classmethod
    def from_repodata(
        cls, fn: str, data: Mapping[str, Any], *, channel: str = "", subdir: str = "", base_url: str = ""
    ) -> PackageRecord:
        """A record from one ``packages``/``packages.conda`` entry; ``url = base_url/subdir/fn`` when base_url is
        given. Raises InvalidRecord when name, version or build is missing."""
        r: Any = _Builder()
        g = data.get
        try:
            name = data["name"]
            version = data["version"]
            build = data["build"]
        except KeyError as err:
            raise InvalidRecord(fn, f"missing field {err.args[0]!r}") from None
        if version.__class__ is not str:
            if not isinstance(version, (int, float)):
                raise InvalidRecord(fn, f"bad version {version!r}")
            version = str(version)
        r.name = name
        r.version = version
        r.build = build
        r.build_number = g("build_number", 0)
        r.depends = tuple(g("depends") or ())
        c = g("constrains")
        if c is None:
            c = g("run_constrained")
        r.constrains = tuple(c) if c else ()
        sub = g("subdir") or subdir
        r.subdir = sub
        r.noarch = g("noarch")
        r.channel = channel or g("channel") or ""
        r.fn = fn
        r.url = f"{base_url}/{sub}/{fn}" if base_url else (g("url") or "")
        r.license = g("license")
        r.license_family = g("license_family")
        r.md5 = g("md5")
        r.sha256 = g("sha256")
        r.size = g("size")
        r.timestamp = g("timestamp")
        tf = g("track_features")
        r.track_features = _features(tf) if tf else ()
        f = g("features")
        r.features = _features(f) if f else ()
        r.python_site_packages_path = g("python_site_packages_path")
        unknown = data.keys() - _KNOWN
        r.extra = {k: data[k] for k in unknown} if unknown else _EMPTY
        r._vobj = None
        r.__class__ = PackageRecord
        rec: PackageRecord = r
        if cls is not PackageRecord:
            if issubclass(cls, PrefixRecord):
                return cls.from_record(rec)
            return cls(**{k: getattr(rec, k) for k in PackageRecord.__slots__ if k != "_vobj"})
        return rec

    def to_dict(self) -> dict[str, Any]:
        """The repodata-style dict (``info/repodata_record.json`` shape); unknown keys come back too."""
        d: dict[str, Any] = dict(self.extra)
        d.update(
            name=self.name,
            version=self.version,
            build=self.build,
            build_number=self.build_number,
            depends=list(self.depends),
            constrains=list(self.constrains),
            subdir=self.subdir,
            fn=self.fn,
        )
        if self.channel:
            d["channel"] = self.channel
        if self.url:
            d["url"] = self.url
        for k in (
            "noarch",
            "license",
            "license_family",
            "md5",
            "sha256",
            "size",
            "timestamp",
            "python_site_packages_path",
        ):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        if self.track_features:
            d["track_features"] = " ".join(self.track_features)
        if self.features:
            d["features"] = " ".join(self.features)
        return d

    def replace(self, **fields: Any) -> PackageRecord:
        """A copy with some fields changed."""
        d = {k: getattr(self, k) for k in self.__slots__ if k != "_vobj"}
        d.update(fields)
        return PackageRecord(**d)

    @property
    def key(self) -> tuple[str, str, str, str, int, str]:
        """Identity: (channel, subdir, name, version, build_number, build)."""
        return (self.channel, self.subdir, self.name, self.version, self.build_number, self.build)

    @property
    def dist_name(self) -> str:
        return f"{self.name}-{self.version}-{self.build}"

    @property
    def version_obj(self) -> Version:
        """The parsed version (cached). Raises InvalidVersion when conda cannot read it either."""
        v = self._vobj
        if v is None:
            v = Version(self.version)
            object.__setattr__(self, "_vobj", v)
        return v

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PackageRecord):
            return NotImplemented
        return self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        where = f"{self.channel}/{self.subdir}::" if self.channel else (f"{self.subdir}::" if self.subdir else "")
        return f"<{type(self).__name__} {where}{self.dist_name}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.to_dict()))


class _Builder:
    """The same slots as PackageRecord (so ``__class__`` may be switched) but plain, fast attribute assignment:
    from_repodata fills one, then turns it into a PackageRecord."""

    __slots__ = PackageRecord.__slots__


def _rebuild(cls: type[PackageRecord], data: dict[str, Any]) -> PackageRecord:
    if issubclass(cls, PrefixRecord):
        return cls.from_dict(data)
    return cls.from_repodata(data.get("fn", ""), data)


class PrefixRecord(PackageRecord):
    """An installed record: conda's ``conda-meta/<dist_name>.json``."""

    __slots__ = (
        "extracted_package_dir",
        "files",
        "link",
        "package_tarball_full_path",
        "paths_data",
        "requested_spec",
        "requested_specs",
    )
    files: tuple[str, ...]
    paths_data: Mapping[str, Any]
    link: Mapping[str, Any] | None
    requested_spec: str | None
    requested_specs: tuple[str, ...]
    package_tarball_full_path: str | None
    extracted_package_dir: str | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrefixRecord:
        """Read a conda-meta record (conda's or ours). Raises InvalidRecord on a missing name/version/build."""
        if not (hasattr(data, "keys") and hasattr(data, "get")):
            raise InvalidRecord(repr(data)[:60], "a record must be a JSON object")
        fn = data.get("fn") or ""
        url = data.get("url") or ""
        if not fn and url:
            fn = url.rsplit("/", 1)[-1]
        channel = data.get("channel") or ""
        base = PackageRecord.from_repodata(
            fn,
            {k: v for k, v in data.items() if k not in _KNOWN_PREFIX or k in _KNOWN},
            channel=_channel_name(channel) if channel else "",
        )
        return cls.from_record(
            base,
            files=data.get("files") or (),
            paths_data=data.get("paths_data") or {"paths_version": 1, "paths": []},
            link=data.get("link"),
            requested_spec=data.get("requested_spec"),
            requested_specs=data.get("requested_specs") or (),
            package_tarball_full_path=data.get("package_tarball_full_path"),
            extracted_package_dir=data.get("extracted_package_dir"),
        )

    @classmethod
    def from_record(cls, record: PackageRecord, **prefix_fields: Any) -> PrefixRecord:
        """A PrefixRecord with ``record``'s fields plus the given prefix fields (files, paths_data, link, ...)."""
        unknown = set(prefix_fields) - set(_PREFIX_FIELDS)
        if unknown:
            raise TypeError(f"unknown prefix field(s): {', '.join(sorted(unknown))}")
        r = object.__new__(cls)
        s = object.__setattr__
        for k in PackageRecord.__slots__:
            s(r, k, getattr(record, k))
        s(r, "files", tuple(prefix_fields.get("files") or ()))
        s(r, "paths_data", prefix_fields.get("paths_data") or {"paths_version": 1, "paths": []})
        s(r, "link", prefix_fields.get("link"))
        s(r, "requested_spec", prefix_fields.get("requested_spec"))
        s(r, "requested_specs", tuple(prefix_fields.get("requested_specs") or ()))
        s(r, "package_tarball_full_path", prefix_fields.get("package_tarball_full_path"))
        s(r, "extracted_package_dir", prefix_fields.get("extracted_package_dir"))
        return r

    def to_dict(self) -> dict[str, Any]:
        """conda's conda-meta JSON: ``channel`` is the channel URL with the subdir, as conda writes it."""
        d = super().to_dict()
        if self.url and "/" in self.url:
            d["channel"] = self.url.rsplit("/", 1)[0]
        d.setdefault("track_features", "")
        d.setdefault("features", "")
        d["files"] = list(self.files)
        d["paths_data"] = self.paths_data
        if self.link is not None:
            d["link"] = self.link
        if self.requested_spec is not None:
            d["requested_spec"] = self.requested_spec
        d["requested_specs"] = list(self.requested_specs)
        d["package_tarball_full_path"] = self.package_tarball_full_path
        d["extracted_package_dir"] = self.extracted_package_dir
        return d

    def replace(self, **fields: Any) -> PrefixRecord:
        prefix = {k: fields.pop(k) if k in fields else getattr(self, k) for k in _PREFIX_FIELDS}
        return PrefixRecord.from_record(PackageRecord.replace(self, **fields), **prefix)
