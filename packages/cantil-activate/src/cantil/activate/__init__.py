"""cantil.activate: shell text for activating conda environments, and `init` rc editing.

Imports no cantil package and reads no configuration: callers pass an `ActivationSettings` and the shell's
environment. See docs/activation.md.
"""

from cantil.activate._activator import Activator
from cantil.activate._init import (
    INIT_SHELLS,
    InitResult,
    RcChange,
    default_rc_paths,
    init,
    rc_block,
    system_rc_paths,
)
from cantil.activate._prelude import activation_prelude
from cantil.activate._settings import ActivationSettings
from cantil.activate._syntax import SHELLS
from cantil.activate.errors import (
    ActivateError,
    ArgumentError,
    EnvironmentLocationNotFound,
    EnvironmentNameNotFound,
    EnvVarsError,
    InitError,
    ShellStateError,
    UnknownShell,
    UnquotableValue,
)

__all__ = [
    "INIT_SHELLS",
    "SHELLS",
    "ActivateError",
    "ActivationSettings",
    "Activator",
    "ArgumentError",
    "EnvVarsError",
    "EnvironmentLocationNotFound",
    "EnvironmentNameNotFound",
    "InitError",
    "InitResult",
    "RcChange",
    "ShellStateError",
    "UnknownShell",
    "UnquotableValue",
    "activation_prelude",
    "default_rc_paths",
    "init",
    "rc_block",
    "system_rc_paths",
]
