#!/usr/bin/env bash
# Set up and run every test of cantil: lint, typecheck, each package's tests in its own venv, the integration suite,
# and the wheel build check. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real shells for the activation tests (Debian packages; as root, as on CI). xonsh comes from PyPI in the test venvs.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=""
  for s in bash zsh dash fish tcsh; do command -v "$s" >/dev/null 2>&1 || missing="$missing $s"; done
  if [ -n "$missing" ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
fi

python3 -m pip install -q "nox>=2024.4" "uv>=0.4"
if [ ! -d ../shared/data ]; then
  echo "error: ../shared/data is missing: the tests read the real repodata and packages there" >&2
  exit 1
fi
exec python3 -m nox --no-color -s lint typecheck tests integration build "$@"
