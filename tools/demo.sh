#!/usr/bin/env bash
# The newcomer's example (README): set up a venv with cantil and run it on real data.
# Until the full CLI lands, this parses and matches specs over the real repodata in ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q "uv>=0.4"
[ -x .demo-venv/bin/python ] || uv venv -q .demo-venv
uv pip install -q --python .demo-venv/bin/python -e packages/cantil-specs
exec .demo-venv/bin/python tools/demo_specs.py "$@"
