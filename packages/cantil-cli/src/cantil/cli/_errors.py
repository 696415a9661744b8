"""The cli's own errors, each carrying conda's exception name for `--json` output.

    CliError                      (exit 1 unless said otherwise)
    ├── ConfigurationLoadError    a .condarc that is not valid YAML (path, line)
    ├── ConfigurationError        a value of the wrong type or out of its choices (key, source)
    ├── CondaValueError           bad user input that argparse cannot catch
    ├── EnvironmentLocationNotFound
    ├── EnvironmentNameNotFound
    ├── DirectoryNotACondaEnvironmentError
    ├── PackagesNotFoundError     (names, suggestions)
    ├── DryRunExit                (exit 0: a --dry-run stopped before acting)
    └── CondaSystemExit           (the user declined the confirmation prompt: exit 1)

Only the standard library is imported here: the activation path loads this module.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~10 ms to import: the activation path must not pay it
if TYPE_CHECKING:
    from typing import Any



class CliError(Exception):
    """Root of the cli's errors; `exception_name` is conda's name for the same failure."""

    exception_name = "CondaError"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.data = data

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "error": f"{self.exception_name}: {self.message}",
            "exception_name": self.exception_name,
            "exception_type": f"<class '{self.exception_name}'>",
            "message": self.message,
            "caused_by": repr(self.__cause__) if self.__cause__ is not None else None,
        }
        if self.hint:
            out["hint"] = self.hint
        for k, v in self.data.items():
            out.setdefault(k, v)
        return out


class ConfigurationLoadError(CliError):
    exception_name = "ConfigurationLoadError"

    def __init__(self, path: str, reason: str, *, line: int | None = None, column: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"invalid YAML in {where}: {reason}", path=path, line=line, column=column)
        self.path = path
        self.line = line


class ConfigurationError(CliError):
    exception_name = "ValidationError"

    def __init__(self, key: str, message: str, *, source: str | None = None, hint: str | None = None) -> None:
        text = f"invalid value for {key!r}" + (f" from {source}" if source else "") + f": {message}"
        super().__init__(text, hint=hint, parameter_name=key, source=source)
        self.key = key
        self.source = source


class CondaValueError(CliError):
    exception_name = "CondaValueError"


class EnvironmentLocationNotFound(CliError):
    exception_name = "EnvironmentLocationNotFound"


class EnvironmentNameNotFound(CliError):
    exception_name = "EnvironmentNameNotFound"


class DirectoryNotACondaEnvironmentError(CliError):
    exception_name = "DirectoryNotACondaEnvironmentError"


class PackagesNotFoundError(CliError):
    exception_name = "PackagesNotFoundError"


class DryRunExit(CliError):
    exception_name = "DryRunExit"
    exit_code = 0


class CondaSystemExit(CliError):
    exception_name = "CondaSystemExit"
