"""Fixtures: environments laid out in tmp_path (conda-meta/, activate.d/deactivate.d scripts, env_vars)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cantil.activate import ActivationSettings


def make_env(prefix: Path, *, scripts: dict[str, str] | None = None, env_vars: dict[str, dict[str, str]] | None = None,
             state: dict[str, str] | None = None) -> Path:
    """A prefix with conda-meta/; scripts: {"activate.d/x.sh": text}; env_vars: {"pkg.json": {...}}."""
    (prefix / "conda-meta").mkdir(parents=True, exist_ok=True)
    for rel, text in (scripts or {}).items():
        p = prefix / "etc" / "conda" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    for name, values in (env_vars or {}).items():
        d = prefix / "etc" / "conda" / "env_vars.d"
        d.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(json.dumps(values))
    if state is not None:
        (prefix / "conda-meta" / "state").write_text(json.dumps({"env_vars": state}))
    return prefix


class Layout:
    def __init__(self, base: Path) -> None:
        self.root = make_env(base / "root")
        self.envs = base / "root" / "envs"
        self.one = make_env(self.envs / "one")
        self.two = make_env(base / "elsewhere" / "two")
        self.settings = ActivationSettings(self.root, [self.envs], exe="/opt/cantil/bin/cantil")


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return Layout(tmp_path)
