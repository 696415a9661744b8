"""The activation prelude: bash text that activates a prefix before a package's post-link/pre-unlink script runs.

cantil-link sources it (the cli passes `lambda prefix: activation_prelude(prefix, settings)`), as conda runs its
scripts inside `conda activate <prefix>`. The prefix may not hold conda-meta/ yet (a new environment), so it is not
checked. Errors from an activate.d script do not stop the prelude (conda's activation does not either).
"""

from __future__ import annotations

import os

from cantil.activate._activator import Activator
from cantil.activate._settings import ActivationSettings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def activation_prelude(
    prefix: str | os.PathLike[str],
    settings: ActivationSettings | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Bash text activating `prefix` (PATH, CONDA_* variables, env_vars, activate.d/*.sh) on top of `environ`.

    settings=None uses `prefix` itself as the root prefix (CONDA_DEFAULT_ENV is then `base`); environ=None is
    `os.environ`. The prompt is never changed.
    """
    prefix = os.path.abspath(os.fspath(prefix))
    if settings is None:
        settings = ActivationSettings(prefix, changeps1=False)
    elif settings.changeps1:
        settings = ActivationSettings(
            settings.root_prefix,
            settings.envs_dirs,
            changeps1=False,
            env_prompt=settings.env_prompt,
            auto_stack=settings.auto_stack,
            exe=settings.exe,
            envvars_force_uppercase=settings.envvars_force_uppercase,
        )
    activator = Activator("bash", settings, os.environ if environ is None else environ, windows=False)
    activator._stack = True
    plan = activator._build_activate(prefix)
    return activator._render(plan)
