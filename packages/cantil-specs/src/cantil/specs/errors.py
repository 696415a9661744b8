"""The errors of cantil.specs.

    SpecsError                       root of every error raised by this package
    ├── InvalidVersion               (also ValueError) a version string conda rejects
    ├── InvalidVersionSpec           (also ValueError) a version constraint such as ">=1,<2"
    ├── InvalidMatchSpec             (also ValueError) a package spec such as "numpy >=1.20"
    ├── InvalidChannel               (also ValueError) a channel name or URL
    └── InvalidRecord                (also ValueError) a repodata or conda-meta record missing a field

Every error carries the offending input as ``.text`` and the reason as ``.reason``; ``str()`` is one line:
``invalid version "1..2": empty version component``. Inputs that may hold a channel token are redacted before
they are stored.
"""

from __future__ import annotations

__all__ = [
    "InvalidChannel",
    "InvalidMatchSpec",
    "InvalidRecord",
    "InvalidVersion",
    "InvalidVersionSpec",
    "SpecsError",
]


class SpecsError(Exception):
    """Root of the cantil.specs errors."""

    what = "value"

    def __init__(self, text: str, reason: str, *, hint: str | None = None) -> None:
        self.text = text
        self.reason = reason
        self.hint = hint
        super().__init__(text, reason)

    def __str__(self) -> str:
        return f'invalid {self.what} "{self.text}": {self.reason}'

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.text, self.reason, self.hint))


def _rebuild(cls: type[SpecsError], text: str, reason: str, hint: str | None) -> SpecsError:
    return cls(text, reason, hint=hint)


class InvalidVersion(SpecsError, ValueError):
    """A version string that conda's ordering cannot parse."""

    what = "version"


class InvalidVersionSpec(SpecsError, ValueError):
    """A version constraint that cannot be parsed."""

    what = "version spec"


class InvalidMatchSpec(SpecsError, ValueError):
    """A MatchSpec that cannot be parsed."""

    what = "match spec"


class InvalidChannel(SpecsError, ValueError):
    """A channel name or URL that cannot be parsed (the text is shown without its token)."""

    what = "channel"


class InvalidRecord(SpecsError, ValueError):
    """A package record (repodata entry or conda-meta file) lacking a required field or holding a bad value."""

    what = "record"
