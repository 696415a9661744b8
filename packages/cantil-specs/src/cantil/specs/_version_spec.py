"""Conda's version constraints: ``>=1.2,<2``, ``1.2.*``, ``=1.2``, ``~=1.2``, ``1.*.1``, ``^1\\.2.*$``, ``(a|b),c``.

Traps of the format, all as conda reads them:

- ``,`` (and) binds tighter than ``|`` (or); parentheses group. A regex ``^...$`` is one token even when it holds
  ``|`` or ``,``.
- A bare version is exact (``1.2`` is ``==1.2``, and ``1.2 == 1.2.0``); ``1.2*`` and ``1.2.*`` are prefix matches,
  spelled ``1.2.*``; ``=1.2`` is a prefix match too (``VersionOrder.startswith``: ``1.2a`` starts with ``1.2``).
- A ``*`` elsewhere (``1.*.1``) makes a glob, matched as a regex against the record's version text.
- ``.*`` after ``==``, ``<`` ... is ignored (conda warns); after ``!=`` it means "does not start with";
  after ``~=`` it is an error. ``~=1.2.3`` is ``>=1.2.3,=1.2``.
- A version holding ``@`` is compared as a plain string.
"""

from __future__ import annotations

from cantil.specs._lazy import lazy_regex
from cantil.specs._version import Version
from cantil.specs.errors import InvalidVersion, InvalidVersionSpec, SpecsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Matcher = Callable[[Version, str], bool]
    Leaf = tuple[str, Matcher, int, tuple[str, Version] | None]
    Tree = Any

__all__ = ["VersionSpec", "lazy_canonical", "lazy_version", "plain_version_spec"]


_OPS2 = {"==", "!=", "<=", ">=", "~="}
_OP_START = frozenset("=<>!~")
_TREE_CHARS = lazy_regex(globals(), "_TREE_CHARS", r"[()|,^$]", "search")
_SPACE_AROUND = lazy_regex(globals(), "_SPACE_AROUND", r"\s*([,|()])\s*", "sub")
_SPACE_AFTER_OP = lazy_regex(globals(), "_SPACE_AFTER_OP", r"([=<>!~])\s+", "sub")
# Up to three constraints, each an operator and a plain version, or a plain version with an optional '*' / '.*'; a
# plain version is a digit, then letters, digits and single dots (not last): that last part is checked by
# _lazy_version, as the pattern avoids repeated groups (slow in re). See plain_version_spec.
_LAZY_LEAF = r"(?:(?:[<>]=?|[=!]=)[0-9][0-9A-Za-z.]*|[0-9][0-9A-Za-z.]*\*?)"
_LAZY_VERSION = rf"{_LAZY_LEAF}(?:,{_LAZY_LEAF}|)(?:,{_LAZY_LEAF}|)"
_LAZY_SPEC = lazy_regex(globals(), "_LAZY_SPEC", _LAZY_VERSION, "fullmatch")
_TOKENS = lazy_regex(globals(), "_TOKENS", r"\s*\^[^$]*[$]|\s*[()|,]|[^()|,]+", "findall")


def compile_regex(pattern: str, error: Callable[[str], SpecsError]) -> Callable[[str], object]:
    """``re.compile(pattern).match``; a bad pattern raises ``error(reason)``, and the warnings ``re`` gives about
    odd patterns are not raised."""
    import re
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return re.compile(pattern).match
        except (re.error, RecursionError, OverflowError) as err:
            raise error(f"bad regex: {err}") from None


def _true(v: Version, raw: str) -> bool:
    return True


def _startswith(b: Version) -> Matcher:
    """A fast prefix test when the prefix is plain numbers ending in a positive one (``1.2``), else conda's general
    test. See _version's docstring: the key of ``1.2`` ends ``..., 2, END, END, tail``."""
    text = str(b)
    if text.replace(".", "").isdigit() and int(text.rsplit(".", 1)[-1]) > 0:
        m = len(b) - 4
        pre = tuple(b[:m])
        c = b[m]
        return lambda v, raw: v[:m] == pre and v[m] == c
    return lambda v, raw: v.startswith(b)


