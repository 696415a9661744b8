"""Reading MatchSpec text (conda's grammar, CEP 29) into fields.

    [channel[/subdir]::]name[ version[ build]][[key=value, key='quoted value', ...]]

Traps, all as conda reads them:

- ``name=1.2=build`` and ``name 1.2 build`` are the same; ``name=1.2`` is ``name 1.2.*`` (prefix), but with a build
  (``name=1.2=b``) the version is exact; ``name==1.2`` is exact.
- Spaces around operators are dropped (``>= 1.0 , < 2``); the build is the shortest trailing word after a space or
  ``=`` that holds none of ``-=,|<>~`` and does not follow an operator.
- Bracket values override the positional ones; ``channel=`` in brackets may carry a subdir.
- ``feature@`` is ``*[track_features=feature]``; a package file name or URL (``.conda``, ``.tar.bz2``) is a spec for
  that exact file.
- ``# comment`` and a trailing `` if ...`` condition are ignored in lenient mode (conda ignores them always).
"""

from __future__ import annotations

import os

from cantil.specs._channel import Channel, ChannelSettings
from cantil.specs._lazy import lazy_regex
from cantil.specs.errors import InvalidChannel, InvalidMatchSpec

__all__ = ["FIELDS", "parse_spec", "split_version_build"]

# every key a spec may set, in the order the canonical text writes them
FIELDS = (
    "name",
    "version",
    "build",
    "build_number",
    "channel",
    "subdir",
    "md5",
    "sha256",
    "license",
    "license_family",
    "track_features",
    "features",
    "url",
    "fn",
)
_FIELD_SET = frozenset(FIELDS)
_NAME = lazy_regex(globals(), "_NAME", r"[^ =<>!~]+", "match")
_STRICT_NAME = lazy_regex(globals(), "_STRICT_NAME", r"[A-Za-z0-9_.*+\-]+", "fullmatch")
_SIMPLE = lazy_regex(globals(), "_SIMPLE", r"[\[\]:@#()]| if |\.conda$|\.tar\.bz2$", "search")
_LENIENT_NAME_BAD = lazy_regex(globals(), "_LENIENT_NAME_BAD", r"[\[\]#@:,|'\"()]", "search")
_FEATURE = lazy_regex(globals(), "_FEATURE", r"[A-Za-z0-9_.+\-]+", "fullmatch")
_LENIENT_SIMPLE_NAME_BAD = lazy_regex(globals(), "_LENIENT_SIMPLE_NAME_BAD", r"[=<>!~\[\]#@:,|'\"()]", "search")
_BUILD_STOP = lazy_regex(globals(), "_BUILD_STOP", r"[-=,|<>~]", "search")
_KEY = lazy_regex(globals(), "_KEY", r"[A-Za-z0-9_\-]+", "match")
_LAST_NOT_BUILD = lazy_regex(globals(), "_LAST_NOT_BUILD", r".*[-=,|<>~]", "match")
_OPS = "=!|,<>~"
PACKAGE_EXTENSIONS = (".conda", ".tar.bz2")


def split_version_build(r: str) -> tuple[str, str | None]:
    """conda's split of "version build": the shortest version whose remainder is a separator (space or '=', not right
    after an operator) and a build free of '-=,|<>~'."""
    m = _LAST_NOT_BUILD(r)
    i = m.end() - 1 if m is not None else 1
    i = max(i, 1)
    n = len(r) - 1
    while i < n:
        sp = r.find(" ", i, n)
        eq = r.find("=", i, n)
        if sp < 0:
            if eq < 0:
                break
            i = eq
        elif 0 <= eq < sp:
            i = eq
        else:
            i = sp
        if r[i - 1] not in _OPS:
            return r[:i].replace(" ", ""), r[i + 1 :].strip()
        i += 1
    return r.replace(" ", ""), None


