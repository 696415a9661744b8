"""LinkSettings (conda's link-related settings, passed explicitly) and the Reporter hooks (default: do nothing)."""

from __future__ import annotations

from pathlib import Path

from ._reporter import Reporter
from ._struct import Struct

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (start-up cost)
    from typing import Literal

    PathConflict = Literal["clobber", "warn", "prevent"]
    SafetyChecks = Literal["disabled", "warn", "enabled"]


class LinkSettings(Struct):
    """conda's settings for linking; the CLI builds this from its settings cascade.

    `execute_threads` None means a small default (min(4, cpus)); `lock_timeout` is how long a second writer waits for
    conda-meta/.cantil.lock before failing; `root_prefix` is exported to scripts as ROOT_PREFIX; `environments_txt`
    is the file registering environments (None: ~/.conda/environments.txt from HOME; False: do not register).
    """

    __slots__ = ("allow_softlinks", "always_copy", "always_softlink", "compile_pyc", "environments_txt",
                 "execute_threads", "extra_safety_checks", "fetch_threads", "lock_timeout", "path_conflict",
                 "root_prefix", "safety_checks")

    always_copy: bool
    always_softlink: bool
    allow_softlinks: bool  # conda's default: copy when a hardlink is impossible
    path_conflict: PathConflict
    safety_checks: SafetyChecks
    extra_safety_checks: bool
    execute_threads: int | None
    fetch_threads: int | None
    compile_pyc: bool
    lock_timeout: float
    root_prefix: Path | None
    environments_txt: Path | Literal[False] | None

    def __init__(self, always_copy: bool = False, always_softlink: bool = False,  # noqa: PLR0917
                 allow_softlinks: bool = False, path_conflict: PathConflict = "warn",
                 safety_checks: SafetyChecks = "warn", extra_safety_checks: bool = False,
                 execute_threads: int | None = None, fetch_threads: int | None = None, compile_pyc: bool = True,
                 lock_timeout: float = 60.0, root_prefix: Path | None = None,
                 environments_txt: Path | Literal[False] | None = None) -> None:
        if path_conflict not in ("clobber", "warn", "prevent"):
            raise ValueError(f"invalid path_conflict {path_conflict!r}: expected clobber, warn or prevent")
        if safety_checks not in ("disabled", "warn", "enabled"):
            raise ValueError(f"invalid safety_checks {safety_checks!r}: expected disabled, warn or enabled")
        values = {"always_copy": always_copy, "always_softlink": always_softlink, "allow_softlinks": allow_softlinks,
                  "path_conflict": path_conflict, "safety_checks": safety_checks,
                  "extra_safety_checks": extra_safety_checks, "execute_threads": execute_threads,
                  "fetch_threads": fetch_threads, "compile_pyc": compile_pyc, "lock_timeout": lock_timeout,
                  "root_prefix": root_prefix, "environments_txt": environments_txt}
        for k, v in values.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"LinkSettings is immutable: cannot assign {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"LinkSettings is immutable: cannot delete {name!r}")

    def __hash__(self) -> int:
        return hash(self._values())


__all__ = ["LinkSettings", "PathConflict", "Reporter", "SafetyChecks"]