_leaves: dict[str, Leaf] = {}


def _leaf(text: str, spec: str) -> Leaf:
    """_parse_leaf, remembered: the same constraint recurs across many specs (``>=2.7``, ``<2.0a0``)."""
    found = _leaves.get(text)
    if found is None:
        found = _parse_leaf(text, spec)
        if len(_leaves) > 50_000:
            _leaves.clear()
        _leaves[text] = found
    return found


def _parse_leaf(text: str, spec: str) -> Leaf:
    """Parse one constraint; returns (canonical text, matcher, kind, bound): kind 0 compares parsed versions, 1
    matches everything, 2 reads only the version's text (regex, glob, '@'); bound is (op, version) for '>=', '>',
    '<=', '<' (so that '>=a,<b' can become one range test), else None."""
    s = text
    bound = _BOUNDS.get(s[:2]) or _BOUNDS.get(s[:1])
    if bound is not None:  # '>=1.2', '<2.0a0': the commonest constraints
        rest = s[2:] if s[1:2] == "=" else s[1:]
        if rest and rest[0] not in _OP_START and rest[-1] not in "*$" and " " not in s and "\t" not in s:
            try:
                b = Version(rest)
            except InvalidVersion as err:
                raise InvalidVersionSpec(spec, f"invalid version '{rest}' ({err.reason})") from err
            op = s[: len(s) - len(rest)]
            return s, bound(b), 0, (op, b)
    return _parse_leaf_general(s, spec)


def _parse_leaf_general(s: str, spec: str) -> Leaf:
    """_parse_leaf without its shortcut for '>=1.2' and the like."""
    if not s:
        raise InvalidVersionSpec(spec, "empty constraint")
    if " " in s or "\t" in s:
        raise InvalidVersionSpec(spec, f"whitespace inside the constraint '{s}'")
    if s[0] == "^" or s[-1] == "$":
        if s[0] != "^" or s[-1] != "$":
            raise InvalidVersionSpec(spec, "a regex must start with '^' and end with '$'")
        rx = compile_regex(s, lambda reason: InvalidVersionSpec(spec, reason))
        return s, lambda v, raw: rx(raw) is not None, 2, None
    if s[0] in _OP_START:
        op = s[:2] if s[:2] in _OPS2 else s[:1]
        rest = s[len(op) :]
        if op in {"!", "~"}:
            raise InvalidVersionSpec(spec, f"invalid operator in '{s}'")
        if not rest or rest[0] in _OP_START:
            raise InvalidVersionSpec(spec, f"invalid operator in '{s}'")
        if rest[-2:] == ".*":
            if op == "~=":
                raise InvalidVersionSpec(spec, "'.*' cannot follow '~='")
            rest = rest[:-2]
            if op == "!=":
                op = "!=startswith"
        try:
            b = Version(rest)
        except InvalidVersion as err:
            raise InvalidVersionSpec(spec, f"invalid version '{rest}' ({err.reason})") from err
        if op in _BOUND_OPS:
            return s, _bound(op, b), 0, (op, b)
        if op == "==":
            return s, lambda v, raw: v == b, 0, None
        if op == "!=":
            return s, lambda v, raw: v != b, 0, None
        if op == "=":
            return s, _startswith(b), 0, None
        if op == "!=startswith":
            sw = _startswith(b)
            return s, lambda v, raw: not sw(v, raw), 0, None
        # ~=: at least this version, and the same release series
        head = str(b).rsplit(".", 1)
        if len(head) != 2 or not head[0]:
            raise InvalidVersionSpec(spec, f"'~=' needs a version with at least two components in '{s}'")
        try:
            series = _startswith(Version(head[0]))
        except InvalidVersion as err:
            raise InvalidVersionSpec(spec, f"invalid version '{head[0]}' ({err.reason})") from err
        return s, lambda v, raw: v >= b and series(v, raw), 0, None
    if s == "*":
        return s, _true, 1, None
    if "*" in s.rstrip("*"):
        import re

        pattern = "^(?:" + re.escape(s).replace(r"\*", ".*") + ")$"
        rx = compile_regex(pattern, lambda reason: InvalidVersionSpec(spec, reason))
        return s, lambda v, raw: rx(raw) is not None, 2, None
    if s[-1] == "*":
        if s[-2:] != ".*":
            s = s[:-1] + ".*"
        try:
            b = Version(s[:-2])
        except InvalidVersion as err:
            raise InvalidVersionSpec(spec, f"invalid version '{s[:-2]}' ({err.reason})") from err
        return s, _startswith(b), 0, None
    if "@" in s:
        return s, lambda v, raw: raw == s, 2, None
    try:
        b = Version(s)
    except InvalidVersion as err:
        raise InvalidVersionSpec(spec, f"invalid version '{s}' ({err.reason})") from err
    return s, lambda v, raw: v == b, 0, None


