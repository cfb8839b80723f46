"""The ``openarena`` launcher: a local match (dedicated server, bots, our client), per run.

:meth:`OpenArenaLauncher.launch` makes a fresh folder with one home for the server and one
for the client (saved settings never leak between runs), picks free UDP ports on
127.0.0.1, starts the server with its map and bots, starts the client under the current
``DISPLAY`` with a unique player name, and returns once the client is in the game and the
server's log has confirmed which slot is ours (:mod:`~csgo_env.game.openarena.kill_feed`).
:meth:`OpenArenaGame.close` quits and kills both programs and deletes the folder; both are
also killed by the kernel if this process dies (:mod:`~csgo_env.game.openarena.children`).
A folder whose owner died without closing (killed outright) is deleted by the next launch
(:func:`sweep_stale_runs`).
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from csgo_env._pids import pid_alive
from csgo_env.errors import EnvTimeout, GameError, OffsetsOutdated, explain
from csgo_env.game.profiles import OPENARENA, GameProfile

if TYPE_CHECKING:
    from csgo_env.game.event_feed import EventFeed
    from csgo_env.game.input.backends import InputBackend
    from csgo_env.game.memory.attach import PoseProvider
    from csgo_env.game.memory.pose import Pose
    from csgo_env.game.openarena.client import GameClient
    from csgo_env.game.openarena.client_memory import CgameReader
    from csgo_env.game.openarena.kill_feed import KillFeed
    from csgo_env.game.openarena.server import DedicatedServer
    from csgo_env.game.session_config import SessionConfig

C = TypeVar("C", bound="SessionConfig")

RUN_PREFIX = "csgo_env_openarena_"
OWNER_FILE = "owner.pid"


def sweep_stale_runs(root: Path | None = None) -> list[Path]:
    """Delete the run folders under ``root`` (the temp folder) whose owner process is gone;
    return them."""
    root = Path(tempfile.gettempdir()) if root is None else root
    removed = []
    for folder in root.glob(RUN_PREFIX + "*"):
        try:
            owner = int((folder / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue  # being made right now, or not ours
        if not pid_alive(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def free_udp_ports(n: int) -> list[int]:
    """``n`` distinct UDP ports that are free on 127.0.0.1 now."""
    sockets = []
    try:
        for _ in range(n):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


class _ClientPose:
    """The pose from the game's client reader (closing it is the game's job)."""

    def __init__(self, reader: CgameReader) -> None:
        self.reader = reader

    def read(self) -> Pose:
        return self.reader.read().pose

    def close(self) -> None:
        """The reader stays open until the game closes."""


class OpenArenaGame:
    """A running match: the server, the client, the log feed and the client's memory.

    ``pid`` is the client's (its window is captured, its memory read).
    """

    offsets_path: Path | None = None
    input_log: Path | None = None
    synthetic: bool = False  # real play, against the game's own bots

    def __init__(self, server: DedicatedServer, client: GameClient, kills: KillFeed,
                 folder: Path, memory_backend: str) -> None:
        self.server, self.client, self.kills = server, client, kills
        self.folder: Path | None = folder
        self.memory_backend = memory_backend
        self.reader: CgameReader | None = None
        self.events: EventFeed | None = None
        self.pid: int | None = None

    def start(self, timeout_s: float) -> None:
        """Start the server, then the client; wait until the client is ours in the game."""
        deadline = time.monotonic() + timeout_s
        self.server.start(timeout_s)
        self.client.start()
        self.pid = self.client.pid
        self._wait_in_game(deadline, timeout_s)

    def _wait_in_game(self, deadline: float, timeout_s: float) -> None:
        from csgo_env.game.memory.readers import open_process
        from csgo_env.game.openarena.client_memory import CgameReader
        from csgo_env.game.openarena.feed import OpenArenaFeed

        assert self.pid is not None
        why = "the client has not entered the map"
        while True:
            if not self.server.running():
                raise self.server.failure("exited")
            if not self.client.running():
                raise self.client.failure("exited before entering the game")
            if self.reader is None:
                self.reader = CgameReader(open_process(self.pid, backend=self.memory_backend))
            try:
                view = self.reader.read()
                if self.kills.identify(view.client_num):
                    self.events = OpenArenaFeed(self.kills, self.reader)
                    return
                why = f"the server's log has not shown slot {view.client_num} yet"
            except OffsetsOutdated:
                raise
            except GameError as exc:
                why = str(exc).splitlines()[0]
            if time.monotonic() >= deadline:
                raise EnvTimeout(explain(
                    "the OpenArena client did not enter the game",
                    expected=f"in the game within {timeout_s:g} s", got=why,
                    fix="raise startup_timeout_s on a busy machine; "
                        f"{self.client.tail_text(6)}"))
            time.sleep(0.05)

    def process_id(self) -> int:
        if self.pid is None:
            raise GameError("the OpenArena client is not started")
        return self.pid

    def advance(self, timeout_s: float) -> None:
        """The game runs by itself."""

    def restart(self, frame: int, timeout_s: float, *, seed: int | None = None) -> None:
        """A deathmatch goes on; the env waits for the player to be alive instead."""
        if not self.client.running():
            raise self.client.failure("is gone")

    def wrap_input(self, backend: InputBackend) -> InputBackend:
        return backend

    def shown_frame(self) -> int | None:
        return None

    def open_pose(self, backend: str) -> PoseProvider | None:
        return None if self.reader is None else _ClientPose(self.reader)

    def close(self) -> None:
        """Stop the client and the server, delete the run's folder (idempotent)."""
        try:
            self.client.stop()
        finally:
            try:
                self.server.stop()
            finally:
                if self.reader is not None:
                    self.reader.close()
                if self.folder is not None:
                    shutil.rmtree(self.folder, ignore_errors=True)
                    self.folder = None


