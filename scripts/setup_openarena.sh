#!/usr/bin/env bash
# Install OpenArena (the real game the CI plays: ioquake3 engine, Debian packages openarena
# and openarena-server, ~470 MB) and software OpenGL (Mesa llvmpipe) for it. A fast no-op
# when everything is installed. Set CSGO_ENV_SKIP_OPENARENA=1 to skip it (the OpenArena
# tests then skip, naming this script).
set -euo pipefail

if [ "${CSGO_ENV_SKIP_OPENARENA:-0}" = "1" ]; then
  echo "setup_openarena: skipped (CSGO_ENV_SKIP_OPENARENA=1)"
  exit 0
fi
PACKAGES=(openarena openarena-server libgl1-mesa-dri)
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  if [ -x /usr/lib/ioquake3/ioquake3 ] && [ -x /usr/lib/ioquake3/ioq3ded ]; then exit 0; fi
  echo "setup_openarena: not a Debian/Ubuntu system; install OpenArena 0.8.8 (ioquake3" \
       "client and dedicated server) with your package manager, or set" \
       "CSGO_ENV_OPENARENA_ENGINE and CSGO_ENV_OPENARENA_BASEPATH" >&2
  exit 1
fi
need=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "setup_openarena: installing ${need[*]} (about a minute)"
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  "${need[@]}"
# openarena-server enables a public server on UDP 27960 as a system service; the tests
# start their own on loopback, so keep that one off where systemd runs.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now openarena-server.service >/dev/null 2>&1 || true
fi
