"""Conda's version ordering (conda's ``VersionOrder``; CEP 33 describes it), as a tuple that compares natively.

The format's traps, all reproduced exactly as conda does them:

- Case-insensitive; ``-`` is read as ``_`` only when the string has no ``_`` (``1.0-1`` == ``1.0_1``, but ``1-0_1``
  is an error). ``str()`` gives conda's normalised text (lowercase, dashes replaced).
- ``N!`` is the epoch; ``+...`` is a local version, compared only when the rest is equal.
- Segments split on ``.`` and ``_``; a trailing ``_`` stays in the last segment (``1.0.1_`` < ``1.0.1a``: openssl).
- A segment is a run of numbers and strings; a segment starting with a string gets an implicit leading 0.
- Strings sort before numbers (``1.0a1`` < ``1.0``), ``dev`` below every other string, ``post`` above every number.
- Missing components and segments are zeros: ``1.1 == 1.1.0 == 1.1.0.0``.

How the key works. Conda compares component by component, padding with zeros. We encode each version once as a flat
tuple whose native comparison gives the same answer: after stripping trailing zeros, a number ``n > 0`` stays ``n``,
``post`` becomes ``inf``, a string ``s`` becomes ``(-6, s)``, ``-3`` ends a segment, the version and the local
version, and a zero component (or an all-zero segment) becomes a code saying whether the next non-zero value after it
is below zero (a string: ``-5``/``-4``) or above it (``-2``/``-1``). A segment that ends with a number has no ``-3``:
inside a segment numbers and strings alternate, so in its place another version can only have a string (``-6``, the
lowest code), ``post`` (``inf``, the highest) or what comes after the segment, and the next segment's first code (or
the end of the version) then compares as ``-3`` would; ``1.26.4`` is ``(-2, 1, 26, 4, -3, -3, tail)``, the leading
``-2`` being the zero epoch. Two keys always differ before either ends, so the final element
(the tail: the text itself for the one canonical spelling of a key, else a ``_Tail`` equal to any tail; see
``Version.__new__``) is only reached by equal versions, and compares equal. ``hash()`` leaves the tail out.
"""

from __future__ import annotations

from cantil.specs._lazy import lazy_regex
from cantil.specs.errors import InvalidVersion

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    Segments = tuple[tuple[Any, ...], ...]
    _Base = tuple[Any, ...]
else:
    _Base = tuple

__all__ = ["Version", "clear_version_cache"]

_INF = float("inf")


# most version numbers (and years) are small; zero-padded ones ('2018.03.07') are common too
class _Numbers(dict):  # type: ignore[type-arg]
    """The small-number table; a large or zero-padded number ('20170329') missing from it is converted (not stored),
    any other text gives None."""

    __slots__ = ()

    def __missing__(self, key: str) -> int | None:
        return int(key) if key.isdigit() and key.isascii() else None


_SMALL_INTS = _Numbers({str(i): i for i in range(2100)})
_SMALL_INTS.update({f"{i:02}": i for i in range(10)})
_SMALL_INTS.update({f"{i:03}": i for i in range(100)})
_NUMBER = _SMALL_INTS.__getitem__  # the number a text of digits spells, else None
_INT = _SMALL_INTS.get  # the same for small numbers only (no call into Python for other texts)
# codes (see the module docstring)
_STR, _Z_LO, _SEG_Z_LO, _END, _SEG_Z_HI, _Z_HI = -6, -5, -4, -3, -2, -1
_CHECK = lazy_regex(globals(), "_CHECK", r"[*.+!_0-9a-z]+", "fullmatch")
_SPLIT = lazy_regex(globals(), "_SPLIT", r"[0-9]+|\*+|[^0-9*]+", "findall")