@dataclasses.dataclass(frozen=True)
class OpenArenaLauncher:
    """Start a local OpenArena match (profile ``openarena``)."""

    profile: GameProfile = OPENARENA
    uses_gsi: bool = False

    def check(self, cfg: C) -> C:
        from csgo_env.game.launch import reject_options_of_others
        from csgo_env.game.session_config import fail

        reject_options_of_others(cfg, self.profile.name)
        if not cfg.paced:
            raise fail("unpaced runs need a game that waits for each step",
                       "paced=False only with game='arena'", cfg.game,
                       "keep paced=True: OpenArena runs in real time")
        return dataclasses.replace(cfg, gsi_port=0 if cfg.gsi_port is None else cfg.gsi_port)

    def token(self, given: str | None) -> str | None:
        """No GSI: no token."""
        return None

    def launch(self, cfg: SessionConfig, *, gsi_url: str | None, token: str | None
               ) -> OpenArenaGame:
        from csgo_env.game.openarena.client import GameClient
        from csgo_env.game.openarena.commands import MatchSettings, write_configs
        from csgo_env.game.openarena.install import find_install
        from csgo_env.game.openarena.kill_feed import KillFeed
        from csgo_env.game.openarena.server import DedicatedServer

        install = find_install()
        sweep_stale_runs()
        folder = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
        try:
            (folder / OWNER_FILE).write_text(f"{os.getpid()}\n")
            ports = free_udp_ports(2)
            settings = MatchSettings(
                map_name=cfg.openarena_map, bots=cfg.openarena_bots,
                bot_skill=cfg.openarena_bot_skill,
                port=cfg.openarena_port if cfg.openarena_port is not None else ports[0],
                client_port=ports[1], max_fps=cfg.openarena_max_fps,
                window_size=cfg.window_size, name=f"csgoenv{secrets.token_hex(4)}",
                server_args=cfg.openarena_server_args, client_args=cfg.openarena_client_args)
            write_configs(settings, folder / "server", folder / "client")
            kills = KillFeed(settings.name)
            server = DedicatedServer(install, settings, folder / "server", kills.feed,
                                     os.environ)
            client = GameClient(install, settings, folder / "client", os.environ)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        game = OpenArenaGame(server, client, kills, folder, cfg.memory_backend)
        try:
            game.start(cfg.startup_timeout_s)
        except BaseException:
            game.close()
            raise
        return game

    def find_running(self, window_backend: str = "auto") -> tuple[int, str]:
        from csgo_env.game.processes import find_game_process

        proc = find_game_process(self.profile)
        return proc.pid, f"OpenArena client pid {proc.pid}"
