#!/usr/bin/env bash
# The README's first command, on a fresh machine (Python >= 3.10, bash): set up a venv with cantil and cantil-tools
# from this repository, build the sample channel, serve it on 127.0.0.1, `cantil create -n demo ...` into an isolated
# root prefix under a temporary directory, activate it in bash and run programs from it (tools/demo_e2e.py).
# `bash tools/demo.sh --specs` runs the earlier, specs-only demo over ../shared/data (tools/demo_specs.py).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -m uv --version >/dev/null 2>&1; then
  python3 -m pip install -q "uv>=0.4"
fi
[ -x .demo-venv/bin/python ] || python3 -m uv venv -q .demo-venv
if [ "${1:-}" = "--specs" ]; then
  shift
  python3 -m uv pip install -q --python .demo-venv/bin/python -e packages/cantil-specs
  exec .demo-venv/bin/python tools/demo_specs.py "$@"
fi
python3 -m uv pip install -q --python .demo-venv/bin/python -e packages/cantil-specs -e packages/cantil-repodata \
  -e packages/cantil-solver -e packages/cantil-link -e packages/cantil-activate -e packages/cantil-cli \
  -e packages/cantil -e tools
exec .demo-venv/bin/python tools/demo_e2e.py "$@"
