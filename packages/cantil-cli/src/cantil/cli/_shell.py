"""The activation commands: `cantil shell.<shell> activate|deactivate|reactivate|hook|commands`, `cantil init`, and
the message for a bare `cantil activate`/`cantil deactivate` (the shell function was not loaded).

`__main__` dispatches here before importing anything else: this runs at every activation and must start about as
fast as a bare Python. Only the standard library, cantil.activate and the settings loader (which parses no YAML
while its cache is valid) are imported; argparse only for `init`.
"""

from __future__ import annotations

import os
import sys

from cantil.activate import SHELLS, ActivateError, ActivationSettings, Activator, ArgumentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

SHELL_VERBS = ("activate", "deactivate", "reactivate", "hook", "commands")
HELP_FLAGS = ("-h", "--help", "/?")
# conda's shell names plus the aliases conda accepts
SHELL_NAMES = (*SHELLS, "sh", "dash", "ash", "tcsh", "pwsh")
# the subcommands `shell.<shell> commands` lists (shell completion)
COMMANDS = (
    "activate", "clean", "compare", "config", "create", "deactivate", "env", "export", "info", "init", "install",
    "list", "notices", "package", "remove", "rename", "run", "search", "uninstall", "update", "upgrade",
)  # fmt: skip

USAGE = """\
usage: cantil shell.<shell> activate [--stack|--no-stack] [--dev] [ENV]
       cantil shell.<shell> deactivate|reactivate|hook [--dev]
       cantil shell.<shell> commands
shells: {shells}

Prints shell code for the current shell to evaluate; the function defined by `hook` (loaded by `cantil init`)
runs it for `cantil activate ENV` and `cantil deactivate`. ENV is a name (searched in envs_dirs; `base` is the
root prefix) or a path. --stack keeps the current environment's PATH entries (auto_stack does so automatically).
"""


def _err(message: str, hint: str | None = None) -> None:
    sys.stderr.write(f"error: {message}\n")
    if hint:
        sys.stderr.write(f"hint: {hint}\n")


def find_exe() -> tuple[str, bool]:
    """(the value of CANTIL_EXE, dev): the `cantil` script running, else the one beside this Python, else
    this Python itself in dev mode (`python -m cantil`)."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) in ("cantil", "cantil.exe") and os.path.isfile(argv0):
        return os.path.abspath(argv0), False
    here = os.path.dirname(sys.executable)
    for candidate in (os.path.join(here, "cantil"), os.path.join(here, "Scripts", "cantil.exe"), os.path.join(here, "cantil.exe")):
        if os.path.isfile(candidate):
            return candidate, False
    return sys.executable, True


def activation_settings(environ: Mapping[str, str], exe: str | None) -> ActivationSettings:
    """The settings activation reads, from the cli's settings cascade (.condarc, CONDA_*, CANTIL_*)."""
    from cantil.cli._settings import load_settings

    s = load_settings(environ)
    return ActivationSettings(
        s.root_prefix,
        s.envs_dirs,
        changeps1=bool(s.changeps1),
        env_prompt=str(s.env_prompt),
        auto_stack=int(s.auto_stack or 0),
        exe=exe,
        envvars_force_uppercase=bool(getattr(s, "envvars_force_uppercase", True)),
        auto_activate=bool(getattr(s, "auto_activate_base", False)),
    )


def _parse(verb: str, rest: list[str]) -> tuple[bool, bool | None, str | None]:
    """(dev, stack, env) from the arguments after the verb, as conda's activator parses them."""
    args = [a for a in rest if a]
    dev = "--dev" in args and verb in ("activate", "deactivate", "reactivate", "hook")
    if dev:
        args.remove("--dev")
    stack: bool | None = None
    env: str | None = None
    if verb == "activate":
        if "--stack" in args and "--no-stack" in args:
            raise ArgumentError("cannot give both --stack and --no-stack to activate")
        if "--stack" in args:
            stack = True
            args.remove("--stack")
        if "--no-stack" in args:
            stack = False
            args.remove("--no-stack")
        if len(args) > 1:
            raise ArgumentError(f"activate takes one environment, got {len(args)}: {' '.join(args)}")
        env = args[0] if args else None
    elif args:
        raise ArgumentError(f"{verb} takes no arguments, got: {' '.join(args)}")
    return dev, stack, env


