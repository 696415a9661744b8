"""Channels: names (``conda-forge``, ``bioconda/label/dev``), URLs (with ``/t/<token>/``), ``file://`` paths.

Traps of the format:

- A channel may be written with its subdir (``conda-forge/linux-64``, ``https://host/chan/noarch``): the last path
  part is taken as the subdir only when it is a known platform name.
- Tokens live in the path (``https://host/t/<token>/chan``) and basic credentials before the host; neither is part
  of ``base_url``, ``str()``, ``repr()`` or any error, only of ``urls(..., with_credentials=True)``.
- A name resolves through explicit settings: ``custom_channels`` (name -> base URL; the channel lives at
  ``base/name``), the default channels (``pkgs/main`` ...), else ``channel_alias/name``. URLs under the alias or a
  migrated alias get the alias-relative name; other URLs are named by their URL.
- ``defaults`` is a multichannel: ``ChannelSettings.expand("defaults")`` lists its members.
"""

from __future__ import annotations

import os

from cantil.specs._platform import KNOWN_SUBDIRS
from cantil.specs.errors import InvalidChannel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

__all__ = ["Channel", "ChannelSettings", "redact_url"]

DEFAULT_CHANNEL_ALIAS = "https://conda.anaconda.org"
DEFAULT_CHANNELS = ("https://repo.anaconda.com/pkgs/main", "https://repo.anaconda.com/pkgs/r")


def _split_url(url: str) -> tuple[str, str, str, str | None, str | None]:
    """(scheme, host incl. port, path without leading/trailing '/', token, userinfo) of a URL."""
    scheme, _, rest = url.partition("://")
    host, _slash, path = rest.partition("/")
    user = None
    if "@" in host:
        user, _, host = host.rpartition("@")
    path = path.strip("/")
    token = None
    if path.startswith("t/"):
        parts = path.split("/", 2)
        if len(parts) >= 2 and parts[1]:
            token = parts[1]
            path = parts[2] if len(parts) == 3 else ""
    return scheme.lower(), host, path, token, user


def redact_url(url: str) -> str:
    """The URL with any ``/t/<token>`` and ``user:password@`` replaced by ``<TOKEN>`` / ``<USER>``."""
    if "://" not in url:
        return url
    scheme, host, path, token, user = _split_url(url)
    if token is None and user is None:
        return url
    out = f"{scheme}://{'<USER>@' if user else ''}{host}"
    if token is not None:
        out += "/t/<TOKEN>"
    return out + (f"/{path}" if path else "")


class ChannelSettings:
    """The configuration channels resolve through; explicit, never global."""

    __slots__ = (
        "_names",
        "channel_alias",
        "custom_channels",
        "custom_multichannels",
        "default_channels",
        "migrated_channel_aliases",
    )

    def __init__(
        self,
        channel_alias: str = DEFAULT_CHANNEL_ALIAS,
        default_channels: Sequence[str] = DEFAULT_CHANNELS,
        custom_channels: Mapping[str, str] | None = None,
        migrated_channel_aliases: Sequence[str] = (),
        custom_multichannels: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.channel_alias = channel_alias.rstrip("/")
        self.default_channels = tuple(default_channels)
        self.custom_channels = {k.strip("/"): v.rstrip("/") for k, v in (custom_channels or {}).items()}
        self.migrated_channel_aliases = tuple(a.rstrip("/") for a in migrated_channel_aliases)
        self.custom_multichannels = {k: tuple(v) for k, v in (custom_multichannels or {}).items()}
        self._names: dict[str, Channel] = {}

    def expand(self, value: str) -> list[Channel]:
        """``defaults`` (and any custom multichannel) -> its member channels; anything else -> [Channel(value)]."""
        if value == "defaults" and "defaults" not in self.custom_multichannels:
            return [Channel(c, self) for c in self.default_channels]
        if value in self.custom_multichannels:
            return [Channel(c, self) for c in self.custom_multichannels[value]]
        return [Channel(value, self)]

    def default_names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.expand("defaults"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChannelSettings):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.channel_alias,
            self.default_channels,
            tuple(sorted(self.custom_channels.items())),
            self.migrated_channel_aliases,
            tuple(sorted(self.custom_multichannels.items())),
        )

    def __repr__(self) -> str:
        return (
            f"ChannelSettings(channel_alias={self.channel_alias!r}, default_channels={self.default_channels!r}, "
            f"custom_channels={self.custom_channels!r}, "
            f"migrated_channel_aliases={self.migrated_channel_aliases!r}, "
            f"custom_multichannels={self.custom_multichannels!r})"
        )


_DEFAULT_SETTINGS = ChannelSettings()


def _path_to_url(path: str) -> str:
    path = os.path.abspath(os.path.expanduser(path))
    if os.sep == "\\":  # pragma: no cover - windows
        path = "/" + path.replace("\\", "/")
    return "file://" + path


