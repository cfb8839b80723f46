"""One live game session: the GSI receiver, the game (attached or started), capture, input,
the memory pose and the clock. No Gymnasium here.

:class:`GameSession` wires the parts of :mod:`csgo_env.game` for one
:class:`~csgo_env.game.session_config.SessionConfig`. What differs between the games is the
launcher's (:mod:`csgo_env.game.launch`): the session asks it for the token, the game
(:class:`~csgo_env.game.launch.RunningGame`) and the offsets, and never branches on the
profile's name. A step is :meth:`GameSession.step`: send the action, wait for the tick,
let the game advance, grab the frame, collect the GSI events since the previous step.

:meth:`GameSession.close` is idempotent and releases in order: held input (key-ups reach
the game; the controller's release guardian, :mod:`csgo_env.game.input.guardian`, then
exits with nothing to release), the game the launcher started (the stand-in logs those
key-ups first), capture, memory, the receiver.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from csgo_env.actions import Action
from csgo_env.errors import EnvTimeout, GameError, GSISilent, explain
from csgo_env.game.gsi.events import EventCounts, EventTracker, PlayerState
from csgo_env.game.gsi.receiver import GSIReceiver
from csgo_env.game.launch import Launcher, RunningGame, launcher_for
from csgo_env.game.session_config import SessionConfig

if TYPE_CHECKING:
    from csgo_env.game.clock import TickClock, TickReport, UnpacedClock
    from csgo_env.game.input.controller import ActionController
    from csgo_env.game.memory.attach import PoseSource
    from csgo_env.game.memory.pose import Pose
    from csgo_env.game.screen.capture import Capturer

GSI_STALE_S = 15.0
"""A payload older than this is stale (the cfg's heartbeat is 10 s)."""


@dataclass(frozen=True)
class StepResult:
    """What one :meth:`GameSession.step` saw: the observation (RGB uint8 (150, 280, 3)),
    the GSI events since the previous step and the tick's timing."""

    obs: np.ndarray
    events: EventCounts
    tick: TickReport


class GameSession:
    """The live parts of one env or recorder; :meth:`start` opens them, :meth:`close`
    releases them. Parts are ``None`` until started."""

    def __init__(self, config: SessionConfig) -> None:
        self.config = config
        self.launcher: Launcher = launcher_for(config.game)
        self.profile = self.launcher.profile
        self.token: str | None = config.gsi_token
        self.receiver: GSIReceiver | None = None
        self.game: RunningGame | None = None
        self.capturer: Capturer | None = None
        self.controller: ActionController | None = None
        self.pose_source: PoseSource | None = None
        self.clock: TickClock | UnpacedClock | None = None
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
        self.token = self.launcher.token(cfg.gsi_token)
        assert cfg.gsi_port is not None, "validate the config first (the launcher resolves it)"
        self.receiver = GSIReceiver(host=cfg.gsi_host, port=cfg.gsi_port, token=self.token,
                                    tracker=EventTracker("own")).start()
        self.game = game = self.launcher.launch(cfg, gsi_url=self.receiver.url,
                                                token=self.token)
        geometry = CaptureGeometry(window_size=cfg.window_size, crop=cfg.crop)
        self.capturer = Capturer(self.profile.window_titles, pid=game.pid, geometry=geometry,
                                 backend=cfg.window_backend,
                                 mss_backend="default" if cfg.capture_backend == "auto"
                                 else cfg.capture_backend)
        profile = self.profile
        if cfg.setup_console:
            from csgo_env.game.input.console import console_profile

            profile = console_profile(profile)
        backend = game.wrap_input(get_input_backend(cfg.input_backend, profile=profile))
        self.controller = ActionController(backend, split_mouse=cfg.split_mouse)
        if cfg.read_pose and game.offsets_path is not None:
            from csgo_env.game.memory.attach import open_pose_source

            self.pose_source = open_pose_source(game.offsets_path, self.profile,
                                                game.process_id(), backend=cfg.memory_backend)
        if cfg.paced:
            self.clock = TickClock(cfg.fps)
        else:  # the launcher allows it only for a game that waits for every step
            from csgo_env.game.clock import UnpacedClock

            self.clock = UnpacedClock()

    def _parts(self) -> tuple[GSIReceiver, RunningGame, Capturer, ActionController,
                              TickClock | UnpacedClock]:
        if self.closed or self.receiver is None or self.game is None or self.capturer is None \
                or self.controller is None or self.clock is None:
            raise GameError("the game session is not running (closed or never started)")
        return self.receiver, self.game, self.capturer, self.controller, self.clock

    def _receiver(self) -> GSIReceiver:
        if self.closed or self.receiver is None:
            raise GameError("the game session is not running (closed or never started)")
        return self.receiver

    # --- per step ------------------------------------------------------------------
    def step(self, action: Action) -> StepResult:
        """Send ``action`` (changes only), let the game advance (the stand-in shows its next
        frame), wait for the tick, grab the observation and collect the events since the
        previous step. The wait and the grab run at real-time priority where permitted
        (:class:`~csgo_env.game.clock.TickClock`), dropped right after the grab."""
        _, game, capturer, controller, clock = self._parts()
        controller.apply(action)  # input out at once: the game acts on it until the deadline
        game.advance(self.config.step_timeout_s)  # the game moves on meanwhile
        report = clock.tick()
        try:
            obs = capturer.grab()  # frame in, still at the wait's priority
        finally:
            clock.release()  # the critical section ends: the caller's work runs normal
        return StepResult(obs, self.drain_events(), report)

    def grab(self) -> np.ndarray:
        """The observation now: RGB uint8 (150, 280, 3)."""
        return self._parts()[2].grab()

    def drain_events(self) -> EventCounts:
        """The own player's kills and deaths since the previous call."""
        return self._receiver().tracker.drain()

    def player_state(self) -> PlayerState | None:
        """The own player's latest GSI state (``None`` before the game showed it)."""
        return None if self.receiver is None else self.receiver.tracker.state

    def gsi_age(self) -> float | None:
        """Seconds since the latest GSI payload (``None`` before the first)."""
        return None if self.receiver is None else self.receiver.freshness().age_s

    def shown_frame(self) -> int | None:
        """The stand-in's recording frame on screen (``None`` for a real game)."""
        return None if self.game is None else self.game.shown_frame()

    def read_pose(self) -> tuple[Pose | None, str | None]:
        """``(pose, None)`` or ``(None, why)``; never raises for a failed read."""
        if self.pose_source is None:
            offsets = None if self.game is None else self.game.offsets_path
            return None, "no offsets given" if offsets is None else "pose reading is off"
        try:
            return self.pose_source.read(), None
        except GameError as exc:
            return None, f"{type(exc).__name__}: {exc}"

    def release_all(self) -> None:
        """Release every held key and button."""
        if self.controller is not None:
            self.controller.release_all()

    # --- reset ---------------------------------------------------------------------
    def setup_console(self) -> None:
        """Type ``config.setup_console`` into the game's console (keys released after)."""
        from csgo_env.game.input.console import type_console

        if self.config.setup_console:
            controller = self._parts()[3]
            self.release_all()
            type_console(controller.backend, self.config.setup_console)

    def restart(self, frame: int, *, seed: int | None = None) -> None:
        """Start an episode: the stand-in goes back to ``frame`` (the arena: a fresh world
        from ``seed``); a real game goes on."""
        self._parts()[1].restart(frame, self.config.step_timeout_s, seed=seed)

    def start_clock(self) -> None:
        """Restart the tick clock: the next step waits one tick from now."""
        self._parts()[4].start()

    def wait_ready(self, timeout_s: float) -> PlayerState:
        """Wait until GSI is fresh and the own player is alive; return the player's state.

        Raises :class:`GSISilent` when no fresh payload comes and :class:`EnvTimeout` when
        the player does not come alive, each naming what to check.
        """
        receiver = self._receiver()
        deadline = time.monotonic() + timeout_s
        receiver.wait_for_payload(timeout_s)
        while True:
            age = receiver.freshness().age_s
            state = receiver.tracker.state
            fresh = age is not None and age <= GSI_STALE_S
            if fresh and state is not None and state.alive:
                return state
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        if not fresh:
            raise GSISilent(explain(
                "GSI went silent while waiting for the episode to start",
                expected=f"a payload at most {GSI_STALE_S:g} s old",
                got="no payload" if age is None else f"age {age:.1f} s",
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
        steps: list[Callable[[], object] | None] = [
            None if self.controller is None else self.controller.close,
            None if self.game is None else self.game.close,
            None if self.capturer is None else self.capturer.close,
            None if self.pose_source is None else self.pose_source.close,
            None if self.receiver is None else self.receiver.stop,
        ]
        for step in steps:
            if step is not None:
                with contextlib.suppress(Exception):
                    step()
