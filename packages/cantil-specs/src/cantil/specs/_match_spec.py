"""MatchSpec: a query over package records (conda's grammar; _match_parse reads the text).

Matching traps, as conda does them:

- ``name`` and ``build`` are globs (``*`` anywhere; ``^...$`` is a regex); names compare lowercased.
- ``version`` tests the record's version with VersionSpec (globs and regexes see the record's version text).
- ``build_number`` takes ``3``, ``>=3``, ``<5``, ``!=2`` ...
- ``channel`` compares canonical names (``conda-forge`` matches a record whose channel is the conda-forge URL);
  ``defaults`` matches any member of the default channels.
- ``track_features`` and ``features`` match when the sets are equal; ``license`` and ``license_family`` are
  case-insensitive globs; ``md5``, ``sha256``, ``url``, ``fn``, ``subdir`` are exact.
"""

from __future__ import annotations

from cantil.specs._channel import _DEFAULT_SETTINGS, Channel, ChannelSettings
from cantil.specs._lazy import lazy_regex
from cantil.specs._match_parse import FIELDS, parse_spec, split_version_build
from cantil.specs._record import PackageRecord, _features
from cantil.specs._version_spec import (
    _LAZY_VERSION,
    VersionSpec,
    compile_regex,
    lazy_canonical,
    lazy_version,
    plain_version_spec,
)
from cantil.specs.errors import InvalidMatchSpec, InvalidVersion, InvalidVersionSpec, SpecsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    Check = Callable[[PackageRecord], bool]

__all__ = ["MatchSpec", "clear_match_spec_cache", "parse_depends"]

_NEEDS_QUOTES = lazy_regex(globals(), "_NEEDS_QUOTES", r"[\s,=\[\]'\"#]", "search")
_POSITIONAL_BUILD_BAD = lazy_regex(globals(), "_POSITIONAL_BUILD_BAD", r"[\s\-=,|<>~\[\]:'\"]", "search")
_BN_OPS = ("==", "!=", ">=", "<=", ">", "<")
# The plainest specs, which MatchSpec reads without parse_spec (tests/test_fast_paths.py holds the two readers to the
# same answers): a name of letters, digits and '_.+-' (not a package file name); a version of up to three
# comma-separated constraints, each an optional operator and a version starting with a digit or '*' (no '='
# elsewhere, no '|', parentheses or spaces; the first group takes those whose matcher can wait, see
# plain_version_spec); a build of letters, digits and '_.+' (no glob). No repeated groups: they are slow in re.
_PLAIN_LEAF = r"(?:[<>]=?|[=!~]=|)[0-9*][0-9A-Za-z_.+!*]*"
_PLAIN_SPEC = lazy_regex(
    globals(),
    "_PLAIN_SPEC",
    rf"([A-Za-z0-9_.+\-]+)(?: (?:({_LAZY_VERSION})|({_PLAIN_LEAF}(?:,{_PLAIN_LEAF}|)(?:,{_PLAIN_LEAF}|)))"
    r"(?: ([A-Za-z0-9_.+]+)|)|(?<!\.conda)(?<!\.tar\.bz2))",
    "fullmatch",
)


def _glob(value: str, lower: bool = False, text: str = "") -> Callable[[str], bool] | None:
    """None when ``value`` is an exact string; else a predicate. A bad regex raises InvalidMatchSpec quoting text."""
    if value.startswith("^") and value.endswith("$"):
        pattern = value
    elif "*" in value:
        import re

        pattern = "^(?:" + re.escape(value).replace(r"\*", ".*") + ")$"
    else:
        return None
    rx = compile_regex(pattern, lambda reason: InvalidMatchSpec(text or value, f"{reason} in '{value}'"))
    if lower:
        return lambda s: s is not None and rx(s.lower()) is not None
    return lambda s: s is not None and rx(s) is not None


def _build_number(text: str, value: str) -> Callable[[int], bool]:
    v = value.strip()
    for op in _BN_OPS:
        if v.startswith(op):
            num = v[len(op) :].strip()
            break
    else:
        op, num = "==", v
    if op == "==" and num.startswith("="):
        num = num[1:]
    try:
        n = int(num)
    except ValueError:
        raise InvalidMatchSpec(text, f"invalid build_number '{value}'") from None
    return {
        "==": lambda b: b == n,
        "!=": lambda b: b != n,
        ">=": lambda b: b >= n,
        "<=": lambda b: b <= n,
        ">": lambda b: b > n,
        "<": lambda b: b < n,
    }[op]


