"""One live game session: the event feed (GSI or the game's own), the game (attached or
started), capture, input, the pose and the clock. No Gymnasium here.

:class:`GameSession` wires the parts of :mod:`csgo_env.game` for one
:class:`~csgo_env.game.session_config.SessionConfig`. What differs between the games is the
launcher's (:mod:`csgo_env.game.launch`): the session asks it for the token, whether the
game reports through GSI, the game (:class:`~csgo_env.game.launch.RunningGame`), its event
feed when it has its own and its pose source, and never branches on the profile's name. A
step is :meth:`GameSession.step`: send the action, wait for the tick, let the game advance,
grab the frame, collect the events since the previous step.

:meth:`GameSession.close` is idempotent and releases in order: held input (key-ups reach
the game; the controller's release guardian, :mod:`csgo_env.game.input.guardian`, then
exits with nothing to release), the game the launcher started (the stand-in logs those
key-ups first), capture, the pose source, the event feed (the GSI receiver).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from csgo_env.actions import Action
from csgo_env.errors import GameError
from csgo_env.game.event_feed import GSI_STALE_S, EventFeed, GSIFeed
from csgo_env.game.gsi.events import EventCounts, EventTracker, PlayerState
from csgo_env.game.gsi.receiver import GSIReceiver
from csgo_env.game.launch import Launcher, RunningGame, launcher_for
from csgo_env.game.session_config import SessionConfig

if TYPE_CHECKING:
    from csgo_env.game.clock import TickClock, TickReport, UnpacedClock
    from csgo_env.game.input.controller import ActionController
    from csgo_env.game.memory.attach import PoseProvider
    from csgo_env.game.memory.pose import Pose
    from csgo_env.game.screen.capture import Capturer

__all__ = ["GSI_STALE_S", "GameSession", "StepResult"]


@dataclass(frozen=True)
class StepResult:
    """What one :meth:`GameSession.step` saw: the observation (RGB uint8 (150, 280, 3)),
    the events since the previous step and the tick's timing."""

    obs: np.ndarray
    events: EventCounts
    tick: TickReport


