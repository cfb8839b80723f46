"""``CSGO-Deathmatch-v0``: Counter-Strike deathmatch, live, as a Gymnasium environment."""

from __future__ import annotations

import textwrap
import warnings
import weakref
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np

from csgo_env.actions import Action, action_space
from csgo_env.envs.config import EnvConfig, arguments_doc, env_signature, validate_config
from csgo_env.envs.info import StepInfo
from csgo_env.game.session import GameSession
from csgo_env.observations import observation_space

if TYPE_CHECKING:
    from csgo_env.game.clock import TickReport


def _finalize(session: GameSession) -> None:
    if not session.closed:
        warnings.warn("the deathmatch env was not closed; releasing keys and stopping the game "
                      "session now (call env.close())", ResourceWarning, stacklevel=2)
    session.close()


class DeathmatchEnv(gym.Env[np.ndarray, np.ndarray]):
    """Play Counter-Strike deathmatch from pixels, with keyboard and mouse actions.

    ## Description

    The agent sees the game window as the Pearce & Zhu recordings do and acts with the
    keys, buttons and quantised mouse moves of those recordings, at 16 steps per second.
    Rewards come from Game State Integration (the game POSTs its state to a local HTTP
    receiver); position and view angles come from reading process memory (optional). The
    game runs in real time: a step waits for the next 1/16 s tick, it never pauses the game.

    ``game="csgo"`` (the ``csgo_legacy`` build) and ``game="cs2"`` attach to a game the user
    started; that path is written for real but is not executed in this project's CI, where
    no game can run. ``game="replay"`` starts the replay game, a separate process that plays
    a recording in a real window, POSTs GSI built from the recording's kill/death flags,
    keeps a pose in its memory and logs the input it receives: the whole I/O stack runs.
    ``game="arena"`` starts the same process, window and channels on a closed-loop arena
    instead (:mod:`csgo_env.standin.arena_world`, synthetic): the view turns with the mouse
    it receives (0.055 degrees per count), ``w a s d`` move relative to the yaw, firing with
    the crosshair on an opponent's hit box kills it, an opponent that keeps the player in
    view long enough kills the player, both respawn; GSI posts the arena's real counters
    and the pose is in memory. Only there may ``paced=False`` run the loop unpaced: each
    step waits for its frame instead of the 16 Hz clock (the same capture, input and GSI
    path, faster than real time; one step is 1/16 s of game time).

    ## Action Space

    ``MultiDiscrete([2]*13 + [23, 15])`` (int64, see :mod:`csgo_env.actions`):

    =====  =========  ==================================================
    index  name       meaning
    =====  =========  ==================================================
    0-3    w a s d    movement keys (held while 1)
    4      space      jump
    5      ctrl       crouch
    6      shift      walk
    7-9    1 2 3      primary weapon, pistol, knife
    10     r          reload
    11     fire       left mouse button
    12     scope      right mouse button
    13     mouse_x    bin of ``[-1000 ... 1000]`` counts per step (11 = none; +x right)
    14     mouse_y    bin of ``[-200 ... 200]`` counts per step (7 = none; +y down)
    =====  =========  ==================================================

    Only changes are sent (a key held over steps is pressed once); the mouse move is sent
    as two half-moves (``split_mouse=True``), as the dataset authors' agent did.

    ## Observation Space

    ``Box(0, 255, (150, 280, 3), uint8)``, RGB: the client area's crop
    ``(100, 135, 924, 633)`` of a 1024x768 window resized to 280x150 with OpenCV
    INTER_LINEAR — the recordings' geometry (which store BGR).

    ## Rewards

    ``reward.kill * kills + reward.death * deaths + reward.shot * shot`` with the default
    ``kill - 0.5*death - 0.02*shot`` (:class:`~csgo_env.rewards.RewardSpec`): kills and
    deaths are the own player's GSI events since the previous step (a suicide counts as a
    death), ``shot`` is 1 when the step's action holds fire.

    ## Starting State

    ``reset`` releases every key, (replay) shows ``replay_start_frame`` or
    ``options["start_frame"]``, (arena) starts a fresh world seeded with ``seed`` (without
    one, with the next draw of the env's ``np_random``), waits until a fresh GSI payload
    shows the own player alive, drops the events seen so far and restarts the tick clock.
    The first ``reset`` types ``setup_console`` into the console, when given.

    ## Episode End

    ``terminated`` is True only on the own player's death when ``terminate_on_death=True``
    (deaths do not end a deathmatch episode by default). ``truncated`` comes from the
    registered ``max_episode_steps=1000`` (62.5 s at 16 Hz).

    ## Info

    :class:`~csgo_env.envs.info.StepInfo`: ``pose`` (or ``None``), ``health``, ``ammo``,
    cumulative ``kills``/``deaths`` of the episode, the step's reward inputs (and
    ``step_suicides``, the step's deaths that were suicides), tick
    ``tick_lateness_s`` and ``overrun``, ``gsi_age_s``, (replay) ``replay_frame`` (arena:
    its tick) and ``paced``.

    ## Held Input

    Every key and button the env holds is released on ``close()``, when an exception
    leaves a step, when the env is garbage-collected unclosed, at interpreter exit and on
    SIGTERM / SIGINT (:mod:`csgo_env.game.input.safety`). For the ways out no code of this
    process survives (SIGKILL, the OOM killer, a segfault or abort in native code) a
    *release guardian* runs beside it (:mod:`csgo_env.game.input.guardian`): a small child
    process with its own input connection (its own X connection; its own ``SendInput`` on
    Windows), told the held set whenever it changes (nothing on steps that change nothing;
    no round trip, no measurable step cost: ``scripts/bench_env.py --guardian both``). When
    this process is gone (end of its pipe and ``PR_SET_PDEATHSIG`` on Linux, the parent's
    process handle on Windows) it releases what was held and exits. It never presses
    anything. ``csgo-env doctor`` reports whether it runs; ``env.unwrapped.session.controller
    .guardian`` is it (None when it could not start: a RuntimeWarning says why).

    ## Arguments

    ``gym.make("CSGO-Deathmatch-v0", game="csgo", ...)``; every argument but ``game`` is
    keyword-only (the list is made from :class:`~csgo_env.envs.config.EnvConfig`):

{arguments}

    Every argument is checked before anything starts; a bad one raises
    :class:`~csgo_env.errors.EnvConfigError` (expected / got / fix) with no thread, socket
    or process left behind.

    ## Timing

    A step sends the action's input at once, lets the game move on (the stand-in shows
    its next frame), waits for the next 1/16 s deadline and then grabs the frame. Where
    permitted (Linux, ``CAP_SYS_NICE`` or an ``RLIMIT_RTPRIO``) the wait and the frame grab
    run at real-time priority, dropped right after the grab, so with busy cores the frame is
    still taken on time (:mod:`csgo_env.game.clock`). ``info["tick_lateness_s"]`` is how
    late the wait returned.

    ## Version History

    - v0: first version.
    """

    # gymnasium.Env declares metadata as an instance attribute, so no ClassVar here
    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "render_fps": 16}  # noqa: RUF012

    def __init__(self, game: str = "csgo", **kwargs: Any) -> None:
        self.config: EnvConfig = validate_config(game=game, **kwargs)
        self.render_mode = self.config.render_mode
        self.reward_spec = self.config.reward
        self.observation_space = observation_space()
        self.action_space = action_space()
        self._obs: np.ndarray | None = None
        self._kills = self._deaths = 0
        self._console_done = False
        self.session = GameSession(self.config)
        self._finalizer = weakref.finalize(self, _finalize, self.session)
        self.session.start()

    # --- Gymnasium API -------------------------------------------------------------
    def reset(  # type: ignore[override]  # info is the StepInfo TypedDict (a typed dict)
            self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, StepInfo]:
        super().reset(seed=seed)
        session = self.session
        self._check_open()
        session.release_all()
        if not self._console_done:
            session.setup_console()
            self._console_done = True
        start = (options or {}).get("start_frame", self.config.replay_start_frame)
        # The arena starts a fresh world: from ``seed``, else from the env's own stream.
        world = seed if seed is not None else int(self.np_random.integers(2 ** 31))
        session.restart(int(start), seed=int(world))
        session.wait_ready(self.config.reset_timeout_s)
        session.drain_events()
        self._kills = self._deaths = 0
        session.start_clock()
        self._obs = session.grab()
        return self._obs, self._info(None, 0, 0, False, 0)

    def step(  # type: ignore[override]  # info is the StepInfo TypedDict (a typed dict)
            self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, StepInfo]:
        self._check_open()
        act = Action.from_multidiscrete(action)
        result = self.session.step(act)
        self._obs = result.obs
        kills, deaths = result.events.kills, result.events.deaths  # suicides are deaths
        self._kills += kills
        self._deaths += deaths
        reward = float(self.reward_spec(kills, deaths, float(act.fire)))
        terminated = bool(self.config.terminate_on_death and deaths > 0)
        return self._obs, reward, terminated, False, self._info(
            result.tick, kills, deaths, act.fire, result.events.suicides)

    def render(self) -> np.ndarray | None:
        """``rgb_array``: a copy of the last observation (None before the first reset)."""
        if self.render_mode != "rgb_array" or self._obs is None:
            return None
        return self._obs.copy()

    def close(self) -> None:
        """Release keys, stop the receiver and the replay game, close handles (idempotent)."""
        if self._finalizer.detach() is not None:
            self.session.close()
        super().close()

    # --- helpers -------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.session.closed:
            from csgo_env.errors import GameError

            raise GameError("the environment is closed; make a new one")

    def _info(self, report: TickReport | None, kills: int, deaths: int,
              shot: bool, suicides: int) -> StepInfo:
        session = self.session
        pose, pose_error = session.read_pose()
        state = session.player_state()
        return StepInfo(
            pose=pose, pose_error=pose_error,
            health=None if state is None else state.health,
            ammo=None if state is None else state.ammo_clip,
            kills=self._kills, deaths=self._deaths, step_kills=kills, step_deaths=deaths,
            step_suicides=suicides, step_shot=bool(shot),
            tick_lateness_s=0.0 if report is None else float(report.lateness_s),
            overrun=False if report is None else bool(report.overrun),
            gsi_age_s=session.gsi_age(), replay_frame=session.shown_frame(),
            paced=self.config.paced)


DeathmatchEnv.__doc__ = (DeathmatchEnv.__doc__ or "").replace(
    "{arguments}", textwrap.indent(arguments_doc(), "    "))
DeathmatchEnv.__init__.__dict__["__signature__"] = env_signature()  # for help() and IDEs
