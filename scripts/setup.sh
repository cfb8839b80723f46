#!/usr/bin/env bash
# Set up csgo_env on a Debian/Ubuntu machine, fresh or not, in a project virtual environment:
#   1. system packages: Xvfb and the X client libraries (apt-get; through sudo when not
#      root); skipped when present, reported with the exact command when neither works;
#   2. the virtual environment (made once, then reused); nothing goes into the system
#      interpreter;
#   3. torch, kept when already installed there; otherwise the CPU build on a machine
#      without a CUDA GPU;
#   4. the project, editable, with its dev extra (skipped while pyproject.toml is unchanged).
# Safe to run again; with everything in place it only checks, in a few seconds.
#
# Environment variables:
#   CSGO_ENV_VENV   the virtual environment's folder (default: .venv in the repository;
#                   a relative path is taken from the repository's root)
#   CSGO_ENV_TORCH  which torch build to install when the environment has none:
#                     auto     (default) cpu without a working nvidia-smi, else cuda
#                     cpu      PyTorch's CPU wheel index; when it cannot be reached, the
#                              default index (the line after the install says which build)
#                     cuda     the default index, whose Linux wheels are CUDA builds
#                     default  the default index, whatever it serves
#   PYTHON          the interpreter that makes the environment (default: python3, >= 3.10)
# OpenArena (scripts/setup_openarena.sh) is installed with the system packages; set
#   CSGO_ENV_SKIP_OPENARENA=1 to skip it and its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd -P)