def _brackets(text: str, body: str) -> dict[str, str]:
    out: dict[str, str] = {}
    i, n = 0, len(body)
    while i < n:
        while i < n and body[i] in ", ":
            i += 1
        if i >= n:
            break
        m = _KEY(body, i)
        if m is None or m.end() >= n or body[m.end()] != "=":
            raise InvalidMatchSpec(text, f"expected key=value in brackets at '{body[i:]}'")
        key = m.group().lower()
        i = m.end() + 1
        if i < n and body[i] in "'\"":
            q = body[i]
            j = body.find(q, i + 1)
            if j < 0:
                raise InvalidMatchSpec(text, f"unterminated quote in brackets for '{key}'")
            value = body[i + 1 : j]
            i = j + 1
            if i < n and body[i] not in ", ":
                raise InvalidMatchSpec(text, f"unexpected text after the quoted value of '{key}'")
        else:
            j = i
            while j < n and body[j] not in ", ":
                j += 1
            value = body[i:j]
            i = j
        if not value:
            raise InvalidMatchSpec(text, f"empty value for '{key}' in brackets")
        out[key] = value
    return out


def _channel(text: str, value: str, settings: ChannelSettings) -> tuple[str, str | None]:
    if "*" in value:
        return value, None
    try:
        ch = Channel(value, settings)
    except InvalidChannel as err:
        raise InvalidMatchSpec(text, f"invalid channel '{err.text}': {err.reason}") from err
    return ch.name, ch.subdir


def _package_file(text: str, spec: str, settings: ChannelSettings) -> dict[str, str]:
    url = spec
    if "://" not in spec:
        url = "file://" + os.path.abspath(os.path.expanduser(spec)).replace("\\", "/")
    head, _, fn = url.rpartition("/")
    stem = fn[: -len(".tar.bz2")] if fn.endswith(".tar.bz2") else fn[: -len(".conda")]
    try:
        ch = Channel(head, settings) if head and "://" in head else None
    except InvalidChannel:
        ch = None
    if ch is not None and ch.subdir and stem.count("-") >= 2:
        name, version, build = stem.rsplit("-", 2)
        return {
            "name": name.lower(),
            "version": version,
            "build": build,
            "channel": ch.name,
            "subdir": ch.subdir,
            "fn": fn,
            "url": url,
        }
    return {"name": "*", "fn": fn, "url": url}


def _simple(parts: list[str], lenient: bool) -> dict[str, str] | None:
    """``name``, ``name version``, ``name version build`` without any of the grammar's rarer parts; None when the
    general reader is needed (it gives the same answer for everything this accepts)."""
    name = parts[0]
    if (_LENIENT_SIMPLE_NAME_BAD(name) is not None) if lenient else (_STRICT_NAME(name) is None):
        return None  # (a strict name holds none of '=<>!~' either)
    if len(parts) == 1:
        return {"name": name.lower()}
    version = parts[1]
    if version[0] == "=" or version[-1] in _OPS:
        return None
    if "=" in version and "=" in version.replace(">=", "").replace("<=", "").replace("!=", "").replace("~=", ""):
        return None
    if len(parts) == 2:
        return {"name": name.lower(), "version": version}
    build = parts[2]
    if _BUILD_STOP(build) is not None:
        return None
    return {"name": name.lower(), "version": version, "build": build}