_BOUND_OPS = (">=", ">", "<=", "<")


def _ge(b: Version) -> Matcher:
    return lambda v, raw: v >= b


def _gt(b: Version) -> Matcher:
    return lambda v, raw: v > b


def _le(b: Version) -> Matcher:
    return lambda v, raw: v <= b


def _lt(b: Version) -> Matcher:
    return lambda v, raw: v < b


_BOUNDS = {">=": _ge, ">": _gt, "<=": _le, "<": _lt}


def _bound(op: str, b: Version) -> Matcher:
    """A comparison matcher."""
    return _BOUNDS[op](b)


def _range(lo: tuple[str, Version], hi: tuple[str, Version]) -> Matcher | None:
    """``>=a,<b`` (and the other three mixes) as one chained comparison; None when not a lower and an upper."""
    (lop, a), (hop, b) = lo, hi
    if lop[0] == "<":
        (lop, a), (hop, b) = (hop, b), (lop, a)
    if lop[0] != ">" or hop[0] != "<":
        return None
    if lop == ">=":
        return (lambda v, raw: a <= v < b) if hop == "<" else (lambda v, raw: a <= v <= b)
    return (lambda v, raw: a < v < b) if hop == "<" else (lambda v, raw: a < v <= b)


def _all(ps: list[Leaf]) -> Matcher:
    """The matcher of an 'and' of leaves or groups (none of them matching everything)."""
    if len(ps) == 2:
        pa, pb = ps
        ba, bb = pa[3], pb[3]
        if ba is not None and bb is not None:
            r = _range(ba, bb)
            if r is not None:
                return r
        a, b = pa[1], pb[1]
        return lambda v, raw: a(v, raw) and b(v, raw)
    ms = [p[1] for p in ps]
    return lambda v, raw: all(m(v, raw) for m in ms)


def _any(ms: list[Matcher]) -> Matcher:
    if len(ms) == 2:
        a, b = ms
        return lambda v, raw: a(v, raw) or b(v, raw)
    return lambda v, raw: any(m(v, raw) for m in ms)


# A parsed tree: a leaf string, or (op, child, child, ...) with op "," or "|".


def _treeify(s: str, spec: str) -> Tree:
    """Shunting-yard over conda's tokens; ``,`` binds tighter than ``|``; same-operator nodes are flattened."""
    output: list[Tree] = []
    stack: list[str] = []

    def apply(stop: str) -> None:
        while stack and stack[-1] not in stop:
            if len(output) < 2:
                raise InvalidVersionSpec(spec, "an operator lacks an operand")
            op = stack.pop()
            right = output.pop()
            left = output.pop()
            lparts = left[1:] if isinstance(left, tuple) and left[0] == op else (left,)
            rparts = right[1:] if isinstance(right, tuple) and right[0] == op else (right,)
            output.append((op, *lparts, *rparts))

    expect_operand = True
    for raw in _TOKENS("(" + s + ")"):
        tok = raw.strip()
        if tok in {"|", ","}:
            if expect_operand:
                raise InvalidVersionSpec(spec, f"'{tok}' lacks an operand")
            apply("(" if tok == "|" else "|(")
            stack.append(tok)
            expect_operand = True
        elif tok == "(":
            if not expect_operand:
                raise InvalidVersionSpec(spec, "'(' after a constraint")
            stack.append("(")
        elif tok == ")":
            if expect_operand:
                raise InvalidVersionSpec(spec, "empty group or trailing operator")
            apply("(")
            if not stack:
                raise InvalidVersionSpec(spec, "unbalanced ')'")
            stack.pop()
            expect_operand = False
        elif tok:
            if not expect_operand:
                raise InvalidVersionSpec(spec, f"missing ',' or '|' before '{tok}'")
            output.append(tok)
            expect_operand = False
    if stack or len(output) != 1:
        raise InvalidVersionSpec(spec, "unbalanced '('")
    return output[0]