class _Tail(str):
    """The last element of a Version tuple whose text is not the canonical spelling of its key (see Version.__new__):
    the normalised text, equal to every other tail, plain or not, so that versions with equal keys compare equal
    whatever their spelling. Version.__hash__ leaves the tail out."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str)

    def __ne__(self, other: object) -> bool:
        return not isinstance(other, str)

    def __lt__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0


_segments_cache: dict[str, tuple[Segments, Segments]] = {}


def _components(seg: str) -> list[Any]:
    comps: list[Any] = []
    for c in _SPLIT(seg):
        if c.isdigit():
            comps.append(int(c))
        elif c == "post":
            comps.append(_INF)
        elif c == "dev":
            comps.append("DEV")
        else:
            comps.append(c)
    if not seg[0].isdigit():
        comps.insert(0, 0)
    return comps


def _split_main(text: str, s: str) -> tuple[list[list[Any]], list[list[Any]]]:
    """Conda's parse of a normalised version string into (epoch + segments, local segments)."""
    parts = s.split("!")
    if len(parts) == 1:
        epoch = [0]
    elif len(parts) == 2:
        if not parts[0].isdigit():
            raise InvalidVersion(text, "epoch must be an integer")
        epoch = [int(parts[0])]
    else:
        raise InvalidVersion(text, "duplicated epoch separator '!'")
    parts = parts[-1].split("+")
    if len(parts) > 2:
        raise InvalidVersion(text, "duplicated local version separator '+'")
    main = parts[0]
    if not main:
        raise InvalidVersion(text, "missing version before the local version separator '+'")
    if main[-1] == "_":
        raw = main[:-1].replace("_", ".").split(".")
        raw[-1] += "_"
    else:
        raw = main.replace("_", ".").split(".")
    local_raw = parts[1].replace("_", ".").split(".") if len(parts) == 2 else []
    if "" in raw or "" in local_raw:
        raise InvalidVersion(text, "empty version component")
    return [epoch] + [_components(r) for r in raw], [_components(r) for r in local_raw]


_seg_cache: dict[str, tuple[tuple[Any, ...], int]] = {}


def _simple_segment(seg: str) -> bool:
    """Whether a segment is lowercase ASCII letters and digits: the only kind the simple reader takes (a segment such
    as '_', '1_' or '*' is valid in some places only, which conda's general reader judges from the whole text)."""
    return seg.isalnum() and seg.isascii() and seg.islower()


def _segment_codes(seg: str) -> tuple[tuple[Any, ...], int]:
    """The codes of one segment that is not a plain number ('2k', 'rc1', 'dev0', '0post1'), END-terminated unless it
    ends with a number, and the code that zero segments waiting before it take: SEG_Z_HI when the first non-zero
    value in it is above zero, else SEG_Z_LO (a string; such a segment always holds one). Zeros at its start wait as
    codes for that value; zeros at its end are dropped. Simple segments are cached (real versions reuse few of
    them), and only those: the simple reader takes a cached segment as valid without looking at it again. The caller
    has looked in the cache already."""
    codes: list[Any] = []
    pend = 0 if seg[0].isdigit() else 1  # a segment starting with a string has an implicit 0 in front
    first: bool | None = None
    n: float | None  # a number, or inf for 'post'
    for c in _SPLIT(seg):
        n = _INT(c)
        if n is None:
            if c.isdigit():
                n = int(c)
            elif c == "post":
                n = _INF
        if n is None:  # a string: below every number
            if pend:
                codes += [_Z_LO] * pend
                pend = 0
            if first is None:
                first = False
            codes += (_STR, "DEV" if c == "dev" else c)
        elif n:
            if pend:
                codes += [_Z_HI] * pend
                pend = 0
            if first is None:
                first = True
            codes.append(n)
        else:
            pend += 1
    if codes[-1].__class__ is not int:  # a string or 'post' ends it (see the module docstring)
        codes.append(_END)
    found = (tuple(codes), _SEG_Z_HI if first else _SEG_Z_LO)
    if _simple_segment(seg):
        if len(_seg_cache) >= 20_000:
            _seg_cache.clear()
        _seg_cache[seg] = found
    return found


