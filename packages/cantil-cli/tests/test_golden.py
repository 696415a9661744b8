"""One golden `--json` document per command (DESIGN.md's shapes), compared after normalising the volatile parts.

Regenerate after an intended change: CANTIL_UPDATE_GOLDEN=1 pytest packages/cantil-cli/tests/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
VOLATILE = {"python_version", "sys.version", "virtual_pkgs", "cantil_version", "shell_level", "date"}


def normalise(value, user):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        return {normalise(k, user): ("<volatile>" if k in VOLATILE else normalise(v, user)) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, user) for v in value]
    if isinstance(value, str):
        return value.replace(user.channel_url, "<CHANNEL>").replace(str(user.base), "<BASE>")
    return value


def check(name: str, doc, user) -> None:  # type: ignore[no-untyped-def]
    got = normalise(doc, user)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("CANTIL_UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
    assert path.exists(), f"no golden file {path.name}: run with CANTIL_UPDATE_GOLDEN=1"
    assert got == json.loads(path.read_text())


@pytest.fixture(scope="module")
def ready(tmp_path_factory, make_user):  # type: ignore[no-untyped-def]
    """A user with environment `demo` (app=1.0) for the read-only commands."""
    user = make_user(tmp_path_factory.mktemp("golden"))
    user.ok("create", "-n", "demo", "app=1.0", "-y")
    return user


READ_ONLY = {
    "list": ["list", "-n", "demo"],
    "search": ["search", "zlib"],
    "info": ["info"],
    "config": ["config", "--show", "channels", "always_yes", "channel_priority"],
    "config_show_sources": ["config", "--show-sources"],
    "clean_dry_run": ["clean", "--tarballs", "--dry-run"],
    "env_list": ["env", "list"],
    "env_export": ["env", "export", "-n", "demo"],
    "env_config_vars": ["env", "config", "vars", "list", "-n", "demo"],
    "doctor": ["doctor", "-n", "demo"],
    "install_dry_run": ["install", "-n", "demo", "zlib=1.2.13", "--dry-run"],
    "list_revisions": ["list", "-n", "demo", "--revisions"],
    "error_unsatisfiable": ["install", "-n", "demo", "old-zlib-user", "new-zlib-user", "-y"],
    "error_not_found": ["install", "-n", "demo", "ap", "-y"],
    "error_no_env": ["list", "-n", "nope"],
}


@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_read_only_commands(ready, name: str) -> None:
    args = READ_ONLY[name]
    r = ready.run(*args, "--json")
    assert r.returncode == (1 if name.startswith("error") else 0), r.stderr
    assert r.stderr == "" or name.startswith("error") or "warning" in r.stderr
    check(name, json.loads(r.stdout), ready)


def test_compare(ready, tmp_path) -> None:
    f = tmp_path / "environment.yml"
    f.write_text("name: demo\ndependencies:\n  - app=1.0\n  - zlib>=2\n")
    r = ready.run("compare", "-n", "demo", str(f), "--json")
    assert r.returncode == 1
    check("compare", json.loads(r.stdout), ready)


def test_create_install_update_remove_rename(user) -> None:
    for name, args in (
        ("create", ["create", "-n", "demo", "app=1.0", "-y"]),
        ("install", ["install", "-n", "demo", "zlib=1.2.13", "-y"]),
        ("update", ["update", "-n", "demo", "app", "-y"]),
        ("remove", ["remove", "-n", "demo", "app", "-y"]),
        ("rename", ["rename", "-n", "demo", "moved", "-y"]),
        ("env_remove", ["env", "remove", "-n", "moved", "-y"]),
    ):
        r = user.run(*args, "--json")
        assert r.returncode == 0, r.stdout + r.stderr
        check(name, json.loads(r.stdout), user)