def _compile(tree: Tree, spec: str, depth: int = 0, in_and: bool = False) -> Leaf:
    if isinstance(tree, str):
        return _leaf(tree, spec)
    op = tree[0]
    parts = [_compile(t, spec, depth + 1, op == ",") for t in tree[1:]]
    text = op.join([p[0] for p in parts])
    if depth > 0 and (op == "," or in_and or depth > 0):
        text = f"({text})"
    kind = _combine(op, [p[2] for p in parts])
    if kind == 1:
        return text, _true, 1, None
    if op == ",":
        ps = [p for p in parts if p[2] != 1]
        if len(ps) == 1:
            return text, ps[0][1], kind, ps[0][3]
        return text, _all(ps), kind, None
    return text, _any([p[1] for p in parts]), kind, None


def _combine(op: str, kinds: list[int]) -> int:
    """The kind of an 'and' (op ',') or 'or' (op '|') of parts of these kinds."""
    if 1 in kinds and (op == "|" or kinds.count(1) == len(kinds)):
        return 1
    return 0 if 0 in kinds else 2


def _and(pieces: list[str], spec: str) -> tuple[str, Matcher, int]:
    """``a,b,...`` with no group, 'or' or regex: (canonical text, matcher, kind)."""
    if len(pieces) == 2:  # the common '>=a,<b': no intermediate lists
        pa = _leaf(pieces[0], spec)
        pb = _leaf(pieces[1], spec)
        canon = pa[0] + "," + pb[0]
        ka, kb = pa[2], pb[2]
        if ka == 1:
            return canon, pb[1], kb
        if kb == 1:
            return canon, pa[1], ka
        return canon, _all([pa, pb]), 0 if (ka == 0 or kb == 0) else 2
    parts = [_leaf(p, spec) for p in pieces]
    canon = ",".join([p[0] for p in parts])
    ps = [p for p in parts if p[2] != 1]
    kind = _combine(",", [p[2] for p in parts])
    return canon, (_true if not ps else (ps[0][1] if len(ps) == 1 else _all(ps))), kind


_cache: dict[str, VersionSpec] = {}


