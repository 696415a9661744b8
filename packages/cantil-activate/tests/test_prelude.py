"""The activation prelude cantil-link sources before a package script: bash text, evaluated by real bash."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cantil.activate import ActivationSettings, activation_prelude

from ._shells import shell_exe
from .conftest import make_env


def test_a_script_after_the_prelude_runs_inside_the_environment(tmp_path: Path) -> None:
    prefix = make_env(
        tmp_path / "new env",
        scripts={"activate.d/pkg.sh": 'export PKG_HOME="$CONDA_PREFIX/share/pkg"\n'},
        state={"MY_VAR": "it's here"},
    )
    (prefix / "bin").mkdir()
    tool = prefix / "bin" / "envtool"
    tool.write_text("#!/bin/sh\necho from-env\n")
    tool.chmod(0o755)
    text = activation_prelude(prefix, ActivationSettings(tmp_path / "root", exe="/x/cantil"), {"PATH": "/usr/bin:/bin"})
    post_link = text + 'printf "%s|%s|%s|%s|%s\\n" "$CONDA_PREFIX" "$PKG_HOME" "$MY_VAR" "$(envtool)" "${PS1-unset}"\n'
    done = subprocess.run([shell_exe("bash"), "-c", post_link], capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.stdout == f"{prefix}|{prefix}/share/pkg|it's here|from-env|unset\n"


def test_prelude_needs_no_conda_meta_and_stacks_on_an_active_env(tmp_path: Path) -> None:
    prefix = tmp_path / "fresh"
    prefix.mkdir()
    outer = {"PATH": "/outer/bin:/usr/bin", "CONDA_PREFIX": "/outer", "CONDA_SHLVL": "1"}
    lines = activation_prelude(prefix, None, outer).splitlines()
    assert f"export PATH='{prefix}/bin:/outer/bin:/usr/bin'" in lines
    assert "export CONDA_SHLVL='2'" in lines
    assert not any(line.startswith("PS1=") for line in lines)
