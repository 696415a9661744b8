"""`cantil env create|update|export|list|remove|config vars` and `cantil compare`: environment.yml files.

environment.yml: `name`, `channels` (`nodefaults` drops the configured channels), `dependencies` (specs, and one
`pip:` list installed afterwards with the environment's own pip), `variables` (set at activation, kept in
conda-meta/state), `prefix`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from cantil.cli._context import is_env, locate, settings_of
from cantil.cli._errors import CliError, CondaValueError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from cantil.cli._transact import Session


class CondaEnvException(CliError):
    exception_name = "CondaEnvException"


def env(ns: argparse.Namespace) -> int:
    handler = {"create": env_create, "update": env_update, "export": env_export, "list": env_list,
               "remove": env_remove, "config": env_config}[ns.env_command]
    return handler(ns)


def _split_deps(path: str, data: dict[str, Any]) -> tuple[list[str], list[str]]:
    conda: list[str] = []
    pip: list[str] = []
    for dep in data.get("dependencies") or []:
        if isinstance(dep, str):
            conda.append(dep)
        elif isinstance(dep, dict) and "pip" in dep:
            pip += [str(x) for x in dep["pip"] or []]
        else:
            raise CondaValueError(f"unsupported dependency entry in {path}: {dep!r}")
    return conda, pip


def _prepare(ns: argparse.Namespace) -> tuple[dict[str, Any], list[str], list[str]]:
    from cantil.cli._yaml import load_environment_file

    data = load_environment_file(ns.file)
    conda, pip = _split_deps(ns.file, data)
    channels = [str(c) for c in data.get("channels") or []]
    ns.channel = list(getattr(ns, "channel", None) or []) + [c for c in channels if c != "nodefaults"]
    if "nodefaults" in channels:
        ns.override_channels = True
    if not ns.name and not ns.prefix:
        if data.get("name"):
            ns.name = str(data["name"])
        elif data.get("prefix"):
            ns.prefix = str(data["prefix"])
        else:
            raise CondaValueError(f"{ns.file} has no name: give one with -n NAME or -p PATH")
    return data, conda, pip


def env_create(ns: argparse.Namespace) -> int:
    from cantil.cli._cmd_install import _install_specs, _make_room
    from cantil.cli._render import activation_hint
    from cantil.cli._transact import Session

    data, conda, pip = _prepare(ns)
    sess = Session(ns)
    prefix = locate(sess.settings, ns.name, ns.prefix, must_exist=False)
    replace = bool(ns.force or sess.yes)
    sess.yes = True  # conda's env create never asks
    if is_env(prefix) and not replace:
        raise CondaValueError(f"an environment already exists at {prefix}", hint="pass --force to replace it")
    _make_room(sess, prefix)
    ns.packages = conda
    rc = _install_specs(sess, prefix, conda) if conda else _empty(sess, prefix)
    if rc or sess.dry_run:
        return rc
    _set_variables(prefix, data.get("variables") or {})
    if pip:
        _pip_install(sess, prefix, pip)
    if not sess.json:
        sess.say(activation_hint(ns.name or prefix))
    return 0


def _empty(sess: Session, prefix: str) -> int:
    from cantil.cli._cmd_install import _empty_env

    return _empty_env(sess, prefix)


def env_update(ns: argparse.Namespace) -> int:
    from cantil.cli._cmd_install import _install_specs
    from cantil.cli._transact import Session

    data, conda, pip = _prepare(ns)
    sess = Session(ns)
    sess.yes = True  # conda's env update never asks
    prefix = locate(sess.settings, ns.name, ns.prefix)
    rc = _install_specs(sess, prefix, conda) if conda else 0
    if rc or sess.dry_run:
        return rc
    _set_variables(prefix, data.get("variables") or {})
    if pip:
        _pip_install(sess, prefix, pip)
    return 0


def _pip_install(sess: Session, prefix: str, requirements: list[str]) -> None:
    """Run the environment's own pip on the `pip:` list (a clear error when the environment has no pip)."""
    candidates = [os.path.join(prefix, "bin", "pip"), os.path.join(prefix, "Scripts", "pip.exe")]
    pip = next((c for c in candidates if os.path.isfile(c)), None)
    if pip is None:
        raise CondaEnvException(f"the environment.yml has a pip: section but {prefix} has no pip",
                                hint="add `pip` to the dependencies")
    req = os.path.join(prefix, "conda-meta", ".cantil-pip-requirements.txt")
    with open(req, "w", encoding="utf-8") as f:
        f.write("\n".join(requirements) + "\n")
    try:
        sess.say("Installing pip dependencies")
        result = subprocess.run([pip, "install", "-U", "-r", req], check=False, capture_output=sess.json,
                                text=True, cwd=os.path.dirname(os.path.abspath(sess.ns.file)))
    finally:
        os.unlink(req)
    if result.returncode:
        raise CondaEnvException(f"pip failed with exit code {result.returncode}", hint="see pip's output above")


def _state_path(prefix: str) -> str:
    return os.path.join(prefix, "conda-meta", "state")