class VersionSpec:
    """A version constraint; ``match`` takes a Version or a version string. ``str()`` is canonical (``1.2*`` reads
    back as ``1.2.*``) and reparses equal; two specs are equal when their canonical texts are."""

    __slots__ = ("_kind", "_match", "_str")
    _str: str
    _match: Matcher | None  # None until first needed, for specs read by plain_version_spec (see there)
    _kind: int

    def __new__(cls, text: str) -> VersionSpec:
        self = _cache.get(text)
        if self is not None:
            return self
        if not isinstance(text, str):
            raise InvalidVersionSpec(repr(text), "a version spec must be a string")
        s = text.strip()
        if not s:
            raise InvalidVersionSpec(text, "empty version spec")
        if " " in s or "\t" in s:  # spaces around ',', '|', parentheses and after an operator are dropped
            s = _SPACE_AFTER_OP(r"\1", _SPACE_AROUND(r"\1", s))
        if _TREE_CHARS(s) is None:
            canon, match, kind, _ = _leaf(s, text)
        elif "," in s and _TREE_CHARS(s.replace(",", "")) is None:
            canon, match, kind = _and(s.split(","), text)
        else:
            canon, match, kind, _ = _compile(_treeify(s, text), text)
        return _remember(text, canon, match, kind)

    def match(self, version: Version | str) -> bool:
        """True when ``version`` satisfies the constraint (a string that is not a valid version matches only
        string-based constraints: globs, regexes, ``@`` versions)."""
        match = self._match or self._matcher()
        if isinstance(version, Version):
            return match(version, str(version))
        try:
            v = Version(version)
        except InvalidVersion:  # conda raises here; an unreadable version matches text-only constraints
            if self._kind == 0:
                return False
            return match(_NO_VERSION, version)
        return match(v, version)

    def _matcher(self) -> Matcher:
        """The matcher, built on first use when plain_version_spec left it for later."""
        match = self._match
        if match is None:
            s = self._str
            match = self._match = _and(s.split(","), s)[1] if "," in s else _parse_leaf(s, s)[1]
        return match

    @property
    def matches_all(self) -> bool:
        return self._kind == 1

    @property
    def is_exact(self) -> bool:
        """True for ``==1.2`` and a bare ``1.2`` (no operator, glob or group)."""
        s = self._str
        if s.startswith("=="):
            s = s[2:]
        return not any(c in s for c in "*<>=!~|,()^$")

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        return f"VersionSpec({self._str!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, VersionSpec):
            return self._str == other._str
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._str)

    def __reduce__(self) -> tuple[Any, ...]:
        return (VersionSpec, (self._str,))


def lazy_version(text: str) -> bool:
    """Whether a text that _LAZY_VERSION matches is a spec whose matcher can wait (no empty version component)."""
    return ".." not in text and ".," not in text and text[-1] != "."


def plain_version_spec(text: str, lazy: bool | None = None) -> VersionSpec:
    """``VersionSpec(text)`` for a text known to hold no space, parenthesis, '|' or regex, and no empty constraint
    (what MatchSpec's plain reader lets through): the same object, without the checks.

    When every constraint is an operator and a plain version, or a plain version with an optional ``*`` / ``.*``
    (a plain version: digits, then '.'-separated runs of letters and digits, which is always a valid version), the
    spec cannot fail, and its canonical text is known without reading the versions: the matcher is built on first
    use (many specs read from channel data are never matched). ``lazy`` says whether the text is such a spec, when
    the caller knows."""
    self = _cache.get(text)
    if self is not None:
        return self
    match: Matcher | None
    if lazy is None:
        lazy = _LAZY_SPEC(text) is not None and lazy_version(text)
    if lazy:
        canon = lazy_canonical(text)
        match, kind = None, 0
    elif "," in text:
        canon, match, kind = _and(text.split(","), text)
    else:
        canon, match, kind, _ = _parse_leaf(text, text)
    return _remember(text, canon, match, kind)


def _remember(text: str, canon: str, match: Matcher | None, kind: int) -> VersionSpec:
    """A new VersionSpec of these parts, interned under `text` (the cache is dropped when it grows past 100k)."""
    self = object.__new__(VersionSpec)
    self._str = canon
    self._match = match
    self._kind = kind
    if len(_cache) > 100_000:
        _cache.clear()
    _cache[text] = self
    return self


def lazy_canonical(text: str) -> str:
    """The canonical text of a spec whose matcher can wait (see plain_version_spec): ``1.2*`` is written ``1.2.*``,
    the rest is kept."""
    return text if "*" not in text else ",".join([_star_canon(p) for p in text.split(",")])


def _star_canon(leaf: str) -> str:
    """The canonical text of a constraint that _LAZY_SPEC accepts: ``1.2*`` is written ``1.2.*``."""
    return leaf[:-1] + ".*" if leaf[-1] == "*" and leaf[-2] != "." else leaf


_NO_VERSION = Version("0")


def clear_version_spec_cache() -> None:
    _cache.clear()
    _leaves.clear()
