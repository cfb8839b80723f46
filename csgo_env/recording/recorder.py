"""Recording new data at 16 Hz in the public layout, on any live profile.

:class:`Recorder` runs a :class:`~csgo_env.game.session.GameSession` (the same wiring as the
environment: the profile's launcher attaches to csgo / cs2 or starts the stand-in game,
then GSI receiver, capture, input, memory pose, tick clock) and writes what it sees with a
:class:`~csgo_env.recording.writer.RecordingWriter`. One tick t, on absolute 1/16 s
deadlines:

1. the frame t on screen was grabbed at the end of tick t-1 (frame 0: before the first);
2. the input of tick t is sent, if any (a ``policy`` acting on frame t in own play, the
   target switch in spectator mode; nothing otherwise: the recorder never sends input by
   itself), the clock waits for the deadline and the game advances (the stand-in shows its
   next frame; a real game runs by itself);
3. ``curr_vars[t]`` is read: the newest GSI payload (a game with its own event feed:
   that feed's player state), the memory pose and (own play) the keys and clicks held
   (:mod:`csgo_env.recording.curr_vars`);
4. frame t+1 is grabbed.

So ``curr_vars[t]`` describes the state once action t took effect, and image t was grabbed
just before that change, which is the authors' alignment (action t is inferred from the
change between ``curr_vars[t-1]`` and ``curr_vars[t]``). Every ``frames_per_file`` ticks
(1000) a file is complete and handed to the writer; a stop (Ctrl-C, ``seconds``, ``files``)
drops the file in progress, so every file written has exactly 1000 frames.

Spectator mode (``mode="spectate"``) tracks the watched player's ``steamid`` through the
event tracker and switches target on death and on a schedule
(:mod:`csgo_env.recording.spectator`); the pose is the watched player's when the offsets
allow it (``PoseReader(follow_observed=True)``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csgo_env.actions import Action
from csgo_env.datasets.pearce.families import get_family
from csgo_env.datasets.pearce.layout import FRAMES_PER_FILE
from csgo_env.errors import ArgumentError, explain
from csgo_env.game.clock import ClockStats
from csgo_env.game.gsi.events import EventTracker
from csgo_env.game.session import GameSession
from csgo_env.game.session_config import SessionConfig
from csgo_env.policy import Policy
from csgo_env.recording.curr_vars import gsi_fields, logged_input, memory_fields, state_fields
from csgo_env.recording.naming import DEFAULT_FAMILY, file_targets
from csgo_env.recording.spectator import Spectator
from csgo_env.recording.status import RecordStatus
from csgo_env.recording.writer import FileTarget, RecordingWriter, sweep_stale_rings

MODES = ("own", "spectate")
SYNTHETIC_GENERATOR = "csgo-env record on the stand-in game (not real play)"
"""How recordings of a game that shows no real play are labelled (``SYNTHETIC`` marker)."""


@dataclass(frozen=True)
class RecordOptions:
    """What to record and where (the session's own arguments are its SessionConfig).

    ``family``: the public family whose names the files take (default by mode:
    :data:`~csgo_env.recording.naming.DEFAULT_FAMILY`); ``first_number``: the first file
    number (default: after the highest in ``out_dir``); ``files`` / ``seconds``: stop after
    that many complete files / seconds (``None``: until stopped); ``keys``: where own play
    reads the keys held (:func:`~csgo_env.game.input.held.open_held_input`);
    ``world_seed``: handed to the game at the start (the arena builds its world from it; the
    other games ignore it).
    """

    out_dir: Path
    mode: str = "own"
    family: str | None = None
    first_number: int | None = None
    files: int | None = None
    seconds: float | None = None
    frames_per_file: int = FRAMES_PER_FILE
    keys: str = "auto"
    switch_every: int = 200
    switch_key: str = "1"
    switch_cooldown: int = 32
    gsi_stale_s: float = 15.0
    memory_stale_s: float = 2.0
    ready_timeout_s: float = 30.0
    durable: bool = True
    world_seed: int | None = None

    def checked(self) -> RecordOptions:
        """Raise :class:`ArgumentError` for a bad value (before anything starts)."""
        if self.mode not in MODES:
            raise ArgumentError(explain("unknown recording mode", expected=f"one of {MODES}",
                                        got=repr(self.mode)))
        get_family(self.family or DEFAULT_FAMILY[self.mode])
        for name in ("files", "seconds"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ArgumentError(explain(f"{name} must be > 0", got=repr(value)))
        if self.frames_per_file < 2:
            raise ArgumentError(explain("frames_per_file must be >= 2",
                                        got=str(self.frames_per_file)))
        return self


@dataclass
class RecordSummary:
    """What a recording produced."""

    written: list[FileTarget] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ticks: int = 0
    dropped_frames: int = 0
    kills: int = 0
    deaths: int = 0
    targets: list[str] = field(default_factory=list)
    clock: ClockStats | None = None
    writer_waits: int = 0


class Recorder:
    """Records one session (see the module docstring). ``policy``: own play only; it acts
    on each frame and its actions are sent to the game."""

    def __init__(self, config: SessionConfig, options: RecordOptions, *,
                 policy: Policy | None = None) -> None:
        self.options = options.checked()
        if policy is not None and options.mode != "own":
            raise ArgumentError(explain("a policy can only drive own play",
                                        got=f"mode={options.mode!r}",
                                        fix="drop --policy or record with --mode own"))
        if options.keys == "sent" and policy is None:
            raise ArgumentError(explain(
                "--keys sent logs what a policy sends, and no policy was given",
                fix="pass --policy, or read the keyboard with --keys auto / x11 / win32"))
        from csgo_env.game.input.held import HELD_SOURCES

        if options.keys not in HELD_SOURCES:
            raise ArgumentError(explain("unknown source of the keys held",
                                        expected=f"one of {HELD_SOURCES}",
                                        got=repr(options.keys)))
        self.config = config
        self.policy = policy
        self.family = get_family(options.family or DEFAULT_FAMILY[options.mode])
        self.tracker = EventTracker("spectate" if options.mode == "spectate" else "own")
        self.session = GameSession(config, tracker=self.tracker,
                                   follow_observed=options.mode == "spectate")
        self.spectator = Spectator(self.tracker, switch_every=options.switch_every,
                                   switch_key=options.switch_key,
                                   cooldown=options.switch_cooldown) \
            if options.mode == "spectate" else None
        self.status = RecordStatus(frames_per_file=options.frames_per_file,
                                   gsi_stale_s=options.gsi_stale_s,
                                   memory_stale_s=options.memory_stale_s)
        self._targets = file_targets(Path(options.out_dir), self.family, options.first_number)
        self._target: FileTarget = next(self._targets)  # refuses existing names now
        self._committed = 0
        self._kills = self._deaths = 0
        self._pose: Any = None
        self.last_summary = RecordSummary()
        """The summary of the latest :meth:`run`, also when it ended by an exception."""

    def run(self, *, stop: threading.Event | None = None,
            on_tick: Callable[[RecordStatus], None] | None = None) -> RecordSummary:
        """Record until ``files`` / ``seconds`` / ``stop`` (or KeyboardInterrupt, which
        propagates after the cleanup); every key is released and the game session closed
        before it returns."""
        from csgo_env.datasets.minari.convert_state import clean_stale_temps
        from csgo_env.game.input.held import open_held_input

        opts = self.options
        summary = self.last_summary = RecordSummary()
        out_dir = Path(opts.out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(out_dir)
        sweep_stale_rings()
        held = None
        session = self.session
        writer = RecordingWriter(out_dir, durable=opts.durable)
        try:
            session.start()
            assert session.game is not None
            if session.game.synthetic:
                writer.synthetic = SYNTHETIC_GENERATOR
            if opts.mode == "own":
                held = open_held_input(opts.keys, profile=session.profile,
                                       sent=session.held_input if self.policy else None)
            session.restart(self.config.replay_start_frame, seed=opts.world_seed)
            self._wait_for_state(opts.ready_timeout_s)
            session.drain_events()
            writer.start()
            if self.policy is not None:
                self.policy.reset()
            self._loop(writer, held, stop, on_tick, summary)
        finally:
            session.close()  # releases every key first
            if held is not None:
                held.close()
            report = writer.close()
            summary.written, summary.errors = list(report.written), list(report.errors)
            summary.writer_waits = report.waits
            summary.kills, summary.deaths = self.status.kills, self.status.deaths
            if self.spectator is not None:
                summary.targets = list(self.spectator.targets)
        return summary

    def _loop(self, writer: RecordingWriter, held: Any, stop: threading.Event | None,
              on_tick: Callable[[RecordStatus], None] | None, summary: RecordSummary) -> None:
        opts, session = self.options, self.session
        deadline = None if opts.seconds is None else time.monotonic() + opts.seconds
        frame = session.grab()
        session.start_clock()
        index = 0
        try:
            while not (stop is not None and stop.is_set()) and \
                    (deadline is None or time.monotonic() < deadline):
                report = session.tick(self._action(frame, summary.ticks))
                curr_vars = self._curr_vars(held)
                writer.add(self._target, index, frame, curr_vars)
                summary.ticks += 1
                index += 1
                if index == opts.frames_per_file:
                    writer.commit(self._target)
                    index = 0
                    self._committed += 1
                    if opts.files is not None and self._committed >= opts.files:
                        break
                    self._target = next(self._targets)
                writer_report = writer.poll()
                self._update_status(report.lateness_s, curr_vars, index, writer_report)
                if on_tick is not None:
                    on_tick(self.status)
                frame = session.grab()
        finally:
            if index:
                writer.abort(self._target)
                summary.dropped_frames = index
            assert session.clock is not None
            summary.clock = session.clock.stats()

    def _wait_for_state(self, timeout_s: float) -> None:
        """Until the game reported its state once (a GSI payload, or its own feed's)."""
        from csgo_env.errors import GameNotRunning

        session = self.session
        deadline = time.monotonic() + timeout_s
        while session.latest_payload() is None and session.player_state() is None:
            if time.monotonic() > deadline:
                raise GameNotRunning(explain(
                    f"{session.profile.display_name} reported no game state",
                    expected=f"a GSI payload (or the game's own events) within {timeout_s:g} s",
                    got="nothing", fix="load into a map; for csgo / cs2 check the GSI cfg "
                                       "(csgo-env gsi-config) and restart the game"))
            time.sleep(0.02)

    def _action(self, frame: Any, tick: int) -> Action | None:
        if self.policy is not None:
            return Action.from_multidiscrete(self.policy.act(frame))
        if self.spectator is not None:
            self.spectator.observe(self.session.latest_payload())
            return self.spectator.action(tick)
        return None

    def _curr_vars(self, held: Any) -> dict[str, Any]:
        session = self.session
        payload = session.latest_payload()
        own = self.options.mode == "own"
        if own:
            provider = payload.get("provider") if isinstance(payload, dict) else None
            steamid = provider.get("steamid") if isinstance(provider, dict) else None
        else:
            assert self.spectator is not None
            steamid = self.spectator.observe(payload)
        pose, error = session.read_pose()
        out = gsi_fields(payload, steamid, session.player_state()) if payload is not None \
            else state_fields(session.player_state())
        out.update(memory_fields(pose, own_play=own, error=error))
        if held is not None:
            out.update(logged_input(held.held()))
        shown = session.shown_frame()
        if shown is not None:
            out["standin_frame"] = shown
        self._pose = pose
        return out

    def _update_status(self, lateness_s: float, curr_vars: dict[str, Any], index: int,
                       writer_report: Any) -> None:
        events = self.session.drain_events()
        self._kills += events.kills
        self._deaths += events.deaths
        problem = writer_report.errors[-1] if writer_report.errors else (
            f"loop waited {writer_report.waits}x for the writer" if writer_report.waits
            else None)
        health = curr_vars.get("gsi_health")
        self.status.update(
            lateness_s=lateness_s, gsi_age_s=self.session.gsi_age(), pose=self._pose,
            pose_error=curr_vars.get("memory_error"),
            alive=isinstance(health, (int, float)) and health > 0, kills=self._kills,
            deaths=self._deaths, file_number=self._target.number, frame_in_file=index,
            written=len(writer_report.written), writer_problem=problem)


__all__ = ["MODES", "RecordOptions", "RecordSummary", "Recorder"]
