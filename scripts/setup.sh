#!/usr/bin/env bash
# Set up csgo_env for development on a fresh Debian/Ubuntu machine (or an existing one):
# Xvfb and X libraries (Debian) for the GUI tests, OpenArena (scripts/setup_openarena.sh),
# the CPU build of torch, then the project with its dev extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}

# Xvfb, and the X client libraries loaded at run time: mss (xcb, Xrandr, Xfixes) and the SDL
# bundled with pygame (Xi for raw relative mouse motion, Xcursor, Xinerama, Xss, xkbcommon).
APT_PACKAGES=(xvfb libx11-6 libxext6 libxi6 libxcursor1 libxrandr2 libxfixes3 libxinerama1
              libxss1 libxkbcommon0 libxcb1 libxcb-render0 libxcb-shm0 libxcb-randr0
              libxcb-xfixes0)
need_apt=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || need_apt+=("$pkg")
  done
elif ! command -v Xvfb >/dev/null 2>&1; then
  echo "Xvfb is missing and this is not a Debian/Ubuntu system: install Xvfb and the X" \
       "client libraries (Xi, Xrandr, Xfixes, xcb) with your package manager" >&2
  exit 1
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# OpenArena, the real game of the CI (a no-op when installed; CSGO_ENV_SKIP_OPENARENA=1
# skips it and its tests).
bash scripts/setup_openarena.sh

# torch first, pinned, so that no other requirement pulls a CUDA build.
if ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then
  "$PYTHON" -m pip install -q torch==2.13.0
fi
"$PYTHON" -m pip install -q -e ".[dev]"