def read_state(prefix: str) -> dict[str, Any]:
    try:
        with open(_state_path(prefix), encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise CliError(f"cannot read {_state_path(prefix)}: {err}") from err
    return data if isinstance(data, dict) else {}


def _set_variables(prefix: str, variables: dict[str, Any]) -> None:
    if not variables:
        return
    state = read_state(prefix)
    state.setdefault("env_vars", {}).update({str(k): str(v) for k, v in variables.items()})
    _write_state(prefix, state)


def _write_state(prefix: str, state: dict[str, Any]) -> None:
    from cantil.cli._yaml import write_atomic

    write_atomic(_state_path(prefix), json.dumps(state, indent=2, sort_keys=True) + "\n")


def env_export(ns: argparse.Namespace) -> int:
    from cantil.cli._cmd_list import conda_rows, pip_rows
    from cantil.cli._context import env_name
    from cantil.cli._transact import history_specs

    s = settings_of(ns)
    prefix = locate(s, ns.name, ns.prefix)
    rows, owned = conda_rows(prefix, s.channel_alias)
    rows.sort(key=lambda r: r.name)
    pip = sorted(pip_rows(prefix, owned), key=lambda r: r.name)
    used = list(dict.fromkeys(r.channel for r in rows if r.channel))
    configured = [] if ns.override_channels else list(s.channels)
    channels = list(dict.fromkeys([*(ns.channel or []), *used, *configured]))
    if ns.from_history:
        deps: list[Any] = sorted(history_specs(prefix).values())
    else:
        deps = [f"{r.name}={r.version}" if ns.no_builds else f"{r.name}={r.version}={r.build}" for r in rows]
    if pip and not ns.from_history:
        deps.append({"pip": [f"{r.name}=={r.version}" for r in pip]})
    name = env_name(s, prefix)
    doc: dict[str, Any] = {"name": os.path.basename(prefix) if name == prefix else name, "channels": channels,
                           "dependencies": deps}
    variables = read_state(prefix).get("env_vars")
    if variables:
        doc["variables"] = variables
    doc["prefix"] = prefix
    text = json.dumps(doc, indent=2) + "\n" if ns.json else _yaml_text(doc)
    if ns.file:
        from cantil.cli._yaml import write_atomic

        write_atomic(ns.file, text)
    else:
        sys.stdout.write(text)
    return 0


def _yaml_text(doc: dict[str, Any]) -> str:
    from cantil.cli._yaml import dump

    return dump(doc)


def env_list(ns: argparse.Namespace) -> int:
    from cantil.cli._cmd_info import envs_text, known_envs

    s = settings_of(ns)
    envs = known_envs(s)
    if ns.json:
        sys.stdout.write(json.dumps({"envs": envs}, indent=2) + "\n")
    else:
        sys.stdout.write(envs_text(s, envs))
    return 0


def env_remove(ns: argparse.Namespace) -> int:
    from cantil.cli._cmd_install import remove

    ns.remove_all = True
    ns.packages = []
    ns.force_remove = False
    if not ns.name and not ns.prefix:
        raise CondaValueError("one of the arguments -n/--name -p/--prefix is required")
    return remove(ns)


def env_config(ns: argparse.Namespace) -> int:
    s = settings_of(ns)
    prefix = locate(s, ns.name, ns.prefix)
    state = read_state(prefix)
    env_vars: dict[str, str] = dict(state.get("env_vars") or {})
    if ns.vars_command == "list":
        if ns.json:
            sys.stdout.write(json.dumps(env_vars, indent=2, sort_keys=True) + "\n")
        else:
            sys.stdout.write("".join(f"{k} = {v}\n" for k, v in env_vars.items()))
        return 0
    if ns.vars_command == "set":
        for item in ns.vars:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CondaValueError(f"expected KEY=VALUE, got {item!r}")
            env_vars[key] = value
    else:
        for key in ns.vars:
            if key not in env_vars and not ns.json:
                sys.stderr.write(f"warning: {key} is not set in {prefix}\n")
            env_vars.pop(key, None)
    state["env_vars"] = env_vars
    _write_state(prefix, state)
    if ns.json:
        sys.stdout.write(json.dumps({"success": True, "env_vars": env_vars}, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write("To make your changes take effect please reactivate your environment\n")
    return 0


def compare(ns: argparse.Namespace) -> int:
    from cantil.cli._transact import installed_records
    from cantil.cli._yaml import load_environment_file
    from cantil.specs import MatchSpec

    s = settings_of(ns)
    prefix = locate(s, ns.name, ns.prefix)
    data = load_environment_file(ns.file)
    conda, _ = _split_deps(ns.file, data)
    installed = installed_records(prefix)
    problems: list[str] = []
    for text in conda:
        spec = MatchSpec(text)
        rec = installed.get(spec.name)
        if rec is None:
            problems.append(f"{spec.name} not found")
        elif not spec.match(rec):
            problems.append(f"{spec.name} found but mismatch. Specification pkg: {text}, "
                            f"Running pkg: {rec.name}=={rec.version}={rec.build}")
    ok = not problems
    message = ("Success. All the packages in the specification file are present in the environment with matching "
               "version and build string.")
    if ns.json:
        sys.stdout.write(json.dumps({"success": ok, "prefix": prefix, "mismatches": problems,
                                     "message": message if ok else None}, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(message + "\n" if ok else "".join(p + "\n" for p in problems))
    return 0 if ok else 1
