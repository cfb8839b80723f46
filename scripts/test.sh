#!/usr/bin/env bash
# Set up (scripts/setup.sh), then run the linter, the type checker and the whole test suite
# with the project's virtual environment ($CSGO_ENV_VENV, default .venv). Arguments are
# passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VENV=${CSGO_ENV_VENV:-.venv}
case $VENV in /*) ;; *) VENV=$(pwd -P)/$VENV ;; esac
echo
echo "==> ruff"
"$VENV/bin/python" -m ruff check csgo_env tests scripts
echo
echo "==> mypy"
"$VENV/bin/python" -m mypy  # csgo_env/, configured in pyproject.toml
echo
echo "==> pytest"
"$VENV/bin/python" -m pytest -q "$@"
