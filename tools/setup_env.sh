#!/usr/bin/env bash
# Create (or reuse) a virtual environment and install the package with its dev tools.
# VENV picks the folder (default .venv). CPU-only machines need constraints-cpu.txt (see its comments).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
stamp=$(cat settings.ini constraints-cpu.txt setup.py | sha1sum | cut -c1-12)
if [ -f "$VENV/.installed-$stamp" ]; then exit 0; fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q -U pip
"$VENV/bin/python" -m pip install -q -c constraints-cpu.txt -e ".[dev]"
touch "$VENV/.installed-$stamp"