_cache: dict[str, MatchSpec] = {}
_lenient_cache: dict[str, MatchSpec] = {}


def clear_match_spec_cache() -> None:
    _cache.clear()
    _lenient_cache.clear()


_LAZY: Any = object()  # MatchSpec._vmatch until the version matcher is built (see _first_vmatch)


class MatchSpec:
    """A package query: ``MatchSpec("conda-forge::numpy >=1.20,<2 py3*[md5=...]")``. Immutable, hashable; equal
    specs have equal ``str()``; ``str()`` reparses equal. Strict by default (user input); ``lenient=True`` for
    channel data."""

    __slots__ = (
        "_build",
        "_build_match",
        "_checks",
        "_fields",
        "_name",
        "_name_exact",
        "_settings",
        "_str",
        "_version",
        "_vmatch",
    )
    _fields: dict[str, str]
    _name: str
    _name_exact: str | None
    _version: VersionSpec | str | None  # (a str: the canonical text of a spec made on first use, see _vspec)
    _vmatch: Any
    _build: str | None
    _build_match: Callable[[str], bool] | None
    _checks: tuple[Check, ...]
    _str: str | None
    _settings: ChannelSettings

    def __new__(cls, text: str, *, lenient: bool = False, settings: ChannelSettings | None = None) -> MatchSpec:
        cache = _lenient_cache if lenient else _cache
        if settings is None:
            self = cache.get(text)
            if self is not None:
                return self
            m = _PLAIN_SPEC(text) if text.__class__ is str else None
            if m is not None:  # 'name', 'name version', 'name version build' in their plainest spellings
                self = cls._from_plain(text, m, lenient)
                if len(cache) > 200_000:
                    cache.clear()
                cache[text] = self
                return self
        fields = parse_spec(text, lenient, settings or _DEFAULT_SETTINGS)
        self = cls._build_from(fields, text, lenient, settings or _DEFAULT_SETTINGS)
        if settings is None:
            if len(cache) > 200_000:
                cache.clear()
            cache[text] = self
        return self

    @classmethod
    def from_fields(cls, *, settings: ChannelSettings | None = None, **fields: Any) -> MatchSpec:
        """A spec from field values (``name="numpy", version=">=1.20", build_number=">=3", ...``)."""
        text_fields = {k: _field_text(k, v) for k, v in fields.items() if v is not None}
        text_fields.setdefault("name", "*")
        shown = ", ".join(f"{k}={v}" for k, v in text_fields.items())
        return cls._build_from(text_fields, shown, False, settings or _DEFAULT_SETTINGS)

    @classmethod
    def _from_plain(cls, text: str, m: re.Match[str], lenient: bool) -> MatchSpec:
        """What parse_spec and _build_from make of a text that _PLAIN_SPEC matched (``m``: an exact name, a version
        without '=' other than in an operator, an exact build), without their general checks."""
        name, lazy_v, vtext, build = m.groups()
        self = object.__new__(cls)
        self._str = None
        self._settings = _DEFAULT_SETTINGS
        if not name.islower():
            name = name.lower()
        self._name = self._name_exact = name
        self._checks = ()
        self._build = build
        self._build_match = None if build is None else build.__eq__
        if lazy_v is not None:
            if lazy_version(lazy_v):  # the version spec is made on first use (see _vspec), its matcher on first match
                if lazy_v[0] == "=" and build is None:  # '==1.2' alone is read as '1.2'
                    lazy_v = lazy_v[2:]
                self._version = canon = lazy_canonical(lazy_v)
                self._vmatch = _LAZY
                if build is None:
                    self._fields = {"name": name, "version": canon}
                else:
                    self._fields = {"name": name, "version": canon, "build": build}
                return self
            vtext = lazy_v
        elif vtext is None:
            self._version = self._vmatch = None
            self._fields = {"name": name}
            return self
        if vtext[0] == "=" and build is None:  # '==1.2' alone is read as '1.2'
            vtext = vtext[2:]
        try:
            vs = plain_version_spec(vtext, False)
        except InvalidVersionSpec as err:
            if not lenient:
                raise InvalidMatchSpec(text, f"bad version '{vtext}': {err.reason}") from err
            vs = _lenient_version(text, vtext, err)
        self._version = vs
        self._vmatch = None if vs._kind == 1 else (vs._match or _LAZY)
        if build is None:
            self._fields = {"name": name, "version": vs._str}
        else:
            self._fields = {"name": name, "version": vs._str, "build": build}
        return self

    @classmethod
    def _build_from(cls, fields: dict[str, str], text: str, lenient: bool, settings: ChannelSettings) -> MatchSpec:
        self = object.__new__(cls)
        self._str = None
        self._fields = fields
        self._settings = settings
        name = fields.get("name", "*")
        if not name.islower():
            name = fields["name"] = name.lower()
        self._name = name
        checks: list[Check] = []
        if "*" in name or (name[:1] == "^" and name[-1:] == "$"):
            self._name_exact = None
            if name != "*":
                name_glob = _glob(name, text=text)
                assert name_glob is not None
                checks.append(lambda r: name_glob(r.name))
        else:
            self._name_exact = name
        vtext = fields.get("version")
        if vtext is None:
            self._version = self._vmatch = None
        else:
            try:
                vs = VersionSpec(vtext)
            except InvalidVersionSpec as err:
                if not lenient:
                    raise InvalidMatchSpec(text, f"bad version '{vtext}': {err.reason}") from err
                vs = _lenient_version(text, vtext, err)
            self._version = vs
            fields["version"] = vs._str
            self._vmatch = None if vs._kind == 1 else vs._matcher()
        build = fields.get("build")
        self._build = build
        if build is None or build == "*":
            self._build_match = None
        elif "*" in build or (build[:1] == "^" and build[-1:] == "$"):
            self._build_match = _glob(build, text=text)
        else:
            self._build_match = build.__eq__
        if len(fields) > 1 + (vtext is not None) + (build is not None):  # keys beyond name, version, build
            for key, value in fields.items():
                if key in {"name", "version", "build"}:
                    continue
                check = _field_check(text, key, value, settings)
                if check is not None:
                    checks.append(check)
        self._checks = tuple(checks)
        return self

    def _first_vmatch(self) -> Any:
        """The version test of a spec whose VersionSpec builds its matcher on first use (``_vmatch`` is _LAZY until
        then, not a bound method: that would be a reference cycle for the collector to find): builds it, keeps it."""
        vs = self._vspec()
        assert vs is not None
        vm = self._vmatch = vs._matcher()
        return vm

    def _vspec(self) -> VersionSpec | None:
        """The version spec; the plain reader leaves its canonical text in its place until first needed."""
        vs = self._version
        if isinstance(vs, str):
            vs = self._version = plain_version_spec(vs, True)
        return vs

    # --- the fields -------------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def version(self) -> VersionSpec | None:
        return self._vspec()

    @property
    def build(self) -> str | None:
        return self._build

    @property
    def build_number(self) -> str | None:
        return self._fields.get("build_number")

    @property
    def channel(self) -> Channel | None:
        c = self._fields.get("channel")
        if c is None or "*" in c:
            return None
        return Channel(c, self._settings)

    @property
    def subdir(self) -> str | None:
        return self._fields.get("subdir")

    def get(self, field: str, default: Any = None) -> Any:
        """The text of any field (``md5``, ``sha256``, ``license``, ``track_features``, ``url``, ``fn``...);
        ``version`` gives the VersionSpec."""
        if field == "version":
            vs = self._vspec()
            return vs if vs is not None else default
        return self._fields.get(field, default)

    @property
    def fields(self) -> dict[str, str]:
        """Every field set by the spec, as canonical text."""
        return dict(self._fields)

    def is_name_only(self) -> bool:
        vs = self._version  # (a str stands for a spec that never matches everything)
        return len(self._fields) == 1 or (len(self._fields) == 2 and isinstance(vs, VersionSpec) and vs.matches_all)

    # --- matching ---------------------------------------------------------------------------------------------
    def match(self, record: PackageRecord | Mapping[str, Any]) -> bool:
        """True when the record satisfies every field of the spec."""
        if not isinstance(record, PackageRecord):
            record = _as_record(record)
        n = self._name_exact
        if n is not None and record.name != n:
            return False
        vm = self._vmatch
        if vm is not None:
            if vm is _LAZY:
                vm = self._first_vmatch()
            v = record._vobj
            if v is None:
                try:
                    v = record.version_obj
                except InvalidVersion:
                    return False
            if not vm(v, record.version):
                return False
        bm = self._build_match
        if bm is not None and not bm(record.build):
            return False
        for check in self._checks:  # noqa: SIM110 - a loop is faster than all() over a generator here
            if not check(record):
                return False
        return True

    # --- text -------------------------------------------------------------------------------------------------
    def __str__(self) -> str:
        s = self._str
        if s is None:
            s = self._str = _canonical(self._fields)
        return s

    def __repr__(self) -> str:
        return f"MatchSpec({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MatchSpec):
            return NotImplemented
        return self is other or str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (MatchSpec, (str(self),))

    # --- merging ----------------------------------------------------------------------------------------------
    @staticmethod
    def merge(specs: Iterable[MatchSpec | str]) -> list[MatchSpec]:
        """One spec per name, joining the constraints of specs that name the same package (versions with ',').
        ``*`` specs are kept apart. Raises InvalidMatchSpec when two specs set a field to different exact values."""
        groups: dict[str, list[MatchSpec]] = {}
        loose: list[MatchSpec] = []
        for s in specs:
            spec = s if isinstance(s, MatchSpec) else MatchSpec(s)
            if spec._name_exact is None:
                loose.append(spec)
            else:
                groups.setdefault(spec._name, []).append(spec)
        out = []
        for group in groups.values():
            merged = group[0]
            for other in group[1:]:
                merged = _merge_two(merged, other)
            out.append(merged)
        return out + loose