class Channel:
    """A channel: ``name`` (canonical), ``base_url`` (no token, no subdir), optional ``subdir`` and ``token``."""

    __slots__ = ("_auth", "base_url", "name", "settings", "subdir", "token")
    name: str
    base_url: str
    subdir: str | None
    token: str | None
    settings: ChannelSettings
    _auth: str | None

    def __new__(cls, value: str, settings: ChannelSettings | None = None) -> Channel:
        settings = settings if settings is not None else _DEFAULT_SETTINGS
        cached = settings._names.get(value)
        if cached is not None:
            return cached
        self = object.__new__(cls)
        self.settings = settings
        self.token = None
        self._auth = None
        self.subdir = None
        _parse(self, value, settings)
        if len(settings._names) < 10_000:
            settings._names[value] = self
        return self

    @property
    def is_multichannel(self) -> bool:
        return self.name == "defaults" or self.name in self.settings.custom_multichannels

    @property
    def canonical_name(self) -> str:
        return self.name

    def urls(self, subdirs: Sequence[str], with_credentials: bool = False) -> list[str]:
        """One URL per subdir (the channel's own subdir only, when it was given one); a multichannel lists the URLs
        of its members."""
        if self.is_multichannel:
            out: list[str] = []
            for member in self.settings.expand(self.name):
                out.extend(member.urls(subdirs, with_credentials))
            return out
        base = self.base_url
        if with_credentials and (self.token or self._auth):
            scheme, _, rest = base.partition("://")
            host, _, path = rest.partition("/")
            auth = f"{self._auth}@" if self._auth else ""
            base = (
                f"{scheme}://{auth}{host}" + (f"/t/{self.token}" if self.token else "") + (f"/{path}" if path else "")
            )
        wanted = [self.subdir] if self.subdir else list(subdirs)
        return [f"{base}/{s}" for s in wanted]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        sub = f"/{self.subdir}" if self.subdir else ""
        return f"Channel({self.name + sub!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Channel):
            return NotImplemented
        return (self.name, self.base_url, self.subdir) == (other.name, other.base_url, other.subdir)

    def __hash__(self) -> int:
        return hash((self.name, self.base_url, self.subdir))

    def __reduce__(self) -> tuple[Any, ...]:
        sub = f"/{self.subdir}" if self.subdir else ""
        value = self.name + sub if "://" not in self.name else self.base_url + sub
        return (Channel, (value, self.settings))


def _url_name(url: str, settings: ChannelSettings) -> tuple[str, str]:
    """(canonical name, base_url) of a URL without token or subdir."""
    for name, base in settings.custom_channels.items():
        full = f"{base}/{name}"
        if url == full or url.startswith(full + "/"):
            return name + url[len(full) :], url
    for d in settings.default_channels:
        d = d.rstrip("/")
        if url == d:
            return _default_name(d, settings), url
    for alias in (settings.channel_alias, *settings.migrated_channel_aliases):
        if url.startswith(alias + "/") and len(url) > len(alias) + 1:
            name = url[len(alias) + 1 :]
            return name, f"{settings.channel_alias}/{name}"
    return url, url


def _default_name(url: str, settings: ChannelSettings) -> str:
    if "://" not in url:
        return url.strip("/")
    if url.startswith(settings.channel_alias + "/"):
        return url[len(settings.channel_alias) + 1 :]
    _, _, path, _, _ = _split_url(url)
    return path or url


def _parse(self: Channel, value: str, settings: ChannelSettings) -> None:
    if not isinstance(value, str):
        raise InvalidChannel(repr(value), "a channel must be a string")
    text = value.strip()
    shown = redact_url(text)
    if not text:
        raise InvalidChannel(shown, "empty channel")
    if any(c.isspace() for c in text) or "::" in text:
        raise InvalidChannel(shown, "a channel holds no spaces or '::'")
    if text == "defaults" or text in settings.custom_multichannels:
        self.name = text
        self.base_url = ""
        return
    if "://" not in text and (
        text.startswith(("/", "./", "../", "~"))
        or text in (".", "..")
        or (len(text) > 2 and text[1] == ":" and text[2] in "\\/")
    ):
        text = _path_to_url(text)
    if "://" in text:
        scheme, host, path, token, user = _split_url(text)
        if not scheme or (not host and scheme != "file"):
            raise InvalidChannel(shown, "a URL needs a scheme and a host")
        self.token = token
        self._auth = user
        parts = path.split("/") if path else []
        if parts and parts[-1] in KNOWN_SUBDIRS:
            self.subdir = parts.pop()
        url = f"{scheme}://{host}" + ("/" + "/".join(parts) if parts else "")
        self.name, self.base_url = _url_name(url, settings)
        return
    parts = text.strip("/").split("/")
    if any(not p for p in parts):
        raise InvalidChannel(shown, "empty path component")
    if len(parts) > 1 and parts[-1] in KNOWN_SUBDIRS:
        self.subdir = parts.pop()
    name = "/".join(parts)
    custom = settings.custom_channels
    for i in range(len(parts), 0, -1):
        head = "/".join(parts[:i])
        if head in custom:
            self.name = name
            self.base_url = f"{custom[head]}/{name}"
            return
    for d in settings.default_channels:
        if _default_name(d.rstrip("/"), settings) == name:
            self.name = name
            self.base_url = d.rstrip("/") if "://" in d else f"{settings.channel_alias}/{name}"
            return
    self.name = name
    self.base_url = f"{settings.channel_alias}/{name}"
