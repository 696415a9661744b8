"""Sessions for the cantil monorepo.

Each distribution is tested installed ALONE (non-editable, with only its declared dependencies, its `test` extra and
the dev-only cantil-tools) in a fresh virtual environment, so a missing dependency declaration fails here.

    nox -s tests            every package's tests (one session each: tests-specs, tests-solver, ...)
    nox -s integration      tests-integration/ against the real `cantil` command and a loopback channel
    nox -s lint typecheck   ruff (and import-linter), mypy
    nox -s build            build every wheel, install each alone in a clean venv and import it
    nox -s bench            regenerate the tables in docs/performance.md
    nox -s tests-slow       the slow hypothesis profiles (not in CI)
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PY = os.environ.get("CANTIL_NOX_PYTHON") or None  # the interpreter running nox unless told otherwise

# dist -> the sibling distributions it declares (runtime), in install order.
DISTS: dict[str, list[str]] = {
    "specs": [],
    "activate": [],
    "repodata": ["specs"],
    "solver": ["specs"],
    "link": ["specs"],
    "cli": ["specs", "repodata", "solver", "link", "activate"],
}
# dists whose tests use the dev-only cantil-tools (package builder, channel server, load_channel)
USES_TOOLS = {"repodata", "solver", "link", "cli"}
# dev-only differential oracles (always run in child processes by the tests that use them)
ORACLES = ["py-rattler>=0.28,<0.29", "conda-package-streaming>=0.9"]
XDIST = ["-n", os.environ.get("CANTIL_TEST_WORKERS", "auto")]


def _path(dist: str) -> str:
    return str(ROOT / "packages" / f"cantil-{dist}")


def _install_dist(session: nox.Session, dist: str) -> None:
    args = [_path(d) for d in DISTS[dist]]
    if dist in USES_TOOLS:
        args.append(str(ROOT / "tools"))
    args.append(f"{_path(dist)}[test]")
    session.install(*args, *ORACLES)


def _pytest(session: nox.Session, *paths: str) -> None:
    session.run("python", "-m", "pytest", *XDIST, *paths, *session.posargs, env={"PYTHONDONTWRITEBYTECODE": "1"})


for _dist in DISTS:

    def _make(dist: str) -> None:
        @nox.session(name=f"tests-{dist}", python=PY)
        def _session(session: nox.Session) -> None:
            _install_dist(session, dist)
            _pytest(session, str(ROOT / "packages" / f"cantil-{dist}" / "tests"))

    _make(_dist)


@nox.session(name="tests-tools", python=PY)
def tests_tools(session: nox.Session) -> None:
    session.install(_path("specs"), f"{ROOT / 'tools'}[test]", *ORACLES)
    _pytest(session, str(ROOT / "tools" / "tests"))


@nox.session(python=PY)
def tests(session: nox.Session) -> None:
    """Every package's isolated test session."""
    session.notify("tests-tools")
    for dist in DISTS:
        session.notify(f"tests-{dist}")


def _install_all(session: nox.Session, *extra: str) -> None:
    dists = [_path(d) for d in DISTS] + [str(ROOT / "packages" / "cantil"), f"{ROOT / 'tools'}[test]"]
    session.install(*dists, *extra)


@nox.session(python=PY)
def integration(session: nox.Session) -> None:
    _install_all(session, f"{_path('cli')}[test]", *ORACLES)
    _pytest(session, str(ROOT / "tests-integration"))


@nox.session(python=PY)
def lint(session: nox.Session) -> None:
    session.install("ruff==0.17.6", "import-linter>=2")
    session.run("ruff", "check", ".")
    _install_all(session)
    session.run("lint-imports", "--config", str(ROOT / "pyproject.toml"))


@nox.session(python=PY)
def typecheck(session: nox.Session) -> None:
    session.install("mypy==2.4.1", "types-requests", "msgpack", "zstandard", "pycosat", "ruamel.yaml", "pytest", "hypothesis")
    src = [str(ROOT / "packages" / f"cantil-{d}" / "src" / "cantil" / d) for d in DISTS]
    session.run("mypy", *src, str(ROOT / "tools" / "src" / "cantil_tools"))


@nox.session(python=PY)
def build(session: nox.Session) -> None:
    """Build every wheel, then install each dist with only its declared dependencies and import it."""
    session.install("uv")
    out = Path(session.create_tmp()) / "dist"
    for p in [*[ROOT / "packages" / f"cantil-{d}" for d in DISTS], ROOT / "packages" / "cantil", ROOT / "tools"]:
        session.run("uv", "build", "--wheel", "-q", "--out-dir", str(out), str(p))
    session.run("python", str(ROOT / "tools" / "check_wheels.py"), str(out))


@nox.session(python=PY)
def bench(session: nox.Session) -> None:
    _install_all(session, "py-rattler>=0.28,<0.29")
    session.run("python", str(ROOT / "tools" / "bench" / "run.py"), *session.posargs)


@nox.session(name="tests-slow", python=PY)
def tests_slow(session: nox.Session) -> None:
    """The slow hypothesis profiles (not in CI): many more examples for the specs properties."""
    _install_dist(session, "specs")
    session.run("python", "-m", "pytest", *XDIST, str(ROOT / "packages" / "cantil-specs" / "tests"), *session.posargs,
                env={"CANTIL_SLOW_TESTS": "1", "CANTIL_HYPOTHESIS_EXAMPLES": "5000"})
