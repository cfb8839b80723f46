"""Where OpenArena is installed: the engine's client and dedicated server, the game data.

The Debian packages ``openarena`` and ``openarena-server`` (``scripts/setup_openarena.sh``
installs them) put the ioquake3 engine in ``/usr/lib/ioquake3`` (``ioquake3``, the client;
``ioq3ded``, the dedicated server) and OpenArena's data and game modules in
``/usr/lib/openarena/baseoa``. ``CSGO_ENV_OPENARENA_ENGINE`` and
``CSGO_ENV_OPENARENA_BASEPATH`` point elsewhere (another install prefix).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from csgo_env.errors import DependencyMissing, explain

ENGINE_DIRS: tuple[str, ...] = ("/usr/lib/ioquake3",)
BASEPATHS: tuple[str, ...] = ("/usr/lib/openarena",)
CLIENT_BINARY = "ioquake3"
SERVER_BINARY = "ioq3ded"
GAME_DIR = "baseoa"
SETUP_FIX = ("install it: bash scripts/setup_openarena.sh (Debian/Ubuntu: apt-get install "
             "openarena openarena-server)")


@dataclass(frozen=True)
class OpenArenaInstall:
    """The two engine programs and the base path holding ``baseoa/``."""

    client: Path
    server: Path
    basepath: Path


def _candidates(variable: str, defaults: tuple[str, ...]) -> list[Path]:
    given = os.environ.get(variable)
    return [Path(given)] if given else [Path(d) for d in defaults]


def find_install() -> OpenArenaInstall:
    """The installed OpenArena, or :class:`DependencyMissing` naming what is missing."""
    engines = _candidates("CSGO_ENV_OPENARENA_ENGINE", ENGINE_DIRS)
    bases = _candidates("CSGO_ENV_OPENARENA_BASEPATH", BASEPATHS)
    engine = next((d for d in engines if os.access(d / CLIENT_BINARY, os.X_OK)
                   and os.access(d / SERVER_BINARY, os.X_OK)), None)
    base = next((b for b in bases if (b / GAME_DIR).is_dir()
                 and any((b / GAME_DIR).glob("pak0.pk3"))), None)
    if engine is None or base is None:
        missing = []
        if engine is None:
            missing.append(f"{CLIENT_BINARY} and {SERVER_BINARY} in "
                           f"{' or '.join(map(str, engines))}")
        if base is None:
            missing.append(f"{GAME_DIR}/pak0.pk3 in {' or '.join(map(str, bases))}")
        raise DependencyMissing(explain("OpenArena is not installed",
                                        expected="the ioquake3 engine and the OpenArena data",
                                        got="missing: " + "; ".join(missing), fix=SETUP_FIX))
    return OpenArenaInstall(engine / CLIENT_BINARY, engine / SERVER_BINARY, base)


def installed() -> bool:
    """Whether :func:`find_install` would succeed."""
    try:
        find_install()
    except DependencyMissing:
        return False
    return True