PYTHON=${PYTHON:-python3}
VENV=${CSGO_ENV_VENV:-.venv}
case $VENV in /*) ;; *) VENV=$ROOT/$VENV ;; esac
VPY=$VENV/bin/python
TORCH_VERSION=2.13.0
TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu
TORCH_CHOICE=${CSGO_ENV_TORCH:-auto}
PIP_FLAGS=(--disable-pip-version-check)
problems=()

step() { printf '\n==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }

case $TORCH_CHOICE in
  auto|cpu|cuda|default) ;;
  *) echo "CSGO_ENV_TORCH must be auto, cpu, cuda or default, got '$TORCH_CHOICE'" >&2; exit 2 ;;
esac

# --- the interpreter -----------------------------------------------------------------------
step "Python: $PYTHON"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "no '$PYTHON' on PATH: install Python >= 3.10 (sudo apt-get install -y python3" \
       "python3-venv) or name one with PYTHON=/path/to/python3" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "$("$PYTHON" --version 2>&1) is too old: csgo_env needs Python >= 3.10" \
       "(name another with PYTHON=/path/to/python3)" >&2
  exit 1
fi
PYVER=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
say "$("$PYTHON" --version 2>&1) at $(command -v "$PYTHON")"

# --- system packages -----------------------------------------------------------------------
# Xvfb, and the X client libraries loaded at run time: mss (xcb, Xrandr, Xfixes) and the SDL
# bundled with pygame (Xi for raw relative mouse motion, Xcursor, Xinerama, Xss, xkbcommon).
APT_PACKAGES=(xvfb libx11-6 libxext6 libxi6 libxcursor1 libxrandr2 libxfixes3 libxinerama1
              libxss1 libxkbcommon0 libxcb1 libxcb-render0 libxcb-shm0 libxcb-randr0
              libxcb-xfixes0)
step "system packages: Xvfb and the X client libraries"
if command -v dpkg-query >/dev/null 2>&1; then
  need_apt=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || need_apt+=("$pkg")
  done
  # Debian ships the venv module of its Python apart from the interpreter.
  if [ ! -x "$VPY" ] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    need_apt+=("python${PYVER}-venv")
  fi
  if [ ${#need_apt[@]} -eq 0 ]; then
    say "all ${#APT_PACKAGES[@]} present"
  else
    say "missing: ${need_apt[*]}"
    if [ "$(id -u)" -eq 0 ]; then
      as_root=()
    elif command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
      say "not root: installing through sudo"
    else
      as_root=(none)
    fi
    if [ "${as_root[*]}" != none ] && "${as_root[@]}" apt-get update \
        && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${need_apt[@]}"
    then
      say "installed: ${need_apt[*]}"
    else
      problems+=("system packages missing; install them with:
      sudo apt-get update && sudo apt-get install -y ${need_apt[*]}")
      say "could not install them (no root, no working sudo): see the end"
    fi
  fi
elif command -v Xvfb >/dev/null 2>&1; then
  say "not Debian/Ubuntu; Xvfb is present (the X client libraries are not checked)"
else
  problems+=("Xvfb is missing and this is not a Debian/Ubuntu system: install Xvfb and the
      X client libraries (X11, Xext, Xi, Xcursor, Xrandr, Xfixes, Xinerama, Xss, xkbcommon,
      xcb) with the system's package manager")
  say "not Debian/Ubuntu and no Xvfb: see the end"
fi

# --- OpenArena, the real game of the CI (a no-op when installed) -------------------------
step "OpenArena"
bash scripts/setup_openarena.sh

# --- the virtual environment ---------------------------------------------------------------
step "virtual environment: $VENV"
if [ -x "$VPY" ]; then
  if ! "$VPY" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' 2>/dev/null; then
    echo "$VENV exists but is not a working virtual environment: remove it" \
         "(rm -r $VENV) or choose another folder with CSGO_ENV_VENV" >&2
    exit 1
  fi
  say "reusing it ($("$VPY" --version 2>&1))"
elif [ -e "$VENV" ] && [ -n "$(ls -A "$VENV" 2>/dev/null)" ]; then
  echo "$VENV exists and is not a virtual environment: choose another folder with" \
       "CSGO_ENV_VENV" >&2
  exit 1
else
  if ! "$PYTHON" -m venv "$VENV"; then
    echo "cannot make a virtual environment with $PYTHON; on Debian/Ubuntu install its" \
         "venv module: sudo apt-get install -y python${PYVER}-venv" >&2
    exit 1
  fi
  say "made it with $("$VPY" --version 2>&1)"
fi

# --- torch -----------------------------------------------------------------------------------
torch_build() {
  "$VPY" -c 'import torch
cuda = torch.version.cuda
print(torch.__version__, "(CUDA %s build)" % cuda if cuda else "(CPU build)")'
}
step "torch"
if build=$(torch_build 2>/dev/null); then
  say "keeping the installed torch $build"
  say "to replace it: $VPY -m pip uninstall -y torch, then run this again (CSGO_ENV_TORCH" \
      "chooses the build)"
else
  choice=$TORCH_CHOICE
  if [ "$choice" = auto ]; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
      choice=cuda
      say "CSGO_ENV_TORCH=auto: nvidia-smi sees a GPU, so the CUDA build"
    else
      choice=cpu
      say "CSGO_ENV_TORCH=auto: no CUDA GPU (nvidia-smi absent or failing), so the CPU build"
    fi
  fi
  source_used=""
  if [ "$choice" = cpu ]; then
    if "$VPY" - "$TORCH_CPU_INDEX/torch/" <<'EOF'
import sys
import urllib.request

try:
    urllib.request.urlopen(sys.argv[1], timeout=10).close()
except Exception as exc:
    print(f"    PyTorch's CPU wheel index cannot be reached ({exc})")
    sys.exit(1)
EOF
    then
      say "installing torch==$TORCH_VERSION from PyTorch's CPU wheel index $TORCH_CPU_INDEX"
      if "$VPY" -m pip install "${PIP_FLAGS[@]}" --index-url "$TORCH_CPU_INDEX" \
          "torch==$TORCH_VERSION"; then
        source_used="PyTorch's CPU wheel index"
      fi
    fi
    [ -n "$source_used" ] || say "falling back to the default index"
  fi
  if [ -z "$source_used" ]; then
    say "installing torch==$TORCH_VERSION from the default index"
    if [ "$choice" = cpu ]; then
      say "(on Linux x86-64 it serves the CUDA build, several GB with its nvidia-* packages,"
      say "unless pip also sees a CPU wheel, e.g. a folder of wheels: PIP_FIND_LINKS=DIR)"
    fi
    "$VPY" -m pip install "${PIP_FLAGS[@]}" "torch==$TORCH_VERSION"
    source_used="the default index"
  fi
  build=$(torch_build 2>/dev/null)
  say "installed torch $build from $source_used"
  case "$choice:$build" in
    cpu:*CUDA*)
      say "that is not the CPU build you asked for: the CPU index could not be reached and"
      say "the default index serves CUDA builds (with gigabytes of nvidia-* packages). For"
      say "the CPU build remove the environment (rm -r $VENV) and run this again once the"
      say "index is reachable, or with a folder holding a CPU wheel: PIP_FIND_LINKS=DIR" ;;
    cuda:*CPU*)
      say "the default index served a CPU build; for a CUDA build install torch from"
      say "PyTorch's index for your CUDA version (https://pytorch.org/get-started/locally/)" ;;
  esac
  say "another build: $VPY -m pip uninstall -y torch, then CSGO_ENV_TORCH=cpu|cuda|default" \
      "bash scripts/setup.sh"
fi

# --- the project -----------------------------------------------------------------------------
step "csgo-env, editable, with its dev extra"
stamp=$VENV/.csgo_env_setup
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $ROOT"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && (cd / && "$VPY" -c 'import sys, csgo_env
sys.exit(not csgo_env.__file__.startswith(sys.argv[1]))' "$ROOT/") 2>/dev/null; then
  say "up to date (pyproject.toml unchanged since the last install)"
else
  "$VPY" -m pip install "${PIP_FLAGS[@]}" -e ".[dev]"
  printf '%s\n' "$want" > "$stamp"
fi

# --- done ------------------------------------------------------------------------------------
step "summary"
say "environment: $VENV ($("$VPY" --version 2>&1), torch $build)"
say "use it: $VENV/bin/csgo-env demo, or activate it first: source $VENV/bin/activate"
if [ ${#problems[@]} -gt 0 ]; then
  for p in "${problems[@]}"; do echo "setup incomplete: $p" >&2; done
  exit 1
fi
say "setup complete"