def _field_text(key: str, value: Any) -> str:
    if key in ("track_features", "features") and not isinstance(value, str):
        return " ".join(value)
    if isinstance(value, Channel):
        return value.name
    return str(value)


def _lenient_version(text: str, vtext: str, err: SpecsError) -> VersionSpec:
    """Repairs that other readers of channel data accept: a trailing or doubled ',' / '|', '.*' after an operator
    other than '=' and '!=' and '~=' ... Raises InvalidMatchSpec when nothing helps."""
    import re

    repaired = re.sub(r"([,|])[,|]+", r"\1", vtext.strip(",|"))
    repaired = re.sub(r"(~=[^,|]*)\.\*", r"\1", repaired)
    try:
        return VersionSpec(repaired)
    except InvalidVersionSpec:
        raise InvalidMatchSpec(text, f"bad version '{vtext}': {err.reason}") from err


def _field_check(text: str, key: str, value: str, settings: ChannelSettings) -> Check | None:
    if key == "build_number":
        bn = _build_number(text, value)
        return lambda r: bn(r.build_number)
    if key == "channel":
        return _channel_check(text, value, settings)
    if key in ("subdir", "md5", "sha256", "url", "fn"):
        return lambda r: getattr(r, key) == value
    if key in ("license", "license_family"):
        g = _glob(value.lower(), lower=True, text=text)
        if g is not None:
            return lambda r: g(getattr(r, key))
        low = value.lower()
        return lambda r: (getattr(r, key) or "").lower() == low
    if key in ("track_features", "features"):
        want = frozenset(_features(value))
        return lambda r: frozenset(getattr(r, key)) == want
    return None  # unknown keys (lenient mode) are kept, not matched