class GameSession:
    """The live parts of one env or recorder; :meth:`start` opens them, :meth:`close`
    releases them. Parts are ``None`` until started."""

    def __init__(self, config: SessionConfig, *, tracker: EventTracker | None = None,
                 follow_observed: bool = False) -> None:
        """``tracker``: the GSI event tracker the receiver feeds (default: the own player's,
        ``EventTracker("own")``; a recorder that spectates passes a ``"spectate"`` one).
        ``follow_observed``: the memory pose is the watched player's while spectating (for a
        pose read through offsets, :class:`~csgo_env.game.memory.attach.PoseSource`)."""
        self.config = config
        self._tracker = tracker
        self._follow_observed = follow_observed
        self.launcher: Launcher = launcher_for(config.game)
        self.profile = self.launcher.profile
        self.token: str | None = config.gsi_token
        self.receiver: GSIReceiver | None = None
        self.events: EventFeed | None = None
        self.game: RunningGame | None = None
        self.capturer: Capturer | None = None
        self.controller: ActionController | None = None
        self.pose_source: PoseProvider | None = None
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
        gsi_url: str | None = None
        if self.launcher.uses_gsi:
            assert cfg.gsi_port is not None, "validate the config first (the launcher resolves it)"
            self.receiver = GSIReceiver(host=cfg.gsi_host, port=cfg.gsi_port, token=self.token,
                                        tracker=self._tracker or EventTracker("own")).start()
            gsi_url = self.receiver.url
        self.game = game = self.launcher.launch(cfg, gsi_url=gsi_url, token=self.token)
        if game.events is not None:
            self.events = game.events
        elif self.receiver is not None:
            self.events = GSIFeed(self.receiver)
        else:
            raise GameError(f"the {self.profile.name} launcher gave no event feed and no GSI")
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
        if cfg.read_pose:
            self.pose_source = game.open_pose(cfg.memory_backend)
            if self._follow_observed:
                from csgo_env.game.memory.attach import PoseSource

                if isinstance(self.pose_source, PoseSource):
                    self.pose_source.reader.follow_observed = True
        if cfg.paced:
            self.clock = TickClock(cfg.fps)
        else:  # the launcher allows it only for a game that waits for every step
            from csgo_env.game.clock import UnpacedClock

            self.clock = UnpacedClock()

    def _parts(self) -> tuple[EventFeed, RunningGame, Capturer, ActionController,
                              TickClock | UnpacedClock]:
        if self.closed or self.events is None or self.game is None or self.capturer is None \
                or self.controller is None or self.clock is None:
            raise GameError("the game session is not running (closed or never started)")
        return self.events, self.game, self.capturer, self.controller, self.clock

    def _events(self) -> EventFeed:
        if self.closed or self.events is None:
            raise GameError("the game session is not running (closed or never started)")
        return self.events

    # --- per step ------------------------------------------------------------------
    def step(self, action: Action) -> StepResult:
        """Send ``action`` (changes only), let the game advance (the stand-in shows its next
        frame), wait for the tick, grab the observation and collect the events since the
        previous step. The wait and the grab run at real-time priority where permitted
        (:class:`~csgo_env.game.clock.TickClock`), dropped right after the grab."""
        report = self._send_and_wait(action)
        try:
            obs = self._parts()[2].grab()  # frame in, still at the wait's priority
        finally:
            self._parts()[4].release()  # the critical section ends: the caller's work runs normal
        return StepResult(obs, self.drain_events(), report)

    def tick(self, action: Action | None) -> TickReport:
        """The first half of :meth:`step` without the grab: send ``action`` (``None``: send
        nothing, the held input stays as it is), let the game advance and wait for the tick;
        the thread is back at normal priority on return. A caller that reads the game state
        between the tick and the next grab (the recorder) uses this and :meth:`grab`."""
        report = self._send_and_wait(action)
        self._parts()[4].release()
        return report

    def _send_and_wait(self, action: Action | None) -> TickReport:
        _, game, _, controller, clock = self._parts()
        if action is not None:
            controller.apply(action)  # input out at once: the game acts on it until the deadline
        game.advance(self.config.step_timeout_s)  # the game moves on meanwhile
        return clock.tick()

    def held_input(self) -> frozenset[str]:
        """What the session's controller holds now: key names and ``"fire"``/``"scope"``."""
        return self._parts()[3].held

    def latest_payload(self) -> dict[str, Any] | None:
        """The newest GSI payload (parsed JSON); ``None`` before the first and for a game
        that does not report through GSI."""
        return None if self.receiver is None else self.receiver.latest

    def grab(self) -> np.ndarray:
        """The observation now: RGB uint8 (150, 280, 3)."""
        return self._parts()[2].grab()

    def drain_events(self) -> EventCounts:
        """The own player's kills and deaths since the previous call."""
        return self._events().drain()

    def player_state(self) -> PlayerState | None:
        """The own player's latest state (``None`` before the game showed it)."""
        return None if self.events is None else self.events.state()

    def gsi_age(self) -> float | None:
        """Seconds since the latest GSI payload (``None`` before the first, and for a game
        that does not report through GSI)."""
        return None if self.events is None else self.events.age_s()

    def shown_frame(self) -> int | None:
        """The stand-in's recording frame on screen (``None`` for a real game)."""
        return None if self.game is None else self.game.shown_frame()

    def read_pose(self) -> tuple[Pose | None, str | None]:
        """``(pose, None)`` or ``(None, why)``; never raises for a failed read."""
        if self.pose_source is None:
            return None, "pose reading is off" if not self.config.read_pose else \
                "no offsets given"
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
        """Wait until the own player is alive (and, through GSI, the feed is fresh); return
        its state. Raises the feed's error naming what to check (for GSI:
        :class:`~csgo_env.errors.GSISilent` or :class:`~csgo_env.errors.EnvTimeout`)."""
        return self._events().wait_alive(timeout_s)

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
            None if self.events is None else self.events.stop,
            None if self.receiver is None else self.receiver.stop,
        ]
        for step in steps:
            if step is not None:
                with contextlib.suppress(Exception):
                    step()
