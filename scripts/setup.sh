#!/usr/bin/env bash
# Set up csgo_env for development on a fresh Debian/Ubuntu machine (or an existing one):
# Xvfb (Debian) for the GUI tests, the CPU build of torch, then the project with its
# dev extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}

need_apt=()
command -v Xvfb >/dev/null 2>&1 || need_apt+=(xvfb)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# torch first, pinned, so that no other requirement pulls a CUDA build.
if ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then
  "$PYTHON" -m pip install -q torch==2.13.0
fi
"$PYTHON" -m pip install -q -e ".[dev]"