def _channel_check(text: str, value: str, settings: ChannelSettings) -> Check:
    if "*" in value:
        g = _glob(value, text=text)
        assert g is not None
        return lambda r: g(_record_channel(r.channel, settings))
    if value == "defaults":
        names = settings.default_names()
        return lambda r: _record_channel(r.channel, settings) in names
    want = Channel(value, settings).name
    return lambda r: _record_channel(r.channel, settings) == want


def _record_channel(value: str, settings: ChannelSettings) -> str:
    if not value:
        return ""
    try:
        return Channel(value, settings).name
    except SpecsError:
        return value


def _as_record(d: Mapping[str, Any]) -> PackageRecord:
    if not (hasattr(d, "keys") and hasattr(d, "__getitem__")):
        raise TypeError(f"MatchSpec.match takes a PackageRecord or a mapping, not {type(d).__name__}")
    data = dict(d)
    data.setdefault("build", "")
    data.setdefault("version", "0")
    data.setdefault("name", "")
    if not data["name"]:
        data["name"] = "?"
    return PackageRecord.from_repodata(data.get("fn") or "", data)


def _quote(key: str, value: str) -> str:
    if _NEEDS_QUOTES(value):
        q = "'" if "'" not in value else '"'
        return f"{key}={q}{value}{q}"
    return f"{key}={value}"