def parse_spec(text: str, lenient: bool, settings: ChannelSettings) -> dict[str, str]:
    """The fields of a spec, as strings (name lowercased; version as conda rewrites it, e.g. ``=1.2`` -> ``1.2*``).
    Raises InvalidMatchSpec quoting ``text``."""
    if not isinstance(text, str):
        raise InvalidMatchSpec(repr(text), "a spec must be a string")
    parts = text.strip().split(" ")  # spaces only, as the general reader: other whitespace belongs to the words
    if len(parts) <= 3 and parts[0] and "" not in parts and _SIMPLE(text) is None:
        fast = _simple(parts, lenient)
        if fast is not None:
            return fast
    spec = text.strip()
    if not spec:
        raise InvalidMatchSpec(text, "empty spec")
    if spec[-1] == "@" and " " not in spec and "[" not in spec:
        feature = spec[:-1]
        if not feature or _FEATURE(feature) is None:
            raise InvalidMatchSpec(text, "'@' needs a feature name (letters, digits, '_.+-') before it")
        return {"name": "*", "track_features": feature}
    hash_at = spec.find("#")
    if hash_at >= 0 and spec.rfind("[", 0, hash_at) <= spec.rfind("]", 0, hash_at):  # not inside brackets
        if not lenient:
            raise InvalidMatchSpec(text, "'#' comments are not allowed in a spec")
        spec = spec[:hash_at].strip()
        if not spec:
            raise InvalidMatchSpec(text, "empty spec")
    if " if " in spec:
        if not lenient:
            raise InvalidMatchSpec(text, "conditional specs ('if') are not supported")
        spec = spec.split(" if ", 1)[0].strip()
    if spec.endswith(PACKAGE_EXTENSIONS) and " " not in spec and "[" not in spec:
        return _package_file(text, spec, settings)

    fields: dict[str, str] = {}
    brackets: dict[str, str] = {}
    if "[" in spec or "]" in spec:
        start = spec.find("[")
        end = spec.rfind("]")
        if start < 0 or end < start:
            raise InvalidMatchSpec(text, "unbalanced brackets")
        if end != len(spec) - 1 and not lenient:
            raise InvalidMatchSpec(text, "text after the closing ']'")
        body = spec[start + 1 : end]
        spec = (spec[:start] + spec[end + 1 :]).strip()
        if "[" in body and not lenient:
            raise InvalidMatchSpec(text, "more than one brackets section")
        brackets = _brackets(text, body)
        if not lenient:
            unknown = sorted(set(brackets) - _FIELD_SET)
            if unknown:
                raise InvalidMatchSpec(text, f"unknown key(s) in brackets: {', '.join(unknown)}")
        if not spec:
            spec = "*"

    channel = subdir = None
    if ":" in spec:
        parts = spec.rsplit(":", 2)
        if len(parts) == 3:
            chan_text, namespace, spec = parts
            if namespace and not lenient:
                raise InvalidMatchSpec(text, f"namespaces are not supported ('{namespace}')")
            if chan_text:
                channel, subdir = _channel(text, chan_text, settings)
            elif not lenient:
                raise InvalidMatchSpec(text, "empty channel before '::'")
        else:
            if not lenient:
                raise InvalidMatchSpec(text, "a single ':' (write 'channel::name')")
            spec = parts[1]
        spec = spec.strip()
        if not spec:
            raise InvalidMatchSpec(text, "no package name")

    m = _NAME(spec)
    if m is None:
        raise InvalidMatchSpec(text, "no package name")
    name = m.group()
    bad = _LENIENT_NAME_BAD(name) is not None if lenient else _STRICT_NAME(name) is None
    if bad:
        raise InvalidMatchSpec(text, f"invalid character in package name '{name}'")
    fields["name"] = name.lower()
    rest = spec[m.end() :].strip()
    if rest:
        if "[" in rest:
            raise InvalidMatchSpec(text, "more than one brackets section")
        version, build = split_version_build(rest)
        if version in ("=", "==", "", ">=", "<=", ">", "<", "!=", "~="):
            raise InvalidMatchSpec(text, f"operator '{version or rest}' without a version")
        if version[0] == "=":
            tail = version[1:]
            if version[:2] == "==" and build is None:
                version = version[2:]
            elif not any(c in tail for c in "=,|"):
                version = tail + "*" if build is None and tail[-1] != "*" else tail
        if build is not None and not lenient and " " in build:
            raise InvalidMatchSpec(text, f"a build string holds no spaces ('{build}')")
        fields["version"] = version
        if build is not None:
            fields["build"] = build
    if channel is not None:
        fields["channel"] = channel
    if subdir is not None:
        fields["subdir"] = subdir

    if brackets:
        brackets.pop("name", None)
        if "channel" in brackets:
            b_channel, b_subdir = _channel(text, brackets.pop("channel"), settings)
            fields["channel"] = b_channel
            if b_subdir:
                fields["subdir"] = b_subdir
        fields.update(brackets)
    return fields
