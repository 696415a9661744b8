"""Per-environment variables: `etc/conda/env_vars.d/*.json` (from packages, sorted) then `conda-meta/state`
(`{"env_vars": {...}}`, set by `conda env config vars set`), the latter winning.

Traps: the value `***unset***` means "unset this variable" (conda's marker); PATH is reserved and ignored with a
warning; conda upper-cases names by default (`envvars_force_uppercase`); a name a shell cannot assign (not
`[A-Za-z_][A-Za-z0-9_]*`) is skipped with a warning rather than producing a broken script. json is imported only
when a file exists: activation of a plain environment must not pay for it.
"""

from __future__ import annotations

import os

from cantil.activate.errors import EnvVarsError

UNSET_MARKER = "***unset***"
RESERVED = ("PATH",)
_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_REST = _FIRST | frozenset("0123456789")


def valid_name(name: str) -> bool:
    return bool(name) and name[0] in _FIRST and all(c in _REST for c in name)


def _load(path: str) -> object:
    import json

    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, UnicodeDecodeError) as err:
        raise EnvVarsError(path, str(err)) from err
    except ValueError as err:
        raise EnvVarsError(path, f"not JSON: {err}") from err


def _mapping(path: str, data: object) -> dict[str, str]:
    if not isinstance(data, dict):
        raise EnvVarsError(path, "expected a JSON object of names to strings")
    out: dict[str, str] = {}
    for k, v in data.items():
        if not isinstance(v, (str, int, float, bool)):
            raise EnvVarsError(path, f"value of {k} is not a string")
        out[str(k)] = v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
    return out


def read_env_vars(prefix: str, *, uppercase: bool, warnings: list[str]) -> dict[str, str]:
    """The environment's variables in conda's order: packages' files (sorted by name), then the state file.

    Values equal to UNSET_MARKER are kept (callers decide); reserved and unassignable names are dropped with a warning.
    """
    env_vars: dict[str, str] = {}
    pkg_dir = os.path.join(prefix, "etc", "conda", "env_vars.d")
    try:
        names = sorted(e.name for e in os.scandir(pkg_dir) if e.name.endswith(".json"))
    except OSError:
        names = []
    for name in names:
        path = os.path.join(pkg_dir, name)
        env_vars.update(_mapping(path, _load(path)))
    state = os.path.join(prefix, "conda-meta", "state")
    if os.path.isfile(state):
        data = _load(state)
        if not isinstance(data, dict):
            raise EnvVarsError(state, "expected a JSON object")
        from_state = _mapping(state, data.get("env_vars", {}))
        for dup in sorted(set(env_vars) & set(from_state)):
            warnings.append(f"variable {dup} is set by a package and by the environment: the environment's value wins")
        env_vars.update(from_state)
    if uppercase:
        env_vars = {k.upper(): v for k, v in env_vars.items()}
    reserved = [k for k in RESERVED if k in env_vars and env_vars[k] != UNSET_MARKER]
    for k in RESERVED:
        env_vars.pop(k, None)
    if reserved:
        warnings.append(f"the variable(s) {', '.join(reserved)} configured for {prefix} are reserved and ignored")
    for k in [k for k in env_vars if not valid_name(k)]:
        warnings.append(f"ignoring variable {k!r} configured for {prefix}: not a valid variable name")
        del env_vars[k]
    return env_vars
