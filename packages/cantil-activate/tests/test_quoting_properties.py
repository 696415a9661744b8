"""Property: any text without NUL, exported by the generated code, is read back unchanged by the real shell."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cantil.activate._syntax import SYNTAXES

from ._shells import dump_env_command, read_env, run_script

VALUES = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
    min_size=1,
    max_size=8,
)
EXT = {"bash": ".sh", "zsh": ".sh", "posix": ".sh", "fish": ".fish", "tcsh": ".csh", "xonsh": ".xsh"}
EXAMPLES = {"xonsh": 4}


def _roundtrip(shell: str, values: list[str]) -> dict[str, str]:
    syntax = SYNTAXES[shell]()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        out = base / "env.out"
        text = syntax.join([syntax.export(f"V{i}", v) for i, v in enumerate(values)])
        script = base / f"s{EXT[shell]}"
        script.write_text(text + dump_env_command(shell, out) + "\n", encoding="utf-8")
        done: subprocess.CompletedProcess[str] = run_script(shell, script, {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        assert done.returncode == 0, done.stderr
        return read_env(out)


@pytest.mark.parametrize("shell", ["bash", "zsh", "posix", "fish", "tcsh", "xonsh"])
def test_any_value_round_trips(shell: str) -> None:
    @settings(max_examples=EXAMPLES.get(shell, 12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(VALUES)
    def check(values: list[str]) -> None:
        env = _roundtrip(shell, values)
        assert [env.get(f"V{i}") for i in range(len(values))] == values

    check()
