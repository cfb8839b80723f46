"""One game session: the GSI receiver, screen capture, input, memory pose and the clock.

:class:`GameSession` wires the pieces of :mod:`csgo_env.game` for one
:class:`~csgo_env.envs.config.EnvConfig`; it has no Gymnasium code. For ``game="replay"``
it also starts the replay game process (:mod:`csgo_env.standin.game_process`) under the current
``DISPLAY``, writes the replay's offsets file, generates a token, and moves the replay one
frame per tick. For ``"csgo"`` and ``"cs2"`` it attaches to the running game: the same code
path, not executed here (no real game runs in CI), exercised through the replay profile.

:meth:`GameSession.close` is idempotent and releases in order: held input (key-ups reach
the game), the replay process (which logs those key-ups first), capture, memory, the
receiver, temporary files.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env.actions import Action
from csgo_env.envs.config import EnvConfig
from csgo_env.errors import (
    EnvTimeout,
    GameError,
    GSISilent,
    explain,
)
from csgo_env.game.gsi.events import EventCounts, EventTracker, PlayerState
from csgo_env.game.gsi.receiver import GSIReceiver
from csgo_env.game.profiles import GameProfile, get_profile

GSI_STALE_S = 15.0
"""A payload older than this is stale (the cfg's heartbeat is 10 s)."""


def data_home() -> Path:
    """``$CSGO_ENV_HOME``, else ``~/.cache/csgo_env``."""
    return Path(os.environ.get("CSGO_ENV_HOME") or Path.home() / ".cache" / "csgo_env")


def standin_recordings() -> list[Path]:
    """A synthetic dust2-expert sample recording, generated once under :func:`data_home`."""
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

    folder = data_home() / "replay_sample"
    existing = sorted(folder.glob("*.hdf5"))
    if existing:
        return existing[:1]
    folder.mkdir(parents=True, exist_ok=True)
    return list(write_synthetic_recordings(folder, files=1, seed=0))


class GameSession:
    """The live pieces of one env; ``start`` opens them, ``close`` releases them."""

    def __init__(self, config: EnvConfig) -> None:
        self.config = config
        self.profile: GameProfile = get_profile(config.game)
        self.receiver: GSIReceiver | None = None
        self.replay: Any = None
        self.capturer: Any = None
        self.controller: Any = None
        self.memory: Any = None
        self.pose_reader: Any = None
        self.clock: Any = None
        self.token = config.gsi_token
        self.input_log: Path | None = None
        self.last_shown: dict[str, Any] | None = None
        self._tmpdir: Path | None = None
        self.closed = False

    # --- start ---------------------------------------------------------------------
    def start(self) -> None:
        """Open everything; on any failure close what was opened and re-raise."""
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        from csgo_env.game.clock import TickClock
        from csgo_env.game.input.backends import get_input_backend
        from csgo_env.game.input.controller import ActionController
        from csgo_env.game.screen.capture import CaptureGeometry, Capturer

        cfg = self.config
        if cfg.game == "replay" and self.token is None:
            from csgo_env.game.gsi.cfg import new_token

            self.token = new_token()
        self.receiver = GSIReceiver(host=cfg.gsi_host, port=cfg.gsi_port, token=self.token,
                                    tracker=EventTracker("own")).start()
        pid = None
        offsets_path = cfg.offsets_path
        if cfg.game == "replay":
            pid, offsets_path = self._start_replay()
        geometry = CaptureGeometry(window_size=cfg.window_size, crop=cfg.crop)
        self.capturer = Capturer(self.profile.window_titles, pid=pid, geometry=geometry,
                                 backend=cfg.window_backend,
                                 mss_backend="default" if cfg.capture_backend == "auto"
                                 else cfg.capture_backend)
        profile = self.profile
        if cfg.setup_console:
            from csgo_env.game.input.console import console_profile

            profile = console_profile(profile)
        backend = get_input_backend(cfg.input_backend, profile=profile)
        self.controller = ActionController(backend, split_mouse=cfg.split_mouse)
        if cfg.read_pose and offsets_path is not None:
            self._open_memory(offsets_path, pid)
        self.clock = TickClock(cfg.fps)

    def _start_replay(self) -> tuple[int, Path]:
        from csgo_env.standin.game_process import ReplayProcess
        from csgo_env.standin.memory_image import write_replay_offsets

        cfg = self.config
        assert self.receiver is not None
        self._tmpdir = Path(tempfile.mkdtemp(prefix="csgo_env_replay_"))
        offsets = cfg.offsets_path or write_replay_offsets(self._tmpdir / "replay_offsets.json")
        self.input_log = cfg.replay_input_log or self._tmpdir / "input.jsonl"
        recordings = list(cfg.replay_recordings) or standin_recordings()
        self.replay = ReplayProcess(recordings, input_log=self.input_log,
                                    gsi_url=self.receiver.url, token=self.token,
                                    offsets=offsets, window_size=cfg.window_size, crop=cfg.crop,
                                    start_frame=cfg.replay_start_frame,
                                    extra_args=cfg.replay_args)
        ready = self.replay.start(cfg.startup_timeout_s)
        self.last_shown = ready.get("first")
        return self.replay.pid, offsets

    def _open_memory(self, offsets_path: Path, pid: int | None) -> None:
        from csgo_env.game.memory.offsets import load_offsets
        from csgo_env.game.memory.pose import PoseReader
        from csgo_env.game.memory.readers import open_process

        offsets = load_offsets(offsets_path, game=self.config.game)
        if pid is None:
            from csgo_env.game.processes import find_game_process

            pid = find_game_process(self.profile).pid
        self.memory = open_process(pid, backend=self.config.memory_backend)
        self.pose_reader = PoseReader(self.memory, offsets, self.profile)

    # --- per step ------------------------------------------------------------------
    def apply(self, action: Action) -> None:
        """Send ``action`` (changes only, then flush)."""
        self.controller.apply(action)

    def advance(self) -> dict[str, Any] | None:
        """Replay game: show the next frame (returns its ``shown`` reply); else nothing."""
        if self.replay is None:
            return None
        self.last_shown = self.replay.next(self.config.step_timeout_s)
        return self.last_shown

    def grab(self) -> np.ndarray:
        """The observation: RGB uint8 (150, 280, 3)."""
        return self.capturer.grab()

    def drain_events(self) -> EventCounts:
        assert self.receiver is not None
        return self.receiver.tracker.drain()

    @property
    def player(self) -> PlayerState | None:
        return None if self.receiver is None else self.receiver.tracker.state

    def gsi_age(self) -> float | None:
        return None if self.receiver is None else self.receiver.freshness().age_s

    def read_pose(self) -> tuple[Any, str | None]:
        """``(pose, None)`` or ``(None, why)``; never raises for a failed read."""
        if self.pose_reader is None:
            return None, "no offsets given" if self.config.offsets_path is None \
                and self.config.game != "replay" else "pose reading is off"
        try:
            return self.pose_reader.read(), None
        except GameError as exc:
            return None, f"{type(exc).__name__}: {exc}"

    def release_all(self) -> None:
        if self.controller is not None:
            self.controller.release_all()

    # --- reset ---------------------------------------------------------------------
    def setup_console(self) -> None:
        """Type ``config.setup_console`` into the game's console (keys released after)."""
        from csgo_env.game.input.console import type_console

        if self.config.setup_console:
            self.release_all()
            type_console(self.controller.backend, self.config.setup_console)

    def restart_replay(self, frame: int) -> None:
        if self.replay is not None:
            self.last_shown = self.replay.reset(frame, self.config.step_timeout_s)

    def wait_ready(self, timeout_s: float) -> PlayerState:
        """Wait until GSI is fresh and the own player is alive; return the player's state.

        Raises :class:`GSISilent` when no fresh payload comes and :class:`EnvTimeout` when
        the player does not come alive, each naming what to check.
        """
        assert self.receiver is not None
        deadline = time.monotonic() + timeout_s
        self.receiver.wait_for_payload(timeout_s)
        while True:
            age = self.receiver.freshness().age_s
            state = self.receiver.tracker.state
            fresh = age is not None and age <= GSI_STALE_S
            if fresh and state is not None and state.alive:
                return state
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        if not fresh:
            raise GSISilent(explain(
                "GSI went silent while waiting for the episode to start",
                expected=f"a payload at most {GSI_STALE_S:g} s old", got=f"age {age:.1f} s",
                fix="check that the game is still running and not paused in a menu; the "
                    "cfg's heartbeat makes it post at least every 10 s"))
        why = ("the game has not shown the own player yet (provider.steamid never matched "
               "player.steamid: spectating or in the menu)" if state is None
               else f"player {state.steamid} health {state.health}, activity {state.activity}")
        raise EnvTimeout(explain(
            "the own player did not come alive", expected=f"health > 0 within {timeout_s:g} s",
            got=why, fix="join a team and spawn (deathmatch respawns in a few seconds); with "
                         "bots only, make sure you are playing, not spectating"))

    # --- close ---------------------------------------------------------------------
    def close(self) -> None:
        """Release everything (idempotent); errors in one part do not stop the others."""
        if self.closed:
            return
        self.closed = True
        steps = [("controller", "close"), ("replay", "stop"), ("capturer", "close"),
                 ("memory", "close"), ("receiver", "stop")]
        for attr, method in steps:
            obj = getattr(self, attr)
            if obj is not None:
                with contextlib.suppress(Exception):
                    getattr(obj, method)()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
