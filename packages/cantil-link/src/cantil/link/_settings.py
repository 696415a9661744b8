"""LinkSettings (conda's link-related settings, passed explicitly) and the Reporter hooks (default: do nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ._reporter import Reporter

PathConflict = Literal["clobber", "warn", "prevent"]
SafetyChecks = Literal["disabled", "warn", "enabled"]


@dataclass(frozen=True)
class LinkSettings:
    """conda's settings for linking; the CLI builds this from its settings cascade.

    `execute_threads` None means a small default (min(4, cpus)); `lock_timeout` is how long a second writer waits for
    conda-meta/.cantil.lock before failing; `root_prefix` is exported to scripts as ROOT_PREFIX; `environments_txt`
    is the file registering environments (None: ~/.conda/environments.txt from HOME; False: do not register).
    """

    always_copy: bool = False
    always_softlink: bool = False
    allow_softlinks: bool = False  # conda's default: copy when a hardlink is impossible
    path_conflict: PathConflict = "warn"
    safety_checks: SafetyChecks = "warn"
    extra_safety_checks: bool = False
    execute_threads: int | None = None
    fetch_threads: int | None = None
    compile_pyc: bool = True
    lock_timeout: float = 60.0
    root_prefix: Path | None = None
    environments_txt: Path | Literal[False] | None = None

    def __post_init__(self) -> None:
        if self.path_conflict not in ("clobber", "warn", "prevent"):
            raise ValueError(f"invalid path_conflict {self.path_conflict!r}: expected clobber, warn or prevent")
        if self.safety_checks not in ("disabled", "warn", "enabled"):
            raise ValueError(f"invalid safety_checks {self.safety_checks!r}: expected disabled, warn or enabled")


__all__ = ["LinkSettings", "PathConflict", "Reporter", "SafetyChecks"]