def _encode_segments(  # noqa: PLR0917  (positional on purpose: see below)
    text: str, segs: list[str], ints: list[Any], out: list[Any], pend_seg: int, simple: bool
) -> bool:
    """Appends the codes of ``segs`` (whose plain numbers are ``ints``, None for the other segments) to ``out``, then
    the END of the run, in one forward pass (``pend_seg`` zero segments already wait: zeros wait in a counter until
    the next non-zero value tells which code they get; trailing zeros are dropped). ``simple``: accept only
    lowercase ASCII letters and digits in the other segments, and say False (``out`` then unusable) on anything
    else, for conda's general reader to decide. Positional arguments only: this is on the path of every version
    with letters, where keyword arguments (here, and zip's ``strict``) cost 7% of the parse (instruction counts of
    those versions alone); ``ints`` is ``segs`` read, so their lengths are equal."""
    for seg, n in zip(segs, ints):  # noqa: B905  (no keyword: see above)
        if n is None:
            found = _seg_cache.get(seg)
            if found is None:
                if simple:
                    if not _simple_segment(seg):  # also '': the general reader says why
                        return False
                elif not seg:
                    raise InvalidVersion(text, "empty version component")
                found = _segment_codes(seg)
            codes, lead = found
            if pend_seg:
                out += (lead,) * pend_seg
                pend_seg = 0
            out += codes
        elif n:
            if pend_seg:
                out += (_SEG_Z_HI,) * pend_seg
                pend_seg = 0
            out.append(n)
        else:
            pend_seg += 1
    out.append(_END)
    return True


def _encode_text(text: str, segs: list[str], out: list[Any]) -> None:
    """The codes of segment texts (of the epoch and version, or of the local version), END-terminated, into ``out``."""
    _encode_segments(text, segs, list(map(_NUMBER, segs)), out, 0, False)


def _key_general(text: str, s: str) -> list[Any]:
    """The key of a normalised version string that is not plain dotted numbers (conda's rules, see _split_main)."""
    if "!" in s:
        parts = s.split("!")
        if len(parts) > 2:
            raise InvalidVersion(text, "duplicated epoch separator '!'")
        if not parts[0].isdigit():
            raise InvalidVersion(text, "epoch must be an integer")
        epoch, rest = parts
    else:
        epoch, rest = "0", s
    local = None
    if "+" in rest:
        parts = rest.split("+")
        if len(parts) > 2:
            raise InvalidVersion(text, "duplicated local version separator '+'")
        rest, local = parts
    if not rest:
        raise InvalidVersion(text, "missing version before the local version separator '+'")
    if rest[-1] == "_":
        raw = rest[:-1].replace("_", ".").split(".")
        raw[-1] += "_"
    else:
        raw = rest.replace("_", ".").split(".")
    raw.insert(0, epoch)
    key: list[Any] = []
    _encode_text(text, raw, key)
    if local is None:
        key.append(_END)
    else:
        _encode_text(text, local.replace("_", ".").split("."), key)
    return key


def _normalise(text: str) -> str:
    s = text.strip().lower()
    if not s:
        raise InvalidVersion(text, "empty version string")
    if _CHECK(s) is None:
        if "-" in s and "_" not in s:
            s = s.replace("-", "_")
            if _CHECK(s) is not None:
                return s
        raise InvalidVersion(text, "invalid character(s)")
    return s


_cache: dict[str, Version] = {}
_CACHE_MAX = 200_000
_tuple_new = tuple.__new__
_CANONICAL = frozenset(str(i) for i in range(2100))  # small numbers spelled without padding


def _key3(a: int, b: int, c: int, t: str) -> tuple[Any, ...]:
    """The key of the three numbers ``a.b.c`` (any of them zero: a zero segment before a positive number is one code,
    trailing zeros are dropped) with the tail ``t``."""
    if c:
        return (_SEG_Z_HI, a or _SEG_Z_HI, b or _SEG_Z_HI, c, _END, _END, t)
    if b:
        return (_SEG_Z_HI, a or _SEG_Z_HI, b, _END, _END, t)
    if a:
        return (_SEG_Z_HI, a, _END, _END, t)
    return (_END, _END, t)


def clear_version_cache() -> None:
    """Forget every interned Version (benchmarks measure distinct-string rates this way)."""
    _cache.clear()
    _segments_cache.clear()
    _seg_cache.clear()


