"""The OpenArena client: a window on the current X display, connected to the local server.

Its console output goes to ``console.log`` in its home folder (read back for error
messages); its stdin is its console (``quit`` stops it). ``SDL_VIDEODRIVER=x11`` is passed
explicitly: after a video restart SDL was seen to fall back to its offscreen driver.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from csgo_env.errors import GameError, explain
from csgo_env.game.openarena import children
from csgo_env.game.openarena.commands import MatchSettings, client_argv
from csgo_env.game.openarena.install import OpenArenaInstall


class GameClient:
    """``ioquake3`` for one match (nothing runs before :meth:`start`)."""

    def __init__(self, install: OpenArenaInstall, settings: MatchSettings, home: Path,
                 env: Mapping[str, str]) -> None:
        self.argv = client_argv(install, settings, home)
        self.home = home
        self.env = {**env, "SDL_VIDEODRIVER": "x11", "SDL_AUDIODRIVER": "dummy"}
        self.log_path = home / "console.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise GameError("the OpenArena client is not started")
        return self.proc.pid

    def start(self) -> None:
        """Start the client (it connects by itself); needs ``DISPLAY`` in its environment."""
        if not self.env.get("DISPLAY"):
            raise GameError(explain("the OpenArena client needs an X display",
                                    expected="DISPLAY set", got="DISPLAY unset",
                                    fix="run under Xvfb (e.g. xvfb-run) or a desktop session"))
        with open(self.log_path, "ab") as log:
            self.proc = children.spawn(self.argv, env=self.env, cwd=self.home, stdout=log,
                                       stderr=subprocess.STDOUT)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail_text(self, lines: int = 12) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(max(0, os.path.getsize(self.log_path) - 4000))
                text = fh.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return "no client output"
        return "last client lines: " + " | ".join(text[-lines:])

    def failure(self, what: str) -> GameError:
        code = None if self.proc is None else self.proc.poll()
        return GameError(explain(f"the OpenArena client {what}",
                                 got=f"exit code {code}; {self.tail_text()}",
                                 fix="check DISPLAY and software OpenGL (libgl1-mesa-dri)"))

    def stop(self) -> None:
        """Quit, then kill (idempotent)."""
        if self.proc is not None:
            children.stop_child(self.proc, quit_line="quit")
