#!/usr/bin/env bash
# The benchmark on a real game, in one command (outside CI; about 72 minutes on a 2-core CPU):
#   bash scripts/openarena_benchmark.sh [RESULTS_DIR]
# 1. records bot demonstrations and builds openarena/dm1-bots-{train,test}-v0 under
#    runs/openarena_bots (scripts/openarena_demos.py; a finished match is kept on a rerun),
# 2. runs `csgo-env benchmark --config baselines/openarena.yaml`: BC, CQL and IQL x 3 seeds,
#    offline metrics on the test split, 5 live runs per agent (random, the scripted sweep
#    and the three algorithms) against the bots, coverage and outcomes against the bots' own
#    play, rliable aggregates, tables and figures (default RESULTS_DIR:
#    <data home>/benchmark/openarena-dm1-bots). Every stage resumes when run again.
# Needs the game (bash scripts/setup_openarena.sh), a display or Xvfb for the live client,
# and the project's environment (bash scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CSGO_ENV_VENV:-.venv}
PY="$VENV/bin/python"
"$PY" scripts/openarena_demos.py --recordings 10 --seconds 40 --spectators 3 \
    --out runs/openarena_bots
OUT=()
if [ $# -ge 1 ]; then OUT=(--out "$1"); fi
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
    exec xvfb-run -a -s "-screen 0 1280x1024x24" "$VENV/bin/csgo-env" benchmark \
        --config baselines/openarena.yaml "${OUT[@]}"
fi
exec "$VENV/bin/csgo-env" benchmark --config baselines/openarena.yaml "${OUT[@]}"
