"""YAML files the cli reads and writes: .condarc (round-trip, comments kept) and environment.yml.

ruamel.yaml is imported here only, and only by the commands that need it. Writes are atomic: a temporary file in
the same directory, then os.replace.
"""

from __future__ import annotations

import io
import os

from cantil.cli._condarc import parse_text
from cantil.cli._errors import ConfigurationLoadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigurationLoadError(path, f"cannot read: {err}") from err


def load_plain(path: str) -> dict[str, Any]:
    """A .condarc as plain values ({} when missing); bad YAML raises ConfigurationLoadError with the line."""
    text = _read(path)
    return {} if text is None else parse_text(path, text).data


def _rt() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def load_roundtrip(path: str) -> Any:
    """The file as a ruamel CommentedMap (an empty one when missing or empty)."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    text = _read(path)
    if text is None or not text.strip():
        return CommentedMap()
    try:
        data = _rt().load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise ConfigurationLoadError(path, (err.problem or err.context or "invalid YAML").strip(),
                                     line=mark.line + 1 if mark else None,
                                     column=mark.column + 1 if mark else None) from err
    except YAMLError as err:
        raise ConfigurationLoadError(path, str(err).strip().splitlines()[0]) from err
    if data is None:
        return CommentedMap()
    if not isinstance(data, dict):
        raise ConfigurationLoadError(path, f"expected a mapping of settings, found {type(data).__name__}", line=1)
    return data


def dump(data: Any) -> str:
    buf = io.StringIO()
    _rt().dump(data, buf)
    return buf.getvalue()


def write_atomic(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_roundtrip(path: str, data: Any) -> None:
    write_atomic(path, dump(data) if data else "")


def load_environment_file(path: str) -> dict[str, Any]:
    """An environment.yml (name, channels, dependencies with an optional `pip:` list, variables, prefix)."""
    text = _read(path)
    if text is None:
        from cantil.cli._errors import CliError

        err = CliError(f"environment file not found: {path}", path=path)
        err.exception_name = "EnvironmentFileNotFound"
        raise err
    data = parse_text(path, text).data
    deps = data.get("dependencies") or []
    if not isinstance(deps, list):
        raise ConfigurationLoadError(path, "'dependencies' must be a list")
    return data