def _plain_key(text: str, parts: list[str], ints: list[Any] | None = None) -> list[Any]:
    """The key of ``text`` (split into ``parts`` on '.', and on '_' unless that is trailing, as Version.__new__ does;
    their numbers are ``ints`` when known; see the module docstring): directly when every part is a plain number or
    lowercase ASCII letters and digits ('1.0.2k', '1.2.0rc1', '0.1.0.dev0'), else through conda's general reader
    (an epoch, a local version, capitals, '-', '*', a trailing '_')."""
    if ints is None:
        ints = list(map(_NUMBER, parts))  # a dict lookup is much cheaper than int()
        if all(ints):  # small positive numbers
            return [_SEG_Z_HI, *ints, _END, _END, _Tail(text)]
    if None in ints:
        key: list[Any] = []
        # pend_seg=1: the zero epoch waits like any zero segment
        if _encode_segments(text, parts, ints, key, 1, True):
            key += (_END, _Tail(text))  # no local version, the tail
            return key
        s = _normalise(text)
        key = _key_general(text, s)
        key.append(_Tail(s))
        return key
    while ints and not ints[-1]:
        ints.pop()
    if not ints:
        return [_END, _END, _Tail(text)]
    # [zero epoch, each number (a zero one is a zero segment before a positive value), END (version), END (local),
    # tail]
    return [_SEG_Z_HI, *[n or _SEG_Z_HI for n in ints], _END, _END, _Tail(text)]