def _canonical(fields: dict[str, str]) -> str:
    """``[channel[/subdir]::]name[ version[ build]][key=value,...]``; anything that would not read back the same
    positionally goes in the brackets."""
    out = ""
    brackets: list[str] = []
    channel = fields.get("channel")
    subdir = fields.get("subdir")
    if channel is not None and "*" not in channel and not _NEEDS_QUOTES(channel):
        out = channel + (f"/{subdir}" if subdir else "") + "::"
    else:
        if channel is not None:
            brackets.append(_quote("channel", channel))
        if subdir is not None:
            brackets.append(_quote("subdir", subdir))
    out += fields["name"]
    version = fields.get("version")
    build = fields.get("build")
    positional_version = version is not None and not (
        version[0] == "="
        or "[" in version
        or "]" in version
        or ":" in version
        or "'" in version
        or '"' in version
        or "#" in version
        or "@" in version
    )
    if positional_version and build is not None and _POSITIONAL_BUILD_BAD(build):
        brackets.append(_quote("build", build))
        build = None
    if version is not None and positional_version:
        text = version + (f" {build}" if build is not None else "")
        if split_version_build(text) != (version, build):  # would not read back the same (a glob holding '='...)
            positional_version = False
    if version is not None and not positional_version:
        brackets.append(_quote("version", version))
    if build is not None and not positional_version and version is not None:
        brackets.append(_quote("build", build))
        build = None
    if positional_version:
        out += " " + version  # type: ignore[operator]
        if build is not None:
            out += " " + build
    elif build is not None:
        brackets.append(_quote("build", build))
    for key in FIELDS[3:]:
        if key in ("channel", "subdir") or key not in fields:
            continue
        brackets.append(_quote(key, fields[key]))
    for key in sorted(set(fields) - set(FIELDS)):
        brackets.append(_quote(key, fields[key]))
    if brackets:
        out += "[" + ",".join(brackets) + "]"
    return out


def _merge_two(a: MatchSpec, b: MatchSpec) -> MatchSpec:
    fields = dict(a._fields)
    for key, value in b._fields.items():
        mine = fields.get(key)
        if mine is None or mine == value:
            fields[key] = value
            continue
        if key == "version":
            fields[key] = f"{_group(mine)},{_group(value)}"
        elif key == "build" and ("*" in mine or "*" in value):
            exact, pattern = (mine, value) if "*" not in mine else (value, mine)
            if "*" in exact:  # two patterns: both must match
                fields[key] = f"^(?=(?:{_rx(pattern)})$)(?:{_rx(exact)})$"
            else:
                g = _glob(pattern)
                if g is not None and not g(exact):
                    raise InvalidMatchSpec(f"{a}, {b}", f"incompatible builds '{mine}' and '{value}'")
                fields[key] = exact
        else:
            raise InvalidMatchSpec(f"{a}, {b}", f"incompatible {key} '{mine}' and '{value}'")
    shown = f"{a}, {b}"
    return MatchSpec._build_from(fields, shown, False, _DEFAULT_SETTINGS)


def _group(v: str) -> str:
    return f"({v})" if "|" in v and not (v.startswith("^") and v.endswith("$")) else v


def _rx(glob: str) -> str:
    import re

    return glob[1:-1] if glob.startswith("^") and glob.endswith("$") else re.escape(glob).replace(r"\*", ".*")


def parse_depends(text: str) -> MatchSpec:
    """A dependency or constraint string from channel data: lenient, and interned (repodata repeats itself)."""
    spec = _lenient_cache.get(text)
    if spec is None:
        spec = MatchSpec(text, lenient=True)
    return spec
