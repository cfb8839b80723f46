#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the linter, the type checker and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m ruff check csgo_env tests scripts
python3 -m mypy  # csgo_env/, configured in pyproject.toml
python3 -m pytest -q "$@"