class Version(_Base):
    """A conda version: immutable, hashable, totally ordered exactly as conda's VersionOrder.

    >>> Version("1.1") == Version("1.1.0"), Version("1.0a1") < Version("1.0") < Version("1.0.post1")
    (True, True)

    It is a tuple (its sort key, then a tail holding the text) so that sorting and comparing run natively.
    """

    __slots__ = ()

    def __new__(cls, text: str) -> Version:
        v = _cache.get(text)
        if v is not None:
            return v
        if text.__class__ is not str:
            if isinstance(text, Version):
                return text
            if not isinstance(text, str):
                raise InvalidVersion(repr(text), "a version must be a string")
            text = str.__str__(text)
        # Two, three, four or six plain numbers ('1.26.4': most real versions) are written straight into the key;
        # _plain_key handles the rest of the plain numbers, _key_general everything else.
        # The tail: three numbers, four whose last is positive, or six positive ones, none zero-padded and with '.'
        # between, are the one canonical spelling of their key, and the tail is the text itself. Two canonical texts
        # with equal keys are the same text, so plain tails compare right among themselves; _Tail, equal to any tail,
        # serves every other spelling ('1.2', '01.2.0' and '1.2.0.0' are equal to '1.2.0'). For most versions there
        # is then no second object to build and for the garbage collector to track.
        if "_" in text and text[-1] != "_":  # '_' separates segments as '.' does ('1.7.1_1'), unless trailing
            parts = text.replace("_", ".").split(".")
            plain = False
        else:
            parts = text.split(".")
            plain = True
        m = len(parts)
        key: Any
        if m == 3:
            ta, tb, tc = parts
            a = _NUMBER(ta)
            b = _NUMBER(tb)
            c = _NUMBER(tc)
            if a and b and c:
                t = text if plain and text[0] != "0" and ".0" not in text else _Tail(text)
                key = (_SEG_Z_HI, a, b, c, _END, _END, t)
            elif a is None or b is None or c is None:
                key = _plain_key(text, parts, [a, b, c])
            else:
                t = text if plain and ta in _CANONICAL and tb in _CANONICAL and tc in _CANONICAL else _Tail(text)
                key = _key3(a, b, c, t)
        elif m == 2:  # never canonical: '1.2' has the key of '1.2.0'
            ta, tb = parts
            a = _NUMBER(ta)
            b = _NUMBER(tb)
            if a and b:
                key = (_SEG_Z_HI, a, b, _END, _END, _Tail(text))
            elif a is None or b is None:
                key = _plain_key(text, parts, [a, b])
            else:
                key = _key3(a, b, 0, _Tail(text))
        elif m == 4:
            ta, tb, tc, td = parts
            a = _NUMBER(ta)
            b = _NUMBER(tb)
            c = _NUMBER(tc)
            d = _NUMBER(td)
            if a and b and c and d:
                t = text if plain and text[0] != "0" and ".0" not in text else _Tail(text)
                key = (_SEG_Z_HI, a, b, c, d, _END, _END, t)
            elif a is None or b is None or c is None or d is None:
                key = _plain_key(text, parts, [a, b, c, d])
            elif d:  # a zero before the last number ('1.0.0.1', '5.22.0.1')
                t = (
                    text
                    if plain and ta in _CANONICAL and tb in _CANONICAL and tc in _CANONICAL and td in _CANONICAL
                    else _Tail(text)
                )
                key = (_SEG_Z_HI, a or _SEG_Z_HI, b or _SEG_Z_HI, c or _SEG_Z_HI, d, _END, _END, t)
            else:  # '1.2.0.0', '2.0.1.0': the key of three numbers
                key = _key3(a, b, c, _Tail(text))
        elif m == 6:  # dates and times ('2018.5.10.13.50.12')
            ta, tb, tc, td, te, tf = parts
            a = _NUMBER(ta)
            b = _NUMBER(tb)
            c = _NUMBER(tc)
            d = _NUMBER(td)
            e = _NUMBER(te)
            f = _NUMBER(tf)
            if a and b and c and d and e and f:
                t = text if plain and text[0] != "0" and ".0" not in text else _Tail(text)
                key = (_SEG_Z_HI, a, b, c, d, e, f, _END, _END, t)
            else:
                key = _plain_key(text, parts, [a, b, c, d, e, f])
        else:
            key = _plain_key(text, parts)
        v = _tuple_new(cls, key)
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[text] = v
        return v

    def __hash__(self) -> int:
        return hash(self[:-1])  # the key: equal versions may have different tails (see __new__)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Version, (str(self),))

    def __str__(self) -> str:
        return str.__str__(self[-1])

    def __repr__(self) -> str:
        return f'Version("{self!s}")'

    def __bool__(self) -> bool:
        return True

    def _segments(self) -> tuple[Segments, Segments]:
        text = str.__str__(self[-1])  # a plain str: tails hash alike and equal each other
        found = _segments_cache.get(text)
        if found is None:
            segs, local = _split_main(text, text)
            found = (tuple(tuple(c) for c in segs), tuple(tuple(c) for c in local))
            if len(_segments_cache) > 50_000:
                _segments_cache.clear()
            _segments_cache[text] = found
        return found

    @property
    def epoch(self) -> int:
        return int(self._segments()[0][0][0])

    @property
    def local(self) -> str | None:
        """The local version (after ``+``), or None."""
        text = str(self)
        return text.split("+", 1)[1] if "+" in text else None

    def startswith(self, prefix: Version) -> bool:
        """Conda's prefix match (what ``=1.2`` and ``1.2.*`` test): the components of ``prefix`` up to its last one are
        equal, and this version's matching component equals (or, for strings, starts with) that last one."""
        segs, local = self._segments()
        psegs, plocal = prefix._segments()
        if plocal:
            if not _eq(segs, psegs):
                return False
            t1, t2 = local, plocal
        else:
            t1, t2 = segs, psegs
        nt = len(t2) - 1
        if not _eq(t1[:nt], t2[:nt]):
            return False
        v1: tuple[Any, ...] = t1[nt] if len(t1) > nt else ()
        v2 = t2[nt]
        nc = len(v2) - 1
        if not _eq((v1[:nc],), (v2[:nc],)):
            return False
        c1 = v1[nc] if len(v1) > nc else 0
        c2 = v2[nc]
        if c2.__class__ is str:
            return c1.__class__ is str and bool(c1.startswith(c2))
        return bool(c1 == c2)


def _eq(t1: Segments, t2: Segments) -> bool:
    """Conda's zero-padded equality of two segment lists."""
    for i in range(max(len(t1), len(t2))):
        v1 = t1[i] if i < len(t1) else ()
        v2 = t2[i] if i < len(t2) else ()
        for j in range(max(len(v1), len(v2))):
            c1 = v1[j] if j < len(v1) else 0
            c2 = v2[j] if j < len(v2) else 0
            if c1 != c2:
                return False
    return True
