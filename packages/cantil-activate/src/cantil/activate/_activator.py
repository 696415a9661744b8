"""The Activator: conda's activate/deactivate/reactivate logic, shell-independent, rendered by a Syntax.

State comes only from the `environ` mapping given (the calling shell's variables): CONDA_SHLVL, CONDA_PREFIX,
CONDA_PREFIX_<n>, CONDA_STACKED_<n>, PATH, the prompt, and the saved values `__CONDA_SHLVL_<n>_<NAME>` of variables an
environment overwrote. Both conda and cantil read and write these, so either tool can deactivate the other's env.

Differences from conda, on purpose: variables are removed with `unset` (conda >= 25 writes `export X=''`, which
leaves them defined); a saved `__CONDA_SHLVL_<n>_<NAME>` is removed once restored, and an empty saved value is
restored too, so deactivation gives back exactly the environment before activation; no `condabin` directory is
added to PATH; per-env variable names are upper-cased before comparing them with the shell's (conda compares first).
"""

from __future__ import annotations

import os
import sys

from cantil.activate._envvars import UNSET_MARKER, read_env_vars
from cantil.activate._paths import expand_path, paths_equal, prefix_dirs, replace_prefix
from cantil.activate._settings import ActivationSettings
from cantil.activate._syntax import SHELLS, SYNTAXES, Syntax
from cantil.activate.errors import (
    ArgumentError,
    EnvironmentLocationNotFound,
    EnvironmentNameNotFound,
    ShellStateError,
    UnknownShell,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

RESERVED_NAMES = ("base", "root")
_WINDOWS_CLEAN_PATH = "C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem"


def _shlvl(environ: Mapping[str, str], default: int = 0) -> int:
    raw = environ.get("CONDA_SHLVL", "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ShellStateError("CONDA_SHLVL", f"is not a number: {raw!r}") from None


class Activator:
    """Shell text for `activate`, `deactivate`, `reactivate` and `hook`, for one shell.

    `environ` is the calling shell's environment (read, never changed). `warnings` collects what conda prints to
    stderr (overwritten variables, reserved names): the caller shows them. `windows` selects Windows paths
    (Library/bin, Scripts, `;`); by default the running platform's.
    """

    def __init__(
        self,
        shell: str,
        settings: ActivationSettings,
        environ: Mapping[str, str],
        *,
        dev: bool = False,
        windows: bool | None = None,
    ) -> None:
        cls = SYNTAXES.get(shell)
        if cls is None:
            raise UnknownShell(shell, SHELLS)
        self.shell = shell
        self.syntax: Syntax = cls()
        self.settings = settings
        self.environ = environ
        self.dev = dev
        self.windows = sys.platform == "win32" if windows is None else windows
        self.pathsep = ";" if self.windows or self.syntax.pathsep == ";" else ":"
        self.warnings: list[str] = []
        self._mode = "activate"
        self._stack = False

    # ---- public entry points -------------------------------------------------------------------------------------
    def activate(self, env: str | os.PathLike[str] | None = None, *, stack: bool | None = None) -> str:
        """Text activating `env` (a name, `base`, or a path); stack=None applies `auto_stack`."""
        if stack is None:
            level = _shlvl(self.environ, -1)
            stack = bool(self.settings.auto_stack) and level <= self.settings.auto_stack
        self._stack = stack
        return self._render(self._build_activate(self.resolve("base" if env is None else os.fspath(env))))

    def deactivate(self) -> str:
        return self._render(self._build_deactivate())

    def reactivate(self) -> str:
        return self._render(self._build_reactivate())

    def hook(self) -> str:
        from cantil.activate._hooks import hook_text

        return hook_text(self)

    def commands(self, names: list[str]) -> str:
        return "".join(n + "\n" for n in names)

    def resolve(self, env: str) -> str:
        """The prefix an ENV argument names: a path (must hold conda-meta/), `base`/`root`, or a name in envs_dirs."""
        if not env:
            raise ArgumentError("an environment name or path is required", argument=env)
        if "/" in env or "\\" in env:
            prefix = expand_path(env, self.environ)
            if not os.path.isdir(os.path.join(prefix, "conda-meta")):
                raise EnvironmentLocationNotFound(prefix)
            return prefix
        if env in RESERVED_NAMES:
            return self.settings.root_prefix
        for envs_dir in self.settings.envs_dirs:
            candidate = os.path.join(envs_dir, env)
            if os.path.isdir(candidate):
                return os.path.abspath(candidate)
        raise EnvironmentNameNotFound(env, self.settings.envs_dirs)

    # ---- helpers -------------------------------------------------------------------------------------------------
    def _exe_vars(self) -> dict[str, str | None]:
        exe = self.settings.exe
        if exe is None:
            return {}
        if self.dev:
            return {"CANTIL_EXE": exe, "_CANTIL_M": "-m", "_CANTIL_MOD": "cantil"}
        return {"CANTIL_EXE": exe, "_CANTIL_M": None, "_CANTIL_MOD": None}

    def _split(self, **values: str | int | None) -> tuple[dict[str, str], list[str]]:
        export: dict[str, str] = {}
        unset: list[str] = []
        for name, value in {**values, **self._exe_vars()}.items():
            if value is None:
                unset.append(name)
            else:
                export[name] = str(value)
        return export, unset

    def _env_vars(self, prefix: str) -> dict[str, str]:
        return read_env_vars(prefix, uppercase=self.settings.envvars_force_uppercase, warnings=self.warnings)

    def _paths_equal(self, a: str, b: str) -> bool:
        return paths_equal(a, b, windows=self.windows)

    def _path_dirs(self, prefix: str) -> list[str]:
        return prefix_dirs(prefix, windows=self.windows)

    def _starting_path(self) -> list[str]:
        path = self.environ.get("PATH")
        if path is None:
            path = _WINDOWS_CLEAN_PATH if self.windows else "/usr/bin"
        return path.split(self.pathsep)

    def _add_prefix(self, prefix: str) -> list[str]:
        return [*self._path_dirs(prefix), *self._starting_path()]

    def _replace_prefix(self, old: str | None, new: str | None) -> list[str]:
        return replace_prefix(
            self._starting_path(),
            None if old is None else self._path_dirs(old),
            None if new is None else self._path_dirs(new),
            windows=self.windows,
        )

    def _default_env(self, prefix: str) -> str:
        if self._paths_equal(prefix, self.settings.root_prefix):
            return "base"
        parent = os.path.dirname(prefix.rstrip("/\\") if self.windows else prefix)
        if os.path.basename(parent) == "envs":
            return os.path.basename(prefix)
        return prefix

    def _prompt_modifier(self, prefix: str, default_env: str) -> str:
        if not self.settings.changeps1:
            return ""
        env = self.environ
        env_stack: list[str] = []
        prompt_stack: list[str] = []
        old = _shlvl(env)
        for i in range(1, old + 1):
            p = env.get("CONDA_PREFIX", "") if i == old else env.get(f"CONDA_PREFIX_{i}", "").rstrip()
            name = self._default_env(p)
            env_stack.append(name)
            if not env.get(f"CONDA_STACKED_{i}", "").rstrip():
                prompt_stack = prompt_stack[:-1]
            prompt_stack.append(name)
        if self._mode == "deactivate":
            prompt_stack = prompt_stack[:-1]
            env_stack = env_stack[:-1]
            if not env.get(f"CONDA_STACKED_{old}", "").rstrip() and env_stack:
                prompt_stack.append(env_stack[-1])
        elif self._mode == "activate":
            if not self._stack:
                prompt_stack = prompt_stack[:-1]
            prompt_stack.append(default_env)
        stacked = ",".join(reversed(prompt_stack))
        return self.settings.env_prompt.format(
            default_env=default_env, stacked_env=stacked, prefix=prefix, name=os.path.basename(prefix)
        )

    def _prompt(self, set_vars: dict[str, str], modifier: str) -> None:
        var = self.syntax.prompt_var
        if not self.settings.changeps1 or var is None:
            return
        current = self.environ.get(var, "")
        if var == "PS1" and "POWERLINE_COMMAND" in current:
            return
        old_modifier = self.environ.get("CONDA_PROMPT_MODIFIER")
        if old_modifier:
            current = current.replace(old_modifier, "")
        set_vars[var] = modifier + current

    def _scripts(self, prefix: str, kind: str) -> list[str]:
        ext = self.syntax.script_extension
        directory = os.path.join(prefix, "etc", "conda", kind)
        try:
            found = sorted(e.path for e in os.scandir(directory) if e.name.endswith(ext))
        except OSError:
            return []
        return found[::-1] if kind == "deactivate.d" else found

    # ---- plans ---------------------------------------------------------------------------------------------------
    def _build_activate(self, prefix: str) -> _Plan | None:
        env = self.environ
        old_shlvl = _shlvl(env)
        old_prefix = env.get("CONDA_PREFIX")
        if old_prefix == prefix and old_shlvl > 0:
            return self._build_reactivate()
        self._mode = "activate"
        shlvl = old_shlvl + 1
        default_env = self._default_env(prefix)
        modifier = self._prompt_modifier(prefix, default_env)
        env_vars: dict[str, str | int | None] = {
            k: v for k, v in self._env_vars(prefix).items() if v != UNSET_MARKER
        }
        clobbered = [k for k in env_vars if k in env]
        overwritten = [k for k in clobbered if env[k] != env_vars[k]]
        if overwritten:
            self.warnings.append("overwriting environment variables set in the machine: " + ", ".join(overwritten))
        for k in clobbered:
            env_vars[f"__CONDA_SHLVL_{old_shlvl}_{k}"] = env[k]
        base: dict[str, str | int | None] = {
            "CONDA_PREFIX": prefix,
            "CONDA_SHLVL": shlvl,
            "CONDA_DEFAULT_ENV": default_env,
            "CONDA_PROMPT_MODIFIER": modifier,
        }
        deactivate_scripts: list[str] = []
        if old_shlvl == 0 or old_prefix is None:
            path = self._add_prefix(prefix)
            export, unset = self._split(**base, **env_vars)
        elif self._stack:
            path = self._add_prefix(prefix)
            extra = {f"CONDA_PREFIX_{old_shlvl}": old_prefix, f"CONDA_STACKED_{shlvl}": "true"}
            export, unset = self._split(**base, **env_vars, **extra)
        else:
            path = self._replace_prefix(old_prefix, prefix)
            export, unset = self._split(**base, **env_vars, **{f"CONDA_PREFIX_{old_shlvl}": old_prefix})
            deactivate_scripts = self._scripts(old_prefix, "deactivate.d")
        set_vars: dict[str, str] = {}
        self._prompt(set_vars, modifier)
        return _Plan(
            path=path,
            path_first=False,
            deactivate_scripts=deactivate_scripts,
            unset_vars=unset,
            set_vars=set_vars,
            export_vars=export,
            activate_scripts=self._scripts(prefix, "activate.d"),
        )

    def _build_deactivate(self) -> _Plan | None:
        self._mode = "deactivate"
        env = self.environ
        old_prefix = env.get("CONDA_PREFIX")
        old_shlvl = _shlvl(env)
        if not old_prefix or old_shlvl < 1:
            return None
        deactivate_scripts = self._scripts(old_prefix, "deactivate.d")
        old_env_vars = self._env_vars(old_prefix)
        new_shlvl = old_shlvl - 1
        activate_scripts: list[str] = []
        if old_shlvl == 1:
            path = self._replace_prefix(old_prefix, None)
            export, unset = self._split(
                CONDA_PREFIX=None, CONDA_SHLVL=new_shlvl, CONDA_DEFAULT_ENV=None, CONDA_PROMPT_MODIFIER=None
            )
            modifier = ""
        else:
            new_prefix = env.get(f"CONDA_PREFIX_{new_shlvl}")
            if not new_prefix:
                raise ShellStateError(f"CONDA_PREFIX_{new_shlvl}", f"is missing while CONDA_SHLVL is {old_shlvl}")
            default_env = self._default_env(new_prefix)
            modifier = self._prompt_modifier(new_prefix, default_env)
            new_env_vars = {k: v for k, v in self._env_vars(new_prefix).items() if v != UNSET_MARKER}
            unset = [f"CONDA_PREFIX_{new_shlvl}"]
            if f"CONDA_STACKED_{old_shlvl}" in env:
                path = self._replace_prefix(old_prefix, None)
                unset.append(f"CONDA_STACKED_{old_shlvl}")
            else:
                path = self._replace_prefix(old_prefix, new_prefix)
            export, unset2 = self._split(
                CONDA_PREFIX=new_prefix,
                CONDA_SHLVL=new_shlvl,
                CONDA_DEFAULT_ENV=default_env,
                CONDA_PROMPT_MODIFIER=modifier,
                **new_env_vars,
            )
            unset += unset2
            activate_scripts = self._scripts(new_prefix, "activate.d")
        set_vars: dict[str, str] = {}
        self._prompt(set_vars, modifier)
        for name in old_env_vars:
            saved_name = f"__CONDA_SHLVL_{new_shlvl}_{name}"
            saved = env.get(saved_name)
            if saved is not None:
                export[name] = saved
                unset.append(saved_name)
            elif name not in export:
                unset.append(name)
        return _Plan(
            path=path,
            path_first=True,
            deactivate_scripts=deactivate_scripts,
            unset_vars=unset,
            set_vars=set_vars,
            export_vars=export,
            activate_scripts=activate_scripts,
        )

    def _build_reactivate(self) -> _Plan | None:
        self._mode = "reactivate"
        env = self.environ
        prefix = env.get("CONDA_PREFIX")
        shlvl = _shlvl(env)
        if not prefix or shlvl < 1:
            return None
        default_env = env.get("CONDA_DEFAULT_ENV") or self._default_env(prefix)
        modifier = self._prompt_modifier(prefix, default_env)
        set_vars: dict[str, str] = {}
        self._prompt(set_vars, modifier)
        export, unset = self._split(CONDA_SHLVL=shlvl, CONDA_PROMPT_MODIFIER=modifier)
        return _Plan(
            path=self._replace_prefix(prefix, prefix),
            path_first=False,
            deactivate_scripts=self._scripts(prefix, "deactivate.d"),
            unset_vars=unset,
            set_vars=set_vars,
            export_vars=export,
            activate_scripts=self._scripts(prefix, "activate.d"),
        )

    def _render(self, plan: _Plan | None) -> str:
        if plan is None:
            return ""
        s = self.syntax
        path_cmd = s.export_path(plan.path, self.pathsep)
        out = [path_cmd] if plan.path_first else []
        out += [s.run_script(p) for p in plan.deactivate_scripts]
        out += [s.unset(k) for k in plan.unset_vars]
        out += [s.set_var(k, v) for k, v in plan.set_vars.items()]
        if not plan.path_first:
            out.append(path_cmd)
        out += [s.export(k, v) for k, v in plan.export_vars.items()]
        out += [s.run_script(p) for p in plan.activate_scripts]
        return s.join(out)


class _Plan:
    """What one command does, in the order it is rendered (PATH first on deactivate, as conda)."""

    __slots__ = ("activate_scripts", "deactivate_scripts", "export_vars", "path", "path_first", "set_vars", "unset_vars")

    def __init__(
        self,
        *,
        path: list[str],
        path_first: bool,
        deactivate_scripts: list[str],
        unset_vars: list[str],
        set_vars: dict[str, str],
        export_vars: dict[str, str],
        activate_scripts: list[str],
    ) -> None:
        self.path = path
        self.path_first = path_first
        self.deactivate_scripts = deactivate_scripts
        self.unset_vars = unset_vars
        self.set_vars = set_vars
        self.export_vars = export_vars
        self.activate_scripts = activate_scripts