def shell_command(shell: str, args: list[str], environ: Mapping[str, str]) -> int:
    if shell not in SHELL_NAMES:
        raise ArgumentError(f"unknown shell {shell!r}", hint="one of: " + ", ".join(SHELLS))
    verb = args[0] if args else ""
    if any(a in HELP_FLAGS for a in args):
        sys.stderr.write(USAGE.format(shells=", ".join(SHELLS)))
        return 0
    if verb not in SHELL_VERBS:
        got = f", not {verb!r}" if verb else ""
        raise ArgumentError(f"one of {', '.join(SHELL_VERBS)} must be given{got}", argument=verb)
    dev, stack, env = _parse(verb, args[1:])
    # called by a function loaded with --dev (it runs `python -m cantil`): stay in dev mode
    dev = dev or bool(environ.get("_CANTIL_M") and environ.get("_CANTIL_MOD"))
    exe, auto_dev = find_exe()
    if dev:  # conda's --dev: run the package from this interpreter (`python -m cantil`)
        exe = sys.executable
    settings = activation_settings(environ, exe)
    activator = Activator(shell, settings, environ, dev=dev or auto_dev)
    if verb == "activate":
        text = activator.activate(env, stack=stack)
    elif verb == "deactivate":
        text = activator.deactivate()
    elif verb == "reactivate":
        text = activator.reactivate()
    elif verb == "hook":
        text = activator.hook()
    else:
        text = activator.commands(list(COMMANDS))
    for warning in activator.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if shell == "cmd.exe" and verb in ("activate", "deactivate", "reactivate"):
        text = _to_temp_file(text)
    out = sys.stdout
    out.flush()
    data = text.encode("utf-8")
    try:
        out.buffer.write(data)
    except AttributeError:  # a replaced stdout without a buffer (tests)
        out.write(text)
    out.flush()
    return 0


def _to_temp_file(text: str) -> str:
    """cmd.exe reads `NAME=value` lines from a file: write one and print its name (conda's protocol)."""
    import tempfile

    fd, path = tempfile.mkstemp(suffix=".env", prefix="cantil-")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\r\n") as f:
        f.write(text)
    return path + "\n"


def main(args: list[str]) -> int:
    try:
        try:
            if args and args[0].startswith("shell."):
                return shell_command(args[0][len("shell.") :], args[1:], os.environ)
            if args and args[0] == "init":
                from cantil.cli._shell_init import init_command

                return init_command(args[1:])
            return _not_initialized(args[0] if args else "activate")
        except ActivateError as err:
            _err(err.message, err.hint)
            return 1
        except Exception as err:
            from cantil.cli._errors import CliError

            if isinstance(err, CliError):
                _err(err.message, err.hint)
                return err.exit_code
            if os.environ.get("CANTIL_DEBUG"):
                raise
            _err(f"unexpected {type(err).__name__}: {err}", "set CANTIL_DEBUG=1 to see the traceback")
            return 1
    except KeyboardInterrupt:
        return 130


def _not_initialized(verb: str) -> int:
    shell = os.path.basename(os.environ.get("SHELL", "") or "bash")
    load = {
        "fish": "cantil shell.fish hook | source",
        "tcsh": 'eval "`cantil shell.csh hook`"',
        "csh": 'eval "`cantil shell.csh hook`"',
        "xonsh": "execx($(cantil shell.xonsh hook))",
        "zsh": 'eval "$(cantil shell.zsh hook)"',
    }.get(shell, 'eval "$(cantil shell.bash hook)"')
    init_shell = {"csh": "tcsh"}.get(shell, shell) if shell in ("bash", "zsh", "fish", "tcsh", "csh", "xonsh") else "bash"
    _err(
        f"your shell has not been configured to use 'cantil {verb}'",
        f"run `cantil init {init_shell}` and open a new shell, or load the function now: {load}",
    )
    return 1
