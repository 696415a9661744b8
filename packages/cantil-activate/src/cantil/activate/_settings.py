"""ActivationSettings: the explicit configuration activation reads (no globals, no .condarc parsing here).

The cli builds it from its settings cascade; a library user builds it directly. Paths are kept as absolute strings:
activation only ever formats them into shell text.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

DEFAULT_ENV_PROMPT = "({default_env}) "


class ActivationSettings:
    """What activation needs to know besides the environment variables of the calling shell.

    root_prefix: the `base` environment; envs_dirs: where names are looked up, in order; changeps1 and env_prompt:
    conda's prompt settings (`{default_env}`, `{stacked_env}`, `{prefix}`, `{name}`); auto_stack: conda's
    `auto_stack` (stack when the current level is at most this); exe: the value exported as CANTIL_EXE (None: not
    exported); envvars_force_uppercase: conda's setting of that name (per-env variable names are upper-cased);
    auto_activate: conda's `auto_activate_base`, the hook then activates `base` (when the root prefix holds
    conda-meta/).
    """

    __slots__ = (
        "auto_activate",
        "auto_stack",
        "changeps1",
        "env_prompt",
        "envs_dirs",
        "envvars_force_uppercase",
        "exe",
        "root_prefix",
    )

    root_prefix: str
    envs_dirs: tuple[str, ...]
    changeps1: bool
    env_prompt: str
    auto_stack: int
    exe: str | None
    envvars_force_uppercase: bool
    auto_activate: bool

    def __init__(
        self,
        root_prefix: str | os.PathLike[str],
        envs_dirs: Iterable[str | os.PathLike[str]] = (),
        *,
        changeps1: bool = True,
        env_prompt: str = DEFAULT_ENV_PROMPT,
        auto_stack: int = 0,
        exe: str | os.PathLike[str] | None = None,
        envvars_force_uppercase: bool = True,
        auto_activate: bool = False,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "root_prefix", os.path.abspath(os.fspath(root_prefix)))
        set_(self, "envs_dirs", tuple(os.path.abspath(os.fspath(d)) for d in envs_dirs))
        set_(self, "changeps1", bool(changeps1))
        set_(self, "env_prompt", str(env_prompt))
        set_(self, "auto_stack", int(auto_stack))
        set_(self, "exe", None if exe is None else os.fspath(exe))
        set_(self, "envvars_force_uppercase", bool(envvars_force_uppercase))
        set_(self, "auto_activate", bool(auto_activate))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ActivationSettings is immutable: cannot set {name}")

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, s) for s in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ActivationSettings) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        args = ", ".join(f"{s}={getattr(self, s)!r}" for s in ("root_prefix", "envs_dirs"))
        kw = ", ".join(
            f"{s}={getattr(self, s)!r}"
            for s in ("changeps1", "env_prompt", "auto_stack", "exe", "envvars_force_uppercase", "auto_activate")
        )
        return f"ActivationSettings({args}, {kw})"
