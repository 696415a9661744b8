"""Errors of cantil.activate.

    ActivateError                   root: every error this package raises
    ├── ArgumentError               a bad `shell.<shell> ...` command line (.argument)
    ├── UnknownShell                a shell name cantil has no syntax for (.shell)
    ├── EnvironmentLocationNotFound a path that is not an environment (.prefix)
    ├── EnvironmentNameNotFound     a name found in no envs dir (.name, .envs_dirs)
    ├── EnvVarsError                an unreadable env_vars.d/*.json or conda-meta/state (.path, .reason)
    ├── UnquotableValue             a value the shell's syntax cannot carry (.shell, .value)
    ├── ShellStateError             inconsistent CONDA_SHLVL/CONDA_PREFIX_<n> in the environment (.variable)
    └── InitError                   an rc file that cannot be read or written (.path, .reason)

Each error carries its data; `str()` is one line saying what failed, on what; `hint` is an optional second line.
"""

from __future__ import annotations


class ActivateError(Exception):
    """Root of cantil.activate's errors."""

    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint


class ArgumentError(ActivateError):
    def __init__(self, message: str, *, argument: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.argument = argument


class UnknownShell(ActivateError):
    def __init__(self, shell: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown shell {shell!r}", hint="one of: " + ", ".join(known))
        self.shell = shell


class EnvironmentLocationNotFound(ActivateError):
    def __init__(self, prefix: str) -> None:
        super().__init__(f"not a conda environment: {prefix}", hint="an environment is a directory holding conda-meta/")
        self.prefix = prefix


class EnvironmentNameNotFound(ActivateError):
    def __init__(self, name: str, envs_dirs: tuple[str, ...]) -> None:
        super().__init__(
            f"could not find environment: {name}",
            hint="searched " + (", ".join(envs_dirs) if envs_dirs else "no envs dirs") + "; `cantil env list` lists them",
        )
        self.name = name
        self.envs_dirs = envs_dirs


class EnvVarsError(ActivateError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"invalid environment variables file {path}: {reason}")
        self.path = path
        self.reason = reason


class UnquotableValue(ActivateError):
    def __init__(self, shell: str, name: str, value: str, reason: str) -> None:
        super().__init__(f"cannot set {name} in {shell}: {reason}")
        self.shell = shell
        self.name = name
        self.value = value


class ShellStateError(ActivateError):
    def __init__(self, variable: str, reason: str) -> None:
        super().__init__(
            f"inconsistent activation state: {variable} {reason}",
            hint="start a new shell; if it persists, look for a CONDA_* variable set by your shell profile",
        )
        self.variable = variable


class InitError(ActivateError):
    def __init__(self, path: str, reason: str, *, hint: str | None = None) -> None:
        super().__init__(f"cannot initialize {path}: {reason}", hint=hint)
        self.path = path
        self.reason = reason
