"""Scenarios that fail today because of a gap in another package: kept out of the collected suite (pytest collects
`test_*.py` only) so CI stays green. docs/integration.md lists each with its owner; when one is fixed, move its test
into the matching test module. Run them with:

    .venv/bin/python -m pytest -p no:cacheprovider tests-integration/pending_gaps.py
"""

from __future__ import annotations

from pathlib import Path

from ._helpers import User, serve, shared_data, tree


def test_removal_leaves_no_empty_pycache_folder(tmp_path: Path) -> None:
    """cantil-link: a pyc that could not be compiled (no runnable python) leaves an empty __pycache__ folder that
    survives removal, with its parents (conda removes the folders it emptied)."""
    with serve(shared_data("channels", "conda-test-recipes")) as server:
        user = User(tmp_path, [server.url])
        env = user.prefix("py")
        user.ok("create", "-n", "py", "python=3.99.99", "sample_noarch_python")
        user.ok("remove", "-n", "py", "python", "pip", "sample_noarch_python")
        assert set(tree(env)) == {"conda-meta"}
